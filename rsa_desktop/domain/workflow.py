"""THE workflow's step table: the steps of an RSA in order, each with its title, the kinds of items filled in
and reviewed there, and the key of its guidance text (resources/help/guidance.json).

The RSA-kontroll (services.review) files each finding under a step, the navigator and the step pages
(ui) show the steps in this order with these titles, and carry-forward's "att granska" marks point at
the step of each kind: all from this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    key: str
    title: str  # Swedish; the UI passes it through Qt's translation (context "guidance")
    kinds: tuple[str, ...] = ()  # the kinds of items filled in and reviewed in this step
    guidance: str = ""  # the key of the step's guidance text ("" = none)


OVERVIEW = Step("oversikt", "Översikt")  # the start page: not a step of the analysis, nothing is filed there

STEPS: tuple[Step, ...] = (
    Step("uppdrag", "Uppdrag och avgränsning", ("participant",), "uppdrag"),
    Step("verksamhet", "Verksamhet", (), "verksamhet"),
    Step("samhallsviktig", "Samhällsviktig verksamhet", ("function",), "samhallsviktig"),
    Step("beroenden", "Kritiska beroenden", ("dependency",), "beroenden"),
    Step("risker", "Risker", ("risk",), "risker"),
    Step("sarbarheter", "Sårbarheter och förmåga", ("vulnerability", "capability"), "sarbarheter"),
    Step("atgarder", "Åtgärder", ("action",), "atgarder"),
    Step("kontinuitet", "Kontinuitetsplaner", ("continuity_plan", "exercise"), "kontinuitet"),
    Step("rapport", "Rapport", (), "rapport"),
)

STEP_KEYS: tuple[str, ...] = tuple(s.key for s in STEPS)
# The step where an item of each kind is filled in and reviewed.
KIND_STEP: dict[str, str] = {kind: s.key for s in STEPS for kind in s.kinds}
# Every page in the navigator's order, with its title.
TITLES: dict[str, str] = {s.key: s.title for s in (OVERVIEW, *STEPS)}


def step(key: str) -> Step:
    """The step (or the Översikt page) with this key; KeyError for an unknown one."""
    for s in (OVERVIEW, *STEPS):
        if s.key == key:
            return s
    raise KeyError(key)


__all__ = ["Step", "OVERVIEW", "STEPS", "STEP_KEYS", "KIND_STEP", "TITLES", "step"]
