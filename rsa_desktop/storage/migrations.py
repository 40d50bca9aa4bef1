"""Schema versions and the steps between them.

The version is kept in `PRAGMA user_version`; `PRAGMA application_id` marks the file as ours.
A new file is created from the current metadata; an older file is brought forward step by step
on a dedicated connection with foreign keys OFF (SQLite's table rebuild would otherwise fire
ON DELETE CASCADE and silently delete child rows), checked with `foreign_key_check`, and
committed in one transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlmodel import SQLModel

from rsa_desktop.model import entities  # noqa: F401  (registers the tables)

APPLICATION_ID = 0x52534131  # "RSA1"
CURRENT_VERSION = 6


def _table_ddl(name: str) -> tuple[str, list[str]]:
    table = SQLModel.metadata.tables[name]
    dialect = sqlite_dialect.dialect()
    create = str(CreateTable(table).compile(dialect=dialect)).strip()
    indexes = [str(CreateIndex(ix).compile(dialect=dialect)).strip() for ix in table.indexes]
    return create, indexes


def rebuild_table(conn: sqlite3.Connection, name: str) -> None:
    """Recreate `name` with its current definition and copy the shared columns across.

    The documented 12-step procedure (https://sqlite.org/lang_altertable.html#otheralter);
    foreign keys must be OFF on `conn`.
    """
    old_cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
    create, indexes = _table_ddl(name)
    tmp = f"{name}__new"
    create_tmp = create.replace(f"CREATE TABLE {name} ", f'CREATE TABLE "{tmp}" ', 1)
    conn.execute(create_tmp)
    new_cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{tmp}")')]
    shared = ", ".join(f'"{c}"' for c in new_cols if c in old_cols)
    conn.execute(f'INSERT INTO "{tmp}" ({shared}) SELECT {shared} FROM "{name}"')
    conn.execute(f'DROP TABLE "{name}"')
    conn.execute(f'ALTER TABLE "{tmp}" RENAME TO "{name}"')
    for ddl in indexes:
        conn.execute(ddl)


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    # v2: risk ratings got CHECK constraints (a rebuild, since SQLite cannot add them in place),
    # and a function's acceptabel avbrottstid got a motivation for overriding the proposal.
    rebuild_table(conn, "risk")
    conn.execute("ALTER TABLE function ADD COLUMN mtd_motivation VARCHAR DEFAULT '' NOT NULL")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    # v3: the RSA-kontroll asks the user to confirm the scales; remember what was confirmed.
    conn.execute("ALTER TABLE analysis ADD COLUMN scales_confirmed VARCHAR DEFAULT '' NOT NULL")
    # A field named "kind" collided with the item kind on snapshots.
    conn.execute("ALTER TABLE vulnerability RENAME COLUMN kind TO vuln_type")


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    # v4: the audit trail.
    create, indexes = _table_ddl("audit_event")
    conn.execute(create)
    for ddl in indexes:
        conn.execute(ddl)


def _v4_to_v5(conn: sqlite3.Connection) -> None:
    # v5: the yearly cycle – a year carried forward keeps the previous one read-only, marks items
    # "att granska" and remembers where each copy came from.
    conn.execute("ALTER TABLE analysis ADD COLUMN archived BOOLEAN DEFAULT 0 NOT NULL")
    for name in ("review_mark", "carried_from"):
        create, indexes = _table_ddl(name)
        conn.execute(create)
        for ddl in indexes:
            conn.execute(ddl)


def _v5_to_v6(conn: sqlite3.Connection) -> None:
    # v6: the öppet utdrag's choice per free-text field (publish, or a text för öppet utdrag).
    conn.execute("ALTER TABLE analysis ADD COLUMN public_texts VARCHAR DEFAULT '' NOT NULL")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
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
