"""The Excel submission format, defined once: the writer (`reports/xlsx.py`) and the reader
(`services/xlsx_import.py`) both take their sheet names, table names, fixed headings, layout rows,
the long-text sheet and the link columns from here. Pure data and tiny pure functions; no I/O.

The format is documented for people in docs/excel-format.md; a change here is a change of the format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rsa_desktop.domain.scales import Dimension, Horizon

FORMAT_NAME = "rsa-desktop-xlsx"
FORMAT_VERSION = 1  # what the writer writes
SUPPORTED_VERSION = 1  # the newest the reader reads

# -- layout of a data sheet ------------------------------------------------------------------------
TITLE_ROW, MARKING_ROW, LEGEND_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_DATA_ROW = HEADER_ROW + 1

CELL_LIMIT = 32_767  # Excel's maximum number of characters in one cell
PART_SIZE = 32_000  # an over-long text is cut into parts of this size (sheet LONG_TEXT_SHEET)

# -- sheets: (sheet name, Excel table name or None), in workbook order -----------------------------
SUMMARY_SHEET = "Sammanfattning"
PARTICIPANT_SHEET = "Arbetsgrupp"
FUNCTION_SHEET = "Verksamheter"
DEPENDENCY_SHEET = "Beroenden"
LINK_SHEET = "Kopplingar"
RISK_SHEET = "Risker"
MATRIX_SHEET = "Riskmatris"
VULN_CAP_SHEET = "Sårbarheter och förmåga"
ACTION_SHEET = "Åtgärder"
PLAN_SHEET = "Kontinuitetsplaner"
FALLBACK_SHEET = "Reservrutiner"
CONTACT_SHEET = "Kontakter"
EXERCISE_SHEET = "Övningar"
GAP_SHEET = "Kontinuitetsgap"
SCALE_SHEET = "Skalor"
LONG_TEXT_SHEET = "Långa texter"
LIST_SHEET = "Listor"  # hidden: the values of list validation

TABLE_OF_SHEET: dict[str, str] = {
    SUMMARY_SHEET: "Sammanfattning",
    PARTICIPANT_SHEET: "Arbetsgrupp",
    FUNCTION_SHEET: "Verksamheter",
    DEPENDENCY_SHEET: "Beroenden",
    LINK_SHEET: "Kopplingar",
    RISK_SHEET: "Risker",
    VULN_CAP_SHEET: "SarbarheterFormaga",
    ACTION_SHEET: "Atgarder",
    PLAN_SHEET: "Kontinuitetsplaner",
    FALLBACK_SHEET: "Reservrutiner",
    CONTACT_SHEET: "Kontakter",
    EXERCISE_SHEET: "Ovningar",
    GAP_SHEET: "Kontinuitetsgap",
    SCALE_SHEET: "Skalor",
    LONG_TEXT_SHEET: "LangaTexter",
}

# The visible sheets in workbook order (LIST_SHEET follows, hidden).
SHEETS = (SUMMARY_SHEET, PARTICIPANT_SHEET, FUNCTION_SHEET, DEPENDENCY_SHEET, LINK_SHEET, RISK_SHEET, MATRIX_SHEET,
          VULN_CAP_SHEET, ACTION_SHEET, PLAN_SHEET, FALLBACK_SHEET, CONTACT_SHEET, EXERCISE_SHEET, GAP_SHEET,
          SCALE_SHEET, LONG_TEXT_SHEET)

# sheet → (Excel table, item kind; None for the mixed sheet of sårbarheter and förmåga)
ITEM_SHEETS: dict[str, tuple[str, str | None]] = {
    FUNCTION_SHEET: (TABLE_OF_SHEET[FUNCTION_SHEET], "function"),
    DEPENDENCY_SHEET: (TABLE_OF_SHEET[DEPENDENCY_SHEET], "dependency"),
    RISK_SHEET: (TABLE_OF_SHEET[RISK_SHEET], "risk"),
    VULN_CAP_SHEET: (TABLE_OF_SHEET[VULN_CAP_SHEET], None),
    ACTION_SHEET: (TABLE_OF_SHEET[ACTION_SHEET], "action"),
    PLAN_SHEET: (TABLE_OF_SHEET[PLAN_SHEET], "continuity_plan"),
    EXERCISE_SHEET: (TABLE_OF_SHEET[EXERCISE_SHEET], "exercise"),
}
OTHER_SHEETS: dict[str, str] = {s: TABLE_OF_SHEET[s] for s in (
    SUMMARY_SHEET, PARTICIPANT_SHEET, LINK_SHEET, FALLBACK_SHEET, CONTACT_SHEET, GAP_SHEET, SCALE_SHEET,
    LONG_TEXT_SHEET)}
TABLES: dict[str, str] = {**{s: t for s, (t, _k) in ITEM_SHEETS.items()}, **OTHER_SHEETS}
SHEET_OF_KIND: dict[str, str] = {k: s for s, (_t, k) in ITEM_SHEETS.items() if k} | {
    "vulnerability": VULN_CAP_SHEET, "capability": VULN_CAP_SHEET}
# Sheets of parts that have no ID of their own: kind, matched by (Plan, Nr) or Nr.
CHILD_SHEETS: dict[str, str] = {PARTICIPANT_SHEET: "participant", FALLBACK_SHEET: "fallback",
                                CONTACT_SHEET: "contact"}
# Sheets a missing one of which is worth a warning on import.
EXPECTED_SHEETS = (*ITEM_SHEETS, LINK_SHEET, SCALE_SHEET)

# -- fixed headings ---------------------------------------------------------------------------------
ID = "ID"
SUMMARY_KEY, SUMMARY_LABEL, SUMMARY_VALUE = "Nyckel", "Fält", "Värde"
PLAN, NR = "Plan", "Nr"
TYPE = "Typ"
CAPABILITY_TYPE = "Förmåga"  # the Typ of a förmåga row on VULN_CAP_SHEET
LINK_FUNCTION, LINK_DEPENDENCY = "Verksamhet", "Beroende"
LINK_FUNCTION_NAME, LINK_DEPENDENCY_NAME = "Verksamhetens namn", "Beroendets namn"
TOLERANCE, NOTE = "Tolerans", "Kommentar"
MINUTES_SUFFIX = " (minuter)"

# Every data sheet ends with these two columns, so that KS can stack the workbooks of many
# organisations into one table for a pivot. Derived: the importer never reads them.
STACK_ORGANISATION = "Organisation"
STACK_YEAR = "År"
STACK_COLUMNS = (STACK_ORGANISATION, STACK_YEAR)
STACKED_SHEETS = (PARTICIPANT_SHEET, FUNCTION_SHEET, DEPENDENCY_SHEET, LINK_SHEET, RISK_SHEET, VULN_CAP_SHEET,
                  ACTION_SHEET, PLAN_SHEET, FALLBACK_SHEET, CONTACT_SHEET, EXERCISE_SHEET, GAP_SHEET)

# The columns of VULN_CAP_SHEET that an item's fields are read from and written to.
VULN_CAP_COLUMNS: dict[str, dict[str, str]] = {
    "vulnerability": {"title": "Rubrik", "description": "Beskrivning", "vuln_type": TYPE, "secret": "Sekretess"},
    "capability": {"area": "Rubrik", "motivation": "Beskrivning", "rating": "Bedömning", "secret": "Sekretess"},
}
CAPABILITY_LABEL = "Bedömning (benämning)"  # derived

# Link columns that own their links (this row is the link's left side): sheet → heading → link.
LINK_COLUMNS: dict[str, dict[str, str]] = {
    DEPENDENCY_SHEET: {"Beror på": "dependency_dependency"},
    RISK_SHEET: {"Verksamheter": "risk_function", "Beroenden": "risk_dependency"},
    ACTION_SHEET: {"Risker": "action_risk", "Beroenden": "action_dependency", "Verksamheter": "action_function",
                   "Sårbarheter": "action_vulnerability"},
    EXERCISE_SHEET: {"Åtgärder": "exercise_action"},
}
# Mirrored link columns (derived, never read): sheet → heading → (link, the side this row is on).
MIRRORED_LINK_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    FUNCTION_SHEET: {"Beroenden": ("function_dependency", "left")},
    DEPENDENCY_SHEET: {"Används av": ("function_dependency", "right")},
    RISK_SHEET: {"Åtgärder": ("action_risk", "right")},
    ACTION_SHEET: {"Övningar": ("exercise_action", "right")},
    VULN_CAP_SHEET: {"Åtgärder": ("action_vulnerability", "right")},
}


def link_heading(sheet: str, link: str) -> str:
    """The heading of the column on `sheet` that owns `link` (KeyError if none does)."""
    for heading, name in LINK_COLUMNS[sheet].items():
        if name == link:
            return heading
    raise KeyError((sheet, link))


def minutes_heading(heading: str) -> str:
    """A duration's minutes column beside its text column: "Tolerans" → "Tolerans (minuter)"."""
    return heading + MINUTES_SUFFIX


def horizon_heading(label: str) -> str:
    """A verksamhet's consequence after a time horizon: "Konsekvens efter 4 h"."""
    return f"Konsekvens efter {label}"


HORIZON_PREFIX = horizon_heading("")


def dimension_heading(label: str) -> str:
    """A risk's consequence in one dimension: "Konsekvens – Människors liv och hälsa"."""
    return f"Konsekvens – {label}"


DIMENSION_PREFIX = dimension_heading("")


def horizon_columns(horizons: Iterable[Horizon]) -> dict[str, int]:
    """heading → minutes for the scales' time horizons."""
    return {horizon_heading(h.label): h.minutes for h in horizons}


def dimension_columns(dimensions: Iterable[Dimension]) -> dict[str, str]:
    """heading → dimension code for the scales' consequence dimensions."""
    return {dimension_heading(d.label): d.code for d in dimensions}


# -- the long-text sheet ----------------------------------------------------------------------------
LONG_SHEET_COLUMN, LONG_ID_COLUMN, LONG_HEADING_COLUMN, LONG_PART_COLUMN, LONG_TEXT_COLUMN = (
    "Blad", "ID", "Kolumn", "Del", "Text")
LONG_TEXT_INTRO = ("Texter som är längre än vad en Excelcell rymmer (32 767 tecken) finns här i sin helhet, "
                   "uppdelade i delar i ordning. Cellen på ursprungsbladet visar den första delen.")


def long_text_note(length: int, parts: int) -> str:
    """What follows the first part in the original cell of an over-long text."""
    return (f"\n[… texten är {length} tecken lång och fortsätter: hela texten finns i {parts} delar på "
            f"bladet {LONG_TEXT_SHEET}]")


LONG_NOTE = re.compile(r"\n\[… texten är \d+ tecken lång och fortsätter: hela texten finns i \d+ delar på "
                       + re.escape(f"bladet {LONG_TEXT_SHEET}") + r"\]$")


def split_long_text(text: str) -> list[str]:
    return [text[i:i + PART_SIZE] for i in range(0, len(text), PART_SIZE)]


def row_key(sheet: str, values: Mapping[str, object]) -> str:
    """The row's ID as the long-text sheet names it: an item ID, a summary key, `Nr` or `plan.nr`."""
    if sheet == SUMMARY_SHEET:
        return str(values.get(SUMMARY_KEY) or "")
    if sheet == PARTICIPANT_SHEET:
        return str(values.get(NR) or "")
    if sheet in (FALLBACK_SHEET, CONTACT_SHEET):
        return f"{values.get(PLAN) or ''}.{values.get(NR) or ''}"
    return str(values.get(ID) or "")


# -- the scale sheet -----------------------------------------------------------------------------------
# Its columns, and the Skala of each kind of row.
SCALE_COLUMNS = ("Skala", "Värde", "Kod", "Benämning", "Beskrivning", "Frekvens", "Färg", "Lägsta riskvärde")
(SCALE_KIND, SCALE_VALUE, SCALE_CODE, SCALE_LABEL, SCALE_DESCRIPTION, SCALE_FREQUENCY, SCALE_COLOUR,
 SCALE_MIN_SCORE) = SCALE_COLUMNS
SCALE_LIKELIHOOD = "Sannolikhet"
SCALE_CONSEQUENCE = "Konsekvens"
SCALE_DIMENSION = "Konsekvensdimension"
SCALE_BAND = "Färggräns"
SCALE_CAPABILITY = "Förmåga"
SCALE_HORIZON = "Tidshorisont"
SCALE_AGGREGATION = "Sammanvägd konsekvens"
SCALE_UNACCEPTABLE = "Oacceptabel konsekvensnivå"

# -- the summary sheet -------------------------------------------------------------------------------
EXTRACT_FULL, EXTRACT_PUBLIC = "Fullständig analys", "Öppet utdrag"
