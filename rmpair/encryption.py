"""Encrypting a journal and reporting how far that got: the journal-level half of
encryption.

The primitives (keys, passphrases, the file format) are in ``rmpair.store.crypto`` and
``rmpair.store.crypto_format`` and know nothing of records; what is here records in the
journal that it is encrypted and reads its devices, so it sits beside the journal facade
and the store never imports it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from rmpair.i18n import _
from rmpair.store.crypto_format import CIPHER_NAME, KDF_NAME

if TYPE_CHECKING:
    from rmpair.domain.records import Records

__all__ = ["encrypt_journal", "encryption_report"]


def encrypt_journal(
    journal: Records,
    passphrase: str | None = None,
    converting: AbstractContextManager[object] | None = None,
) -> int:
    """Encrypt this device's files in the shared folder and record in the journal that it
    is encrypted, so the partner's device encrypts its own files when it next opens it.

    ``passphrase`` None asks the journal's passphrase source. Each file is replaced in
    one atomic write; if this stops half-way, plain and encrypted files are both read
    and running it again finishes. Returns how many of this device's plain files were
    encrypted since the journal was opened (opening it may have finished a conversion).
    ``converting`` wraps the slow part (a progress display), after any passphrase prompt.
    """
    store = journal.store
    store.start_encryption(passphrase)
    if not store.encryption_recorded():
        journal.update("device", journal.device_id, {"encrypted": True})
    with converting or nullcontext():
        store.convert_own_files()
    if store.unshared is not None:
        # A file could not be written (a full disk): say so; a second run finishes.
        raise OSError(
            _("Not every file could be encrypted ({reason}); run 'rmpair encrypt' again.").format(
                reason=store.unshared
            )
        )
    return store.converted


def encryption_report(journal: Records) -> dict[str, Any]:
    """Whether the journal is encrypted and which devices' files are still plain (JSON)."""
    from rmpair.model.records import Device

    store = journal.store
    files = store.files_by_device()
    known = {d.id: d for d in journal.all(Device)}
    devices = []
    for device_id in sorted(set(files) | set(known)):
        encrypted, plain = files.get(device_id, ([], []))
        record = known.get(device_id)
        devices.append(
            {
                "device": device_id,
                "person": record.person if record else "",
                "role": record.role.value if record else "",
                "label": record.label if record else "",
                "this_device": device_id == journal.device_id,
                "encrypted_files": len(encrypted),
                "plain_files": plain,
            }
        )
    params = store.encryption_params()
    encrypted_journal = store.encryption_wanted()
    return {
        "encrypted": encrypted_journal,
        "complete": encrypted_journal and not any(d["plain_files"] for d in devices),
        "unlocked": store.unlocked,
        "kdf": {"name": KDF_NAME, **params.to_json()} if params else None,
        "cipher": CIPHER_NAME if params else None,
        "devices": devices,
    }
