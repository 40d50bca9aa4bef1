"""What a new scale does to the stored ratings: invalid, moved, unmapped and merged ratings, class changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.ids import hid_key
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scale_edit.mapping import map_level, normalise_mapping
from rsa_desktop.services.scale_edit.template import LEVEL_KEYS, LEVEL_PARTS, PART_LABELS, PARTS, validate_template
from rsa_desktop.services.scales import Scales, scales_from_template, template_from_scales


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
            if r.get(f) is not None:
                out.append(_Rating(part, "risk", r.id, r.hid, f, label, r.get(f)))
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
            if f.get(name) is not None:
                out.append(_Rating("consequence", "function", f.id, f.hid, name, label, f.get(name)))
    for fid, levels in sorted(svc.all_impacts(analysis_id).items()):
        for hid_, level in sorted(levels.items(), key=lambda kv: horizons[kv[0]].minutes):
            h = horizons[hid_]
            out.append(_Rating("consequence", "function", fid, fhids[fid], f"impact:{h.minutes}",
                               f"Konsekvens vid {h.label}", level, minutes=h.minutes))
    for c in svc.list("capability", analysis_id):
        if c.rating is not None:
            out.append(_Rating("capability", "capability", c.id, c.hid, "rating", "Förmåga", c.rating))
    return out


def preview_scale_change(svc: RsaService, analysis_id: int, new_template: dict[str, Any],
                         mapping: dict | None = None) -> ScalePreview:
    """What changing the analysis' scales to `new_template` would do to the stored ratings."""
    tpl = validate_template(new_template)
    scales = svc.scales(analysis_id)
    old_tpl = template_from_scales(scales)
    mp = normalise_mapping(mapping)
    new_values = {p: {lv["value"] for lv in tpl[LEVEL_KEYS[p]]} for p in LEVEL_PARTS}
    new_values["dimensions"] = {d["code"] for d in tpl["consequence_dimensions"]}
    new_values["horizons"] = {h["minutes"] for h in tpl["time_horizons"]}
    old_values = {p: {lv["value"] for lv in old_tpl[LEVEL_KEYS[p]]} for p in LEVEL_PARTS}
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
    for (_kind, _, _, where), rows in landing.items():
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


def new_places(svc: RsaService, analysis_id: int, scales: Scales, tpl: dict[str, Any], mp: dict[str, dict],
                new_values: dict[str, set]) -> list[tuple[Any, int | None, int | None]]:
    """(risk, new likelihood, new overall consequence) for every risk whose ratings all have a place on `tpl`
    with the mapping (same merge rule as _write: two dimensions landing on one keep the higher level)."""
    new_scales = scales_from_template(tpl)
    codes = {d.id: d.code for d in scales.dimensions}
    consequences = svc.all_consequences(analysis_id)
    out = []
    for r in svc.list("risk", analysis_id):
        lik = map_level(mp, "likelihood", r.likelihood)
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
            new_level = map_level(mp, "consequence", level)
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
    for r, lik, con in new_places(svc, analysis_id, scales, tpl, mp, new_values):
        old_con = scales.overall(consequences.get(r.id, {}))
        old_band, new_band = scales.band(r.likelihood, old_con), new_scales.band(lik, con)
        a, b = old_band.label if old_band else "", new_band.label if new_band else ""
        if a != b:
            out.append(ClassChange(r.id, r.hid, r.title, r.likelihood, old_con, lik, con, a or "ej bedömd",
                                   b or "ej bedömd"))
    out.sort(key=lambda c: hid_key(c.hid))
    return tuple(out)
