"""What the services hand out besides items: changes (for undo), tombstones (for restore), table labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rsa_desktop.domain.items import Item, make_item


def make_record(kind: str, row: Any) -> Item:
    """The typed item (domain/items.py) of a table row."""
    return make_item(kind, {c: getattr(row, c) for c in row.__class__.model_fields})


@dataclass(frozen=True)
class Change:
    """What an update did: enough to undo it (`old`) and redo it (`new`)."""
    kind: str
    id: int
    old: Mapping[str, Any]
    new: Mapping[str, Any]

    @property
    def changed(self) -> bool:
        return dict(self.old) != dict(self.new)


# Swedish plural names of the stored tables (what a delete takes with it, in dialogs and the audit trail).
TABLE_LABELS = {
    "analysis": "analyser", "participant": "deltagare", "function": "verksamheter", "dependency": "beroenden",
    "risk": "risker", "vulnerability": "sårbarheter", "capability": "förmågebedömningar", "action": "åtgärder",
    "continuity_plan": "kontinuitetsplaner", "exercise": "övningar", "fallback_procedure": "reservrutiner",
    "plan_contact": "kontakter", "function_impact": "konsekvensbedömningar över tid",
    "function_dependency": "kopplingar verksamhet–beroende", "dependency_dependency": "kopplingar mellan beroenden",
    "risk_function": "kopplingar risk–verksamhet", "risk_dependency": "kopplingar risk–beroende",
    "risk_consequence": "konsekvensbedömningar", "action_risk": "kopplingar åtgärd–risk",
    "action_dependency": "kopplingar åtgärd–beroende", "action_function": "kopplingar åtgärd–verksamhet",
    "action_vulnerability": "kopplingar åtgärd–sårbarhet", "exercise_action": "kopplingar övning–åtgärd",
    "likelihood_level": "sannolikhetsnivåer", "consequence_level": "konsekvensnivåer",
    "consequence_dimension": "konsekvensdimensioner", "colour_band": "färggränser",
    "capability_level": "förmågenivåer", "time_horizon": "tidshorisonter", "id_counter": "löpnummer",
}


@dataclass(frozen=True)
class Tombstone:
    """Everything a delete removed (the row, its dependents, links) so it can be restored exactly."""
    kind: str
    id: int
    label: str
    rows: tuple[tuple[str, Mapping[str, Any]], ...]  # (table name, column values) parents first
    nulled: tuple[tuple[str, tuple[tuple[str, Any], ...], str, Any], ...]  # (table, pk, column, old value)

    def describe(self) -> list[str]:
        """Swedish lines naming what goes with the item (for the confirmation dialog)."""
        from collections import Counter

        counts = Counter(t for t, _ in self.rows[1:])
        lines = [f"{n} {TABLE_LABELS.get(t, t)}" for t, n in sorted(counts.items())]
        lines += [f"kopplingen från {TABLE_LABELS.get(t, t)} tas bort" for t, *_ in self.nulled]
        return lines
