"""Encryption of the shared folder: keys and passphrases.

An encrypted journal keeps every file rmpair writes into the shared folder sealed
with a key derived from a passphrase the pair shares; this device's own data
folder (replica, cache, private notes) stays plain, it never leaves the device.

This module holds the keys (derivation, sealing, the ``Keychain``) and where a
passphrase comes from (environment, keyring, prompt); the file format and its header
are in ``crypto_format``. Keys are derived once per process and kept in memory only.
``cryptography`` and ``keyring`` are imported only when a journal is encrypted, so plain
journals start as fast as before.
"""

from __future__ import annotations

import hmac
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple, TypeAlias

from rmpair.errors import UserError
from rmpair.i18n import _
from rmpair.store.crypto_format import (
    CHECK_BYTES,
    DEFAULT_PARAMS,
    HEADER_READ_BYTES,
    NONCE_BYTES,
    SALT_BYTES,
    CryptoError,
    Header,
    KdfParams,
    parse_header,
)

ENV_PASSPHRASE = "RMPAIR_PASSPHRASE"
ENV_KEYRING = "RMPAIR_KEYRING"  # "off": never read or store the passphrase in the keyring
KEYRING_SERVICE = "rmpair"
MIN_PASSPHRASE = 8
MAX_ATTEMPTS = 3
# Like the cost in a header (crypto_format), a hostile folder must not make this device
# derive keys for endless salts.
MAX_KEYS = 8


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


def read_header(path: Path) -> Header | None:
    """The header of ``path`` if it is an encrypted file with a readable header."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(HEADER_READ_BYTES)
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
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _prompt(text: str, *, confirm: bool) -> str:
    """A hidden prompt on the terminal (the standard library's, as the CLI framework
    would use): the store stays free of any command-line library."""
    import getpass

    while True:
        try:
            value = getpass.getpass(f"{text}: ")
            if not confirm:
                return value
            again = getpass.getpass(f"{_('Type it again to confirm')}: ")
        except EOFError:
            raise UserError(_("No passphrase was typed; nothing was changed.")) from None
        if value == again:
            return value
        _echo(_("The two passphrases differ; type them again."))


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
