"""The audit trail: every change is recorded with time, OS user, item, field, old and new value.

The entries form a hash chain: each holds `chain` = SHA-256 of the previous entry's `chain` and its
own content, so an entry edited, deleted or inserted behind the program's back (with sqlite3, say)
breaks the chain from there on; `rsa-desktop check` and the Ändringslogg report it. The hash has
no secret key (an offline program has nowhere to keep one): someone who rewrites the whole chain
after the damaged entry is not detected, nor are entries cut off at the very end. A protected
file cannot be edited at all without the passphrase.

Reading never fails on a damaged entry: a value that is not valid JSON is shown as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text as sa_text
from sqlmodel import Session, select

from rsa_desktop.model import entities as e

# The chain itself is part of the file format and lives in storage (the v7 migration computes it too).
from rsa_desktop.storage.audit_chain import CHAIN_COLUMNS, chain_hash, current_user, rechain  # noqa: F401

_LAST = "audit_chain_last"  # the session's newest chain value (pending rows included)


def _json(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False, default=str)


def _last_chain(s: Session) -> str:
    if _LAST not in s.info:
        row = s.exec(select(e.AuditEvent.chain).order_by(e.AuditEvent.id.desc()).limit(1)).first()
        s.info[_LAST] = str(row or "")
    return s.info[_LAST]


def record(s: Session, *, analysis_id: int | None, kind: str, item_id: int | None, item: str, action: str,
           field: str = "", old: Any = None, new: Any = None) -> None:
    row = e.AuditEvent(at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                       user=current_user(), analysis_id=analysis_id, kind=kind, item_id=item_id, item=item,
                       action=action, field=field, old_value=_json(old), new_value=_json(new))
    row.chain = chain_hash(_last_chain(s), (getattr(row, c) for c in CHAIN_COLUMNS))
    s.info[_LAST] = row.chain
    s.add(row)


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int | None  # the first entry that does not follow from the one before it
    at: str

    def __str__(self) -> str:
        when = f" ({self.at.replace('T', ' ')[:19]})" if self.at else ""
        return (f"Ändringsloggen har ändrats utanför programmet: post {self.entry_id}{when} stämmer inte med "
                "posten före den (en post har ändrats, tagits bort eller lagts till).")


def chain_breaks(s: Session, limit: int = 20) -> list[ChainBreak]:
    """Where the chain does not hold, oldest first; [] when the trail is as the program wrote it."""
    cols = ", ".join(f'"{c}"' for c in CHAIN_COLUMNS)
    out: list[ChainBreak] = []
    previous = ""
    for rid, chain, *values in s.connection().execute(
            sa_text(f"SELECT id, chain, {cols} FROM audit_event ORDER BY id")):
        expected = chain_hash(previous, values)
        if chain != expected:
            out.append(ChainBreak(rid if isinstance(rid, int) else None, values[0] if isinstance(values[0], str)
                                  else ""))
            if len(out) >= limit:
                break
        previous = chain if isinstance(chain, str) else ""  # one break per damaged spot, not all after it
    return out


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user: str
    analysis_id: int | None
    kind: str
    item_id: int | None
    item: str
    action: str
    field: str
    old: Any
    new: Any
    damaged: bool = False  # a stored value was not valid JSON (shown as it is)


def _load(raw: Any) -> tuple[Any, bool]:
    if raw is None or raw == "":
        return None, False
    if not isinstance(raw, str):
        return str(raw), True
    try:
        return json.loads(raw), False
    except ValueError:
        return raw, True


def _str(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def entries(s: Session, *, analysis_id: int | None = None, kind: str | None = None, item_id: int | None = None,
            text: str = "", limit: int | None = None) -> list[AuditEntry]:
    """Newest first; `text` filters on item, field, user and values (case-insensitive)."""
    q = select(e.AuditEvent)
    if analysis_id is not None:
        q = q.where(e.AuditEvent.analysis_id == analysis_id)
    if kind:
        q = q.where(e.AuditEvent.kind == kind)
    if item_id is not None:
        q = q.where(e.AuditEvent.item_id == item_id)
    q = q.order_by(e.AuditEvent.id.desc())
    out = []
    needle = text.casefold().strip()
    for r in s.exec(q).all():
        fields = [_str(v) for v in (r.item, r.field, r.user, r.action, r.old_value, r.new_value)]
        if needle and needle not in " ".join(fields).casefold():
            continue
        old, bad_old = _load(r.old_value)
        new, bad_new = _load(r.new_value)
        out.append(AuditEntry(_int(r.id) or 0, _str(r.at), _str(r.user), _int(r.analysis_id), _str(r.kind),
                              _int(r.item_id), _str(r.item), _str(r.action), _str(r.field), old, new,
                              bad_old or bad_new))
        if limit and len(out) >= limit:
            break
    return out
