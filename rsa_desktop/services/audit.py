"""The audit trail: every change is recorded with time, OS user, item, field, old and new value."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from rsa_desktop.model import entities as e


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name available (e.g. a service account)
        return "okänd"


def _json(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False, default=str)


def record(s: Session, *, analysis_id: int | None, kind: str, item_id: int | None, item: str, action: str,
           field: str = "", old: Any = None, new: Any = None) -> None:
    s.add(e.AuditEvent(at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                       user=current_user(), analysis_id=analysis_id, kind=kind, item_id=item_id, item=item,
                       action=action, field=field, old_value=_json(old), new_value=_json(new)))


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


def _load(text: str) -> Any:
    return json.loads(text) if text else None


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
        if needle and needle not in " ".join((r.item, r.field, r.user, r.action, r.old_value,
                                              r.new_value)).casefold():
            continue
        out.append(AuditEntry(r.id, r.at, r.user, r.analysis_id, r.kind, r.item_id, r.item, r.action, r.field,
                              _load(r.old_value), _load(r.new_value)))
        if limit and len(out) >= limit:
            break
    return out
