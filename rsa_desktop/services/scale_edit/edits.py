"""Editing one part of a scale at a time (a level, a dimension, bands, a horizon …), each through apply_scale."""

from __future__ import annotations

from collections.abc import Iterable

from rsa_desktop.domain.durations import DurationError, format_duration, parse_duration
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scale_edit.apply import apply_scale
from rsa_desktop.services.scale_edit.template import (
    AGGREGATIONS,
    LEVEL_KEYS,
    LEVEL_PARTS,
    PART_LABELS,
    current_template,
    validate_template,
)
from rsa_desktop.services.scales import ScaleFileError


def _part(part: str) -> str:
    if part not in LEVEL_PARTS:
        raise ValidationError([FieldError("part", "Skala", f"okänd skala: ”{part}”.")])
    return part


def _apply_edit(svc: RsaService, analysis_id: int, tpl: dict, mapping: dict | None = None) -> None:
    try:
        tpl = validate_template(tpl)
    except ScaleFileError as exc:
        raise ValidationError([FieldError("scale", "Skala", str(exc))]) from None
    apply_scale(svc, analysis_id, tpl, mapping)


def add_level(svc: RsaService, analysis_id: int, part: str, value: int, label: str, *, description: str = "",
              frequency: str = "") -> None:
    tpl = current_template(svc, analysis_id)
    levels = tpl[LEVEL_KEYS[_part(part)]]
    if any(lv["value"] == value for lv in levels):
        raise ValidationError([FieldError("value", "Nivå", f"nivå {value} finns redan på {PART_LABELS[part]}.")])
    item = {"value": value, "label": label, "description": description}
    if part == "likelihood":
        item["frequency"] = frequency
    levels.append(item)
    _apply_edit(svc, analysis_id, tpl)


def edit_level(svc: RsaService, analysis_id: int, part: str, value: int, *, label: str | None = None,
               description: str | None = None, frequency: str | None = None) -> None:
    """Relabel a level or change its description or frequency text (ratings are not touched)."""
    tpl = current_template(svc, analysis_id)
    for lv in tpl[LEVEL_KEYS[_part(part)]]:
        if lv["value"] == value:
            for k, v in (("label", label), ("description", description), ("frequency", frequency)):
                if v is not None and (k != "frequency" or part == "likelihood"):
                    lv[k] = v
            break
    else:
        raise ValidationError([FieldError("value", "Nivå", f"nivå {value} finns inte på {PART_LABELS[part]}.")])
    _apply_edit(svc, analysis_id, tpl)


def remove_level(svc: RsaService, analysis_id: int, part: str, value: int, *, map_to: int | None = None) -> None:
    """Remove a level. If ratings use it, `map_to` (another level) must say where they go."""
    tpl = current_template(svc, analysis_id)
    key = LEVEL_KEYS[_part(part)]
    if not any(lv["value"] == value for lv in tpl[key]):
        raise ValidationError([FieldError("value", "Nivå", f"nivå {value} finns inte på {PART_LABELS[part]}.")])
    tpl[key] = [lv for lv in tpl[key] if lv["value"] != value]
    if part in ("likelihood", "consequence") and not tpl[key]:
        raise ValidationError([FieldError("value", "Nivå", f"{PART_LABELS[part]} måste ha minst en nivå.")])
    if part == "consequence" and tpl["unacceptable_level"] == value:
        if map_to is None:
            raise ValidationError([FieldError("unacceptable_level", "Oacceptabel konsekvensnivå",
                                              f"nivå {value} är analysens oacceptabla nivå; välj vilken nivå "
                                              "som ska gälla i stället.")])
        tpl["unacceptable_level"] = map_to
    _apply_edit(svc, analysis_id, tpl, {part: {value: map_to}} if map_to is not None else None)


def add_dimension(svc: RsaService, analysis_id: int, code: str, label: str, description: str = "") -> None:
    tpl = current_template(svc, analysis_id)
    if any(d["code"] == code for d in tpl["consequence_dimensions"]):
        raise ValidationError([FieldError("code", "Kod", f"dimensionen ”{code}” finns redan.")])
    tpl["consequence_dimensions"].append({"code": code, "label": label, "description": description})
    _apply_edit(svc, analysis_id, tpl)


def edit_dimension(svc: RsaService, analysis_id: int, code: str, *, label: str | None = None,
                   description: str | None = None, new_code: str | None = None) -> None:
    """Rename a dimension (label, description, or its code: the ratings follow)."""
    tpl = current_template(svc, analysis_id)
    dims = tpl["consequence_dimensions"]
    match = [d for d in dims if d["code"] == code]
    if not match:
        raise ValidationError([FieldError("code", "Kod", f"dimensionen ”{code}” finns inte.")])
    d = match[0]
    if label is not None:
        d["label"] = label
    if description is not None:
        d["description"] = description
    mapping = None
    if new_code is not None and new_code != code:
        if any(x["code"] == new_code for x in dims):
            raise ValidationError([FieldError("code", "Kod", f"dimensionen ”{new_code}” finns redan.")])
        d["code"] = new_code
        mapping = {"dimensions": {code: new_code}}
    _apply_edit(svc, analysis_id, tpl, mapping)


def remove_dimension(svc: RsaService, analysis_id: int, code: str, *, map_to: str | None = None,
                     drop: bool = False) -> None:
    """Remove a dimension. Its ratings move to `map_to`, or are dropped only with `drop=True`."""
    tpl = current_template(svc, analysis_id)
    dims = tpl["consequence_dimensions"]
    if not any(d["code"] == code for d in dims):
        raise ValidationError([FieldError("code", "Kod", f"dimensionen ”{code}” finns inte.")])
    if map_to is not None and drop:
        raise ValidationError([FieldError("code", "Kod", "välj antingen att flytta eller att ta bort bedömningarna.")])
    tpl["consequence_dimensions"] = [d for d in dims if d["code"] != code]
    if not tpl["consequence_dimensions"]:
        raise ValidationError([FieldError("code", "Kod", "det måste finnas minst en konsekvensdimension.")])
    mapping = {"dimensions": {code: map_to}} if (map_to is not None or drop) else None
    _apply_edit(svc, analysis_id, tpl, mapping)


def set_bands(svc: RsaService, analysis_id: int, bands: Iterable[dict]) -> None:
    """Replace the colour bands: [{"label", "colour": "#rrggbb", "min_score"}] (score = sannolikhet × konsekvens)."""
    tpl = current_template(svc, analysis_id)
    tpl["colour_bands"] = [dict(b) for b in bands]
    _apply_edit(svc, analysis_id, tpl)


def add_horizon(svc: RsaService, analysis_id: int, minutes: int | str, label: str = "") -> None:
    tpl = current_template(svc, analysis_id)
    m = _minutes(minutes)
    if any(h["minutes"] == m for h in tpl["time_horizons"]):
        raise ValidationError([FieldError("minutes", "Tidshorisont", f"{format_duration(m)} finns redan.")])
    tpl["time_horizons"].append({"minutes": m, "label": label or format_duration(m)})
    _apply_edit(svc, analysis_id, tpl)


def edit_horizon(svc: RsaService, analysis_id: int, minutes: int | str, *, label: str | None = None,
                 new_minutes: int | str | None = None) -> None:
    """Relabel a horizon or change its length (its ratings follow)."""
    tpl = current_template(svc, analysis_id)
    m = _minutes(minutes)
    match = [h for h in tpl["time_horizons"] if h["minutes"] == m]
    if not match:
        raise ValidationError([FieldError("minutes", "Tidshorisont", f"{format_duration(m)} finns inte.")])
    mapping = None
    if new_minutes is not None and _minutes(new_minutes) != m:
        nm = _minutes(new_minutes)
        if any(h["minutes"] == nm for h in tpl["time_horizons"]):
            raise ValidationError([FieldError("minutes", "Tidshorisont", f"{format_duration(nm)} finns redan.")])
        match[0]["minutes"] = nm
        if label is None and match[0]["label"] == format_duration(m):
            match[0]["label"] = format_duration(nm)
        mapping = {"horizons": {m: nm}}
    if label is not None:
        match[0]["label"] = label
    _apply_edit(svc, analysis_id, tpl, mapping)


def remove_horizon(svc: RsaService, analysis_id: int, minutes: int | str, *, map_to: int | str | None = None,
                   drop: bool = False) -> None:
    """Remove a horizon. Its ratings move to `map_to`, or are dropped only with `drop=True`."""
    tpl = current_template(svc, analysis_id)
    m = _minutes(minutes)
    if not any(h["minutes"] == m for h in tpl["time_horizons"]):
        raise ValidationError([FieldError("minutes", "Tidshorisont", f"{format_duration(m)} finns inte.")])
    tpl["time_horizons"] = [h for h in tpl["time_horizons"] if h["minutes"] != m]
    if not tpl["time_horizons"]:
        raise ValidationError([FieldError("minutes", "Tidshorisont", "det måste finnas minst en tidshorisont.")])
    mapping = None
    if map_to is not None or drop:
        mapping = {"horizons": {m: None if drop else _minutes(map_to)}}
    _apply_edit(svc, analysis_id, tpl, mapping)


def set_aggregation(svc: RsaService, analysis_id: int, aggregation: str) -> None:
    """How the dimensions combine into one consequence: "max" (highest) or "mean" (rounded up)."""
    if aggregation not in AGGREGATIONS:
        raise ValidationError([FieldError("consequence_aggregation", "Sammanvägd konsekvens",
                                          f"”{aggregation}” är inte ett tillåtet val (max eller mean).")])
    tpl = current_template(svc, analysis_id)
    tpl["consequence_aggregation"] = aggregation
    _apply_edit(svc, analysis_id, tpl)


def set_unacceptable_level(svc: RsaService, analysis_id: int, level: int) -> None:
    tpl = current_template(svc, analysis_id)
    if level not in {lv["value"] for lv in tpl["consequence_levels"]}:
        raise ValidationError([FieldError("unacceptable_level", "Oacceptabel konsekvensnivå",
                                          f"nivå {level} finns inte på konsekvensskalan.")])
    tpl["unacceptable_level"] = level
    _apply_edit(svc, analysis_id, tpl)


def _minutes(value: int | str) -> int:
    try:
        m = parse_duration(value)
    except DurationError as exc:
        raise ValidationError([FieldError("minutes", "Tidshorisont", str(exc))]) from None
    if not m:
        raise ValidationError([FieldError("minutes", "Tidshorisont", "ange en tid längre än 0.")])
    return m
