"""Schema objects planted in a file, other than triggers and views, are refused at open (issue 16, item 5)."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import HostileFileError


@pytest.fixture
def demo(tmp_path, demo_file):
    path = tmp_path / "analys.rsa"
    shutil.copy(demo_file, path)
    return path


def _writable_schema(path, table, old, new):
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA writable_schema = ON")
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        assert old in sql
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql.replace(old, new, 1), table))
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute(f"PRAGMA schema_version = {version + 1}")
        conn.commit()
    finally:
        conn.close()


def _ddl(path, *statements):
    conn = sqlite3.connect(path)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


PLANTS = {
    "check": lambda p: _writable_schema(p, "risk", "PRIMARY KEY (id),", "PRIMARY KEY (id), CHECK (length(title) < 0),"),
    "expression index": lambda p: _ddl(p, "CREATE INDEX ix_planted ON risk (lower(title) || hex(zeroblob(1000)))"),
    "partial index": lambda p: _ddl(p, "CREATE INDEX ix_planted ON risk (title) WHERE likelihood > 2"),
    "unique index": lambda p: _ddl(p, "CREATE UNIQUE INDEX ix_planted ON risk (analysis_id, sort_order)"),
    "table": lambda p: _ddl(p, "CREATE TABLE planted (x)"),
    "column": lambda p: _ddl(p, "ALTER TABLE risk ADD COLUMN planted TEXT"),
    "generated column": lambda p: _writable_schema(
        p, "risk", "sort_order INTEGER NOT NULL,", "sort_order INTEGER NOT NULL, g AS (hex(zeroblob(100000) || title)),"),
    "expression default": lambda p: _writable_schema(p, "risk", "scenario VARCHAR DEFAULT ''",
                                                     "scenario VARCHAR DEFAULT (hex(randomblob(1000)))"),
    "foreign key": lambda p: _writable_schema(
        p, "risk", "PRIMARY KEY (id),", "PRIMARY KEY (id), FOREIGN KEY(sort_order) REFERENCES function (id) "
                                        "ON DELETE CASCADE,"),
    "collation": lambda p: _writable_schema(p, "risk", "title VARCHAR DEFAULT ''",
                                            "title VARCHAR COLLATE NOCASE DEFAULT ''"),
    "virtual table": lambda p: _ddl(p, "CREATE VIRTUAL TABLE planted USING fts5(x)"),
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_planted_schema_objects_are_refused_and_the_file_untouched(demo, plant):
    try:
        PLANTS[plant](demo)
    except sqlite3.OperationalError as exc:  # e.g. an SQLite built without FTS5
        pytest.skip(str(exc))
    before = hashlib.sha256(demo.read_bytes()).hexdigest()
    for readonly in (False, True):
        with pytest.raises(HostileFileError, match="databasstruktur som inte kommer från RSA Desktop"):
            Document.open(demo, readonly=readonly)
    result = subprocess.run([sys.executable, "-m", "rsa_desktop.cli", "check", str(demo)], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=120)
    assert result.returncode == 2 and "databasstruktur" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert hashlib.sha256(demo.read_bytes()).hexdigest() == before


def test_the_programs_own_files_pass(demo, tmp_path):
    Document.open(demo).close()
    Document.create(tmp_path / "ny.rsa").close()
    Document.open(tmp_path / "ny.rsa").close()
