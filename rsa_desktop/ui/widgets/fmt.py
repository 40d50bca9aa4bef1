"""Showing stored values as Swedish text (Qt-free helpers used by tables, forms and pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.model.kinds import FieldSpec

YES, NO, UNKNOWN = "Ja", "Nej", "Okänt"


def level_text(value: int | None, label: str) -> str:
    if value is None:
        return ""
    return f"{value} – {label}" if label else str(value)


def display(spec: FieldSpec, value: Any, session=None) -> str:
    t = spec.type
    if value is None or value == "":
        return ""
    if t == "bool":
        return YES if value else NO
    if t == "optbool":
        return YES if value else NO
    if t == "duration":
        return format_duration(value)
    if t == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if t == "enum":
        return spec.choice_label(value)
    if t in ("likelihood", "consequence", "capability") and session is not None:
        scales = session.scales()
        if scales:
            label = getattr(scales, f"{t}_label")(value)
            return level_text(value, label)
    if t == "ref" and session is not None:
        return session.label_of(spec.ref, value)
    if t == "longtext":
        text = str(value).replace("\n", " ")
        return text if len(text) <= 80 else text[:79] + "…"
    return str(value)


def sort_key(spec: FieldSpec | None, value: Any) -> tuple:
    """A key that sorts empty values last and compares like with like."""
    if value is None or value == "":
        return (1, 0, "")
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (0, value, "")
    if isinstance(value, dt.date):
        return (0, value.toordinal(), "")
    return (0, 0, str(value).casefold())


def hid_key(hid: str | None) -> tuple:
    if not hid:
        return (1, 0, "")
    digits = "".join(ch for ch in hid if ch.isdigit())
    return (0, int(digits) if digits else 0, hid)
