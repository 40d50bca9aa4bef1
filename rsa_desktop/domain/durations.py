"""Durations as whole minutes, written and read the way Swedish users write them ("4 h", "3 dygn")."""

from __future__ import annotations

import re

MINUTE = 1
HOUR = 60
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH = 30 * DAY
# The longest duration any field or time horizon may hold: ten years.
DURATION_MAX = 10 * 366 * DAY

# Longest unit first so that "mån" wins over "min" and "vecka" over "v".
_UNITS: list[tuple[tuple[str, ...], int]] = [
    (("månader", "månad", "mån", "man"), MONTH),
    (("veckor", "vecka", "veckan", "v", "w"), WEEK),
    (("dygn", "dagar", "dag", "d"), DAY),
    (("timmar", "timme", "tim", "tr", "h", "t"), HOUR),
    (("minuter", "minut", "min", "m"), MINUTE),
]

_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-zåäö]*)", re.IGNORECASE)


class DurationError(ValueError):
    pass


def parse_duration(text: str | int | None) -> int | None:
    """Parse "4 h", "1 dygn 12 h", "90 min", "2 veckor" or a bare number of minutes into minutes."""
    if text is None:
        return None
    if isinstance(text, bool):
        raise DurationError("Ogiltig tid.")
    if isinstance(text, int):
        if text < 0:
            raise DurationError("En tid kan inte vara negativ.")
        return text
    s = str(text).strip().lower()
    if not s:
        return None
    total = 0.0
    pos = 0
    matched = False
    for m in _PART.finditer(s):
        if s[pos:m.start()].strip(" ,och"):
            raise DurationError(f"Förstår inte tiden ”{text}”. Skriv t.ex. 30 min, 4 h, 3 dygn, 1 vecka eller 1 månad.")
        number = float(m.group(1).replace(",", "."))
        unit = m.group(2)
        if not unit:
            factor = MINUTE if not matched and m.end() == len(s) else None
            if factor is None:
                raise DurationError(f"Ange enhet i ”{text}” (min, h, dygn, vecka, månad).")
        else:
            factor = next((f for names, f in _UNITS if unit in names), None)
            if factor is None:
                raise DurationError(f"Okänd tidsenhet ”{unit}”. Använd min, h, dygn, vecka eller månad.")
        total += number * factor
        matched = True
        pos = m.end()
    if not matched or s[pos:].strip():
        raise DurationError(f"Förstår inte tiden ”{text}”. Skriv t.ex. 30 min, 4 h, 3 dygn, 1 vecka eller 1 månad.")
    return int(round(total))


def format_duration(minutes: int | None) -> str:
    """Shortest exact Swedish form: 60 → "1 h", 4320 → "3 dygn", 90 → "1 h 30 min"."""
    if minutes is None:
        return ""
    if minutes == 0:
        return "0 min"
    for factor, one, many in ((MONTH, "månad", "månader"), (WEEK, "vecka", "veckor"), (DAY, "dygn", "dygn")):
        if minutes % factor == 0:
            n = minutes // factor
            return f"{n} {one if n == 1 else many}"
    parts = []
    rest = minutes
    if rest >= DAY:
        parts.append(f"{rest // DAY} dygn")
        rest %= DAY
    if rest >= HOUR:
        parts.append(f"{rest // HOUR} h")
        rest %= HOUR
    if rest:
        parts.append(f"{rest} min")
    return " ".join(parts)
