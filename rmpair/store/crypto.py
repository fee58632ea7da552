"""Encryption of the shared folder: key derivation, the file format, passphrases.

An encrypted journal keeps every file rmpair writes into the shared folder sealed
with a key derived from a passphrase the pair shares; this device's own data
folder (replica, cache, private notes) stays plain, it never leaves the device.

File format (one device log, encrypted as a whole)::

    magic      12 bytes  b"RMPAIR-ENC1\\n"
    version     1 byte   1: the layout below
    kdf         1 byte   1: scrypt
    log2(N), r, p        3 bytes, scrypt's cost parameters
    cipher      1 byte   1: AES-256-GCM
    salt       16 bytes  random, chosen once per journal (reused by every device)
    check      16 bytes  derived from the key: tells a wrong passphrase from a damaged file
    journal    1 byte length + the journal id (ASCII)
    nonce      12 bytes  fresh and random for every write
    ciphertext + 16-byte tag

Everything before the ciphertext is authenticated as associated data, so no byte
of the file can change unnoticed. Every file carries its salt, so a device needs
nothing but the passphrase; devices that chose different salts concurrently still
read each other (one derived key per salt). Keys are derived once per process and
kept in memory only. ``cryptography`` and ``keyring`` are imported only when a
journal is encrypted, so plain journals start as fast as before.
"""

from __future__ import annotations

import hmac
import os
import re
import struct
import sys
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.store.files import ENCRYPTED_MAGIC as MAGIC

if TYPE_CHECKING:
    from rmpair.domain.records import Records

FORMAT_VERSION = 1
KDF_SCRYPT = 1
CIPHER_AES256GCM = 1
SALT_BYTES = 16
CHECK_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
ENV_PASSPHRASE = "RMPAIR_PASSPHRASE"
ENV_KEYRING = "RMPAIR_KEYRING"  # "off": never read or store the passphrase in the keyring
KEYRING_SERVICE = "rmpair"
MIN_PASSPHRASE = 8
MAX_ATTEMPTS = 3
# A file names its own key derivation cost; a damaged or hostile header must not make
# this device spend gigabytes or minutes on it, nor derive keys for endless salts.
MAX_KDF_MEMORY = 256 * 1024 * 1024
MAX_KDF_WORK = 1024 * 1024 * 1024  # memory times passes: about ten times the default
MAX_KEYS = 8

_FIXED = struct.Struct(f">{len(MAGIC)}sBBBBBB{SALT_BYTES}s{CHECK_BYTES}sB")
_JOURNAL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class KdfParams(NamedTuple):
    """scrypt's cost: N = 2**log2_n, block size r, parallelism p."""

    log2_n: int
    r: int
    p: int

    @property
    def memory(self) -> int:
        return 128 * self.r * (1 << self.log2_n)

    @property
    def acceptable(self) -> bool:
        """Within what this device agrees to spend on a file's say-so."""
        return (
            10 <= self.log2_n <= 24
            and 1 <= self.r <= 32
            and 1 <= self.p <= 16
            and self.memory <= MAX_KDF_MEMORY
            and self.memory * self.p <= MAX_KDF_WORK
        )

    def to_json(self) -> dict[str, int]:
        return {"n": 1 << self.log2_n, "r": self.r, "p": self.p}


# 32 MiB and about a quarter of a second on a current laptop: the OWASP-recommended
# strength for scrypt (N=2^15 needs p=3), without the 128 MiB of N=2^17 on old devices.
DEFAULT_PARAMS = KdfParams(15, 8, 3)

KDF_NAME = "scrypt"
CIPHER_NAME = "AES-256-GCM"


class CryptoError(ValueError):
    """An encrypted file cannot be opened; the message says why in plain words."""


class WrongPassphrase(UserError):
    """The passphrase opens none of the journal's encrypted files."""


def wrong_passphrase() -> WrongPassphrase:
    return WrongPassphrase(
        _("Wrong passphrase: it does not open this journal's encrypted files. Nothing was changed.")
    )


def normalize(passphrase: str) -> str:
    """One spelling per passphrase: macOS and Linux type 'é' as different code points."""
    return unicodedata.normalize("NFC", passphrase)


def check_new_passphrase(passphrase: str) -> None:
    if len(normalize(passphrase).strip()) < MIN_PASSPHRASE:
        raise UserError(
            _(
                "A passphrase needs at least {n} characters; a few unrelated words are easy "
                "to remember and hard to guess."
            ).format(n=MIN_PASSPHRASE)
        )


# -- the header ------------------------------------------------------------------


class Header(NamedTuple):
    """The plain part of an encrypted file: how to derive its key, and its nonce."""

    params: KdfParams
    salt: bytes
    check: bytes
    journal: str
    nonce: bytes

    def encode(self) -> bytes:
        journal = self.journal.encode("ascii")
        fixed = _FIXED.pack(
            MAGIC,
            FORMAT_VERSION,
            KDF_SCRYPT,
            self.params.log2_n,
            self.params.r,
            self.params.p,
            CIPHER_AES256GCM,
            self.salt,
            self.check,
            len(journal),
        )
        return fixed + journal + self.nonce

    @property
    def key_id(self) -> tuple[bytes, KdfParams]:
        return self.salt, self.params


def parse_header(raw: bytes) -> tuple[Header, int]:
    """The header of an encrypted file and where its ciphertext starts."""
    if not raw.startswith(MAGIC):
        raise CryptoError(_("not an encrypted rmpair file"))
    truncated = CryptoError(_("the file ends too early (truncated)"))
    if len(raw) < _FIXED.size:
        raise truncated
    _magic, version, kdf, log2_n, r, p, cipher, salt, check, length = _FIXED.unpack_from(raw)
    if version != FORMAT_VERSION:
        raise CryptoError(
            _(
                "encrypted in a format this version of rmpair does not know ({version}); "
                "update rmpair"
            ).format(version=version)
        )
    if kdf != KDF_SCRYPT or cipher != CIPHER_AES256GCM:
        raise CryptoError(_("encrypted with a method this version of rmpair does not know"))
    params = KdfParams(log2_n, r, p)
    if not params.acceptable:
        raise CryptoError(_("the header's key derivation settings are out of range"))
    end = _FIXED.size + length + NONCE_BYTES
    if len(raw) < end + TAG_BYTES:
        raise truncated
    try:
        journal = raw[_FIXED.size : _FIXED.size + length].decode("ascii")
    except UnicodeDecodeError:
        journal = ""
    if not _JOURNAL_ID.fullmatch(journal):
        raise CryptoError(_("the header's journal id is malformed"))
    return Header(params, salt, check, journal, raw[end - NONCE_BYTES : end]), end


def read_header(path: Path) -> Header | None:
    """The header of ``path`` if it is an encrypted file with a readable header."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(_FIXED.size + 255 + NONCE_BYTES + TAG_BYTES)
    except OSError:
        return None
    try:
        return parse_header(start)[0]
    except CryptoError:
        return None


# -- keys ------------------------------------------------------------------------


class Key(NamedTuple):
    salt: bytes
    params: KdfParams
    check: bytes
    secret: bytes  # the AES-256-GCM key


_DERIVED: dict[tuple[str, bytes, KdfParams], Key] = {}
kdf_runs = 0  # key derivations run by this process (the expensive step; for tests)


def derive(passphrase: str, salt: bytes, params: KdfParams = DEFAULT_PARAMS) -> Key:
    """The key ``passphrase`` gives with ``salt``; derived once per process, kept in memory."""
    global kdf_runs
    cache_key = (normalize(passphrase), salt, params)
    found = _DERIVED.get(cache_key)
    if found is not None:
        return found
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    master = Scrypt(salt=salt, length=32, n=1 << params.log2_n, r=params.r, p=params.p).derive(
        cache_key[0].encode("utf-8")
    )
    kdf_runs += 1
    # Two independent values from one slow derivation: the cipher key, and a check
    # that tells "wrong passphrase" apart from "damaged file" without decrypting.
    secret = HKDFExpand(hashes.SHA256(), 32, b"rmpair aes-256-gcm key v1").derive(master)
    check = HKDFExpand(hashes.SHA256(), CHECK_BYTES, b"rmpair passphrase check v1").derive(master)
    key = Key(salt, params, check, secret)
    _DERIVED[cache_key] = key
    return key


def new_key(passphrase: str, params: KdfParams = DEFAULT_PARAMS) -> Key:
    """A key under a fresh random salt (a journal being encrypted for the first time)."""
    return derive(passphrase, os.urandom(SALT_BYTES), params)


def seal(key: Key, plaintext: bytes, journal: str) -> bytes:
    """``plaintext`` encrypted under ``key`` with a fresh nonce, header included."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = Header(key.params, key.salt, key.check, journal, os.urandom(NONCE_BYTES)).encode()
    return header + AESGCM(key.secret).encrypt(header[-NONCE_BYTES:], plaintext, header)


def unseal(key: Key, raw: bytes) -> bytes:
    """The plaintext of ``raw``; ``CryptoError`` if ``key`` is not its key or it was altered."""
    header, start = parse_header(raw)
    if header.key_id != (key.salt, key.params) or not hmac.compare_digest(header.check, key.check):
        raise CryptoError(_("encrypted with a different passphrase (or its header was altered)"))
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key.secret).decrypt(header.nonce, raw[start:], raw[:start])
    except InvalidTag:
        raise CryptoError(
            _("damaged or altered: its encryption check failed (it may have been cut short)")
        ) from None


class Keychain:
    """The keys one passphrase gives: one per salt met, plus the one this device writes with."""

    def __init__(self, passphrase: str) -> None:
        self.passphrase = passphrase
        self.writing: Key | None = None
        self._keys: dict[tuple[bytes, KdfParams], Key] = {}

    def key_for(self, header: Header) -> Key | None:
        """The key that opens files with ``header``, or None if this passphrase does not."""
        key = self._keys.get(header.key_id)
        if key is None:
            if len(self._keys) >= MAX_KEYS:
                return None
            key = self._keys[header.key_id] = derive(self.passphrase, header.salt, header.params)
        return key if hmac.compare_digest(key.check, header.check) else None

    def opens(self, header: Header) -> bool:
        return self.key_for(header) is not None

    def opens_any(self, headers: Iterable[Header]) -> bool:
        """Whether this passphrase opens at least one of ``headers`` (each key tried once)."""
        tried: set[tuple[bytes, KdfParams, bytes]] = set()
        for header in headers:
            if (*header.key_id, header.check) in tried:
                continue
            tried.add((*header.key_id, header.check))
            if self.opens(header):
                return True
        return False

    def choose_writing(self, headers: Iterable[Header]) -> Key:
        """Write with the salt already in use (the first header it opens), else a new one."""
        if self.writing is None:
            for header in headers:
                key = self.key_for(header)
                if key is not None:
                    self.writing = key
                    break
            else:
                self.writing = new_key(self.passphrase)
                self._keys[self.writing.salt, self.writing.params] = self.writing
        return self.writing

    def decrypt(self, raw: bytes) -> bytes:
        header, _start = parse_header(raw)
        key = self.key_for(header)
        if key is None:
            raise CryptoError(
                _("encrypted with a different passphrase (or its header was altered)")
            )
        return unseal(key, raw)

    def encrypt(self, plaintext: bytes, journal: str) -> bytes:
        if self.writing is None:
            raise RuntimeError("no key chosen for writing")
        return seal(self.writing, plaintext, journal)


# -- passphrases -------------------------------------------------------------------


class PassphraseRequest(NamedTuple):
    """What a passphrase source is asked for.

    ``new``: no encrypted file exists yet to check it against, so it is being chosen
    (ask twice). ``attempt`` counts up after a wrong passphrase (1 on the first ask).
    """

    journal: str  # the journal id (the keyring's user name)
    folder: Path
    new: bool
    attempt: int


# Called when the journal needs its passphrase; returns it, or None to go on without
# it (the journal is then read-only). It may raise UserError to stop. An optional
# ``accepted(request, passphrase)`` attribute is called once the passphrase proved right.
PassphraseSource: TypeAlias = Callable[[PassphraseRequest], str | None]
# What ``Journal.open(passphrase=...)`` takes: the passphrase itself, a source, or None
# for the standard source (see StandardSource).
Passphrase: TypeAlias = str | PassphraseSource | None


def no_passphrase(request: PassphraseRequest) -> str | None:
    """A source that never gives one: open an encrypted journal read-only, without asking."""
    return None


def fixed_passphrase(passphrase: str) -> PassphraseSource:
    """A source that gives ``passphrase`` once (a second ask means it was wrong)."""

    def source(request: PassphraseRequest) -> str | None:
        if request.attempt > 1:
            raise wrong_passphrase()
        return passphrase

    return source


def source_of(passphrase: Passphrase) -> PassphraseSource:
    """The source behind what ``Journal.open(passphrase=...)`` was given."""
    if passphrase is None:
        return StandardSource()
    if isinstance(passphrase, str):
        return fixed_passphrase(passphrase)
    return passphrase


def keyring_disabled() -> bool:
    return os.environ.get(ENV_KEYRING, "").strip().lower() in ("off", "0", "no", "false")


def keyring_get(journal: str) -> str | None:
    """The passphrase kept in the OS keyring for ``journal``, if there is a keyring."""
    if keyring_disabled():
        return None
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, journal)
    # No backend (headless Linux, CI) or one that failed in its own way (D-Bus, a locked
    # store): either way there is no stored passphrase, and rmpair asks instead.
    except Exception:
        return None


def keyring_set(journal: str, passphrase: str) -> bool:
    """Keep ``passphrase`` in the OS keyring; False where there is none."""
    if keyring_disabled():
        return False
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, journal, passphrase)
    except Exception:  # see keyring_get
        return False
    return True


def interactive() -> bool:
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _echo(message: str) -> None:
    import typer

    typer.echo(message, err=True)


def _prompt(text: str, *, confirm: bool) -> str:
    import typer

    value: str = typer.prompt(
        text,
        hide_input=True,
        confirmation_prompt=_("Type it again to confirm") if confirm else False,
    )
    return value


def _needs_new_passphrase() -> str:
    return _(
        "Encrypting needs a passphrase; set {var} or run rmpair in a terminal to type one."
    ).format(var=ENV_PASSPHRASE)


class StandardSource:
    """``RMPAIR_PASSPHRASE``, else the OS keyring, else a hidden prompt in a terminal.

    A passphrase typed at the prompt is kept in the keyring once it proved right, so
    each device asks once; without a keyring it is asked at each start that needs it.
    """

    def __init__(self) -> None:
        self._typed: str | None = None
        self._chosen: str | None = None
        self._from_keyring = False
        self.used_env = False
        self.kept: bool | None = None  # a typed passphrase went into the keyring (None: none typed)

    def __call__(self, request: PassphraseRequest) -> str | None:
        env = os.environ.get(ENV_PASSPHRASE)
        if env:
            if request.attempt > 1:
                raise WrongPassphrase(
                    _(
                        "{var} is not this journal's passphrase: it does not open its "
                        "encrypted files. Nothing was changed."
                    ).format(var=ENV_PASSPHRASE)
                )
            if request.new:
                check_new_passphrase(env)
            self.used_env = True
            return env
        if request.new and self._chosen is not None:
            return self._chosen
        if request.attempt == 1 and not request.new:
            stored = keyring_get(request.journal)
            if stored:
                self._from_keyring = True
                return stored
        if not interactive():
            if request.new:
                raise UserError(_needs_new_passphrase())
            if self._from_keyring:
                raise WrongPassphrase(
                    _(
                        "The passphrase kept in this computer's keyring does not open this "
                        "journal; run rmpair in a terminal to type the right one, or set {var}."
                    ).format(var=ENV_PASSPHRASE)
                )
            raise UserError(
                _(
                    "This journal is encrypted; set {var} or run rmpair in a terminal to type "
                    "its passphrase."
                ).format(var=ENV_PASSPHRASE)
            )
        if request.attempt > 1:
            _echo(
                _("The passphrase kept in this computer's keyring does not open this journal.")
                if self._from_keyring
                else _("That passphrase does not open this journal; try again.")
            )
        self._from_keyring = False
        self._typed = self._ask_new() if request.new else _prompt(_("Passphrase"), confirm=False)
        return self._typed

    def accepted(self, request: PassphraseRequest, passphrase: str) -> None:
        """Keep a typed passphrase in the keyring once it proved right."""
        if self._typed is not None and passphrase == self._typed:
            self.kept = keyring_set(request.journal, passphrase)

    def summary(self) -> str:
        """What became of the passphrase, and what to do with it (after encrypting)."""
        if self.kept:
            where = _(
                "It is kept in this computer's keyring; rmpair does not ask for it here again."
            )
        elif self.kept is False:
            where = _(
                "This computer has no keyring rmpair can use, so rmpair asks for it whenever it "
                "needs it (or set {var})."
            ).format(var=ENV_PASSPHRASE)
        elif self.used_env:
            where = _("It was taken from {var}; rmpair does not store it.").format(
                var=ENV_PASSPHRASE
            )
        else:
            where = ""
        advice = _(
            "Your partner needs the same passphrase: tell it in person, not through the shared "
            "folder. Keep it somewhere safe: if it is lost, nothing in the shared folder can be "
            "read again."
        )
        return f"{where} {advice}".strip()

    def prepare_new(self) -> None:
        """Ask now for the passphrase of a journal about to be encrypted, so that a
        refusal comes before anything is written."""
        env = os.environ.get(ENV_PASSPHRASE)
        if env:
            check_new_passphrase(env)
            self.used_env = True
            return
        if not interactive():
            raise UserError(_needs_new_passphrase())
        self._chosen = self._typed = self._ask_new()

    def _ask_new(self) -> str:
        _echo(
            _(
                "Choose a passphrase for the journal (at least {n} characters). Your partner "
                "needs the same one; tell it in person, not through the shared folder. If it "
                "is lost, nothing in the shared folder can be read again."
            ).format(n=MIN_PASSPHRASE)
        )
        for _attempt in range(MAX_ATTEMPTS):
            value = _prompt(_("New passphrase"), confirm=True)
            try:
                check_new_passphrase(value)
            except UserError as exc:
                _echo(str(exc))
                continue
            return value
        raise UserError(_("No passphrase chosen; nothing was changed."))


# -- the journal ---------------------------------------------------------------------


def encrypt_journal(journal: Records, passphrase: str | None = None) -> int:
    """Encrypt this device's files in the shared folder and record in the journal that it
    is encrypted, so the partner's device encrypts its own files when it next opens it.

    ``passphrase`` None asks the journal's passphrase source. Each file is replaced in
    one atomic write; if this stops half-way, plain and encrypted files are both read
    and running it again finishes. Returns how many of this device's plain files were
    encrypted since the journal was opened (opening it may have finished a conversion).
    """
    store = journal.store
    store.start_encryption(passphrase)
    if not store.encryption_recorded():
        journal.update("device", journal.device_id, {"encrypted": True})
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
