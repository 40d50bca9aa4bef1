"""One writer per file, rolling backups, and files with planted database code refused."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import backups
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import DocumentError, FileLockedError, HostileFileError
from rsa_desktop.storage.lock import lock_path, read_owner


@pytest.fixture
def demo(tmp_path, demo_file):
    path = tmp_path / "analys.rsa"
    shutil.copy(demo_file, path)
    return path


def test_second_writer_is_refused_and_read_only_is_offered(demo):
    first = Document.open(demo)
    with pytest.raises(FileLockedError) as exc:
        Document.open(demo)
    assert "redan öppen hos" in str(exc.value) and "skrivskyddad" in str(exc.value)
    with Document.open(demo, readonly=True) as reader:
        svc = RsaService(reader)
        RsaService(first).create("risk", svc.analyses()[0].id, title="Syns för läsaren")
        assert any(r.title == "Syns för läsaren" for r in svc.list("risk", svc.analyses()[0].id))
    first.close()
    assert not lock_path(demo).exists()
    Document.open(demo).close()


def test_lock_of_another_running_process_is_respected(demo):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(60)"])
    try:
        lock_path(demo).write_text(json.dumps({"pid": holder.pid, "host": os.uname().nodename, "user": "kollega",
                                              "since": "2026-11-22T08:00:00"}), encoding="utf-8")
        with pytest.raises(FileLockedError, match="kollega på datorn"):
            Document.open(demo)
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_from_a_crashed_instance_is_cleared(demo):
    code = ("import os, sys; from rsa_desktop.storage.database import Document; "
            "Document.open(sys.argv[1]); os._exit(0)")  # dies holding the lock
    subprocess.run([sys.executable, "-c", code, str(demo)], check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    owner = read_owner(demo)
    assert owner is not None and owner.pid != os.getpid()
    with Document.open(demo) as doc:
        assert read_owner(demo).pid == os.getpid()
        assert doc.integrity_ok()


def test_lock_from_another_computer_is_respected(demo):
    lock_path(demo).write_text(json.dumps({"pid": 1, "host": "annan-dator", "user": "kollega",
                                          "since": "2026-11-22T08:00:00"}), encoding="utf-8")
    with pytest.raises(FileLockedError, match="annan-dator"):
        Document.open(demo)


def test_rolling_backups_keep_the_newest(demo, tmp_path):
    (tmp_path / "data").mkdir()
    with Document.open(demo) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        made = []
        for i in range(4):
            svc.create("risk", aid, title=f"Risk {i}")
            made.append(backups.make_backup(doc, "stängd", keep=3))
    listed = backups.list_backups(demo)
    assert [b.path for b in listed] == [b.path for b in reversed(made[1:])]
    assert all(oct(os.stat(b.path).st_mode & 0o777) == "0o600" for b in listed)
    with Document.open(listed[-1].path, readonly=True) as old:
        titles = [r.title for r in RsaService(old).list("risk", aid)]
        assert "Risk 1" in titles and "Risk 2" not in titles


def test_keep_count_is_configurable(tmp_path, monkeypatch):
    from rsa_desktop import paths

    (paths.user_data_dir() / "settings.json").write_text('{"backups_keep": 4}', encoding="utf-8")
    assert backups.keep_count() == 4
    (paths.user_data_dir() / "settings.json").write_text("inte json", encoding="utf-8")
    assert backups.keep_count() == backups.DEFAULT_KEEP


def test_restore_from_backup(demo):
    with Document.open(demo) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        before = len(svc.list("risk", aid))
        good = backups.make_backup(doc, "öppnad")
        for r in svc.list("risk", aid):
            svc.delete("risk", r.id)
        with pytest.raises(DocumentError, match="Stäng filen"):
            backups.restore_backup(good, demo)
    backups.restore_backup(good, demo)
    with Document.open(demo, readonly=True) as doc:
        assert len(RsaService(doc).list("risk", aid)) == before
    reasons = [b.reason for b in backups.list_backups(demo)]
    assert "före-återställning" in reasons  # the emptied state was kept too


def test_restore_refuses_a_damaged_backup(demo, tmp_path):
    bad = tmp_path / "trasig.rsa"
    bad.write_bytes(b"inte en databas" * 20)
    before = hashlib.sha256(demo.read_bytes()).hexdigest()
    with pytest.raises(DocumentError):
        backups.restore_backup(bad, demo)
    assert hashlib.sha256(demo.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("ddl", [
    "CREATE TRIGGER spion AFTER INSERT ON risk BEGIN DELETE FROM action; END",
    "CREATE VIEW v AS SELECT * FROM risk",
])
def test_planted_database_code_is_refused(demo, ddl):
    with sqlite3.connect(demo) as c:
        c.execute(ddl)
    before = hashlib.sha256(demo.read_bytes()).hexdigest()
    for readonly in (False, True):
        with pytest.raises(HostileFileError, match="säkerhetsskäl"):
            Document.open(demo, readonly=readonly)
    assert hashlib.sha256(demo.read_bytes()).hexdigest() == before


def test_a_file_on_a_network_share_uses_a_rollback_journal(demo, monkeypatch):
    """WAL needs shared memory, which network shares do not give: such files use a rollback journal."""
    from rsa_desktop.storage import database

    monkeypatch.setattr(database, "on_network_share", lambda path: True)
    with Document.open(demo) as doc:
        with doc.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        svc.create("risk", aid, title="På den delade mappen")
        assert not (demo.parent / (demo.name + "-wal")).exists()
        # A reader on another computer sees the commit while the writer still has the file open.
        with Document.open(demo, readonly=True) as reader:
            assert "På den delade mappen" in [r.title for r in RsaService(reader).list("risk", aid)]
    with Document.open(demo, readonly=True) as doc:
        assert doc.integrity_ok()


def test_network_filesystems_are_recognised_from_the_mount_table():
    from pathlib import Path

    from rsa_desktop.storage.database import _mount_type

    mounts = ("/dev/vda1 / ext4 rw 0 0\n"
              "//filserver/rsa /mnt/rsa\\040delad cifs rw 0 0\n"
              "nas:/export /home/anna/nfs nfs4 rw 0 0\n")
    assert _mount_type(Path("/mnt/rsa delad/analys.rsa"), mounts) == "cifs"
    assert _mount_type(Path("/home/anna/nfs/a.rsa"), mounts) == "nfs4"
    assert _mount_type(Path("/home/anna/lokal.rsa"), mounts) == "ext4"
