"""Plain, immutable snapshots of stored items, for the UI, the CLI and the reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Record:
    kind: str
    id: int
    values: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "values")
        try:
            return values[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    @property
    def label(self) -> str:
        """`R3 Långvarigt elavbrott` – the way an item is named in lists and messages."""
        from rsa_desktop.model.kinds import KINDS

        spec = KINDS[self.kind]
        title = str(self.values.get(spec.title_field, "") or "")
        hid = self.values.get("hid")
        return f"{hid} {title}".strip() if hid else title


def make_record(kind: str, row: Any) -> Record:
    data = {c: getattr(row, c) for c in row.__class__.model_fields}
    return Record(kind, data.get("id") or 0, MappingProxyType(data))


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
