"""The store's side of an encrypted journal: asking for the passphrase (never twice in
one process), the keys, and decrypting what is read from the shared folder.

The primitives themselves live in ``crypto.py``, imported only when a journal is
encrypted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore
from rmpair.store.crypto_format import MAGIC as ENCRYPTED_MAGIC
from rmpair.store.files import LogFile, LogFileError, parse_log
from rmpair.store.locking import DeviceLock

if TYPE_CHECKING:
    from rmpair.store.crypto import PassphraseSource
    from rmpair.store.crypto_format import Header, KdfParams


def locked_reason() -> str:
    return _(
        "This journal is encrypted and was opened without its passphrase: it shows what "
        "this device read before, and nothing can be changed."
    )


class OtherJournal(LogFileError):
    """A file of another journal in this journal's folder."""


class Locked(LogFileError):
    """An encrypted file while this process has no passphrase."""


def _device_record_encrypted(fields: dict[str, Any]) -> bool:
    return fields.get("encrypted") is True


class Keys:
    """The keys of an encrypted journal, and the decryption of shared files."""

    def __init__(self, core: StoreCore, lock: DeviceLock) -> None:
        self.core = core
        self.lock = lock

    @property
    def unlocked(self) -> bool:
        """Whether this process holds the journal's key."""
        return self.core._keys is not None

    @property
    def locked(self) -> bool:
        """Whether the journal is encrypted and this process went on without its key
        (read-only; ``unlock`` lifts it)."""
        return self.core._refused and self.core._keys is None

    @property
    def needs_passphrase(self) -> bool:
        """Whether the journal is encrypted and this process has no key yet: the next
        write (or new file from the partner) asks the passphrase source."""
        return self.core._keys is None and self.encryption_wanted()

    def encryption_wanted(self) -> bool:
        """Whether what this device publishes must be encrypted: it was started here,
        a device recorded it in the journal, or some file of the journal already is."""
        if self.core._encrypt_on or any(i.encrypted for i in self.core._shared.values()):
            return True
        return self.encryption_recorded()

    def encryption_recorded(self) -> bool:
        """Whether a device recorded in the journal that it is encrypted."""
        return any(_device_record_encrypted(f) for _id, f in self.core.state.live("device"))

    def _source_of_passphrase(self) -> PassphraseSource:
        if self.core._source is None:
            from rmpair.store.crypto import source_of

            self.core._source = source_of(self.core._passphrase)
        return self.core._source

    def encrypted_headers(self) -> list[Header]:
        """The headers of the journal's encrypted files on disk, this device's first."""
        from rmpair.store.crypto import read_header

        found: list[tuple[bool, str, Header]] = []
        for rel, info in self.core._shared.items():
            if not info.encrypted:
                continue
            header = read_header(self.core.devices_dir / rel)
            if header is not None and header.journal == self.core.member.journal:
                found.append((info.device != self.core.device.id, rel, header))
        return [header for _other, _rel, header in sorted(found, key=lambda f: f[:2])]

    def unlock_with(self, headers: list[Header]) -> None:
        """Ask the passphrase source until a passphrase opens one of ``headers`` (any
        passphrase if there are none: it is being chosen)."""
        from rmpair.store.crypto import (
            MAX_ATTEMPTS,
            Keychain,
            PassphraseRequest,
            check_new_passphrase,
            wrong_passphrase,
        )

        source = self._source_of_passphrase()
        try:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                request = PassphraseRequest(
                    self.core.member.journal, self.core.folder, not headers, attempt
                )
                passphrase = source(request)
                if passphrase is None:
                    self._refuse()
                    return
                if request.new:
                    check_new_passphrase(passphrase)
                keys = Keychain(passphrase)
                if request.new or keys.opens_any(headers):
                    self.core._keys = keys
                    accepted = getattr(source, "accepted", None)
                    if callable(accepted):
                        accepted(request, passphrase)
                    return
            raise wrong_passphrase()
        except BaseException:
            # Never ask twice in one process (a failed command re-reads the folder).
            self._refuse()
            raise

    def _refuse(self) -> None:
        self.core._refused = True
        reason = locked_reason()
        if reason not in self.core.read_only_reasons:
            self.core.read_only_reasons.append(reason)

    def ensure_writing_key(self) -> bool:
        """Have the key this device encrypts with; False (read-only) if there is none."""
        if self.core._keys is None:
            if self.core._refused:
                return False
            self.unlock_with(self.encrypted_headers())
            if self.core._keys is None:
                return False
        if self.core._keys.writing is None:
            self.core._keys.choose_writing(self.encrypted_headers())
        return True

    def can_publish(self) -> bool:
        if not self.lock.can_write():
            return False
        return not self.encryption_wanted() or self.ensure_writing_key()

    def start_encryption(self, passphrase: str | None = None) -> None:
        """From now on, encrypt every file this device writes into the shared folder.

        ``passphrase`` None asks the passphrase source. If some files are encrypted
        already (a second run, or the partner's device), the passphrase must open them,
        and their salt is reused.
        """
        with self.lock.operation():
            self._start_encryption(passphrase)

    def _start_encryption(self, passphrase: str | None = None) -> None:
        if not self.lock.can_write():
            raise ReadOnlyError(" ".join(self.core.read_only_reasons))
        headers = self.encrypted_headers()
        if passphrase is not None:
            from rmpair.store.crypto import Keychain, check_new_passphrase, wrong_passphrase

            keys = Keychain(passphrase)
            if headers and not keys.opens_any(headers):
                raise wrong_passphrase()
            if not headers:
                check_new_passphrase(passphrase)
            if self.core._keys is None or self.core._keys.passphrase != passphrase:
                self.core._keys = keys
        elif self.core._keys is None:
            self.unlock_with(headers)
            if self.core._keys is None:
                raise ReadOnlyError(" ".join(self.core.read_only_reasons))
        assert self.core._keys is not None
        self.core._keys.choose_writing(headers)
        self.core._encrypt_on = True

    def files_by_device(self) -> dict[str, tuple[list[str], list[str]]]:
        """Per device: its files in the shared folder that are encrypted, and those not."""
        out: dict[str, tuple[list[str], list[str]]] = {}
        for rel, info in sorted(self.core._shared.items()):
            if info.foreign:
                continue
            device = info.device or rel.split("/", 1)[0]
            encrypted, plain = out.setdefault(device, ([], []))
            (encrypted if info.encrypted else plain).append(f"devices/{rel}")
        return out

    def encryption_params(self) -> KdfParams | None:
        """The key derivation settings of the journal's encrypted files (None: none yet)."""
        if self.core._keys is not None and self.core._keys.writing is not None:
            return self.core._keys.writing.params
        headers = self.encrypted_headers()
        return headers[0].params if headers else None

    def parse_shared(self, raw: bytes, name: str) -> LogFile:
        """A shared file's log, decrypted if it is encrypted."""
        return parse_log(self.plain_shared(raw, name), name)

    def plain_shared(self, raw: bytes, name: str) -> bytes:
        """A shared file's bytes, decrypted if it is encrypted (``LogFileError`` if it
        cannot be: another journal's, no passphrase, damaged)."""
        if not raw.startswith(ENCRYPTED_MAGIC):
            return raw
        from rmpair.store.crypto_format import CryptoError, parse_header

        try:
            header = parse_header(raw)[0]
            if header.journal != self.core.member.journal:
                raise OtherJournal(name)
            if self.core._keys is None:
                raise Locked(name)
            return self.core._keys.decrypt(raw)
        except CryptoError as exc:
            raise LogFileError(f"{name}: {exc}") from None
