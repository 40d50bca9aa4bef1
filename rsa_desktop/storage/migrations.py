"""Schema versions and the steps between them.

The version is kept in `PRAGMA user_version`; `PRAGMA application_id` marks the file as ours.
A new file is created from the current metadata; an older file is brought forward step by step
on a dedicated connection with foreign keys OFF (SQLite's table rebuild would otherwise fire
ON DELETE CASCADE and silently delete child rows), checked with `foreign_key_check`, and
committed in one transaction.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from rsa_desktop.model import entities  # noqa: F401  (registers the tables)

APPLICATION_ID = 0x52534131  # "RSA1"
CURRENT_VERSION = 8


def _table_ddl(name: str) -> tuple[str, list[str]]:
    table = SQLModel.metadata.tables[name]
    dialect = sqlite_dialect.dialect()
    create = str(CreateTable(table).compile(dialect=dialect)).strip()
    indexes = [str(CreateIndex(ix).compile(dialect=dialect)).strip() for ix in table.indexes]
    return create, indexes


def rebuild_table(conn: sqlite3.Connection, name: str, create: str, indexes: tuple[str, ...] = ()) -> None:
    """Recreate `name` as `create` (its DDL at that step) and copy the shared columns across.

    The documented 12-step procedure (https://sqlite.org/lang_altertable.html#otheralter);
    foreign keys must be OFF on `conn`.
    """
    old_cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
    tmp = f"{name}__new"
    prefix = f"CREATE TABLE {name} ("
    if not create.startswith(prefix):
        raise ValueError(f"rebuild_table: DDL for {name} must start with {prefix!r}")
    conn.execute(f'CREATE TABLE "{tmp}" (' + create[len(prefix):])
    new_cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{tmp}")')]
    shared = ", ".join(f'"{c}"' for c in new_cols if c in old_cols)
    conn.execute(f'INSERT INTO "{tmp}" ({shared}) SELECT {shared} FROM "{name}"')
    conn.execute(f'DROP TABLE "{name}"')
    conn.execute(f'ALTER TABLE "{tmp}" RENAME TO "{name}"')
    for ddl in indexes:
        conn.execute(ddl)


# Each step's DDL is frozen here as that version of the program wrote it (the fixtures in
# tests/fixtures/schema_vN.sql come from those versions), never derived from today's models: a later
# change to a table must not change what an old step does. New files are created from the current
# models (create_schema); tests/test_migration_versions.py checks that both paths give the same schema.

_V2_RISK = """CREATE TABLE risk (
	id INTEGER NOT NULL, 
	analysis_id INTEGER NOT NULL, 
	hid VARCHAR NOT NULL, 
	title VARCHAR DEFAULT '' NOT NULL, 
	description VARCHAR DEFAULT '' NOT NULL, 
	category VARCHAR DEFAULT '' NOT NULL, 
	scenario VARCHAR DEFAULT '' NOT NULL, 
	likelihood INTEGER, 
	motivation VARCHAR DEFAULT '' NOT NULL, 
	uncertainty VARCHAR DEFAULT '' NOT NULL, 
	existing_measures VARCHAR DEFAULT '' NOT NULL, 
	residual_likelihood INTEGER, 
	residual_consequence INTEGER, 
	secret BOOLEAN NOT NULL, 
	sort_order INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (analysis_id, hid), 
	CONSTRAINT ck_risk_likelihood CHECK (likelihood IS NULL OR likelihood BETWEEN 1 AND 99), 
	CONSTRAINT ck_risk_residual_likelihood CHECK (residual_likelihood IS NULL OR residual_likelihood BETWEEN 1 AND 99), 
	CONSTRAINT ck_risk_residual_consequence CHECK (residual_consequence IS NULL OR residual_consequence BETWEEN 1 AND 99), 
	FOREIGN KEY(analysis_id) REFERENCES analysis (id) ON DELETE CASCADE
)"""

_V4_AUDIT_EVENT = """CREATE TABLE audit_event (
	id INTEGER NOT NULL, 
	at VARCHAR NOT NULL, 
	user VARCHAR DEFAULT '' NOT NULL, 
	analysis_id INTEGER, 
	kind VARCHAR DEFAULT '' NOT NULL, 
	item_id INTEGER, 
	item VARCHAR DEFAULT '' NOT NULL, 
	action VARCHAR DEFAULT '' NOT NULL, 
	field VARCHAR DEFAULT '' NOT NULL, 
	old_value VARCHAR DEFAULT '' NOT NULL, 
	new_value VARCHAR DEFAULT '' NOT NULL, 
	PRIMARY KEY (id)
)"""

_V5_REVIEW_MARK = """CREATE TABLE review_mark (
	analysis_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	item_id INTEGER NOT NULL, 
	PRIMARY KEY (analysis_id, kind, item_id), 
	FOREIGN KEY(analysis_id) REFERENCES analysis (id) ON DELETE CASCADE
)"""

_V5_CARRIED_FROM = """CREATE TABLE carried_from (
	analysis_id INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	item_id INTEGER NOT NULL, 
	source_analysis_id INTEGER NOT NULL, 
	source_item_id INTEGER NOT NULL, 
	PRIMARY KEY (analysis_id, kind, item_id), 
	FOREIGN KEY(analysis_id) REFERENCES analysis (id) ON DELETE CASCADE
)"""


_V6_CATALOGUE_PACKAGE = """CREATE TABLE catalogue_package (
\tid INTEGER NOT NULL, 
\tversion VARCHAR DEFAULT '' NOT NULL, 
\tname VARCHAR DEFAULT '' NOT NULL, 
\tcontent VARCHAR DEFAULT '' NOT NULL, 
\timported_at VARCHAR DEFAULT '' NOT NULL, 
\tPRIMARY KEY (id)
)"""


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    # v2: risk ratings got CHECK constraints (a rebuild, since SQLite cannot add them in place),
    # and a function's acceptabel avbrottstid got a motivation for overriding the proposal.
    rebuild_table(conn, "risk", _V2_RISK, ("CREATE INDEX ix_risk_analysis_id ON risk (analysis_id)",))
    conn.execute("ALTER TABLE function ADD COLUMN mtd_motivation VARCHAR DEFAULT '' NOT NULL")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    # v3: the RSA-kontroll asks the user to confirm the scales; remember what was confirmed.
    conn.execute("ALTER TABLE analysis ADD COLUMN scales_confirmed VARCHAR DEFAULT '' NOT NULL")
    # A field named "kind" collided with the item kind on snapshots.
    conn.execute("ALTER TABLE vulnerability RENAME COLUMN kind TO vuln_type")


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    # v4: the audit trail.
    conn.execute(_V4_AUDIT_EVENT)
    conn.execute("CREATE INDEX ix_audit_event_analysis_id ON audit_event (analysis_id)")


def _v4_to_v5(conn: sqlite3.Connection) -> None:
    # v5: the yearly cycle – a year carried forward keeps the previous one read-only, marks items
    # "att granska" and remembers where each copy came from.
    conn.execute("ALTER TABLE analysis ADD COLUMN archived BOOLEAN DEFAULT 0 NOT NULL")
    conn.execute(_V5_REVIEW_MARK)
    conn.execute(_V5_CARRIED_FROM)
    conn.execute("CREATE INDEX ix_carried_from_source_analysis_id ON carried_from (source_analysis_id)")


def _v5_to_v6(conn: sqlite3.Connection) -> None:
    # v6: versioned catalogues – each year remembers the catalogue version its values were mapped to
    # ('' = made before catalogues had versions), the city's report deadline, and the file may hold a
    # catalogue package from KS. Self-contained so it can be renumbered when merged with other steps.
    conn.execute("ALTER TABLE analysis ADD COLUMN catalogue_version VARCHAR DEFAULT '' NOT NULL")
    conn.execute("ALTER TABLE analysis ADD COLUMN report_deadline VARCHAR")
    conn.execute(_V6_CATALOGUE_PACKAGE)


def _v6_to_v7(conn: sqlite3.Connection) -> None:
    # v7: the audit trail becomes a hash chain, so edits behind the program's back show.
    from rsa_desktop.storage.audit_chain import rechain

    columns = [r[1] for r in conn.execute('PRAGMA table_info("audit_event")')]
    if "chain" not in columns:
        conn.execute("ALTER TABLE audit_event ADD COLUMN chain VARCHAR DEFAULT '' NOT NULL")
    rechain(conn)


def _v7_to_v8(conn: sqlite3.Connection) -> None:
    # v8: the öppet utdrag's choice per free-text field (publish, or a text för öppet utdrag).
    conn.execute("ALTER TABLE analysis ADD COLUMN public_texts VARCHAR DEFAULT '' NOT NULL")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
    7: _v7_to_v8,
}


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table of the current version in an empty database (inside a transaction)."""
    for table in SQLModel.metadata.sorted_tables:
        create, indexes = _table_ddl(table.name)
        conn.execute(create)
        for ddl in indexes:
            conn.execute(ddl)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION}")


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    """Run every step from `from_version` to CURRENT_VERSION in one transaction.

    `conn` must be in autocommit mode (isolation_level=None) so the foreign-key pragma,
    which is a no-op inside a transaction, takes effect.
    """
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = from_version
        while version < CURRENT_VERSION:
            MIGRATIONS[version](conn)
            version += 1
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise sqlite3.IntegrityError(f"foreign_key_check efter migrering: {problems[:5]}")
        conn.execute(f"PRAGMA user_version = {CURRENT_VERSION}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


# -- the schema a file may have -------------------------------------------------------------------
#
# Besides triggers and views (refused by name in storage/database.py), a file can carry other schema
# objects someone planted (with writable_schema, say): a CHECK constraint that makes every write fail,
# an expression or partial index that runs code on every write, a foreign key that cascades, a column
# default that is an expression, a generated column, a collation. At open, every table, column, index,
# foreign key and CHECK must be one that some version of the program creates.

# Columns that earlier formats had and a migration renames: (table, column).
_HISTORIC_COLUMNS = {("vulnerability", "kind")}
_SQLITE_TABLES = {"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"}
_LITERAL_DEFAULT = re.compile(r"^(NULL|TRUE|FALSE|CURRENT_(TIME|DATE|TIMESTAMP)|[+-]?\d+(\.\d+)?|'([^']|'')*')$",
                              re.IGNORECASE)
_expected: dict | None = None


def _checks(sql: str) -> list[str]:
    """The expressions of every CHECK (...) in a CREATE TABLE statement, whitespace-normalised."""
    out, pos = [], 0
    for m in re.finditer(r"\bCHECK\s*\(", sql or "", re.IGNORECASE):
        if m.start() < pos:
            continue
        depth, i = 1, m.end()
        while i < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        out.append(" ".join(sql[m.end():i - 1].split()).lower())
        pos = i
    return out


def _describe(conn: sqlite3.Connection) -> dict:
    """The parts of a schema that matter: per table its columns, checks, foreign keys and indexes."""
    tables: dict[str, dict] = {}
    other = []
    for kind, name, _tbl, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if kind == "table":
            tables[name] = {"sql": sql or ""}
        elif kind != "index":
            other.append((kind, name))
    for name, t in tables.items():
        q = name.replace('"', '""')
        t["columns"] = {r[1]: (r[4], r[6]) for r in conn.execute(f'PRAGMA table_xinfo("{q}")')}
        t["checks"] = _checks(t["sql"])
        t["fks"] = {tuple(r[2:]) for r in conn.execute(f'PRAGMA foreign_key_list("{q}")')}
        idx = set()
        for _seq, iname, unique, origin, partial in conn.execute(f'PRAGMA index_list("{q}")'):
            iq = iname.replace('"', '""')
            cols = tuple((r[1], r[2]) for r in conn.execute(f'PRAGMA index_xinfo("{iq}")') if r[5])
            idx.add((bool(unique), origin, bool(partial), cols))
        t["indexes"] = idx
        t["collate"] = "collate" in t["sql"].lower()
        t["virtual"] = t["sql"].lstrip().upper().startswith("CREATE VIRTUAL")
    return {"tables": tables, "other": other}


def _expected_schema() -> dict:
    global _expected
    if _expected is None:
        mem = sqlite3.connect(":memory:", isolation_level=None)
        try:
            mem.execute("BEGIN")
            create_schema(mem)
            mem.execute("COMMIT")
            _expected = _describe(mem)
        finally:
            mem.close()
    return _expected


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """A short Swedish description of the first schema object this program would not create; None if none."""
    expected = _expected_schema()["tables"]
    found = _describe(conn)
    if found["other"]:
        kind, name = found["other"][0]
        return f"{kind} ”{name}”"
    for name, t in found["tables"].items():
        if name in _SQLITE_TABLES:
            continue
        want = expected.get(name)
        if want is None or t["virtual"]:
            return f"tabellen ”{name}”"
        for col, (default, hidden) in t["columns"].items():
            if col not in want["columns"] and (name, col) not in _HISTORIC_COLUMNS:
                return f"kolumnen ”{name}.{col}”"
            if hidden:
                return f"den beräknade kolumnen ”{name}.{col}”"
            if default is not None and not _LITERAL_DEFAULT.match(str(default).strip()):
                return f"standardvärdet för ”{name}.{col}”"
        extra = [c for c in t["checks"] if c not in want["checks"]]
        if extra:
            return f"en CHECK-regel i tabellen ”{name}”"
        if t["fks"] - want["fks"]:
            return f"en främmande nyckel i tabellen ”{name}”"
        if t["indexes"] - want["indexes"]:
            return f"ett index på tabellen ”{name}”"
        if t["collate"] and not want["collate"]:
            return f"en sorteringsordning (COLLATE) i tabellen ”{name}”"
    return None


# Built once when the module loads (~40 ms), not on the first open: processes forked from this one
# (the kill tests' editors) and every open after the first then pay nothing.
_expected_schema()
