"""The encrypted file format: its header, the key derivation settings it names, and its
errors.

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
read each other (one derived key per salt).

Kept apart from ``crypto`` (keys and passphrases) because reading a header needs
neither ``cryptography`` nor a passphrase: the store reads the headers of files it may
not be able to open, to tell whose and which journal's they are.
"""

from __future__ import annotations

import re
import struct
from typing import NamedTuple

from rmpair.i18n import _

# How an encrypted log starts; a plain one is JSON and starts with "{".
MAGIC = b"RMPAIR-ENC1\n"

__all__ = [
    "CHECK_BYTES",
    "CIPHER_NAME",
    "DEFAULT_PARAMS",
    "HEADER_READ_BYTES",
    "KDF_NAME",
    "MAGIC",
    "NONCE_BYTES",
    "SALT_BYTES",
    "CryptoError",
    "Header",
    "KdfParams",
    "parse_header",
]

FORMAT_VERSION = 1
KDF_SCRYPT = 1
CIPHER_AES256GCM = 1
SALT_BYTES = 16
CHECK_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
# A file names its own key derivation cost; a damaged or hostile header must not make
# this device spend gigabytes or minutes on it, nor derive keys for endless salts.
MAX_KDF_MEMORY = 256 * 1024 * 1024
MAX_KDF_WORK = 1024 * 1024 * 1024  # memory times passes: about ten times the default

_FIXED = struct.Struct(f">{len(MAGIC)}sBBBBBB{SALT_BYTES}s{CHECK_BYTES}sB")
_JOURNAL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Enough of a file's start to parse any header: the journal id is at most 255 bytes.
HEADER_READ_BYTES = _FIXED.size + 255 + NONCE_BYTES + TAG_BYTES


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
