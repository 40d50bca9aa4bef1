"""The scale-file format: check and normalise a template, read it from and write it to a scale file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from rsa_desktop.domain.durations import DURATION_MAX, format_duration
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scales import SCALE_FORMAT, SCALE_VERSION, ScaleFileError, template_from_scales
from rsa_desktop.storage import private

MAX_FILE_BYTES = 2_000_000
LEVEL_PARTS = ("likelihood", "consequence", "capability")
PARTS = (*LEVEL_PARTS, "dimensions", "horizons")
PART_LABELS = {"likelihood": "sannolikhetsskalan", "consequence": "konsekvensskalan", "capability": "förmågeskalan",
               "dimensions": "konsekvensdimensionerna", "horizons": "tidshorisonterna"}
LEVEL_KEYS = {"likelihood": "likelihood_levels", "consequence": "consequence_levels",
              "capability": "capability_levels"}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
AGGREGATIONS = ("max", "mean")


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
        minutes = _int(h.get("minutes"), f"Tidshorisont {i}", 1, DURATION_MAX)
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
    try:
        private.write_text_atomic(target, text)
    except OSError as exc:
        raise ScaleFileError(f"Skalfilen kunde inte sparas: {target} ({exc.strerror or exc}).") from None
    return target
