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
