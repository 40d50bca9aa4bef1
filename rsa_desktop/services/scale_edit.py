"""Editing an analysis' scales without losing a rating (Qt-free).

Every change to a scale – a level added, relabelled or removed, a dimension renamed or removed,
colour bands, time horizons, the aggregation and the unacceptable level – is expressed as a new
*template* (the JSON format of resources/scales/default.json) and goes through the same two steps:

1. `preview_scale_change()` lists every stored rating that would have no valid level on the new
   scale (risk likelihood and residuals, risk consequences per dimension, function impacts per
   horizon, criticality fields, capability ratings), and, given a mapping, what it moves;
2. `apply_scale()` re-maps explicitly – per scale part, old value → new value; a dimension or a
   horizon may map to None only when the user chose to drop its ratings – and refuses if any used
   value is left unmapped. Never silent clamping. One transaction.

When two ratings end up in the same place (two dimensions merged into one, two horizons into one),
the higher level is kept and the preview lists the merge.

KS can export a scale (`export_scale_file`) that every förvaltning imports (`read_scale_file` →
`preview_scale_change` → `apply_scale`).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import delete, insert, select as sa_select, update as sa_update

from rsa_desktop.model import entities as e
from rsa_desktop.domain.ids import hid_key
from rsa_desktop.domain.durations import DurationError, format_duration, parse_duration
from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scales import (SCALE_FORMAT, SCALE_VERSION, ScaleFileError, Scales, scales_from_template,
                                         template_from_scales)

__all__ = ["ScaleFileError", "AffectedRating", "ClassChange", "ScalePreview", "suggest_bands", "template_from_scales", "current_template",
           "validate_template", "read_scale_file", "export_scale_file", "preview_scale_change", "apply_scale",
           "suggest_mapping", "add_level", "edit_level", "remove_level", "add_dimension", "edit_dimension",
           "remove_dimension", "set_bands", "add_horizon", "edit_horizon", "remove_horizon", "set_aggregation",
           "set_unacceptable_level"]

MAX_FILE_BYTES = 2_000_000
LEVEL_PARTS = ("likelihood", "consequence", "capability")
PARTS = (*LEVEL_PARTS, "dimensions", "horizons")
PART_LABELS = {"likelihood": "sannolikhetsskalan", "consequence": "konsekvensskalan", "capability": "förmågeskalan",
               "dimensions": "konsekvensdimensionerna", "horizons": "tidshorisonterna"}
_LEVEL_KEYS = {"likelihood": "likelihood_levels", "consequence": "consequence_levels",
               "capability": "capability_levels"}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
AGGREGATIONS = ("max", "mean")


# -- templates -----------------------------------------------------------------------------

def current_template(svc: RsaService, analysis_id: int) -> dict[str, Any]:
    return template_from_scales(svc.scales(analysis_id))


def _text(value: Any, where: str, *, required: bool = False, limit: int = 2000) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ScaleFileError(f"{where}: texten har fel typ.")
    value = " ".join(value.replace("\r", "\n").split()) if limit <= 200 else value.strip()
    if required and not value:
        raise ScaleFileError(f"{where}: texten saknas.")
    if len(value) > limit:
        raise ScaleFileError(f"{where}: texten är för lång (högst {limit} tecken).")
    return value


def _int(value: Any, where: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float)
                                                                          and not value.is_integer()):
        raise ScaleFileError(f"{where}: ”{value}” är inget heltal.")
    value = int(value)
    if not lo <= value <= hi:
        raise ScaleFileError(f"{where}: värdet {value} ska vara mellan {lo} och {hi}.")
    return value


def _levels(data: dict, key: str, label: str, *, required: bool, frequency: bool = False) -> list[dict]:
    raw = data.get(key)
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or (required and not raw):
        raise ScaleFileError(f"Skalfilen saknar {label}.")
    out, seen = [], set()
    for i, lv in enumerate(raw, 1):
        if not isinstance(lv, dict):
            raise ScaleFileError(f"{label.capitalize()}, nivå {i}: fel format.")
        value = _int(lv.get("value"), f"{label.capitalize()}, nivå {i}", 1, 99)
        if value in seen:
            raise ScaleFileError(f"{label.capitalize()}: nivå {value} finns två gånger.")
        seen.add(value)
        item = {"value": value, "label": _text(lv.get("label"), f"{label.capitalize()} {value}", required=True,
                                               limit=200),
                "description": _text(lv.get("description"), f"{label.capitalize()} {value}")}
        if frequency:
            item["frequency"] = _text(lv.get("frequency"), f"{label.capitalize()} {value}", limit=200)
        out.append(item)
    return sorted(out, key=lambda x: x["value"])


def validate_template(data: Any, *, source: str = "") -> dict[str, Any]:
    """Check and normalise a template; raises ScaleFileError (Swedish) naming what is wrong."""
    name = f" ({source})" if source else ""
    if not isinstance(data, dict) or data.get("format") != SCALE_FORMAT:
        raise ScaleFileError(f"Filen är ingen skalfil för RSA Desktop{name}.")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ScaleFileError(f"Skalfilens version är ogiltig{name}.")
    if version > SCALE_VERSION:
        raise ScaleFileError(f"Skalfilen är gjord i en nyare version av RSA Desktop (format {version}){name}. "
                             "Uppdatera programmet för att läsa den.")
    out: dict[str, Any] = {"format": SCALE_FORMAT, "version": SCALE_VERSION,
                           "name": _text(data.get("name"), "Namn", limit=200),
                           "description": _text(data.get("description"), "Beskrivning")}
    out["likelihood_levels"] = _levels(data, "likelihood_levels", "sannolikhetsnivåer", required=True,
                                       frequency=True)
    out["consequence_levels"] = _levels(data, "consequence_levels", "konsekvensnivåer", required=True)
    out["capability_levels"] = _levels(data, "capability_levels", "förmågenivåer", required=False)
    dims = data.get("consequence_dimensions")
    if not isinstance(dims, list) or not dims:
        raise ScaleFileError("Skalfilen saknar konsekvensdimensioner.")
    out["consequence_dimensions"], codes = [], set()
    for i, d in enumerate(dims, 1):
        if not isinstance(d, dict):
            raise ScaleFileError(f"Konsekvensdimension {i}: fel format.")
        code = d.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise ScaleFileError(f"Konsekvensdimension {i}: koden ”{code}” är ogiltig (små bokstäver a–z, siffror "
                                 "och understreck).")
        if code in codes:
            raise ScaleFileError(f"Konsekvensdimensionen ”{code}” finns två gånger.")
        codes.add(code)
        out["consequence_dimensions"].append({
            "code": code, "label": _text(d.get("label"), f"Konsekvensdimension {code}", required=True, limit=200),
            "description": _text(d.get("description"), f"Konsekvensdimension {code}")})
    bands = data.get("colour_bands")
    if not isinstance(bands, list) or not bands:
        raise ScaleFileError("Skalfilen saknar färggränser.")
    out["colour_bands"], scores = [], set()
    for i, b in enumerate(bands, 1):
        if not isinstance(b, dict):
            raise ScaleFileError(f"Färggräns {i}: fel format.")
        score = _int(b.get("min_score"), f"Färggräns {i}", 1, 99 * 99)
        if score in scores:
            raise ScaleFileError(f"Färggränsen {score} finns två gånger.")
        scores.add(score)
        colour = b.get("colour")
        if not isinstance(colour, str) or not _COLOUR.match(colour):
            raise ScaleFileError(f"Färggräns {i}: färgen ”{colour}” ska skrivas #rrggbb.")
        out["colour_bands"].append({"label": _text(b.get("label"), f"Färggräns {i}", required=True, limit=200),
                                    "colour": colour.lower(), "min_score": score})
    out["colour_bands"].sort(key=lambda b: b["min_score"])
    horizons = data.get("time_horizons")
    if not isinstance(horizons, list) or not horizons:
        raise ScaleFileError("Skalfilen saknar tidshorisonter.")
    out["time_horizons"], minutes_seen = [], set()
    for i, h in enumerate(horizons, 1):
        if not isinstance(h, dict):
            raise ScaleFileError(f"Tidshorisont {i}: fel format.")
        minutes = _int(h.get("minutes"), f"Tidshorisont {i}", 1, 10 * 366 * 24 * 60)
        if minutes in minutes_seen:
            raise ScaleFileError(f"Tidshorisonten {format_duration(minutes)} finns två gånger.")
        minutes_seen.add(minutes)
        label = _text(h.get("label"), f"Tidshorisont {i}", limit=200) or format_duration(minutes)
        out["time_horizons"].append({"minutes": minutes, "label": label})
    out["time_horizons"].sort(key=lambda h: h["minutes"])
    agg = data.get("consequence_aggregation", "max")
    if agg not in AGGREGATIONS:
        raise ScaleFileError(f"Okänt sätt att väga samman konsekvenser: ”{agg}” (max eller mean).")
    out["consequence_aggregation"] = agg
    cons_values = [lv["value"] for lv in out["consequence_levels"]]
    unacceptable = data.get("unacceptable_level", 4 if 4 in cons_values else cons_values[-1])
    unacceptable = _int(unacceptable, "Oacceptabel konsekvensnivå", 1, 99)
    if unacceptable not in cons_values:
        raise ScaleFileError(f"Oacceptabel konsekvensnivå {unacceptable} finns inte på konsekvensskalan.")
    out["unacceptable_level"] = unacceptable
    return out


def read_scale_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a scale file (from KS or another förvaltning); ScaleFileError in Swedish otherwise."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScaleFileError(f"Filen {p.name} är för stor för att vara en skalfil.")
        raw = p.read_bytes()
    except OSError as exc:
        raise ScaleFileError(f"Skalfilen {p.name} kunde inte läsas ({exc.strerror or exc}).") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ScaleFileError(f"Filen {p.name} är ingen skalfil för RSA Desktop (den är skadad eller av "
                             "en annan sort).") from None
    return validate_template(data, source=p.name)


def export_scale_file(svc: RsaService, analysis_id: int, path: str | os.PathLike, *, name: str = "",
                      description: str = "") -> Path:
    """Write the analysis' scales as a scale file (same format as resources/scales/default.json)."""
    if not name:
        org = svc.organisation()
        a = svc.analysis(analysis_id)
        name = f"Skala från {org.name if org else 'RSA Desktop'} {a.year}".strip()
    data = template_from_scales(svc.scales(analysis_id), name=name, description=description)
    target = Path(path)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ScaleFileError(f"Skalfilen kunde inte sparas: {target} ({exc.strerror or exc}).") from None
    return target


# -- preview ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AffectedRating:
    """One stored rating and what a scale change does to it."""
    part: str  # likelihood / consequence / capability / dimensions / horizons
    kind: str  # risk / function / capability
    item_id: int
    hid: str
    field: str  # "likelihood", "consequence:liv_halsa", "impact:1440", "criticality_life_health" …
    field_label: str  # Swedish, e.g. "Konsekvens – Människors liv och hälsa"
    old: Any  # the old level (or dimension code / horizon minutes for parts dimensions / horizons)
    new: Any = None  # after the mapping; None with `dropped`
    dropped: bool = False  # the user chose to drop it (dimension or horizon mapped to None)

    def describe(self) -> str:
        what = f"{self.hid} {self.field_label}"
        if self.part == "dimensions":
            return f"{what}: dimensionen tas bort" if self.dropped else f"{what}: flyttas till ”{self.new}”"
        if self.part == "horizons":
            old = format_duration(self.old)
            return (f"{what}: bedömningen vid {old} tas bort" if self.dropped
                    else f"{what}: flyttas från {old} till {format_duration(self.new)}")
        return f"{what}: {self.old} → {self.new}"


@dataclass(frozen=True)
class ClassChange:
    """A risk whose colour band (its class: Låg, Måttlig …) is not the same on the new scale."""
    risk_id: int
    hid: str
    title: str
    old_likelihood: int | None
    old_consequence: int | None
    new_likelihood: int | None
    new_consequence: int | None
    old_band: str
    new_band: str

    def describe(self) -> str:
        where = []
        for word, a, b in (("sannolikhet", self.old_likelihood, self.new_likelihood),
                           ("konsekvens", self.old_consequence, self.new_consequence)):
            where.append(f"{word} {a}" if a == b else f"{word} {a} → {b}")
        return f"{self.hid} {self.title}: {self.old_band} → {self.new_band} ({', '.join(where)})"


@dataclass(frozen=True)
class ScalePreview:
    invalid: tuple[AffectedRating, ...]  # ratings whose value has no place on the new scale (before mapping)
    moves: tuple[AffectedRating, ...]  # what the given mapping changes (including drops)
    unmapped: tuple[AffectedRating, ...]  # still invalid after the mapping: apply_scale refuses these
    merges: tuple[str, ...]  # Swedish lines: two ratings landing on one place (the higher is kept)
    needs_mapping: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # part → used old values to map
    removed: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # part → values/codes/minutes removed
    added: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    mapping_errors: tuple[str, ...] = ()  # mapping targets that do not exist on the new scale
    # Risks that land in another colour band (with the mapping given; risks still unmapped are not judged).
    class_changes: tuple[ClassChange, ...] = ()

    @property
    def ok(self) -> bool:
        """The change can be applied with the mapping given."""
        return not self.unmapped and not self.mapping_errors

    def describe(self) -> list[str]:
        lines = [f"Saknar mappning: {r.hid} {r.field_label} ({_old_text(r)})" for r in self.unmapped]
        lines += list(self.mapping_errors)
        lines += [r.describe() for r in self.moves]
        lines += list(self.merges)
        lines += [f"Byter färgklass: {c.describe()}" for c in self.class_changes]
        return lines


def _old_text(r: AffectedRating) -> str:
    if r.part == "horizons":
        return format_duration(r.old)
    if r.part == "dimensions":
        return f"dimension ”{r.old}”"
    return f"nivå {r.old}"


@dataclass(frozen=True)
class _Rating:
    part: str
    kind: str
    item_id: int
    hid: str
    field: str
    field_label: str
    value: Any
    dim_code: str | None = None  # risk consequence rows
    minutes: int | None = None  # function impact rows


def _ratings(svc: RsaService, analysis_id: int, scales: Scales) -> list[_Rating]:
    """Every stored rating that lives on a scale."""
    out: list[_Rating] = []
    for r in svc.list("risk", analysis_id):
        for f, label, part in (("likelihood", "Sannolikhet", "likelihood"),
                               ("residual_likelihood", "Sannolikhet efter åtgärder", "likelihood"),
                               ("residual_consequence", "Konsekvens efter åtgärder", "consequence")):
            if r.values.get(f) is not None:
                out.append(_Rating(part, "risk", r.id, r.hid, f, label, r.values[f]))
    dims = {d.id: d for d in scales.dimensions}
    hids = {r.id: r.hid for r in svc.list("risk", analysis_id)}
    for rid, levels in sorted(svc.all_consequences(analysis_id).items()):
        for did, level in sorted(levels.items()):
            d = dims[did]
            out.append(_Rating("consequence", "risk", rid, hids[rid], f"consequence:{d.code}",
                               f"Konsekvens – {d.label}", level, dim_code=d.code))
    horizons = {h.id: h for h in scales.horizons}
    functions = svc.list("function", analysis_id)
    fhids = {f.id: f.hid for f in functions}
    for f in functions:
        for name, label in (("criticality_life_health", "Kritikalitet för liv och hälsa"),
                            ("criticality_functionality", "Kritikalitet för stadens funktionalitet")):
            if f.values.get(name) is not None:
                out.append(_Rating("consequence", "function", f.id, f.hid, name, label, f.values[name]))
    for fid, levels in sorted(svc.all_impacts(analysis_id).items()):
        for hid_, level in sorted(levels.items(), key=lambda kv: horizons[kv[0]].minutes):
            h = horizons[hid_]
            out.append(_Rating("consequence", "function", fid, fhids[fid], f"impact:{h.minutes}",
                               f"Konsekvens vid {h.label}", level, minutes=h.minutes))
    for c in svc.list("capability", analysis_id):
        if c.rating is not None:
            out.append(_Rating("capability", "capability", c.id, c.hid, "rating", "Förmåga", c.rating))
    return out


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


def preview_scale_change(svc: RsaService, analysis_id: int, new_template: dict[str, Any],
                         mapping: dict | None = None) -> ScalePreview:
    """What changing the analysis' scales to `new_template` would do to the stored ratings."""
    tpl = validate_template(new_template)
    scales = svc.scales(analysis_id)
    old_tpl = template_from_scales(scales)
    mp = normalise_mapping(mapping)
    new_values = {p: {lv["value"] for lv in tpl[_LEVEL_KEYS[p]]} for p in LEVEL_PARTS}
    new_values["dimensions"] = {d["code"] for d in tpl["consequence_dimensions"]}
    new_values["horizons"] = {h["minutes"] for h in tpl["time_horizons"]}
    old_values = {p: {lv["value"] for lv in old_tpl[_LEVEL_KEYS[p]]} for p in LEVEL_PARTS}
    old_values["dimensions"] = {d["code"] for d in old_tpl["consequence_dimensions"]}
    old_values["horizons"] = {h["minutes"] for h in old_tpl["time_horizons"]}

    errors = []
    for part, m in mp.items():
        for old, new in m.items():
            if new is None:
                if part in LEVEL_PARTS:
                    errors.append(f"{PART_LABELS[part].capitalize()}: nivå {old} måste flyttas till en nivå; "
                                  "betyg tas inte bort.")
            elif new not in new_values[part]:
                shown = format_duration(new) if part == "horizons" else new
                errors.append(f"{PART_LABELS[part].capitalize()}: ”{shown}” finns inte på den nya skalan.")

    invalid, moves, unmapped = [], [], []
    needs: dict[str, set] = {p: set() for p in PARTS}
    landing: dict[tuple, list[tuple[_Rating, Any]]] = {}

    def judge(rating: _Rating, part: str, old: Any) -> tuple[Any, bool, bool]:
        """(new value, dropped, ok) for one aspect of a rating."""
        m = mp[part]
        if old not in new_values[part]:
            needs[part].add(old)
        if old in m:
            new = m[old]
            if new is None:
                return None, True, part in ("dimensions", "horizons")
            return new, False, new in new_values[part]
        return old, False, old in new_values[part]

    for r in _ratings(svc, analysis_id, scales):
        aspects = [(r.part, r.value)]
        if r.dim_code is not None:
            aspects.insert(0, ("dimensions", r.dim_code))
        if r.minutes is not None:
            aspects.insert(0, ("horizons", r.minutes))
        dropped = False
        place = []
        for part, old in aspects:
            new, drop, ok = judge(r, part, old)
            affected = AffectedRating(part, r.kind, r.item_id, r.hid, r.field, r.field_label, old, new, drop)
            if old not in new_values[part]:
                invalid.append(affected)
            if not ok:
                unmapped.append(affected)
            elif drop or new != old:
                moves.append(affected)
            if drop:
                dropped = True
                break
            place.append(new)
        if not dropped and (r.dim_code is not None or r.minutes is not None):
            landing.setdefault((r.kind, r.item_id, r.part, place[0]), []).append((r, place[-1]))
    merges = []
    for (kind, _, _, where), rows in landing.items():
        if len(rows) > 1:
            shown = format_duration(where) if rows[0][0].minutes is not None else f"”{where}”"
            levels = ", ".join(f"{r.field_label} {lv}" for r, lv in rows)
            merges.append(f"{rows[0][0].hid}: {levels} hamnar på samma plats ({shown}); "
                          f"den högsta nivån, {max(lv for _, lv in rows)}, behålls.")
    return ScalePreview(
        tuple(invalid), tuple(moves), tuple(unmapped), tuple(merges),
        {p: tuple(sorted(v, key=str)) for p, v in needs.items() if v},
        {p: tuple(sorted(old_values[p] - new_values[p], key=str)) for p in PARTS if old_values[p] - new_values[p]},
        {p: tuple(sorted(new_values[p] - old_values[p], key=str)) for p in PARTS if new_values[p] - old_values[p]},
        tuple(errors), _class_changes(svc, analysis_id, scales, tpl, mp, new_values))


def _new_places(svc: RsaService, analysis_id: int, scales: Scales, tpl: dict[str, Any], mp: dict[str, dict],
                new_values: dict[str, set]) -> list[tuple[Any, int | None, int | None]]:
    """(risk, new likelihood, new overall consequence) for every risk whose ratings all have a place on `tpl`
    with the mapping (same merge rule as _write: two dimensions landing on one keep the higher level)."""
    new_scales = scales_from_template(tpl)
    codes = {d.id: d.code for d in scales.dimensions}
    consequences = svc.all_consequences(analysis_id)
    out = []
    for r in svc.list("risk", analysis_id):
        lik = _map_level(mp, "likelihood", r.likelihood)
        if lik is not None and lik not in new_values["likelihood"]:
            continue  # not mapped yet: the preview lists it as unmapped
        placed: dict[str, int] = {}
        judged = True
        for did, level in consequences.get(r.id, {}).items():
            code = codes[did]
            if code in mp["dimensions"]:
                code = mp["dimensions"][code]
            if code is None:
                continue  # dropped on purpose
            new_level = _map_level(mp, "consequence", level)
            if code not in new_values["dimensions"] or new_level not in new_values["consequence"]:
                judged = False
                break
            placed[code] = max(placed.get(code, new_level), new_level)
        if judged:
            out.append((r, lik, new_scales.overall(placed)))
    return out


def _class_changes(svc: RsaService, analysis_id: int, scales: Scales, tpl: dict[str, Any], mp: dict[str, dict],
                   new_values: dict[str, set]) -> tuple[ClassChange, ...]:
    """Every risk whose colour band (by its label) differs on `tpl`, its ratings mapped."""
    new_scales = scales_from_template(tpl)
    consequences = svc.all_consequences(analysis_id)
    out = []
    for r, lik, con in _new_places(svc, analysis_id, scales, tpl, mp, new_values):
        old_con = scales.overall(consequences.get(r.id, {}))
        old_band, new_band = scales.band(r.likelihood, old_con), new_scales.band(lik, con)
        a, b = old_band.label if old_band else "", new_band.label if new_band else ""
        if a != b:
            out.append(ClassChange(r.id, r.hid, r.title, r.likelihood, old_con, lik, con, a or "ej bedömd",
                                   b or "ej bedömd"))
    out.sort(key=lambda c: hid_key(c.hid))
    return tuple(out)


def suggest_bands(svc: RsaService, analysis_id: int, new_template: dict[str, Any],
                  mapping: dict | None = None) -> list[dict[str, Any]]:
    """`new_template`'s colour bands with lowest scores chosen so that as few risks as possible change class.

    The bands keep their labels, colours and order, and the first band its lowest score; the others get the
    scores that keep the most risks in the band (by label) they have today, then the scores closest to the
    present ones. Sometimes not every class can be kept (two risks with different classes land on one cell);
    the preview then still lists those. Only a suggestion for the user to look at and adjust.
    """
    # The bands as the user has them, even with scores that clash (that may be why a suggestion is wanted):
    # only their order, labels and colours, and the first one's score, are used.
    raw = [dict(b) for b in new_template.get("colour_bands") or [] if isinstance(b, dict)]
    raw.sort(key=lambda b: b["min_score"] if isinstance(b.get("min_score"), int) else 0)
    first = raw[0]["min_score"] if raw and isinstance(raw[0].get("min_score"), int) and raw[0]["min_score"] > 0 else 1
    tpl = validate_template(dict(new_template, colour_bands=[dict(b, min_score=i + 1) for i, b in enumerate(raw)]))
    mp = normalise_mapping(mapping)
    scales = svc.scales(analysis_id)
    present = [b["min_score"] if isinstance(b.get("min_score"), int) else 0 for b in raw]  # to stay close to
    bands = [{**b, "min_score": m} for b, m in zip(tpl["colour_bands"], present)]  # checked labels and colours
    top = max(lv["value"] for lv in tpl["likelihood_levels"]) * max(lv["value"] for lv in tpl["consequence_levels"])
    k = len(bands)
    if k < 2 or top - first + 1 < k:
        return bands
    new_values = {p: {lv["value"] for lv in tpl[_LEVEL_KEYS[p]]} for p in LEVEL_PARTS}
    new_values["dimensions"] = {d["code"] for d in tpl["consequence_dimensions"]}
    index = {b["label"]: i for i, b in enumerate(bands)}
    consequences = svc.all_consequences(analysis_id)
    # mismatch[score][j]: risks at this score on the new scale whose present class is not band j
    wanted: dict[int, list[int]] = {}
    for r, lik, con in _new_places(svc, analysis_id, scales, tpl, mp, new_values):
        old = scales.band(r.likelihood, scales.overall(consequences.get(r.id, {})))
        if lik is None or con is None or old is None or old.label not in index:
            continue
        wanted.setdefault(lik * con, []).append(index[old.label])
    scores = range(first, top + 1)
    inf = (float("inf"), float("inf"))
    # best[j] = (mismatches, distance from today's lowest scores, thresholds) with the score just seen in band j
    best: list[tuple] = [inf] * k
    for s_ in scores:
        here = wanted.get(s_, [])
        miss = [sum(1 for w in here if w != j) for j in range(k)]
        new_best: list[tuple] = [inf] * k
        for j in range(k):
            if s_ == first:
                if j == 0:
                    new_best[0] = (miss[0], 0, ())
                continue
            stay = best[j]
            enter = best[j - 1] if j > 0 else inf
            if enter[0] != float("inf"):
                enter = (enter[0], enter[1] + abs(s_ - bands[j]["min_score"]), enter[2] + (s_,))
            choice = min(stay, enter, key=lambda t: (t[0], t[1]))
            if choice[0] != float("inf"):
                new_best[j] = (choice[0] + miss[j], choice[1], choice[2])
        best = new_best
    found = best[k - 1]
    if found[0] == float("inf"):
        return bands
    mins = (first,) + found[2]
    return [{**b, "min_score": m} for b, m in zip(bands, mins)]


def suggest_mapping(svc: RsaService, analysis_id: int, new_template: dict[str, Any]) -> dict[str, dict]:
    """A starting point for the re-mapping dialog: nearest new level, same-label dimension, nearest horizon.

    Only a suggestion for the user to confirm or change: `apply_scale` never maps on its own.
    """
    tpl = validate_template(new_template)
    preview = preview_scale_change(svc, analysis_id, tpl)
    scales = svc.scales(analysis_id)
    out: dict[str, dict] = {}
    for part in LEVEL_PARTS:
        values = sorted(lv["value"] for lv in tpl[_LEVEL_KEYS[part]])
        for old in preview.needs_mapping.get(part, ()):
            if values:
                out.setdefault(part, {})[old] = min(values, key=lambda v: (abs(v - old), -v))
    by_label = {d["label"].lower(): d["code"] for d in tpl["consequence_dimensions"]}
    old_labels = {d.code: d.label.lower() for d in scales.dimensions}
    for code in preview.needs_mapping.get("dimensions", ()):
        out.setdefault("dimensions", {})[code] = by_label.get(old_labels.get(code, ""))
    minutes = sorted(h["minutes"] for h in tpl["time_horizons"])
    for old in preview.needs_mapping.get("horizons", ()):
        # the nearest shorter horizon is the cautious choice (a rating for 3 dygn holds at least from 1 dygn)
        shorter = [m for m in minutes if m <= old]
        out.setdefault("horizons", {})[old] = shorter[-1] if shorter else minutes[0]
    return out


# -- apply -----------------------------------------------------------------------------------

def apply_scale(svc: RsaService, analysis_id: int, new_template: dict[str, Any], mapping: dict | None = None) -> None:
    """Replace the analysis' scales by `new_template`, re-mapping stored ratings by `mapping`.

    mapping = {"likelihood": {old: new}, "consequence": {…}, "capability": {…},
               "dimensions": {old_code: new_code | None}, "horizons": {old_minutes: new_minutes | None}}
    Refuses (ValidationError, nothing changed) if a used value is left without a valid place.
    """
    tpl = validate_template(new_template)
    mp = normalise_mapping(mapping)
    with svc.batch():
        preview = preview_scale_change(svc, analysis_id, tpl, mapping)
        if not preview.ok:
            errs = [FieldError("mapping", "Mappning", m) for m in preview.mapping_errors]
            by_part: dict[str, list[AffectedRating]] = {}
            for r in preview.unmapped:
                by_part.setdefault(r.part, []).append(r)
            for part, rows in by_part.items():
                values = sorted({r.old for r in rows}, key=str)
                shown = ", ".join(format_duration(v) if part == "horizons" else str(v) for v in values)
                items = ", ".join(dict.fromkeys(f"{r.hid}" for r in rows))
                errs.append(FieldError(part, PART_LABELS[part].capitalize(),
                                       f"{shown} används av {items} men finns inte i den nya skalan. "
                                       "Välj vart bedömningarna ska flyttas."))
            raise ValidationError(errs)
        with svc.scale_transaction(analysis_id) as s:
            _write(s, analysis_id, tpl, mp)
            s.expunge_all()


def _map_level(mp: dict, part: str, value):
    if value is None:
        return None
    return mp[part].get(value, value)


def _write(s, aid: int, tpl: dict[str, Any], mp: dict[str, dict]) -> None:
    conn = s.connection()
    # plain ratings on the items
    risk_t, fn_t, cap_t = e.Risk.__table__, e.Function.__table__, e.Capability.__table__
    for row in conn.execute(sa_select(risk_t).where(risk_t.c.analysis_id == aid)).all():
        m = row._mapping
        vals = {"likelihood": _map_level(mp, "likelihood", m["likelihood"]),
                "residual_likelihood": _map_level(mp, "likelihood", m["residual_likelihood"]),
                "residual_consequence": _map_level(mp, "consequence", m["residual_consequence"])}
        if any(vals[k] != m[k] for k in vals):
            conn.execute(sa_update(risk_t).where(risk_t.c.id == m["id"]).values(**vals))
    for row in conn.execute(sa_select(fn_t).where(fn_t.c.analysis_id == aid)).all():
        m = row._mapping
        vals = {k: _map_level(mp, "consequence", m[k]) for k in ("criticality_life_health", "criticality_functionality")}
        if any(vals[k] != m[k] for k in vals):
            conn.execute(sa_update(fn_t).where(fn_t.c.id == m["id"]).values(**vals))
    for row in conn.execute(sa_select(cap_t).where(cap_t.c.analysis_id == aid)).all():
        m = row._mapping
        new = _map_level(mp, "capability", m["rating"])
        if new != m["rating"]:
            conn.execute(sa_update(cap_t).where(cap_t.c.id == m["id"]).values(rating=new))

    # dimensions (keyed by code) with the per-risk consequences
    _rekey(conn, aid, e.ConsequenceDimension.__table__, "code",
           [(d["code"], {"label": d["label"], "description": d["description"], "sort_order": i})
            for i, d in enumerate(tpl["consequence_dimensions"])],
           mp["dimensions"], e.RiskConsequence.__table__, "dimension_id", "risk_id", mp["consequence"])
    # horizons (keyed by minutes) with the per-function impacts
    _rekey(conn, aid, e.TimeHorizon.__table__, "minutes",
           [(h["minutes"], {"label": h["label"]}) for h in tpl["time_horizons"]],
           mp["horizons"], e.FunctionImpact.__table__, "horizon_id", "function_id", mp["consequence"])

    # levels and bands carry no references: replace them
    for part, model in (("likelihood", e.LikelihoodLevel), ("consequence", e.ConsequenceLevel),
                        ("capability", e.CapabilityLevel)):
        t = model.__table__
        conn.execute(delete(t).where(t.c.analysis_id == aid))
        for lv in tpl[_LEVEL_KEYS[part]]:
            conn.execute(insert(t).values(analysis_id=aid, **lv))
    bt = e.ColourBand.__table__
    conn.execute(delete(bt).where(bt.c.analysis_id == aid))
    for b in tpl["colour_bands"]:
        conn.execute(insert(bt).values(analysis_id=aid, **b))
    at = e.Analysis.__table__
    conn.execute(sa_update(at).where(at.c.id == aid).values(consequence_aggregation=tpl["consequence_aggregation"],
                                                            unacceptable_level=tpl["unacceptable_level"]))


def _rekey(conn, aid: int, table, key_col: str, wanted: list[tuple[Any, dict]], key_map: dict,
           rating_t, rating_key: str, owner_col: str, level_map: dict) -> None:
    """Make the rows of `table` match `wanted`, moving ratings from removed keys to their mapped key."""
    rows = {r._mapping[key_col]: r._mapping["id"]
            for r in conn.execute(sa_select(table).where(table.c.analysis_id == aid)).all()}
    wanted_keys = [k for k, _ in wanted]
    targets: dict[Any, Any] = {}  # old key → new key (or None: drop)
    for old in rows:
        if old in key_map:
            targets[old] = key_map[old]
        elif old in wanted_keys:
            targets[old] = old
        else:
            targets[old] = None  # unused (preview guaranteed it): nothing to move
    ids: dict[Any, int] = {}
    for key, attrs in wanted:
        if key in rows:
            conn.execute(sa_update(table).where(table.c.id == rows[key]).values(**attrs))
            ids[key] = rows[key]
            continue
        sources = [old for old, new in targets.items() if new == key and old not in wanted_keys]
        if len(sources) == 1:  # a pure rename: keep the row (and its id)
            conn.execute(sa_update(table).where(table.c.id == rows[sources[0]]).values(**{key_col: key}, **attrs))
            ids[key] = rows[sources[0]]
            targets[sources[0]] = key
            rows[key] = rows.pop(sources[0])
            continue
        res = conn.execute(insert(table).values(analysis_id=aid, **{key_col: key}, **attrs))
        ids[key] = res.inserted_primary_key[0]
    # move ratings to their new row, merging (higher level wins) where two land on one
    old_rows = [(old, rid) for old, rid in rows.items()]
    merged: dict[tuple[int, int], int] = {}
    for old, rid in old_rows:
        for r in conn.execute(sa_select(rating_t).where(rating_t.c[rating_key] == rid)).all():
            m = r._mapping
            new_key = targets.get(old, old)
            if new_key is None:
                continue
            level = level_map.get(m["level"], m["level"])
            spot = (m[owner_col], ids[new_key])
            merged[spot] = max(merged.get(spot, level), level)
    for old, rid in old_rows:
        conn.execute(delete(rating_t).where(rating_t.c[rating_key] == rid))
    for old, rid in old_rows:
        if old not in wanted_keys and rid not in ids.values():
            conn.execute(delete(table).where(table.c.id == rid))
    for (owner, key_id), level in sorted(merged.items()):
        conn.execute(insert(rating_t).values(**{owner_col: owner, rating_key: key_id, "level": level}))


# -- editing one part at a time (each goes through preview/apply) -----------------------------

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
    levels = tpl[_LEVEL_KEYS[_part(part)]]
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
    for lv in tpl[_LEVEL_KEYS[_part(part)]]:
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
    key = _LEVEL_KEYS[_part(part)]
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

