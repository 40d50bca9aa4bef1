"""Every past file format (v1 … current-1) is brought forward with every value kept, to the same schema a
new file gets, and no step depends on today's models (a later schema change cannot alter an old step).

The fixtures tests/fixtures/schema_vN.sql were written by the program as it was at each version
(scripts/make_schema_fixture.py); v1 predates that script and was reconstructed by hand.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Column, Integer, MetaData
from sqlmodel import SQLModel

from rsa_desktop.storage import migrations
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.migrations import CURRENT_VERSION

FIXTURES = Path(__file__).parent / "fixtures"
PAST = list(range(1, CURRENT_VERSION))
# Columns renamed by a step: (table, old name) → new name.
RENAMED = {("vulnerability", "kind"): "vuln_type"}
# Where an upgraded file's schema may differ from a new file's, and why that changes no meaning:
# - date columns: files since v2 declare DATE, new files VARCHAR (the models store ISO text through a
#   tolerant type since the fuzzing fixes); SQLite keeps ISO dates as text under either affinity;
# - analysis.archived: ALTER TABLE ADD COLUMN ... NOT NULL needs a default, a new table has none (the
#   program always writes the value).
KNOWN = {("action", "deadline"), ("analysis", "adopted_date"), ("continuity_plan", "last_exercised"),
         ("continuity_plan", "last_revised"), ("continuity_plan", "next_exercise"), ("exercise", "date")}


def comparable(s: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for table, info in s.items():
        cols = {}
        for name, (ctype, notnull, default, pk) in info["columns"].items():
            if (table, name) in KNOWN and ctype in ("DATE", "VARCHAR"):
                ctype = "DATE|VARCHAR"
            if (table, name) == ("analysis", "archived") and default in ("0", None):
                default = "0|none"
            cols[name] = (ctype, notnull, default, pk)
        out[table] = {**info, "columns": cols}
    return out


# Every table a step creates or rebuilds.
CREATED_BY_STEPS = ("risk", "audit_event", "review_mark", "carried_from", "catalogue_package")


def load(version: int, path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / f"schema_v{version}.sql").read_text(encoding="utf-8"))
    conn.close()
    return path


def rows(path: Path) -> dict[str, list[dict]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        return {t: [dict(r) for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in tables}
    finally:
        conn.close()


def schema(path: Path) -> dict[str, dict]:
    """Tables with their columns, keys, checks and indexes, independent of column order and layout."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table' "
                                      "AND name NOT LIKE 'sqlite_%'"):
            cols = {r[1]: (r[2].upper(), r[3], r[4], r[5]) for r in conn.execute(f'PRAGMA table_info("{name}")')}
            fks = sorted(tuple(r[2:]) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")'))
            checks = sorted(re.sub(r"\s+", " ", c) for c in re.findall(r"CHECK \((.*?)\)(?:, |\s*\n)", sql))
            uniques = sorted(re.sub(r"\s+", " ", u) for u in re.findall(r"UNIQUE \(([^)]*)\)", sql))
            indexes = sorted((r[1], r[2]) for r in conn.execute(f'PRAGMA index_list("{name}")')
                             if not r[1].startswith("sqlite_autoindex"))
            out[name] = {"columns": cols, "fks": fks, "checks": checks, "uniques": uniques, "indexes": indexes}
        return out
    finally:
        conn.close()


def test_there_is_a_fixture_for_every_past_version():
    for v in PAST:
        text = (FIXTURES / f"schema_v{v}.sql").read_text(encoding="utf-8")
        assert f"PRAGMA user_version = {v};" in text


@pytest.mark.parametrize("version", PAST)
def test_past_version_migrates_with_every_value_kept(version, tmp_path):
    path = load(version, tmp_path / f"v{version}.rsa")
    before = rows(path)
    assert sum(len(r) for r in before.values()) > 30  # the fixture carries real data
    doc = Document.open(path)
    assert doc.migrated_from == version
    doc.close()
    after = rows(path)
    for table, old_rows in before.items():
        assert len(after[table]) == len(old_rows), table
        for old, new in zip(old_rows, after[table]):
            for col, value in old.items():
                assert new[RENAMED.get((table, col), col)] == value, (table, col, old)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize("version", PAST)
def test_migrated_schema_equals_a_new_files_schema(version, tmp_path):
    migrated = load(version, tmp_path / "gammal.rsa")
    Document.open(migrated).close()
    new = tmp_path / "ny.rsa"
    Document.create(new).close()
    assert comparable(schema(migrated)) == comparable(schema(new))


def test_a_later_model_change_does_not_change_what_old_steps_do(tmp_path, monkeypatch):
    """Give today's models an extra column on every table the steps create or rebuild; the steps must not
    pick it up (they did while their DDL came from SQLModel.metadata)."""
    future = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(future)
    for name in CREATED_BY_STEPS:
        future.tables[name].append_column(Column("added_in_a_future_version", Integer))
    monkeypatch.setattr(migrations, "SQLModel", SimpleNamespace(metadata=future))

    path = load(1, tmp_path / "v1.rsa")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrations.migrate(conn, 1)
    finally:
        conn.close()
    reference = load(CURRENT_VERSION - 1, tmp_path / "ref.rsa")
    Document.open(reference).close()  # the newest past version, brought to today by today's steps only
    got, want = schema(path), schema(reference)
    for name in CREATED_BY_STEPS:
        assert "added_in_a_future_version" not in got[name]["columns"], name
        assert got[name] == want[name], name
