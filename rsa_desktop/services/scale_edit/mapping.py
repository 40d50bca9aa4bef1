"""A re-mapping of old scale values to new ones: normalised from what a UI gives, and looked up."""

from __future__ import annotations

from typing import Any

from rsa_desktop.domain.durations import DurationError, parse_duration
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.scale_edit.template import PARTS


def _key(part: str, value: Any) -> Any:
    if part == "dimensions":
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def normalise_mapping(mapping: dict | None) -> dict[str, dict[Any, Any]]:
    """Mapping per part with int keys and values for levels and horizons (a UI may give strings)."""
    out: dict[str, dict[Any, Any]] = {p: {} for p in PARTS}
    for part, m in (mapping or {}).items():
        if part not in out:
            raise ValidationError([FieldError("mapping", "Mappning", f"okänd del av skalan: ”{part}”.")])
        for old, new in (m or {}).items():
            if part == "horizons":
                try:
                    old_k = parse_duration(old) if isinstance(old, str) else old
                    new_k = parse_duration(new) if isinstance(new, str) else new
                except DurationError as exc:
                    raise ValidationError([FieldError("mapping", "Tidshorisonter", str(exc))]) from None
            else:
                old_k, new_k = _key(part, old), (_key(part, new) if new is not None else None)
            out[part][old_k] = new_k
    return out


def map_level(mp: dict, part: str, value):
    if value is None:
        return None
    return mp[part].get(value, value)
