"""THE scales of an analysis and the rules computed on them: the risk value (sannolikhet × konsekvens), its
colour band, the overall consequence from the dimensions, and the one way to build a `Scales`.

Pure: a `Scales` is built from a scale template (the JSON format of resources/scales/default.json) or
from stored rows (any objects with the columns' attributes); loading and storing live in services.scales.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SCALE_FORMAT = "rsa-desktop-scale"  # a scale template's (scale file's) "format"
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
class ScaleRanges:
    """The values allowed by an analysis' scales."""
    likelihood: tuple[int, ...] = (1, 2, 3, 4, 5)
    consequence: tuple[int, ...] = (1, 2, 3, 4, 5)
    capability: tuple[int, ...] = (1, 2, 3)


def risk_value(likelihood: int | None, consequence: int | None) -> int | None:
    """The riskvärde: sannolikhet × konsekvens (None unless both are rated)."""
    if likelihood is None or consequence is None:
        return None
    return likelihood * consequence


def band_for(bands: Iterable[Band], score: int | None) -> Band | None:
    """The colour band a risk value falls in: the one with the highest lowest score not above it."""
    if score is None:
        return None
    chosen = None
    for b in sorted(bands, key=lambda b: b.min_score):
        if score >= b.min_score:
            chosen = b
    return chosen


def overall_consequence(levels: Iterable[int | None], aggregation: str = "max") -> int | None:
    """A risk's overall consequence from its per-dimension levels: the highest, or the mean rounded up."""
    vals = [v for v in levels if v is not None]
    if not vals:
        return None
    if aggregation == "mean":
        return math.ceil(sum(vals) / len(vals))
    return max(vals)


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
            [(lv.value, lv.label, lv.description, lv.frequency) for lv in self.likelihood],
            [(lv.value, lv.label, lv.description) for lv in self.consequence],
            [(d.code, d.label, d.description) for d in self.dimensions],
            [(b.label, b.colour, b.min_score) for b in self.bands],
            [(lv.value, lv.label, lv.description) for lv in self.capability],
            [(h.minutes, h.label) for h in self.horizons],
            self.aggregation, self.unacceptable_level,
        )
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:16]

    @property
    def ranges(self) -> ScaleRanges:
        return ScaleRanges(tuple(lv.value for lv in self.likelihood), tuple(lv.value for lv in self.consequence),
                           tuple(lv.value for lv in self.capability))

    def overall(self, levels: Sequence[int | None] | Mapping[Any, int | None]) -> int | None:
        """The risk's overall consequence from its per-dimension levels."""
        return overall_consequence(levels.values() if isinstance(levels, Mapping) else levels, self.aggregation)

    def score(self, likelihood: int | None, consequence: int | None) -> int | None:
        return risk_value(likelihood, consequence)

    def band(self, likelihood: int | None, consequence: int | None) -> Band | None:
        return band_for(self.bands, risk_value(likelihood, consequence))

    def likelihood_label(self, value: int | None) -> str:
        return next((lv.label for lv in self.likelihood if lv.value == value), "")

    def consequence_label(self, value: int | None) -> str:
        return next((lv.label for lv in self.consequence if lv.value == value), "")

    def capability_label(self, value: int | None) -> str:
        return next((lv.label for lv in self.capability if lv.value == value), "")


def _level(lv: Any) -> Level:
    if isinstance(lv, Mapping):
        return Level(int(lv["value"]), lv.get("label", ""), lv.get("description", ""), lv.get("frequency", ""))
    return Level(lv.value, lv.label, lv.description, getattr(lv, "frequency", ""))


def _levels(rows: Iterable[Any]) -> tuple[Level, ...]:
    return tuple(sorted((_level(r) for r in rows), key=lambda lv: lv.value))


def scales_from_template(tpl: Mapping[str, Any], *, first_id: int = 0) -> Scales:
    """A (validated) template as a Scales snapshot, to place risks on scales not stored as rows. Dimension
    and horizon ids are their positions from `first_id`: the snapshot is for computing with, never for
    writing."""
    horizons = sorted(tpl["time_horizons"], key=lambda h: int(h["minutes"]))
    return Scales(
        likelihood=_levels(tpl.get("likelihood_levels") or []),
        consequence=_levels(tpl.get("consequence_levels") or []),
        dimensions=tuple(Dimension(i, d["code"], d.get("label", ""), d.get("description", ""))
                         for i, d in enumerate(tpl["consequence_dimensions"], start=first_id)),
        bands=tuple(Band(b.get("label", ""), b.get("colour", "#cccccc"), int(b["min_score"]))
                    for b in sorted(tpl["colour_bands"], key=lambda b: int(b["min_score"]))),
        capability=_levels(tpl.get("capability_levels") or []),
        horizons=tuple(Horizon(i, int(h["minutes"]), h.get("label", "")) for i, h in enumerate(horizons, start=first_id)),
        aggregation=tpl.get("consequence_aggregation", "max"),
        unacceptable_level=int(tpl.get("unacceptable_level", 4)))


def scales_from_rows(*, likelihood: Iterable[Any], consequence: Iterable[Any], dimensions: Iterable[Any],
                     bands: Iterable[Any], capability: Iterable[Any], horizons: Iterable[Any],
                     aggregation: str | None = "max", unacceptable_level: int | None = 4) -> Scales:
    """Scales from an analysis' stored rows (objects with the columns as attributes). Dimensions keep the
    order given (their sort order); levels, bands and horizons are ordered by value, score and minutes."""
    return Scales(
        likelihood=_levels(likelihood),
        consequence=_levels(consequence),
        dimensions=tuple(Dimension(d.id, d.code, d.label, d.description) for d in dimensions),
        bands=tuple(sorted((Band(b.label, b.colour, b.min_score) for b in bands), key=lambda b: b.min_score)),
        capability=_levels(capability),
        horizons=tuple(sorted((Horizon(h.id, h.minutes, h.label) for h in horizons), key=lambda h: h.minutes)),
        aggregation=aggregation or "max",
        unacceptable_level=4 if unacceptable_level is None else unacceptable_level)


def template_from_scales(scales: Scales, *, name: str = "", description: str = "") -> dict[str, Any]:
    """An analysis' scales in the template (scale file) format of resources/scales/default.json."""
    return {
        "format": SCALE_FORMAT, "version": SCALE_VERSION, "name": name, "description": description,
        "consequence_aggregation": scales.aggregation, "unacceptable_level": scales.unacceptable_level,
        "likelihood_levels": [{"value": lv.value, "label": lv.label, "frequency": lv.frequency,
                               "description": lv.description} for lv in scales.likelihood],
        "consequence_levels": [{"value": lv.value, "label": lv.label, "description": lv.description}
                               for lv in scales.consequence],
        "consequence_dimensions": [{"code": d.code, "label": d.label, "description": d.description}
                                   for d in scales.dimensions],
        "colour_bands": [{"label": b.label, "colour": b.colour, "min_score": b.min_score} for b in scales.bands],
        "capability_levels": [{"value": lv.value, "label": lv.label, "description": lv.description}
                              for lv in scales.capability],
        "time_horizons": [{"minutes": h.minutes, "label": h.label} for h in scales.horizons],
    }


__all__ = ["SCALE_FORMAT", "SCALE_VERSION", "Level", "Dimension", "Band", "Horizon", "ScaleRanges", "Scales", "risk_value", "band_for",
           "overall_consequence", "scales_from_template", "scales_from_rows", "template_from_scales"]
