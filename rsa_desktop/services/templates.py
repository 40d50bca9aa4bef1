"""Start from a template: typical samhällsviktiga verksamheter and beroenden per type of förvaltning.

The templates are data (resources/catalogues/function_templates.json); the user picks which
functions to keep, and the typical dependencies of those functions come along, linked.
"""

from __future__ import annotations

from dataclasses import dataclass

from rsa_desktop.services import catalogues
from rsa_desktop.services.errors import NotFoundError
from rsa_desktop.services.rsa import RsaService

_FUNCTION_FIELDS = ("name", "description", "msb_sector", "preparedness_sector", "is_critical",
                    "critical_motivation", "max_tolerable_downtime")


@dataclass(frozen=True)
class AppliedTemplate:
    function_ids: tuple[int, ...]
    dependency_ids: tuple[int, ...]


def templates() -> list[dict]:
    """The förvaltning types with their typical functions, in catalogue order."""
    return catalogues.load("function_templates")


def template(code: str) -> dict:
    for t in templates():
        if t.get("code") == code:
            return t
    raise NotFoundError(f"Det finns ingen mall för ”{code}”.")


def apply_template(svc: RsaService, analysis_id: int, code: str,
                   selected: list[int] | None = None) -> AppliedTemplate:
    """Create the chosen functions of template `code` (indexes into its list; None = all) in one transaction.

    Dependencies with the same type and name are created once and shared, also with dependencies
    that already exist in the analysis, so applying a template twice does not duplicate them.
    """
    t = template(code)
    chosen = [f for i, f in enumerate(t.get("functions", [])) if selected is None or i in selected]
    existing = {(d.dep_type, d.name): d.id for d in svc.list("dependency", analysis_id)}
    functions: list[int] = []
    created_deps: list[int] = []
    with svc.batch():
        for f in chosen:
            values = {k: f[k] for k in _FUNCTION_FIELDS if f.get(k) is not None}
            fid = svc.create("function", analysis_id, **values).id
            functions.append(fid)
            for dep in f.get("typical_dependencies", []):
                key = (dep["dep_type"], dep["name"])
                if key not in existing:
                    rec = svc.create("dependency", analysis_id, dep_type=dep["dep_type"], name=dep["name"],
                                     provider=dep.get("provider", ""))
                    existing[key] = rec.id
                    created_deps.append(rec.id)
                svc.link("function_dependency", fid, existing[key])
    return AppliedTemplate(tuple(functions), tuple(created_deps))
