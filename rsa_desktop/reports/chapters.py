"""Chapter content shared by the PDF and the Word report: what a table says, not how it is drawn.

Each function returns plain rows (strings, or whatever the writer's `rich` callback makes for a cell
with a bold headline) and background fills as ((column, row), colour), so that both writers print the
same thing from one rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rsa_desktop.reports.common import TABLE_CELL_LIMIT, ReportData, clean_text, shorten
from rsa_desktop.reports.prose import fixed_text

SEVERITY_COLOUR = {"hög": "#F4B6B6", "medel": "#FFE0A3", "låg": "#DDEBF7"}

GAP_HEADER = ["Beroende", "Nivå", "Berörda", "Fynd", "Föreslagen åtgärd"]
GAP_WIDTHS = [0.17, 0.08, 0.13, 0.40, 0.22]
NO_DEPENDENCY = "Verksamhetens kontinuitet"


def gap_rows(d: ReportData, rich: Callable[[str, str | None], Any]) -> tuple[list[list[Any]], list]:
    """The gap chapter, grouped per dependency (services.gaps.per_dependency): the dependency (with its
    secret mark) in the first cell of its first row only, so that a split table repeats it with
    "(forts.)"; a low finding is its headline alone. `rich(title, explanation)` makes the finding cell."""
    from rsa_desktop.services.gaps import per_dependency

    rows: list[list[Any]] = []
    fills: list[tuple[tuple[int, int], str]] = []
    for dep_id, findings in per_dependency(list(d.gaps or [])):
        dep = d.get("dependency", dep_id) if dep_id is not None else None
        label = f"{d.mark(dep)} {clean_text(dep.name)}" if dep is not None else NO_DEPENDENCY
        for i, g in enumerate(findings):
            low = g.severity == "låg"
            explanation = None if low else shorten(clean_text(g.explanation), TABLE_CELL_LIMIT)
            fills.append(((1, len(rows)), SEVERITY_COLOUR.get(g.severity, "#FFFFFF")))
            rows.append([label if i == 0 else "", g.severity.capitalize(), g.chain, rich(g.title, explanation),
                         "" if low else g.suggested_action])
    return rows, fills


# The PDF's registers appendix (full tables its chapters summarise) is named in the template's texts
# ("registers_appendix"), not its sections: the Word report prints those tables in full and has no such
# appendix.
def appendix_name(template: Any, key: str) -> str:
    name = template.section("appendices", key)
    if name != key or key != "registers":
        return name
    return fixed_text(template, "registers_appendix")


def appendix_ref(template: Any, key: str) -> str:
    """How running text refers to an appendix: "Bilaga E. Reservrutinkort" → "bilaga E"."""
    name = appendix_name(template, key).split(".")[0].strip()
    return name[:1].lower() + name[1:]


def scales_text(template: Any, d: ReportData) -> str:
    """The method chapter's paragraph on the assessment scales."""
    sc = d.scales
    aggregation = fixed_text(template, "aggregation_max") if sc.aggregation == "max" else \
        fixed_text(template, "aggregation_mean")
    return fixed_text(template, "method_scales", likelihood_levels=len(sc.likelihood),
                      consequence_levels=len(sc.consequence),
                      dimensions=", ".join(x.label.lower() for x in sc.dimensions), aggregation=aggregation,
                      unacceptable_level=sc.unacceptable_level,
                      unacceptable_label=sc.consequence_label(sc.unacceptable_level).lower(),
                      appendix=appendix_ref(template, "scales"))


def impact_text(template: Any, d: ReportData) -> str:
    """How to read the table of consequence over time."""
    return fixed_text(template, "functions_impact",
                      max_level=max((lv.value for lv in d.scales.consequence), default=5),
                      unacceptable_level=d.scales.unacceptable_level)
