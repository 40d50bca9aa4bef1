"""The report's fixed prose: the sentences that explain the report (how to read a table, what a chapter
holds, where an appendix is), kept as data in resources/report/template.json "texts" and printed by the
PDF and the Word report through `fixed_text`, so that the two cannot say different things.

A text's placeholders ("{count}") are filled with str.format_map from the values the code passes; the
known keys and their placeholders are FIELDS. A package's template may reword a text but use only the
placeholders the program's own text has (services/catalogues.py checks that when the package is read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rsa_desktop.services.catalogues import text_fields

# Every text the report prints → the placeholders the code fills in.
FIELDS: Mapping[str, frozenset[str]] = {
    "toc": frozenset(),
    "no_items": frozenset(),
    "registers_appendix": frozenset(),
    "cards_intro": frozenset(),
    "summary_none": frozenset(),
    "top_risks_legend": frozenset(),
    "method_group": frozenset({"count", "names", "appendix"}),
    "method_scales": frozenset({"likelihood_levels", "consequence_levels", "dimensions", "aggregation",
                                "unacceptable_level", "unacceptable_label", "appendix"}),
    "aggregation_max": frozenset(),
    "aggregation_mean": frozenset(),
    "no_critical_functions": frozenset(),
    "functions_overview": frozenset({"critical", "total"}),
    "functions_impact": frozenset({"max_level", "unacceptable_level"}),
    "functions_other": frozenset(),
    "dependency_links": frozenset(),
    "depmap_intro": frozenset(),
    "depmap_caption": frozenset(),
    "depmap_alt": frozenset({"functions", "links", "links_section", "gaps_section"}),
    "gaps_intro": frozenset(),
    "gaps_none": frozenset(),
    "risk_matrix": frozenset(),
    "risk_matrix_caption": frozenset(),
    "residual_matrix_caption": frozenset(),
    "risks_unplaced": frozenset({"risks"}),
    "risks_legend": frozenset(),
    "actions_legend": frozenset(),
    "plans_cards": frozenset({"appendix"}),
    "no_overdue": frozenset(),
    "no_previous": frozenset(),
    "no_scenarios": frozenset(),
    "own_scenario": frozenset(),
    "card_no_fallbacks": frozenset(),
    "card_no_contacts": frozenset(),
    "card_no_recovery": frozenset(),
    "long_table": frozenset({"rows", "what", "shown", "chosen", "appendix"}),
    # the city's consolidation (reports/consolidated.py)
    "consolidated_public_note": frozenset(),
    "consolidated_secret_note": frozenset({"count"}),
    "consolidated_submissions": frozenset({"submissions", "year", "errors", "missing"}),
    "consolidated_shared": frozenset(),
    "consolidated_matrix": frozenset(),
    "consolidated_top_risks": frozenset({"shown", "total"}),
    "consolidated_gaps": frozenset({"count", "high", "shown"}),
    "consolidated_overdue": frozenset({"count"}),
    "consolidated_overdue_top": frozenset({"count", "shown"}),
    "consolidated_all_risks": frozenset({"count"}),
}


def checked(texts: Mapping[str, Any], *, source: str) -> dict[str, str]:
    """The report texts of `source` if every key of FIELDS is there, nothing else is, and each text uses
    only its key's placeholders; ValueError naming the first problem otherwise (a bug in the resource:
    a package's texts are checked, and completed from the program's, before they get here)."""
    missing = sorted(set(FIELDS) - set(texts))
    if missing:
        raise ValueError(f"{source}: the report text {missing[0]!r} is missing")
    unknown = sorted(set(texts) - set(FIELDS))
    if unknown:
        raise ValueError(f"{source}: {unknown[0]!r} is no report text the program prints")
    out = {}
    for key, text in texts.items():
        if not isinstance(text, str):
            raise ValueError(f"{source}: the report text {key!r} is not a string")
        extra = sorted(text_fields(text, f"{source}, {key}") - FIELDS[key])
        if extra:
            raise ValueError(f"{source}: the report text {key!r} has the unknown placeholder {{{extra[0]}}}")
        out[key] = text
    return out


def fixed_text(template: Any, key: str, **values: Any) -> str:
    """The text `key` of a report template (common.ReportTemplate), its placeholders filled in. Every
    placeholder of the key is passed, always, so that a reworded text may use any of them."""
    expected = FIELDS[key]
    if set(values) != expected:
        raise TypeError(f"report text {key!r} takes {sorted(expected)}, not {sorted(values)}")
    return str(template.texts[key]).format_map(values)
