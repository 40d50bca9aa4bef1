"""SQLite failures are told apart by SQLite's result code, not by message text: a known problem becomes a
Swedish DocumentError, anything else stays a bug (None) and reaches the crash dialog."""

from __future__ import annotations

import sqlite3

import pytest

from rsa_desktop.storage import errors as e
from rsa_desktop.storage.database import translate_sqlite_error


def _error(code: int, message: str = "x") -> sqlite3.Error:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code
    exc.sqlite_errorname = "TEST"
    return exc


@pytest.mark.parametrize("code, cls", [
    (13, e.DiskFullError), (8, e.ReadOnlyFileError), (8 | (1 << 8), e.ReadOnlyFileError),
    (5, e.FileLockedError), (6, e.FileLockedError), (517, e.FileLockedError),  # SQLITE_BUSY_SNAPSHOT
    (11, e.CorruptFileError), (26, e.NotAnRsaFileError), (14, e.FileMissingError), (3, e.ReadOnlyFileError),
    (10 | (12 << 8), e.DocumentError),  # SQLITE_IOERR_READ
])
def test_known_codes_become_swedish_messages(code, cls):
    err = translate_sqlite_error(_error(code, "message text that means nothing here"))
    assert isinstance(err, cls)
    assert str(err) and str(err)[0].isupper()


@pytest.mark.parametrize("code", [1, 19, 20, 21, 25])  # SQLITE_ERROR, CONSTRAINT, MISMATCH, MISUSE, RANGE
def test_other_codes_are_bugs_even_if_the_message_sounds_known(code):
    assert translate_sqlite_error(_error(code, "database is locked; disk is full; file is not a database")) is None


def test_a_bug_whose_message_mentions_locking_is_not_taken_for_a_lock():
    assert translate_sqlite_error(sqlite3.ProgrammingError("Cannot operate on a closed database: locked")) is None


def test_real_sqlite_errors_carry_their_code(tmp_path):
    path = tmp_path / "inte-en-databas.rsa"
    path.write_bytes(b"this is not sqlite" * 200)
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError) as info:
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()
    assert isinstance(translate_sqlite_error(info.value), e.NotAnRsaFileError)


@pytest.mark.parametrize("exc", [ValueError("Invalid isoformat string: 'x'"), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "codec"),
                                 ValueError("invalid literal for int() with base 10: 'Hemlig plan'")])
def test_a_bug_whose_message_sounds_like_a_damaged_value_stays_a_bug(exc):
    """Only the tolerant column reading says a stored value is damaged (DamagedValue); a ValueError of ours
    with the same words is a bug and goes to the crash dialog, not to a "restore a backup" message."""
    assert translate_sqlite_error(exc) is None


def test_a_damaged_value_is_a_damaged_file():
    from rsa_desktop.model.entities import DamagedValue

    err = translate_sqlite_error(DamagedValue("risk", "likelihood"))
    assert isinstance(err, e.CorruptFileError) and "risk.likelihood" in str(err)
