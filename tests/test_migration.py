"""A file from format version 1 is brought forward on open, after a backup, without losing a row."""

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from rsa_desktop.services.check import run_check
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.migrations import CURRENT_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "schema_v1.sql"


@pytest.fixture
def v1_file(tmp_path):
    path = tmp_path / "gammal.rsa"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.close()
    return path


def counts(path):
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_v1_file_is_migrated_with_every_row_kept(v1_file, tmp_path):
    before = counts(v1_file)
    assert before["risk_consequence"] == 3 and before["action_risk"] == 2 and before["risk_function"] == 2
    doc = Document.open(v1_file)
    assert doc.migrated_from == 1
    # The backup is the untouched original.
    assert doc.backup_path is not None and doc.backup_path.exists()
    with sqlite3.connect(doc.backup_path) as b:
        assert b.execute("PRAGMA user_version").fetchone()[0] == 1
    assert stat.S_IMODE(os.stat(doc.backup_path).st_mode) == 0o600
    svc = RsaService(doc)
    analysis = svc.analyses()[0]
    risks = svc.list("risk", analysis.id)
    assert [r.title for r in risks] == ["Långvarigt elavbrott", "Cyberangrepp mot staden"]
    # Child rows of the rebuilt risk table survived (with FKs on they would have been cascaded away).
    assert svc.consequences(risks[0].id) == {1: 3, 2: 4}
    assert {l.left_id for l in svc.links("action_risk", analysis_id=analysis.id)} == {1}
    assert len(svc.links("risk_function", analysis_id=analysis.id)) == 2
    function = svc.list("function", analysis.id)[0]
    assert function.mtd_motivation == "" and function.name == "Akuta ställföreträdarärenden"
    (vulnerability,) = svc.list("vulnerability", analysis.id)
    assert vulnerability.vuln_type == "brist_krisberedskap"  # v3 renamed the column, keeping the value
    assert analysis.scales_confirmed == ""
    assert svc.create("risk", analysis.id, title="Ny efter uppgradering").hid == "R3"
    assert run_check(svc) == []
    doc.close()

    after = counts(v1_file)
    for table, n in before.items():
        assert after[table] == n + (1 if table == "risk" else 0), table
    with sqlite3.connect(v1_file) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
        sql = c.execute("SELECT sql FROM sqlite_master WHERE name='risk'").fetchone()[0]
        assert "ck_risk_likelihood" in sql
        with pytest.raises(sqlite3.IntegrityError):
            c.execute("UPDATE risk SET likelihood = 0 WHERE id = 1")


def test_read_only_open_of_old_file_migrates_in_memory_only(v1_file):
    original = hashlib.sha256(v1_file.read_bytes()).hexdigest()
    with Document.open(v1_file, readonly=True) as doc:
        assert doc.migrated_from == 1
        svc = RsaService(doc)
        assert len(svc.list("risk", svc.analyses()[0].id)) == 2
    assert hashlib.sha256(v1_file.read_bytes()).hexdigest() == original
    assert sorted(p.name for p in v1_file.parent.iterdir()) == [v1_file.name]


def test_failed_migration_leaves_the_file_as_it_was(v1_file, monkeypatch):
    from rsa_desktop.storage import errors, migrations

    def broken(conn):
        conn.execute("DELETE FROM risk_consequence")  # would lose data, then fails
        raise sqlite3.OperationalError("simulerat fel")

    monkeypatch.setitem(migrations.MIGRATIONS, 1, broken)
    before = counts(v1_file)
    with pytest.raises(errors.DocumentError, match="kunde inte uppgraderas"):
        Document.open(v1_file)
    assert counts(v1_file) == before
    with sqlite3.connect(v1_file) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
