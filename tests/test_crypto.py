"""The encrypted file format, key derivation and passphrase sources (rmpair.store.crypto)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyring.backend import KeyringBackend

from rmpair.errors import UserError
from rmpair.store import crypto
from rmpair.store.crypto import (
    Keychain,
    PassphraseRequest,
    StandardSource,
    WrongPassphrase,
    derive,
    seal,
    unseal,
)
from rmpair.store.crypto_format import DEFAULT_PARAMS, MAGIC, CryptoError, KdfParams, parse_header
from rmpair.store.files import LogFileError, journal_of, parse_log

PASSPHRASE = "correct horse battery staple"
# Cheap settings for the property tests; every file rmpair writes uses DEFAULT_PARAMS.
CHEAP = KdfParams(10, 8, 1)
SALT = bytes(range(16))
JOURNAL = "j0urnal-id_42"


class MemoryKeyring(KeyringBackend):
    """A keyring backend that lives in memory, so no test touches the real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.saved.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saved[service, username] = password

    def delete_password(self, service: str, username: str) -> None:
        self.saved.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv(crypto.ENV_PASSPHRASE, raising=False)
    monkeypatch.delenv(crypto.ENV_KEYRING, raising=False)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def cheap_key() -> crypto.Key:
    return derive(PASSPHRASE, SALT, CHEAP)


def request(*, new: bool = False, attempt: int = 1) -> PassphraseRequest:
    return PassphraseRequest(JOURNAL, Path("."), new, attempt)


# -- the format ------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=2000), journal=st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True))
def test_round_trip_of_any_bytes(data: bytes, journal: str) -> None:
    key = cheap_key()
    sealed = seal(key, data, journal)
    assert sealed.startswith(MAGIC)
    assert unseal(key, sealed) == data
    header, _start = parse_header(sealed)
    assert header.journal == journal  # visible without the key, and authenticated
    assert header.salt == SALT and header.params == CHEAP


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(min_size=0, max_size=200),
    where=st.integers(min_value=0),
    flip=st.integers(1, 255),
)
def test_any_single_byte_change_is_detected(data: bytes, where: int, flip: int) -> None:
    key = cheap_key()
    sealed = bytearray(seal(key, data, JOURNAL))
    sealed[where % len(sealed)] ^= flip
    with pytest.raises(CryptoError):
        unseal(key, bytes(sealed))
    with pytest.raises(CryptoError):  # and by whoever only has the passphrase
        Keychain(PASSPHRASE).decrypt(bytes(sealed))


@settings(max_examples=80, deadline=None)
@given(data=st.binary(max_size=300), keep=st.integers(min_value=0))
def test_any_truncation_is_detected(data: bytes, keep: int) -> None:
    key = cheap_key()
    sealed = seal(key, data, JOURNAL)
    with pytest.raises(CryptoError):
        unseal(key, sealed[: keep % len(sealed)])


def test_every_write_uses_a_fresh_nonce() -> None:
    key = cheap_key()
    first, second = seal(key, b"same text", JOURNAL), seal(key, b"same text", JOURNAL)
    assert first != second
    assert parse_header(first)[0].nonce != parse_header(second)[0].nonce


def test_a_newer_format_or_method_is_named_not_misread() -> None:
    sealed = bytearray(seal(cheap_key(), b"x", JOURNAL))
    sealed[len(MAGIC)] = 2  # the version byte
    with pytest.raises(CryptoError, match="format this version of rmpair does not know"):
        parse_header(bytes(sealed))


def test_hostile_cost_settings_are_refused_without_deriving() -> None:
    sealed = bytearray(seal(cheap_key(), b"x", JOURNAL))
    sealed[len(MAGIC) + 2] = 30  # log2(N): 2**30 blocks would need 128 GiB
    runs = crypto.kdf_runs
    with pytest.raises(CryptoError, match="out of range"):
        Keychain(PASSPHRASE).decrypt(bytes(sealed))
    assert crypto.kdf_runs == runs
    for hostile in (KdfParams(18, 8, 16), KdfParams(20, 8, 1), KdfParams(9, 8, 1)):
        assert not hostile.acceptable


# -- keys ---------------------------------------------------------------------------


def test_wrong_passphrase_is_told_apart_from_damage() -> None:
    sealed = seal(cheap_key(), b"secret", JOURNAL)
    wrong = Keychain("not the passphrase")
    assert not wrong.opens(parse_header(sealed)[0])
    with pytest.raises(CryptoError, match="different passphrase"):
        wrong.decrypt(sealed)
    damaged = bytearray(sealed)
    damaged[-1] ^= 1
    right = Keychain(PASSPHRASE)
    assert right.opens(parse_header(bytes(damaged))[0])
    with pytest.raises(CryptoError, match="damaged or altered"):
        right.decrypt(bytes(damaged))


def test_a_passphrase_typed_on_another_system_gives_the_same_key() -> None:
    composed = "Crème brûlée 2026"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    sealed = seal(derive(composed, SALT, CHEAP), b"x", JOURNAL)
    assert Keychain(decomposed).decrypt(sealed) == b"x"


def test_the_key_is_derived_once_per_process() -> None:
    salt = b"derived-once-ok!"
    runs = crypto.kdf_runs
    first = derive(PASSPHRASE, salt, CHEAP)
    assert crypto.kdf_runs == runs + 1
    assert derive(PASSPHRASE, salt, CHEAP) is first
    assert Keychain(PASSPHRASE).key_for(parse_header(seal(first, b"", JOURNAL))[0]) == first
    assert crypto.kdf_runs == runs + 1


def test_default_cost() -> None:
    """32 MiB, three passes: OWASP's scrypt strength (timed in docs/encryption.md)."""
    assert DEFAULT_PARAMS.memory == 32 * 1024 * 1024
    assert DEFAULT_PARAMS.acceptable
    key = derive("the default cost", b"default-salt-001")
    assert key.params == DEFAULT_PARAMS and len(key.secret) == 32


def test_writing_reuses_the_salt_in_use_and_keeps_one_key_per_salt() -> None:
    other_salt = b"another-salt-16b"
    theirs = seal(derive(PASSPHRASE, other_salt, CHEAP), b"theirs", JOURNAL)
    chain = Keychain(PASSPHRASE)
    writing = chain.choose_writing([parse_header(theirs)[0]])
    assert writing.salt == other_salt
    mine = seal(cheap_key(), b"mine", JOURNAL)
    assert chain.decrypt(theirs) == b"theirs"
    assert chain.decrypt(mine) == b"mine"  # a second salt: a second key, both kept
    fresh = Keychain(PASSPHRASE).choose_writing([])
    assert fresh.salt not in (SALT, other_salt) and fresh.params == DEFAULT_PARAMS


def test_a_new_passphrase_must_be_long_enough() -> None:
    with pytest.raises(UserError, match="at least 8 characters"):
        crypto.check_new_passphrase("  short ")
    crypto.check_new_passphrase("four words are fine")


# -- the log files ---------------------------------------------------------------------


def test_log_readers_name_an_encrypted_file_and_its_journal(tmp_path: Path) -> None:
    sealed = seal(cheap_key(), b'{"meta": {}}', JOURNAL)
    with pytest.raises(LogFileError, match="encrypted"):
        parse_log(sealed, "2026-11.json")
    path = tmp_path / "2026-11.json"
    path.write_bytes(sealed)
    assert journal_of(path) == JOURNAL
    path.write_bytes(sealed[:20])
    with pytest.raises(LogFileError, match="truncated"):
        journal_of(path)


# -- passphrase sources ---------------------------------------------------------------


def test_env_comes_first_and_a_second_ask_means_it_was_wrong(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.set_password("rmpair", JOURNAL, "from the keyring")
    monkeypatch.setenv("RMPAIR_PASSPHRASE", "from the environment")
    source = StandardSource()
    assert source(request()) == "from the environment"
    with pytest.raises(WrongPassphrase, match="RMPAIR_PASSPHRASE is not this journal's"):
        source(request(attempt=2))
    monkeypatch.setenv("RMPAIR_PASSPHRASE", "short")
    with pytest.raises(UserError, match="at least 8"):
        StandardSource()(request(new=True))


def test_keyring_is_used_per_journal(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("rmpair", JOURNAL, "kept for this journal")
    assert StandardSource()(request()) == "kept for this journal"
    other = PassphraseRequest("another-journal", Path("."), False, 1)
    with pytest.raises(UserError, match="set RMPAIR_PASSPHRASE or run rmpair in a terminal"):
        StandardSource()(other)  # tests run without a terminal


def test_a_wrong_passphrase_in_the_keyring_is_said_so(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("rmpair", JOURNAL, "an old passphrase")
    source = StandardSource()
    assert source(request()) == "an old passphrase"
    with pytest.raises(WrongPassphrase, match="keyring does not open this journal"):
        source(request(attempt=2))


def test_keyring_can_be_switched_off(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.set_password("rmpair", JOURNAL, "kept for this journal")
    monkeypatch.setenv("RMPAIR_KEYRING", "off")
    with pytest.raises(UserError, match="This journal is encrypted; set RMPAIR_PASSPHRASE"):
        StandardSource()(request())
    assert not crypto.keyring_set(JOURNAL, "anything at all")
    assert memory_keyring.saved == {("rmpair", JOURNAL): "kept for this journal"}


def test_no_keyring_backend_means_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("RMPAIR_PASSPHRASE", raising=False)
    try:
        assert crypto.keyring_get(JOURNAL) is None
        assert crypto.keyring_set(JOURNAL, "nowhere to keep it") is False
        with pytest.raises(UserError, match="set RMPAIR_PASSPHRASE or run rmpair in a terminal"):
            StandardSource()(request())
        with pytest.raises(UserError, match="Encrypting needs a passphrase"):
            StandardSource().prepare_new()
    finally:
        keyring.set_keyring(previous)


def test_fixed_and_empty_sources() -> None:
    fixed = crypto.source_of("given by the app")
    assert fixed(request()) == "given by the app"
    with pytest.raises(WrongPassphrase):
        fixed(request(attempt=2))
    assert crypto.no_passphrase(request()) is None
    assert isinstance(crypto.source_of(None), StandardSource)
