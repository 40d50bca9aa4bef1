"""How serious a brist (gap finding) is: the one vocabulary of severities, their order and Swedish labels.

Every list, count, colour legend and sort of findings takes its order from here, so the PDF, the
workbook, the map and the Brister view always say the same thing in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable

HIGH = "hög"
MEDIUM = "medel"
LOW = "låg"

SEVERITIES: tuple[str, ...] = (HIGH, MEDIUM, LOW)  # most serious first
LABELS: dict[str, str] = {HIGH: "Hög", MEDIUM: "Medel", LOW: "Låg"}
# The priority (an action's enum code) that an åtgärd suggested for a finding gets.
ACTION_PRIORITY: dict[str, str] = {HIGH: "hog", MEDIUM: "medel", LOW: "lag"}
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def rank(severity: str | None) -> int:
    """Sort key: 0 for the most serious; an unknown or missing severity sorts last."""
    return _RANK.get(severity or "", len(SEVERITIES))


def counts(severities: Iterable[str | None]) -> dict[str, int]:
    """How many of each severity, every severity present (0 where none), most serious first."""
    out = dict.fromkeys(SEVERITIES, 0)
    for s in severities:
        if s in out:
            out[s] += 1
    return out
