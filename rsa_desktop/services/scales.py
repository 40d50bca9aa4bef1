"""Scales per analysis: loading the template, copying it in, and reading it as a snapshot."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from rsa_desktop import paths
from rsa_desktop.model import entities as e
from rsa_desktop.services.validation import ScaleRanges

SCALE_FORMAT = "rsa-desktop-scale"
SCALE_VERSION = 1


@dataclass(frozen=True)
class Level:
    value: int
    label: str
    description: str = ""
    frequency: str = ""


@dataclass(frozen=True)
class Dimension:
    id: int
    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Band:
    label: str
    colour: str
    min_score: int


@dataclass(frozen=True)
class Horizon:
    id: int
    minutes: int
    label: str


@dataclass(frozen=True)
class Scales:
    likelihood: tuple[Level, ...]
    consequence: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]
    bands: tuple[Band, ...]
    capability: tuple[Level, ...]
    horizons: tuple[Horizon, ...]
    aggregation: str = "max"
    unacceptable_level: int = 4

    @property
    def fingerprint(self) -> str:
        """A short hash of everything that defines the scales (not database ids), to notice changes."""
        content = (
            [(l.value, l.label, l.description, l.frequency) for l in self.likelihood],
            [(l.value, l.label, l.description) for l in self.consequence],
            [(d.code, d.label, d.description) for d in self.dimensions],
            [(b.label, b.colour, b.min_score) for b in self.bands],
            [(l.value, l.label, l.description) for l in self.capability],
            [(h.minutes, h.label) for h in self.horizons],
            self.aggregation, self.unacceptable_level,
        )
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:16]

    @property
    def ranges(self) -> ScaleRanges:
        return ScaleRanges(tuple(l.value for l in self.likelihood), tuple(l.value for l in self.consequence),
                           tuple(l.value for l in self.capability))

    def overall(self, levels: list[int | None] | dict[Any, int | None]) -> int | None:
        """The risk's overall consequence from its per-dimension levels."""
        vals = [v for v in (levels.values() if isinstance(levels, dict) else levels) if v is not None]
        if not vals:
            return None
        if self.aggregation == "mean":
            return math.ceil(sum(vals) / len(vals))
        return max(vals)

    def band(self, likelihood: int | None, consequence: int | None) -> Band | None:
        if likelihood is None or consequence is None:
            return None
        score = likelihood * consequence
        chosen = None
        for b in sorted(self.bands, key=lambda b: b.min_score):
            if score >= b.min_score:
                chosen = b
        return chosen

    def likelihood_label(self, value: int | None) -> str:
        return next((l.label for l in self.likelihood if l.value == value), "")

    def consequence_label(self, value: int | None) -> str:
        return next((l.label for l in self.consequence if l.value == value), "")

    def capability_label(self, value: int | None) -> str:
        return next((l.label for l in self.capability if l.value == value), "")


class ScaleFileError(ValueError):
    pass


def template_from_scales(scales: Scales, *, name: str = "", description: str = "") -> dict[str, Any]:
    """An analysis' scales in the template (scale file) format of resources/scales/default.json."""
    return {
        "format": SCALE_FORMAT, "version": SCALE_VERSION, "name": name, "description": description,
        "consequence_aggregation": scales.aggregation, "unacceptable_level": scales.unacceptable_level,
        "likelihood_levels": [{"value": l.value, "label": l.label, "frequency": l.frequency,
                               "description": l.description} for l in scales.likelihood],
        "consequence_levels": [{"value": l.value, "label": l.label, "description": l.description}
                               for l in scales.consequence],
        "consequence_dimensions": [{"code": d.code, "label": d.label, "description": d.description}
                                   for d in scales.dimensions],
        "colour_bands": [{"label": b.label, "colour": b.colour, "min_score": b.min_score} for b in scales.bands],
        "capability_levels": [{"value": l.value, "label": l.label, "description": l.description}
                              for l in scales.capability],
        "time_horizons": [{"minutes": h.minutes, "label": h.label} for h in scales.horizons],
    }


def scales_from_template(tpl: dict[str, Any]) -> Scales:
    """A (validated) template as a Scales snapshot, to place risks on scales not yet stored. Dimension and
    horizon ids are their positions: the snapshot is for computing with, never for writing."""
    def levels(key: str) -> tuple[Level, ...]:
        return tuple(Level(int(lv["value"]), lv.get("label", ""), lv.get("description", ""), lv.get("frequency", ""))
                     for lv in sorted(tpl.get(key) or [], key=lambda lv: lv["value"]))

    return Scales(
        likelihood=levels("likelihood_levels"), consequence=levels("consequence_levels"),
        dimensions=tuple(Dimension(i, d["code"], d.get("label", ""), d.get("description", ""))
                         for i, d in enumerate(tpl["consequence_dimensions"])),
        bands=tuple(Band(b.get("label", ""), b.get("colour", "#cccccc"), int(b["min_score"]))
                    for b in sorted(tpl["colour_bands"], key=lambda b: b["min_score"])),
        capability=levels("capability_levels"),
        horizons=tuple(Horizon(i, int(h["minutes"]), h.get("label", "")) for i, h in enumerate(tpl["time_horizons"])),
        aggregation=tpl.get("consequence_aggregation", "max"), unacceptable_level=int(tpl.get("unacceptable_level", 4)))


def _levels_text(levels) -> str:
    return ", ".join(f"{lv.value} {lv.label}".strip() for lv in levels)


def describe_change(old: Scales, new: Scales) -> list[str]:
    """What changed between two versions of an analysis' scales, in Swedish lines (for the Ändringslogg)."""
    from rsa_desktop.model.durations import format_duration

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

    def levels(table) -> tuple[Level, ...]:
        rows = session.exec(select(table).where(table.analysis_id == analysis_id).order_by(table.value)).all()
        return tuple(Level(r.value, r.label, r.description, getattr(r, "frequency", "")) for r in rows)

    dims = session.exec(select(e.ConsequenceDimension).where(e.ConsequenceDimension.analysis_id == analysis_id)
                        .order_by(e.ConsequenceDimension.sort_order, e.ConsequenceDimension.id)).all()
    bands = session.exec(select(e.ColourBand).where(e.ColourBand.analysis_id == analysis_id)
                         .order_by(e.ColourBand.min_score)).all()
    horizons = session.exec(select(e.TimeHorizon).where(e.TimeHorizon.analysis_id == analysis_id)
                            .order_by(e.TimeHorizon.minutes)).all()
    return Scales(
        likelihood=levels(e.LikelihoodLevel),
        consequence=levels(e.ConsequenceLevel),
        dimensions=tuple(Dimension(d.id, d.code, d.label, d.description) for d in dims),
        bands=tuple(Band(b.label, b.colour, b.min_score) for b in bands),
        capability=levels(e.CapabilityLevel),
        horizons=tuple(Horizon(h.id, h.minutes, h.label) for h in horizons),
        aggregation=a.consequence_aggregation if a else "max",
        unacceptable_level=a.unacceptable_level if a else 4,
    )
