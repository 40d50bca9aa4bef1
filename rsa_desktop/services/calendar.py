"""The reporting calendar of an analysis: the city's deadline and the national cycle (Qt-free).

The national dates are data (catalogue "reporting_calendar"): the RSA goes to länsstyrelsen once per
mandate period, by 31 October of the year after the election (elections 2026, 2030 …), and indicators
every year by 15 February. The city's deadline is the analysis' own `report_deadline` (configurable,
because Stockholms stad sets it per year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rsa_desktop.services import catalogues

__all__ = ["Deadline", "deadlines", "next_occurrence", "format_date"]

_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december")


@dataclass(frozen=True)
class Deadline:
    code: str
    label: str  # "RSA till länsstyrelsen"
    date: dt.date | None  # None: not set (the city's deadline before anyone entered it)
    source: str = ""
    note: str = ""  # "efter valet 2026"

    def days_left(self, today: dt.date) -> int | None:
        return (self.date - today).days if self.date else None


def format_date(d: dt.date) -> str:
    """"31 oktober 2027"."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a year without it
        return dt.date(year, month, 28)


def next_occurrence(item: dict, today: dt.date) -> tuple[dt.date, str] | None:
    """The first date of a calendar entry on or after `today`, with a note (the election it follows)."""
    try:
        month, day = int(item["month"]), int(item["day"])
        if item.get("cycle") == "election":
            election, period = int(item["election_year"]), int(item["period_years"])
            after = int(item.get("years_after_election", 1))
            if period < 1:
                return None
            # The elections around today, aligned to the reference election year.
            k = (today.year - after - election) // period - 1
            for step in range(k, k + 4):
                year = election + step * period
                date = _safe_date(year + after, month, day)
                if date >= today:
                    return date, f"efter valet {year}"
            return None
        if item.get("cycle") == "yearly":
            date = _safe_date(today.year, month, day)
            if date < today:
                date = _safe_date(today.year + 1, month, day)
            return date, "varje år"
    except (KeyError, TypeError, ValueError):
        return None
    return None


def deadlines(analysis, today: dt.date | None = None) -> list[Deadline]:
    """The city's deadline for `analysis` first, then the national dates, each the next one from today."""
    today = today or dt.date.today()
    out = [Deadline("stad", "Stadens sista dag för inlämning", analysis.get("report_deadline"),
                    "Stockholms stad", "årets RSA till kommunstyrelsen")]
    for item in catalogues.load("reporting_calendar"):
        found = next_occurrence(item, today)
        if found is None:
            continue
        date, note = found
        out.append(Deadline(str(item.get("code") or ""), catalogues.item_label(item), date,
                            str(item.get("source") or ""), note))
    return out
