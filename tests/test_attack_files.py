"""Files beside the document under attack: upgrade copies, permissions, odd file types (issue 16)."""

import os
import sqlite3
from pathlib import Path

import pytest

from rsa_desktop.storage import backups, crypto
from rsa_desktop.storage.database import Document

PASS = "Räksmörgås i krislådan 2026"
FIXTURE = Path(__file__).parent / "fixtures" / "schema_v1.sql"


@pytest.fixture
def v1_file(tmp_path):
    path = tmp_path / "gammal.rsa"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.close()
    return path


def _secret(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT title FROM risk ORDER BY id").fetchone()[0]
    finally:
        conn.close()


def test_protecting_an_upgraded_file_encrypts_its_upgrade_copy(v1_file):
    secret = _secret(v1_file).encode("utf-8")
    with Document.open(v1_file) as doc:
        copy = doc.backup_path
    assert copy.exists() and secret in copy.read_bytes()
    backups.change_protection(v1_file, current=None, new=PASS)
    assert crypto.is_encrypted(copy) and secret not in copy.read_bytes()
    # Still the original, older format (only encrypted), readable with the passphrase.
    plain, _key = crypto.decrypt(copy.read_bytes(), PASS, copy)
    mem = sqlite3.connect(":memory:")
    mem.deserialize(plain)
    assert mem.execute("PRAGMA user_version").fetchone()[0] == 1
    mem.close()
    # A new passphrase follows to the copy; removing the protection leaves it protected.
    backups.change_protection(v1_file, current=PASS, new=PASS + " ny")
    crypto.decrypt(copy.read_bytes(), PASS + " ny", copy)
    backups.change_protection(v1_file, current=PASS + " ny", new=None)
    assert crypto.is_encrypted(copy)


def _cli(*args, timeout=30):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "rsa_desktop.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": os.getcwd()})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("command", ["check", "info"])
def test_a_fifo_named_rsa_is_refused_without_hanging(tmp_path, command):
    fifo = tmp_path / "x.rsa"
    os.mkfifo(fifo)
    result = _cli(command, fifo, timeout=30)  # used to hang forever in crypto.is_encrypted
    assert result.returncode == 2
    assert "ingen vanlig fil" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="POSIX devices")
def test_a_device_behind_a_symlink_is_not_called_a_folder(tmp_path):
    link = tmp_path / "noll.rsa"
    os.symlink("/dev/zero", link)
    with pytest.raises(Exception, match="ingen vanlig fil") as exc:
        Document.open(link)
    assert "mapp" not in str(exc.value)
