"""The item kinds' registry (domain/kinds.py) joined to the SQLModel tables that store the kinds and links.

The registry itself – fields, labels, choices, links – is pure and lives in domain/kinds.py; it is
re-exported here so that code that also needs the tables imports one module. What this module adds is
the one mapping from a kind or link name to its table class (model/entities.py): `table(kind)` and
`link_table(name)`. It checks at import that every `table_name` in the registry is its table's
`__tablename__`, so the two cannot drift apart.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from rsa_desktop.domain.kinds import (
    ACTION,
    ANALYSIS,
    ANALYSIS_STATUS,
    CAPABILITY,
    CHILD_KINDS,
    CONSEQUENCE_AGGREGATION,
    CONTACT,
    CONTINUITY_PLAN,
    DEPENDENCY,
    EXERCISE,
    EXERCISE_TYPES,
    FALLBACK,
    FUNCTION,
    ITEM_KINDS,
    KINDS,
    LINKS,
    OPERATION,
    ORG_TYPES,
    ORGANISATION,
    PARTICIPANT,
    PRIORITY,
    RISK,
    SECURITY_CLASSES,
    UNCERTAINTY,
    VULNERABILITY,
    VULNERABILITY_KINDS,
    FieldSpec,
    KindSpec,
    LinkSpec,
    year_state,
)
from rsa_desktop.model import entities as e

__all__ = [
    "ACTION", "ANALYSIS", "ANALYSIS_STATUS", "CAPABILITY", "CHILD_KINDS", "CONSEQUENCE_AGGREGATION", "CONTACT",
    "CONTINUITY_PLAN", "DEPENDENCY", "EXERCISE", "EXERCISE_TYPES", "FALLBACK", "FUNCTION", "ITEM_KINDS",
    "KIND_TABLES", "KINDS", "LINK_TABLES", "LINKS", "OPERATION", "ORGANISATION", "ORG_TYPES", "PARTICIPANT",
    "PRIORITY", "RISK", "SECURITY_CLASSES", "UNCERTAINTY", "VULNERABILITY", "VULNERABILITY_KINDS", "FieldSpec",
    "KindSpec", "LinkSpec", "link_table", "table", "year_state",
]

# kind -> the table that stores its items
KIND_TABLES: dict[str, type[SQLModel]] = {
    "organisation": e.Organisation,
    "analysis": e.Analysis,
    "participant": e.Participant,
    "function": e.Function,
    "dependency": e.Dependency,
    "risk": e.Risk,
    "vulnerability": e.Vulnerability,
    "capability": e.Capability,
    "action": e.Action,
    "continuity_plan": e.ContinuityPlan,
    "fallback": e.FallbackProcedure,
    "contact": e.PlanContact,
    "exercise": e.Exercise,
}

# link name -> the table that stores its pairs
LINK_TABLES: dict[str, type[SQLModel]] = {
    "function_dependency": e.FunctionDependency,
    "dependency_dependency": e.DependencyDependency,
    "risk_function": e.RiskFunction,
    "risk_dependency": e.RiskDependency,
    "action_risk": e.ActionRisk,
    "action_dependency": e.ActionDependency,
    "action_function": e.ActionFunction,
    "action_vulnerability": e.ActionVulnerability,
    "exercise_action": e.ExerciseAction,
}


def table(kind: str) -> type[SQLModel]:
    """The SQLModel table that stores items of `kind` (a KeyError for an unknown kind)."""
    return KIND_TABLES[kind]


def link_table(name: str) -> type[SQLModel]:
    """The SQLModel table that stores the pairs of link `name` (a KeyError for an unknown link)."""
    return LINK_TABLES[name]


def _check(specs: dict[str, str], tables: dict[str, type[SQLModel]], what: str) -> None:
    if set(specs) != set(tables):
        raise AssertionError(f"model/kinds.py: the {what} without a table or a table without a {what}: "
                             f"{sorted(set(specs) ^ set(tables))}")
    for name, table_name in specs.items():
        actual = tables[name].__tablename__
        if actual != table_name:
            raise AssertionError(f"{what} {name}: domain/kinds.py says table {table_name!r}, "
                                 f"model/entities.py says {actual!r}")


_check({k: s.table_name for k, s in KINDS.items()}, KIND_TABLES, "kind")
_check({n: s.table_name for n, s in LINKS.items()}, LINK_TABLES, "link")
