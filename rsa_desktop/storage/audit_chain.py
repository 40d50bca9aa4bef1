"""The audit trail's hash chain as stored in the file, and the OS user it records (no session, no service).

Part of the file format: every stored `audit_event.chain` was computed by `chain_hash` over
CHAIN_COLUMNS, so neither may change without a migration that rechains. The migration that introduced
the chain (v6 → v7) and services.audit (writing and checking entries) both use this one definition.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

# The content that the chain covers, in this order (everything but the row id and the chain itself).
CHAIN_COLUMNS = ("at", "user", "analysis_id", "kind", "item_id", "item", "action", "field", "old_value",
                 "new_value")


def current_user() -> str:
    """The OS user: who the audit trail and the lock file name."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name available (e.g. a service account)
        return "okänd"


def chain_hash(previous: str, values: Iterable[Any]) -> str:
    """The chain value of an entry whose CHAIN_COLUMNS hold `values`, after an entry with `previous`."""
    def plain(v: Any) -> Any:
        return v if v is None or isinstance(v, (str, int, float)) else repr(v)

    payload = json.dumps([str(previous or ""), *map(plain, values)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "backslashreplace")).hexdigest()


def rechain(conn: sqlite3.Connection) -> None:
    """Give every entry its chain value (a file from before the chain: the chain starts at migration).

    `conn` is a DB-API (sqlite3) connection inside a transaction.
    """
    previous = ""
    cols = ", ".join(f'"{c}"' for c in CHAIN_COLUMNS)
    for rid, *values in conn.execute(f"SELECT id, {cols} FROM audit_event ORDER BY id").fetchall():
        previous = chain_hash(previous, values)
        conn.execute("UPDATE audit_event SET chain = ? WHERE id = ?", (previous, rid))


__all__ = ["CHAIN_COLUMNS", "current_user", "chain_hash", "rechain"]
