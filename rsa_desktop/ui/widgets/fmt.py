"""Showing stored values as Swedish text (Qt-free helpers used by tables, forms and pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rsa_desktop.domain.fieldtypes import NO, UNKNOWN, YES, field_type, level_text  # noqa: F401 - used from here
from rsa_desktop.domain.kinds import FieldSpec


def display(spec: FieldSpec, value: Any, session=None) -> str:
    """The stored value as the UI shows it (its field type's rule); scale labels and item names come from
    `session` when given."""
    return field_type(spec).display(spec, value, session)


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
