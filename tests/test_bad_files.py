"""Every way a file can be bad gives a one-line Swedish message, no traceback, and leaves the file as it was."""

import hashlib
import os
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import zlib

import pytest

from rsa_desktop.storage import errors
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.migrations import APPLICATION_ID, CURRENT_VERSION


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, "-m", "rsa_desktop", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120)


def png_bytes():
    raw = b"\x00\xff\x00\x00"
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def good(tmp_path, demo_file):
    path = tmp_path / "analys.rsa"
    shutil.copy(demo_file, path)
    return path


def make_truncated(tmp_path, good):
    path = tmp_path / "trunkerad.rsa"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_png(tmp_path, good):
    path = tmp_path / "bild.rsa"
    path.write_bytes(png_bytes())
    return path


def make_newer(tmp_path, good):
    path = tmp_path / "nyare.rsa"
    shutil.copy(good, path)
    c = sqlite3.connect(path)
    c.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    c.close()
    return path


def make_foreign_sqlite(tmp_path, good):
    path = tmp_path / "annan.rsa"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t (x)")
    c.commit()
    c.close()
    return path


def make_corrupt_page(tmp_path, good):
    path = tmp_path / "skadad.rsa"
    data = bytearray(good.read_bytes())
    page = 4096
    for i in range(page * 3, min(len(data), page * 6)):
        data[i] = 0x5A
    path.write_bytes(bytes(data))
    return path


def make_empty(tmp_path, good):
    path = tmp_path / "tom.rsa"
    path.write_bytes(b"")
    return path


def make_text(tmp_path, good):
    path = tmp_path / "text.rsa"
    path.write_text("Det här är ingen databas, bara text med åäö.\n" * 10, encoding="utf-8")
    return path


BAD = {
    "truncated": (make_truncated, errors.CorruptFileError, "ofullständig eller skadad"),
    "png": (make_png, errors.NotAnRsaFileError, "inte en RSA-fil"),
    "newer": (make_newer, errors.NewerVersionError, "nyare version"),
    "foreign_sqlite": (make_foreign_sqlite, errors.NotAnRsaFileError, "ingen RSA-fil"),
    "corrupt_page": (make_corrupt_page, errors.CorruptFileError, "skadad"),
    "empty": (make_empty, errors.NotAnRsaFileError, "inte en RSA-fil"),
    "text": (make_text, errors.NotAnRsaFileError, "inte en RSA-fil"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("readonly", [False, True])
def test_open_refuses_bad_file_without_touching_it(tmp_path, good, case, readonly):
    make, error, phrase = BAD[case]
    path = make(tmp_path, good)
    before = digest(path)
    with pytest.raises(error) as exc:
        Document.open(path, readonly=readonly)
    assert phrase in str(exc.value)
    assert "\n" not in str(exc.value)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)) == [path.name]


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["info", "check"])
def test_cli_reports_bad_file_in_one_line(tmp_path, good, case, command):
    path = BAD[case][0](tmp_path, good)
    before = digest(path)
    result = run_cli(command, path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rsa-desktop: ")
    assert digest(path) == before


def test_missing_file(tmp_path):
    with pytest.raises(errors.FileMissingError, match="Filen finns inte"):
        Document.open(tmp_path / "finns-inte.rsa")
    result = run_cli("info", tmp_path / "finns-inte.rsa")
    assert result.returncode == 2 and "Filen finns inte" in result.stderr
    assert not (tmp_path / "finns-inte.rsa").exists()


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(errors.NotAnRsaFileError, match="mapp"):
        Document.open(tmp_path)


def test_read_only_file_opens_read_only_and_is_not_changed(tmp_path, good):
    os.chmod(good, stat.S_IRUSR | stat.S_IRGRP)
    before = digest(good)
    with pytest.raises(errors.ReadOnlyFileError, match="skrivskyddad"):
        Document.open(good)
    for command in ("info", "check"):
        result = run_cli(command, good)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    with Document.open(good, readonly=True) as doc:
        from rsa_desktop.services.rsa import RsaService

        svc = RsaService(doc)
        a = svc.analyses()[0]
        with pytest.raises(errors.DocumentError):
            svc.create("function", a.id, name="Ny")
    assert digest(good) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [good.name]


def test_info_and_check_leave_a_good_file_untouched(tmp_path, good):
    before = digest(good)
    assert run_cli("info", good).returncode == 0
    assert run_cli("check", good).returncode == 0
    assert digest(good) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [good.name]


def test_application_id_marks_our_files(doc):
    with doc.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
        assert c.exec_driver_sql("PRAGMA user_version").scalar() == CURRENT_VERSION
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_new_files_are_private(tmp_path):
    with Document.create(tmp_path / "privat.rsa") as d:
        pass
    assert stat.S_IMODE(os.stat(d.path).st_mode) == 0o600


def test_create_refuses_to_overwrite(tmp_path, good):
    before = digest(good)
    with pytest.raises(errors.FileExistsAlreadyError, match="finns redan"):
        Document.create(good)
    assert digest(good) == before
    result = run_cli("demo", good)
    assert result.returncode == 2 and "finns redan" in result.stderr
    assert digest(good) == before


def test_a_damaged_character_shows_as_replacement_not_a_crash(tmp_path, good):
    """Found by fuzzing: one bad byte inside a text passes integrity_check but is not valid UTF-8."""
    with sqlite3.connect(good) as c:
        c.execute("PRAGMA journal_mode = DELETE")
        c.execute("UPDATE risk SET title = CAST(X'52c3a46b20ff20736d' AS TEXT) WHERE hid = 'R1'")
    with Document.open(good, readonly=True) as doc:
        from rsa_desktop.services.rsa import RsaService

        svc = RsaService(doc)
        title = svc.find_by_hid("risk", svc.analyses()[0].id, "R1").title
    assert title == "Räk \ufffd sm"


def test_a_damaged_schema_name_is_a_corrupt_file_not_a_crash(tmp_path, good):
    """Found by fuzzing in CI: a bad byte inside sqlite_master broke the inspection with a decode error."""
    with sqlite3.connect(good) as c:
        c.execute("PRAGMA journal_mode = DELETE")
    data = bytearray(good.read_bytes())
    at = data.find(b"CREATE TABLE organisation")
    assert at > 0
    data[at + 14] = 0x80  # inside the table name in the schema
    good.write_bytes(bytes(data))
    for readonly in (True, False):
        try:
            Document.open(good, readonly=readonly).close()
        except errors.DocumentError as exc:
            assert "\n" not in str(exc)



def test_a_damaged_date_reads_as_no_date(tmp_path, good):
    """Found by fuzzing: a NUL byte inside a stored date made the whole action table unreadable."""
    with sqlite3.connect(good) as c:
        c.execute("UPDATE action SET deadline = '20' || char(0) || '7-05-12' WHERE hid = 'Å1'")
    with Document.open(good, readonly=True) as doc:
        from rsa_desktop.services.rsa import RsaService

        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        actions = {a.hid: a for a in svc.list("action", aid)}
    assert actions["Å1"].deadline is None and len(actions) > 10


def _damage(path, sql):
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA journal_mode = DELETE")
        c.execute("PRAGMA ignore_check_constraints = ON")
        c.execute(sql)


@pytest.mark.parametrize("sql, read, expected", [
    # a nullable level reads as missing, whatever kind of wrong value it holds
    ("UPDATE risk SET likelihood = 'tre' WHERE hid = 'R1'", lambda r: r.likelihood, None),
    ("UPDATE risk SET likelihood = X'00ff' WHERE hid = 'R1'", lambda r: r.likelihood, None),
    ("UPDATE risk SET likelihood = '3' WHERE hid = 'R1'", lambda r: r.likelihood, 3),
    ("UPDATE risk SET likelihood = '--3' WHERE hid = 'R1'", lambda r: r.likelihood, None),
    # a non-null column reads as its default
    ("UPDATE risk SET sort_order = 'först' WHERE hid = 'R1'", lambda r: r.sort_order, 0),
    # a blob in a text column reads as text with a replacement character, not as bytes
    ("UPDATE risk SET title = X'52ff' WHERE hid = 'R1'", lambda r: r.title, "R\ufffd"),
])
def test_a_wrong_kind_of_value_reads_as_missing_not_as_a_crash(tmp_path, good, sql, read, expected):
    """SQLite keeps whatever a hostile file holds in any column; every column reads back tolerantly."""
    _damage(good, sql)
    from rsa_desktop.services.rsa import RsaService

    with Document.open(good, readonly=True) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        slow = svc.find_by_hid("risk", aid, "R1")
        fast = next(r for r in svc.snapshot(aid, ("risk",)).list("risk", aid) if r.id == slow.id)
    assert read(slow) == read(fast) == expected


def test_a_wrong_flag_reads_as_its_default(tmp_path, good):
    _damage(good, "UPDATE analysis SET archived = 'ja'")
    from rsa_desktop.services.rsa import RsaService

    with Document.open(good, readonly=True) as doc:
        assert RsaService(doc).analyses()[0].archived is False


def test_a_damaged_required_time_is_a_damaged_file_in_one_line(tmp_path, good):
    _damage(good, "UPDATE analysis SET created_at = 'i går'")
    from rsa_desktop.services.rsa import RsaService

    with Document.open(good, readonly=True) as doc, pytest.raises(errors.CorruptFileError) as info:
        RsaService(doc).analyses()
    assert "skadat värde" in str(info.value) and "\n" not in str(info.value)
    result = run_cli("info", good)
    assert result.returncode != 0 and "skadat värde" in result.stderr and "Traceback" not in result.stderr
