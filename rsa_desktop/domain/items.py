"""Typed, immutable items: what every layer reads of a stored row (a risk, an action, a verksamhet …).

One frozen dataclass per kind, so that a type checker reaches domain code (`risk.likelihood` is an
`int | None`, not an Any of a dict). Their fields are exactly the columns of the table that stores the
kind (`model/entities.py`) and the editable ones are described for forms by `domain/kinds.py`;
tests/test_items.py keeps the three from diverging. Generic, field-driven code (forms, the Excel
columns, the audit trail) reads a field by name through `get` or `values`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, ClassVar

_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls: type[Item]) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """The part every item has: its kind (a class constant), its row id, and access by field name."""

    kind: ClassVar[str] = ""
    title_field: ClassVar[str] = "title"  # the field that names the item in lists and messages
    id: int

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return _names(cls)

    @property
    def values(self) -> Mapping[str, Any]:
        """Every field by name (read-only), for code that walks the fields of any kind."""
        return MappingProxyType({n: getattr(self, n) for n in _names(type(self))})

    def get(self, name: str, default: Any = None) -> Any:
        """A field by name; `default` for a name the kind does not have."""
        return getattr(self, name) if name in _names(type(self)) else default

    @property
    def label(self) -> str:
        """`R3 Långvarigt elavbrott`: the way an item is named in lists and messages."""
        title = str(getattr(self, self.title_field, "") or "")
        hid = getattr(self, "hid", None)
        return f"{hid} {title}".strip() if hid else title


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation(Item):
    """Organisation: one stored row of `organisation`, as every layer reads it."""

    kind: ClassVar[str] = "organisation"
    title_field: ClassVar[str] = "name"
    name: str
    org_type: str
    committee: str
    employees: int | None
    contact_person: str
    security_coordinator: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis(Item):
    """Analys: one stored row of `analysis`, as every layer reads it."""

    kind: ClassVar[str] = "analysis"
    title_field: ClassVar[str] = "year"
    organisation_id: int
    year: int
    status: str
    adopted_date: dt.date | None
    adopted_decision: str
    assignment: str
    delimitations: str
    method: str
    business_description: str
    locations: str
    summary: str
    secrecy_marking: str
    security_class: str | None
    consequence_aggregation: str
    unacceptable_level: int
    scales_confirmed: str
    archived: bool
    catalogue_version: str
    report_deadline: dt.date | None
    public_texts: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant(Item):
    """Deltagare: one stored row of `participant`, as every layer reads it."""

    kind: ClassVar[str] = "participant"
    title_field: ClassVar[str] = "name"
    analysis_id: int
    name: str
    role: str
    unit: str
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Function(Item):
    """Verksamhet: one stored row of `function`, as every layer reads it."""

    kind: ClassVar[str] = "function"
    title_field: ClassVar[str] = "name"
    analysis_id: int
    hid: str
    name: str
    description: str
    msb_sector: str
    preparedness_sector: str
    is_critical: bool
    critical_motivation: str
    criticality_life_health: int | None
    criticality_functionality: int | None
    max_tolerable_downtime: int | None
    mtd_motivation: str
    minimum_level: str
    rto: int | None
    operation: str
    supplier: str
    contract: str
    continuity_in_contract: bool | None
    styrel_class: int | None
    owner: str
    secret: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Dependency(Item):
    """Beroende: one stored row of `dependency`, as every layer reads it."""

    kind: ClassVar[str] = "dependency"
    title_field: ClassVar[str] = "name"
    analysis_id: int
    hid: str
    dep_type: str
    name: str
    description: str
    provider: str
    provider_org: str
    is_external: bool
    single_point_of_failure: bool
    expected_outage: int | None
    has_reserve: bool
    reserve_description: str
    reserve_duration: int | None
    secret: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Risk(Item):
    """Risk: one stored row of `risk`, as every layer reads it."""

    kind: ClassVar[str] = "risk"
    analysis_id: int
    hid: str
    title: str
    description: str
    category: str
    scenario: str
    likelihood: int | None
    motivation: str
    uncertainty: str
    existing_measures: str
    residual_likelihood: int | None
    residual_consequence: int | None
    secret: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Vulnerability(Item):
    """Sårbarhet: one stored row of `vulnerability`, as every layer reads it."""

    kind: ClassVar[str] = "vulnerability"
    analysis_id: int
    hid: str
    title: str
    description: str
    vuln_type: str
    secret: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Capability(Item):
    """Förmåga: one stored row of `capability`, as every layer reads it."""

    kind: ClassVar[str] = "capability"
    title_field: ClassVar[str] = "area"
    analysis_id: int
    hid: str
    area: str
    rating: int | None
    motivation: str
    secret: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Action(Item):
    """Åtgärd: one stored row of `action`, as every layer reads it."""

    kind: ClassVar[str] = "action"
    analysis_id: int
    hid: str
    title: str
    description: str
    owner: str
    deadline: dt.date | None
    status: str
    priority: str
    follow_up_note: str
    secret: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ContinuityPlan(Item):
    """Kontinuitetsplan: one stored row of `continuity_plan`, as every layer reads it."""

    kind: ClassVar[str] = "continuity_plan"
    analysis_id: int
    hid: str
    function_id: int | None
    title: str
    scope: str
    responsible: str
    minimum_level: str
    activation_criteria: str
    recovery_order: str
    resources: str
    last_exercised: dt.date | None
    next_exercise: dt.date | None
    last_revised: dt.date | None
    secret: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Fallback(Item):
    """Reservrutin: one stored row of `fallback_procedure`, as every layer reads it."""

    kind: ClassVar[str] = "fallback"
    title_field: ClassVar[str] = "procedure"
    plan_id: int
    dependency_id: int | None
    procedure: str
    duration: int | None
    responsible: str
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact(Item):
    """Kontakt: one stored row of `plan_contact`, as every layer reads it."""

    kind: ClassVar[str] = "contact"
    title_field: ClassVar[str] = "name"
    plan_id: int
    name: str
    role: str
    phone: str
    alternate: str
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Exercise(Item):
    """Övning: one stored row of `exercise`, as every layer reads it."""

    kind: ClassVar[str] = "exercise"
    analysis_id: int
    hid: str
    title: str
    date: dt.date | None
    exercise_type: str
    scenario: str
    participants: str
    success_criteria: str
    lessons: str
    plan_id: int | None
    secret: bool
    sort_order: int


ITEM_TYPES: dict[str, type[Item]] = {cls.kind: cls for cls in (
    Organisation, Analysis, Participant, Function, Dependency, Risk, Vulnerability, Capability, Action,
    ContinuityPlan, Fallback, Contact, Exercise)}


def make_item(kind: str, values: Mapping[str, Any]) -> Item:
    """The item of `kind` with these field values (extra names are ignored, a missing one is a bug)."""
    cls = ITEM_TYPES[kind]
    return cls(**{n: values[n] for n in _names(cls)})
