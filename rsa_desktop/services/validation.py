"""Validation of user input against the field registry and the analysis' scales.

SQLModel table models do not validate, so every write goes through `clean_values` first. Each field's
value is cleaned by its type (domain/fieldtypes.py); this module adds what concerns a whole item: unknown
fields, required fields and the rules between fields.
"""

from __future__ import annotations

from typing import Any

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.fieldtypes import InvalidValue, field_type
from rsa_desktop.domain.kinds import FieldSpec, KindSpec
from rsa_desktop.domain.scales import ScaleRanges  # noqa: F401  (imported from here by the services)
from rsa_desktop.services.errors import FieldError, ValidationError


def clean_value(spec: FieldSpec, value: Any, ranges: ScaleRanges) -> Any:
    """Return the stored form of `value` for `spec`, or raise InvalidValue with a Swedish message
    (domain/fieldtypes.py owns each type's rule)."""
    return field_type(spec).clean(spec, value, ranges)


def clean_values(kind: KindSpec, values: dict[str, Any], ranges: ScaleRanges, *,
                 creating: bool, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate and normalise `values` for `kind`. Raises ValidationError listing every bad field."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    names = set(kind.field_names)
    for key in values:
        if key not in names:
            errors.append(FieldError(key, key, f"okänt fält för {kind.label.lower()}."))
    for spec in kind.fields:
        if spec.name not in values:
            continue
        try:
            out[spec.name] = clean_value(spec, values[spec.name], ranges)
        except InvalidValue as exc:
            errors.append(FieldError(spec.name, spec.label, str(exc)))
    merged = dict(current or {})
    merged.update(out)
    for spec in kind.fields:
        if not spec.required:
            continue
        if spec.name in out or creating:
            v = merged.get(spec.name)
            if v is None or (isinstance(v, str) and not v.strip()):
                if spec.name not in {err.field for err in errors}:
                    errors.append(FieldError(spec.name, spec.label, "måste fyllas i."))
    errors.extend(_cross_field_rules(kind, merged))
    if errors:
        raise ValidationError(errors)
    return out


def _cross_field_rules(kind: KindSpec, v: dict[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    if kind.kind == "function":
        rto, mtd = v.get("rto"), v.get("max_tolerable_downtime")
        if rto is not None and mtd is not None and rto > mtd:
            errs.append(FieldError("rto", "Återställningstid",
                                   f"återställningstiden ({format_duration(rto)}) får inte vara längre än "
                                   f"acceptabel avbrottstid ({format_duration(mtd)})."))
    if kind.kind == "continuity_plan":
        last, nxt = v.get("last_exercised"), v.get("next_exercise")
        if last and nxt and nxt < last:
            errs.append(FieldError("next_exercise", "Nästa övning",
                                   "nästa övning kan inte ligga före den senaste."))
    if kind.kind == "dependency":
        if v.get("reserve_duration") and not v.get("has_reserve"):
            errs.append(FieldError("reserve_duration", "Reservens uthållighet",
                                   "ange att reserv finns, eller ta bort reservens uthållighet."))
    if kind.kind == "analysis":
        if v.get("status") == "faststalld" and not v.get("adopted_date"):
            errs.append(FieldError("adopted_date", "Fastställd datum",
                                   "en fastställd analys behöver ett datum för beslutet."))
    return errs
