"""Validation of user input against the field registry and the analysis' scales.

SQLModel table models do not validate, so every write goes through `clean_values` first.
Text is normalised rather than refused where nothing is lost: stray control characters from a
paste (form feeds, NUL) are dropped, line breaks in one-line fields become spaces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from rsa_desktop.domain.durations import DurationError, format_duration, parse_duration
from rsa_desktop.domain.scales import ScaleRanges  # noqa: F401  (imported from here by the services)
from rsa_desktop.model.kinds import FieldSpec, KindSpec
from rsa_desktop.services.errors import FieldError, ValidationError

TEXT_MAX = 1_000
LONGTEXT_MAX = 200_000
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_TRUE = {"ja", "j", "sant", "true", "1", "x", "yes"}
_FALSE = {"nej", "n", "falskt", "false", "0", "no"}


def clean_text(value: Any, *, multiline: bool) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split("\n")).strip()
    return text


def _range_text(values: Iterable[int]) -> str:
    vals = sorted(values)
    if not vals:
        return "(skalan saknar nivåer)"
    if vals == list(range(vals[0], vals[-1] + 1)):
        return f"{vals[0]}–{vals[-1]}"
    return ", ".join(map(str, vals))


def clean_value(spec: FieldSpec, value: Any, ranges: ScaleRanges) -> Any:
    """Return the stored form of `value` for `spec`, or raise ValueError with a Swedish message."""
    t = spec.type
    if t in ("text", "catalog"):
        text = clean_text(value, multiline=False)
        if len(text) > TEXT_MAX:
            raise ValueError(f"texten är för lång ({len(text)} tecken, högst {TEXT_MAX}). "
                             "Använd ett beskrivningsfält för längre text.")
        return text
    if t == "longtext":
        text = clean_text(value, multiline=True)
        if len(text) > LONGTEXT_MAX:
            raise ValueError(f"texten är för lång ({len(text)} tecken, högst {LONGTEXT_MAX}).")
        return text
    if t == "bool":
        if isinstance(value, bool):
            return value
        if value is None or value == "":
            return False
        s = str(value).strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise ValueError(f"”{value}” är inte ja eller nej.")
    if t == "optbool":
        if value is None or isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in ("", "okänt", "vet ej", "-"):
            return None
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise ValueError(f"”{value}” är inte ja, nej eller okänt.")
    if t == "date":
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"”{value}” är inget giltigt datum. Skriv ÅÅÅÅ-MM-DD.") from None
    if t == "duration":
        try:
            minutes = parse_duration(value)
        except DurationError as exc:
            raise ValueError(str(exc)) from None
        if minutes is not None and minutes > 10 * 366 * 24 * 60:
            raise ValueError("tiden är orimligt lång (mer än tio år).")
        return minutes
    if t in ("int", "likelihood", "consequence", "capability", "ref"):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError("ett heltal behövs.")
        try:
            number = int(value) if not isinstance(value, float) or value.is_integer() else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            raise ValueError(f"”{value}” är inget heltal.")
        if t == "int":
            if spec.minimum is not None and number < spec.minimum:
                raise ValueError(f"värdet {number} är mindre än {spec.minimum}.")
            if spec.maximum is not None and number > spec.maximum:
                raise ValueError(f"värdet {number} är större än {spec.maximum}.")
        elif t != "ref":
            allowed = getattr(ranges, t)
            if number not in allowed:
                raise ValueError(f"värdet {number} finns inte på skalan ({_range_text(allowed)}).")
        return number
    if t == "enum":
        if value is None or str(value).strip() == "":
            return ""  # "not chosen": the enum columns are NOT NULL text
        s = str(value).strip()
        codes = {c for c, _ in spec.choices}
        if s in codes:
            return s
        by_label = {label.lower(): c for c, label in spec.choices}
        if s.lower() in by_label:
            return by_label[s.lower()]
        allowed = ", ".join(label for _, label in spec.choices)
        raise ValueError(f"”{value}” är inte ett tillåtet val ({allowed}).")
    raise AssertionError(f"unknown field type {t}")


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
        except ValueError as exc:
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
