"""Scales per analysis: loading the template, copying it in, and reading it as a snapshot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from rsa_desktop import paths

# The scales themselves and every rule on them live in domain.scales; this module loads and stores them
# (the names are re-exported for the services that take them from here).
from rsa_desktop.domain.scales import (  # noqa: F401
    SCALE_FORMAT,
    SCALE_VERSION,
    Band,
    Dimension,
    Horizon,
    Level,
    ScaleRanges,
    Scales,
    scales_from_rows,
    scales_from_template,
    template_from_scales,
)
from rsa_desktop.model import entities as e


class ScaleFileError(ValueError):
    pass


def _levels_text(levels) -> str:
    return ", ".join(f"{lv.value} {lv.label}".strip() for lv in levels)


def describe_change(old: Scales, new: Scales) -> list[str]:
    """What changed between two versions of an analysis' scales, in Swedish lines (for the Ändringslogg)."""
    from rsa_desktop.domain.durations import format_duration

    out: list[str] = []
    for name, a, b in (("Sannolikhetsskalan", old.likelihood, new.likelihood),
                       ("Konsekvensskalan", old.consequence, new.consequence),
                       ("Förmågeskalan", old.capability, new.capability)):
        before, after = {lv.value: lv for lv in a}, {lv.value: lv for lv in b}
        for v in sorted(before.keys() - after.keys()):
            out.append(f"{name}: nivå {v} ”{before[v].label}” borttagen")
        for v in sorted(after.keys() - before.keys()):
            out.append(f"{name}: nivå {v} ”{after[v].label}” tillagd")
        for v in sorted(before.keys() & after.keys()):
            x, y = before[v], after[v]
            if x.label != y.label:
                out.append(f"{name}: nivå {v} heter nu ”{y.label}” (var ”{x.label}”)")
            if (x.description, x.frequency) != (y.description, y.frequency):
                out.append(f"{name}: beskrivningen av nivå {v} ”{y.label}” är ändrad")
    dims_a, dims_b = {d.code: d for d in old.dimensions}, {d.code: d for d in new.dimensions}
    for code in [c for c in dims_a if c not in dims_b]:
        out.append(f"Konsekvensdimensionen ”{dims_a[code].label}” borttagen")
    for code in [c for c in dims_b if c not in dims_a]:
        out.append(f"Konsekvensdimensionen ”{dims_b[code].label}” tillagd")
    for code in [c for c in dims_a if c in dims_b]:
        if dims_a[code].label != dims_b[code].label:
            out.append(f"Konsekvensdimensionen ”{dims_a[code].label}” heter nu ”{dims_b[code].label}”")
        elif dims_a[code].description != dims_b[code].description:
            out.append(f"Konsekvensdimensionen ”{dims_b[code].label}”: beskrivningen är ändrad")
    bands_a = [(b.label, b.colour, b.min_score) for b in sorted(old.bands, key=lambda b: b.min_score)]
    bands_b = [(b.label, b.colour, b.min_score) for b in sorted(new.bands, key=lambda b: b.min_score)]
    if bands_a != bands_b:
        shown = lambda bands: ", ".join(f"{label} från {score}" for label, _c, score in bands)  # noqa: E731
        if [x[0] for x in bands_a] == [x[0] for x in bands_b]:  # the same bands: say which moved or changed colour
            for (label, colour_a, score_a), (_l, colour_b, score_b) in zip(bands_a, bands_b):
                if score_a != score_b:
                    out.append(f"Färggränsen {label}: från poäng {score_a} → {score_b}")
                if colour_a != colour_b:
                    out.append(f"Färggränsen {label}: färgen är ändrad ({colour_a} → {colour_b})")
        else:
            out.append(f"Färggränserna: {shown(bands_a)} → {shown(bands_b)}")
    hz_a, hz_b = {h.minutes: h for h in old.horizons}, {h.minutes: h for h in new.horizons}
    for m in sorted(hz_a.keys() - hz_b.keys()):
        out.append(f"Tidshorisonten {format_duration(m)} borttagen")
    for m in sorted(hz_b.keys() - hz_a.keys()):
        out.append(f"Tidshorisonten {format_duration(m)} tillagd")
    for m in sorted(hz_a.keys() & hz_b.keys()):
        if hz_a[m].label != hz_b[m].label:
            out.append(f"Tidshorisonten {format_duration(m)} heter nu ”{hz_b[m].label}”")
    if old.aggregation != new.aggregation:
        words = {"max": "högsta dimensionen", "mean": "medelvärdet av dimensionerna"}
        out.append(f"Sammanvägd konsekvens: {words.get(old.aggregation, old.aggregation)} → "
                   f"{words.get(new.aggregation, new.aggregation)}")
    if old.unacceptable_level != new.unacceptable_level:
        out.append(f"Oacceptabel konsekvensnivå: {old.unacceptable_level} → {new.unacceptable_level}")
    return out


@dataclass(frozen=True)
class RiskPlace:
    """Where a risk sits on its analysis' scales: likelihood, overall consequence and colour band."""
    hid: str
    title: str
    likelihood: int | None
    consequence: int | None
    band: str  # the band's label ("" when the risk is not fully rated)


def risk_places(session: Session, analysis_id: int, scales: Scales | None = None) -> dict[int, RiskPlace]:
    """risk id → RiskPlace for a whole analysis, read in the given session (before and after a scale change)."""
    scales = scales or read_scales(session, analysis_id)
    risks = session.exec(select(e.Risk).where(e.Risk.analysis_id == analysis_id)).all()
    levels: dict[int, list[int]] = {}
    for c in session.exec(select(e.RiskConsequence).join(e.Risk).where(e.Risk.analysis_id == analysis_id)).all():
        levels.setdefault(c.risk_id, []).append(c.level)
    out = {}
    for r in risks:
        con = scales.overall(levels.get(r.id, []))
        band = scales.band(r.likelihood, con)
        out[r.id] = RiskPlace(r.hid, r.title, r.likelihood, con, band.label if band else "")
    return out


def describe_moves(before: dict[int, RiskPlace], after: dict[int, RiskPlace]) -> list[str]:
    """Swedish lines for the risks whose place or colour band differs (same ids on both sides)."""
    out = []
    for rid in sorted(before.keys() & after.keys(), key=lambda i: (len(before[i].hid), before[i].hid)):
        a, b = before[rid], after[rid]
        parts = []
        for word, x, y in (("sannolikhet", a.likelihood, b.likelihood), ("konsekvens", a.consequence, b.consequence)):
            if x != y:
                parts.append(f"{word} {'–' if x is None else x} → {'–' if y is None else y}")
        if a.band != b.band:
            parts.append(f"{a.band or 'ej bedömd'} → {b.band or 'ej bedömd'}")
        if parts:
            out.append(f"{a.hid} {a.title}: " + ", ".join(parts))
    return out


def load_template(path: Path | None = None) -> dict[str, Any]:
    path = path or paths.resource("scales", "default.json")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScaleFileError(f"Skalfilen kunde inte läsas: {Path(path).name} ({exc}).") from None
    if not isinstance(data, dict) or data.get("format") != SCALE_FORMAT:
        raise ScaleFileError(f"Filen är ingen skalfil för RSA Desktop: {Path(path).name}.")
    for key in ("likelihood_levels", "consequence_levels", "consequence_dimensions", "colour_bands",
                "time_horizons"):
        if not isinstance(data.get(key), list) or not data[key]:
            raise ScaleFileError(f"Skalfilen saknar ”{key}”.")
    return data


def apply_template(session: Session, analysis: e.Analysis, template: dict[str, Any]) -> None:
    """Copy a scale template into an analysis that has none yet."""
    aid = analysis.id
    analysis.consequence_aggregation = template.get("consequence_aggregation", "max")
    analysis.unacceptable_level = int(template.get("unacceptable_level", 4))
    for lv in template["likelihood_levels"]:
        session.add(e.LikelihoodLevel(analysis_id=aid, value=int(lv["value"]), label=lv.get("label", ""),
                                      frequency=lv.get("frequency", ""), description=lv.get("description", "")))
    for lv in template["consequence_levels"]:
        session.add(e.ConsequenceLevel(analysis_id=aid, value=int(lv["value"]), label=lv.get("label", ""),
                                       description=lv.get("description", "")))
    for i, d in enumerate(template["consequence_dimensions"]):
        session.add(e.ConsequenceDimension(analysis_id=aid, code=d["code"], label=d.get("label", ""),
                                           description=d.get("description", ""), sort_order=i))
    for b in template["colour_bands"]:
        session.add(e.ColourBand(analysis_id=aid, label=b.get("label", ""), colour=b.get("colour", "#cccccc"),
                                 min_score=int(b["min_score"])))
    for lv in template.get("capability_levels") or []:
        session.add(e.CapabilityLevel(analysis_id=aid, value=int(lv["value"]), label=lv.get("label", ""),
                                      description=lv.get("description", "")))
    for h in template["time_horizons"]:
        session.add(e.TimeHorizon(analysis_id=aid, minutes=int(h["minutes"]), label=h.get("label", "")))


def read_scales(session: Session, analysis_id: int) -> Scales:
    a = session.get(e.Analysis, analysis_id)

    def rows(table, *order):
        return session.exec(select(table).where(table.analysis_id == analysis_id).order_by(*order)).all()

    return scales_from_rows(
        likelihood=rows(e.LikelihoodLevel, e.LikelihoodLevel.value),
        consequence=rows(e.ConsequenceLevel, e.ConsequenceLevel.value),
        dimensions=rows(e.ConsequenceDimension, e.ConsequenceDimension.sort_order, e.ConsequenceDimension.id),
        bands=rows(e.ColourBand, e.ColourBand.min_score),
        capability=rows(e.CapabilityLevel, e.CapabilityLevel.value),
        horizons=rows(e.TimeHorizon, e.TimeHorizon.minutes),
        aggregation=a.consequence_aggregation if a else "max",
        unacceptable_level=a.unacceptable_level if a else 4,
    )
