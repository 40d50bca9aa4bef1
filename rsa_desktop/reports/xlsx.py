"""The Excel submission workbook (written by XlsxWriter, see WRITER). The format is an interface: see docs/excel-format.md.

Every data sheet has the same layout: row 1 a title, row 2 the classification marking (empty when
no marking was decided), row 4 the header of an Excel Table, data from row 5. Column headings are
the Swedish field labels of `rsa_desktop.domain.kinds`, so they stay stable as long as the registry does.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rsa_desktop.domain import excel_format as fmt
from rsa_desktop.domain import severity
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.excel_format import (
    CELL_LIMIT,
    FIRST_DATA_ROW,
    FORMAT_NAME,
    FORMAT_VERSION,
    HEADER_ROW,
    LEGEND_ROW,
    LIST_SHEET,
    LONG_TEXT_SHEET,
    MARKING_ROW,
    PART_SIZE,
    SHEETS,
    TITLE_ROW,
)
from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.domain.public import document_subject, is_marked
from rsa_desktop.reports.common import (
    ReportData,
    clean_text,
    export_stamp,
    gather,
    hid_key,
    yes_no,
)
from rsa_desktop.services.rsa import RsaService

__all__ = ["CELL_LIMIT", "FORMAT_NAME", "FORMAT_VERSION", "HEADER_ROW", "LONG_TEXT_SHEET", "PART_SIZE", "SHEETS",
           "WRITER", "build_workbook", "export_xlsx", "write_xlsx"]

# Which library writes the workbook: chosen by measurement (issue 20). For the large demo's 73,000
# cells with the same styles, median of 3 on the shared 2-core machine: openpyxl normal mode 11.1 s,
# openpyxl write_only 9.3 s, XlsxWriter 2.4 s. openpyxl keeps reading workbooks (services/xlsx_read.py);
# the export builds openpyxl's style objects as plain values (reports/xlsx_writer.py).
# bench/run.py builds the writer's floor with the same library.
WRITER = "xlsxwriter"

FORMULA_START = ("=", "+", "-", "@")
VALIDATION_EXTRA_ROWS = 200  # list validation also covers rows the user adds below the table

_HEADER_FILL = "1F3864"
_MARKING_COLOUR = "C00000"
_SECRET_FILL = "F8CBAD"


@dataclass(frozen=True)
class Col:
    heading: str
    get: Callable[[Any], Any]
    type: str = "text"  # id, text, long, int, level, date, datetime, enum, minutes, hids, colour
    validation: str = ""  # a list name on the hidden sheet
    width: float | None = None


_WIDTH = {"id": 8, "text": 24, "long": 60, "int": 11, "level": 12, "date": 12, "datetime": 17,
          "enum": 17, "minutes": 13, "hids": 18, "colour": 10}


def _excel_header_text(s: str) -> str:
    return s.replace("&", "&&")


# Printing. A header or footer section is a third of the page; at 8 pt about HEADER_LINE characters
# fit on a line of a portrait page. Excel allows 255 characters in a whole header or footer.
HEADER_LINE = 44
HEADER_BUDGET = 150  # characters of marking in one header or footer section (wrapped)
PORTRAIT_CHARS = 95  # column widths (Excel's units) that fit a portrait A4 page at 100 %
LANDSCAPE_CHARS = 135  # … a landscape A4 page at 100 %
READABLE_SCALE = 0.7  # smaller than this and a printed table is no longer readable


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rsplit(" ", 1)[0] + "…"


def header_marking(marking: str, budget: int = HEADER_BUDGET) -> tuple[str, str]:
    """The marking for the page header's and the footer's centre sections, wrapped to fit them and never
    cut: a marking longer than one section holds is split, the header's part saying that the footer
    continues it. ("", "") when no marking was decided."""
    text = " ".join(marking.split())
    if not text:
        return "", ""
    budget = min(budget, HEADER_BUDGET) - text.count("&")  # "&" is written "&&"
    if len(text) <= budget:
        block = _wrap(text, HEADER_LINE)
        return block, block
    cut = text[:budget - 20].rsplit(" ", 1)[0]
    rest = text[len(cut):].strip()
    limit = HEADER_BUDGET + 40
    if len(rest) > limit:  # longer than both sections together: the whole text is on row 2 of every sheet
        rest = rest[:limit].rsplit(" ", 1)[0] + " … (hela markeringen på rad 2)"
    return _wrap(cut + " (forts. i sidfoten)", HEADER_LINE), _wrap("(forts.) " + rest, HEADER_LINE)


class WorkbookBuilder:
    """One export in progress: the workbook, its validation lists and the over-long texts."""

    def __init__(self, data: ReportData):
        from openpyxl.styles import Alignment

        from rsa_desktop.reports.xlsx_writer import Workbook

        self.data = data
        self.wb = Workbook()
        self._wrap = Alignment(wrap_text=True, vertical="top")  # every data cell's alignment, one object
        self.lists: dict[str, list[Any]] = {}
        self.long_parts: list[tuple[str, str, str, int, str]] = []  # sheet, row id, column, part, text
        org = data.organisation.name if data.organisation is not None else ""
        self.context = f"{org} – RSA {data.analysis.year}".strip(" –")

    # -- lists for validation ----------------------------------------------------------

    def list_name(self, name: str, values: Iterable[Any]) -> str:
        values = list(values)
        if not values:
            return ""
        self.lists.setdefault(name, values)
        return name

    # -- cells -------------------------------------------------------------------------

    def put(self, ws, row: int, column: int, value: Any, col: Col | None, row_id: str) -> None:
        cell = ws.cell(row=row, column=column)
        if value is None or value == "":
            return
        if isinstance(value, bool):
            value = yes_no(value)
        if isinstance(value, str):
            text = clean_text(value)
            if len(text) > CELL_LIMIT:
                parts = fmt.split_long_text(text)
                heading = col.heading if col else ""
                for n, part in enumerate(parts, 1):
                    self.long_parts.append((ws.title, row_id, heading, n, part))
                text = parts[0] + fmt.long_text_note(len(text), len(parts))
            cell.value = text
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if text.startswith(FORMULA_START):
                cell.quotePrefix = True  # and Excel keeps it as text when the cell is edited
        elif isinstance(value, dt.datetime):
            cell.value = value
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, dt.date):
            cell.value = value
            cell.number_format = "yyyy-mm-dd"
        else:
            cell.value = value
        if col is not None and col.type == "colour" and isinstance(value, str) and len(value) == 7:
            from openpyxl.styles import PatternFill

            cell.fill = PatternFill("solid", fgColor=value[1:].upper())
        cell.alignment = self._wrap

    # -- sheet frame -------------------------------------------------------------------

    def frame(self, title: str, heading: str | None = None):
        from openpyxl.styles import Font

        ws = self.wb.create_sheet(title)
        ws.cell(TITLE_ROW, 1, clean_text(f"{heading or title} – {self.context}")).font = Font(bold=True, size=13)
        marking = self.data.marking
        if not marking.empty:
            c = ws.cell(MARKING_ROW, 1, marking.text)
            c.data_type = "s"
            c.font = Font(bold=True, color=_MARKING_COLOUR)
        self.print_setup(ws)
        return ws

    def print_setup(self, ws, title_rows: str | None = f"{HEADER_ROW}:{HEADER_ROW}") -> None:
        """A4 with the marking whole in the header and the footer (wrapped, never cut); landscape and fit
        to width until `print_scaling` knows the sheet's width."""
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        if title_rows:
            ws.print_title_rows = title_rows
        left = _excel_header_text(_shorten(self.context, HEADER_LINE))
        right = _excel_header_text(_wrap(ws.title, HEADER_LINE))
        # Excel allows 255 characters in a whole header: the marking gets what the other sections leave.
        head, foot = header_marking(self.data.marking.text, 255 - len(left) - len(right) - 40)
        lines = max(head.count("\n"), foot.count("\n"), 1) + 1
        # Room for the wrapped marking between the header/footer margin and the sheet's cells.
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.page_margins.top = ws.page_margins.bottom = max(0.75, 0.3 + 0.16 * lines + 0.15)
        ws.oddHeader.left.text = left
        ws.oddHeader.left.size = 8
        if head:
            ws.oddHeader.center.text = _excel_header_text(head)
            ws.oddHeader.center.size = 8
            ws.oddHeader.center.font = "Calibri,Bold"
            ws.oddFooter.center.text = _excel_header_text(foot)
            ws.oddFooter.center.size = 8
        ws.oddHeader.right.text = right
        ws.oddHeader.right.size = 8
        ws.oddFooter.left.text = _excel_header_text(f"Exporterad {export_stamp(self.data)}")
        ws.oddFooter.left.size = 8
        ws.oddFooter.right.text = "Sida &P av &N"
        ws.oddFooter.right.size = 8

    @staticmethod
    def print_scaling(ws, widths: list[float], id_column: bool) -> None:
        """Print scaling chosen per sheet from the width of its columns: portrait when the columns fit a
        portrait page, landscape fit to width while the type stays readable (at least READABLE_SCALE),
        else landscape at that scale over as many pages across as needed, with the header row (and the
        ID column) repeated on every page."""
        total = sum(widths)
        if total <= PORTRAIT_CHARS:
            ws.page_setup.orientation = "portrait"
            ws.page_setup.fitToWidth = 1
        elif total <= LANDSCAPE_CHARS / READABLE_SCALE:
            ws.page_setup.fitToWidth = 1
        else:
            ws.page_setup.fitToWidth = math.ceil(total / (LANDSCAPE_CHARS / READABLE_SCALE))
            if id_column:
                ws.print_title_cols = "A:A"
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    def table_sheet(self, title: str, table_name: str | None, cols: list[Col], rows: list[Any],
                    row_id: Callable[[Any], str] = lambda r: "", freeze_first_col: bool = True):
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation
        from openpyxl.worksheet.table import Table, TableStyleInfo

        ws = self.frame(title)
        for ci, col in enumerate(cols, 1):
            c = ws.cell(HEADER_ROW, ci, col.heading)
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor=_HEADER_FILL)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        values = [[col.get(item) for col in cols] for item in rows]  # each getter once per cell
        marked = False
        for ri, (item, row_values) in enumerate(zip(rows, values), FIRST_DATA_ROW):
            rid = row_id(item)
            for ci, (col, value) in enumerate(zip(cols, row_values), 1):
                self.put(ws, ri, ci, value, col, rid)
            if not self.data.public and isinstance(item, Item) and is_marked(item):
                # The visible secret mark: the ID cell in the marking's colour (its value stays the ID).
                c = ws.cell(ri, 1)
                c.fill = PatternFill("solid", fgColor=_SECRET_FILL)
                c.font = Font(bold=True, color=_MARKING_COLOUR)
                marked = True
        if marked:
            legend = ws.cell(LEGEND_ROW, 1, "Rött ID = " + self.data.secret_legend.removeprefix("(S) = "))
            legend.font = Font(italic=True, color=_MARKING_COLOUR)
        last_row = max(FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows) - 1)  # a table needs one data row
        ref = f"A{HEADER_ROW}:{get_column_letter(len(cols))}{last_row}"
        table = Table(displayName=table_name or fmt.TABLE_OF_SHEET[title], ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
        widths: list[float] = []
        for ci, col in enumerate(cols, 1):
            letter = get_column_letter(ci)
            width = col.width or _WIDTH.get(col.type, 20)
            if col.type == "text" and col.width is None:
                longest = max([len(str(v[ci - 1] or "")) for v in values] + [len(col.heading) // 2, 10])
                width = min(max(longest + 2, 12), 40)
            ws.column_dimensions[letter].width = width
            widths.append(width)
            if col.validation:
                dv = DataValidation(type="list", formula1=f"={col.validation}", allow_blank=True,
                                    showErrorMessage=True, errorTitle="Ogiltigt värde",
                                    error="Välj ett av värdena i listan.", showInputMessage=False)
                dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row + VALIDATION_EXTRA_ROWS}")
                ws.add_data_validation(dv)
        self.print_scaling(ws, widths, id_column=freeze_first_col)
        ws.freeze_panes = f"{'B' if freeze_first_col else 'A'}{FIRST_DATA_ROW}"
        self.fit_rows(ws, cols, FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows) - 1)
        ws.row_dimensions[HEADER_ROW].height = 15 * max(
            1, max(math.ceil(len(c.heading) / max(1.0, (c.width or _WIDTH.get(c.type, 20)) * 1.05)) for c in cols))
        return ws

    @staticmethod
    def fit_rows(ws, cols: list[Col], first: int, last: int) -> None:
        """Row heights from the wrapped text, since Excel does not recompute them when it opens a file."""
        from openpyxl.utils import get_column_letter

        widths = [ws.column_dimensions[get_column_letter(i)].width or 10 for i in range(1, len(cols) + 1)]
        cells = ws._cells  # read without creating cells (ws.cell() would add the empty ones)
        for r in range(first, last + 1):
            lines = 1
            for ci, width in enumerate(widths, 1):
                c = cells.get((r, ci))
                v = c.value if c is not None else None
                if isinstance(v, str) and v:
                    per_line = max(1.0, width * 1.15)
                    n = sum(max(1, math.ceil(len(line) / per_line)) for line in v.split("\n"))
                    lines = max(lines, n)
            if lines > 1:
                ws.row_dimensions[r].height = min(409, 15 * lines)

    # -- finishing ---------------------------------------------------------------------

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter, quote_sheetname
        from openpyxl.workbook.defined_name import DefinedName

        parts = self.long_parts
        cols = [Col(fmt.LONG_SHEET_COLUMN, lambda p: p[0], "text", width=22),
                Col(fmt.LONG_ID_COLUMN, lambda p: p[1], "id", width=10),
                Col(fmt.LONG_HEADING_COLUMN, lambda p: p[2], "text", width=24),
                Col(fmt.LONG_PART_COLUMN, lambda p: p[3], "int", width=6),
                Col(fmt.LONG_TEXT_COLUMN, lambda p: p[4], "long", width=100)]
        ws = self.table_sheet(LONG_TEXT_SHEET, fmt.TABLE_OF_SHEET[LONG_TEXT_SHEET], cols, parts,
                              freeze_first_col=False)
        ws.cell(LEGEND_ROW, 1, fmt.LONG_TEXT_INTRO)
        # The hidden list sheet is framed like every other (title, marking, header and footer): whoever
        # unhides or prints it sees the classification too.
        lists = self.frame(LIST_SHEET, "Värdelistor")
        for ci, (name, values) in enumerate(self.lists.items(), 1):
            lists.cell(HEADER_ROW, ci, name)
            for ri, v in enumerate(values, FIRST_DATA_ROW):
                c = lists.cell(ri, ci, v)
                if isinstance(v, str):
                    c.data_type = "s"
            letter = get_column_letter(ci)
            ref = (f"{quote_sheetname(LIST_SHEET)}!${letter}${FIRST_DATA_ROW}:"
                   f"${letter}${len(values) + FIRST_DATA_ROW - 1}")
            self.wb.defined_names[name] = DefinedName(name, attr_text=ref)
        lists.sheet_state = "hidden"
        props = self.wb.properties
        props.title = clean_text(self.data.title)
        props.subject = clean_text(document_subject(self.data.analysis.year, self.data.marking.text))
        props.creator = f"RSA Desktop {self.data.program_version}"
        props.keywords = f"{FORMAT_NAME} {FORMAT_VERSION}"
        props.language = "sv-SE"
        self.wb.active = 0


# -- columns -------------------------------------------------------------------------------

def _field_cols(book: WorkbookBuilder, kind: str, names: Iterable[str]) -> list[Col]:
    """Columns for fields of `kind`, headed by their Swedish labels; a duration gives two columns."""
    data = book.data
    spec = KINDS[kind]
    out: list[Col] = []
    for name in names:
        f = spec.field(name)
        ft = field_type(f)
        listed = ft.cell_list(f, kind, data.scales)
        lst = book.list_name(*listed) if listed else ""
        for cc in ft.cell_columns(f):
            out.append(Col(cc.heading, (lambda n, conv: lambda r: conv(r.get(n), data))(name, cc.value), cc.format,
                           lst, cc.width))
            lst = ""  # the list validates the first column (a duration's text, not its minutes)
    return out


def _id_col() -> Col:
    return Col(fmt.ID, lambda r: r.hid, "id")


def _link_col(data: ReportData, sheet: str, link: str) -> Col:
    """The column that owns `link` on `sheet` (the importer reads it back)."""
    return Col(fmt.link_heading(sheet, link), _hids(data, link), "hids")


def _mirrored(sheet: str, link: str) -> str:
    """The heading of a mirrored (derived) link column."""
    return next(h for h, (name, _side) in fmt.MIRRORED_LINK_COLUMNS[sheet].items() if name == link)


def _stacked(book: WorkbookBuilder, cols: list[Col]) -> list[Col]:
    """A data sheet's columns followed by Organisation and År, so that workbooks stack for a pivot."""
    data = book.data
    org = data.organisation.name if data.organisation is not None else ""
    year = data.analysis.year
    return [*cols, Col(fmt.STACK_ORGANISATION, lambda _r: org, "text"),
            Col(fmt.STACK_YEAR, lambda _r: year, "int", width=7)]


def _hids(data: ReportData, link: str, side: str = "left") -> Callable[[Item], str]:
    return lambda r: ", ".join(data.linked_hids(link, r.id, side=side))


def _fields(kind: str, *exclude: str) -> list[str]:
    return [n for n in KINDS[kind].field_names if n not in exclude]


# -- sheets --------------------------------------------------------------------------------

def _catalogue_version_text(version: str) -> str:
    from rsa_desktop.services import catalogues

    return catalogues.version_text(version)


def _summary(book: WorkbookBuilder) -> None:
    data = book.data
    a = data.analysis
    org = data.organisation
    rows: list[tuple[str, str, Any]] = [
        ("format", "Filformat", FORMAT_NAME),
        ("format_version", "Formatversion", FORMAT_VERSION),
        ("program", "Program", "RSA Desktop"),
        ("program_version", "Programversion", data.program_version),
        ("catalogue_version", "Katalogversion", _catalogue_version_text(a.get("catalogue_version") or "")),
        ("exported_at", "Exporterad", data.exported_at),
        ("extract", "Utdrag", fmt.EXTRACT_PUBLIC if data.public else fmt.EXTRACT_FULL),
        ("marking", "Markering", data.marking.text),
    ]
    ospec = KINDS["organisation"]
    for f in ospec.fields:
        v = field_type(f).to_cell(f, org.get(f.name) if org is not None else None, data)
        rows.append((f"organisation.{f.name}", f"Organisation: {f.label}", v))
    aspec = KINDS["analysis"]
    for f in aspec.fields:
        v = a.get(f.name)
        if data.public and f.name in ("secrecy_marking", "security_class"):
            v = None
        else:
            v = field_type(f).to_cell(f, v, data)
        rows.append((f"analysis.{f.name}", f.label, v))
    for kind, n in data.counts().items():
        label = "Samhällsviktiga verksamheter" if kind == "function_critical" else KINDS[kind].plural
        rows.append((f"count.{kind}", f"Antal: {label}", n))
    if data.public:
        rows.append(("public_note", "Anmärkning", data.public_note))
    elif data.secret_legend:
        rows.append(("secret_legend", "Teckenförklaring", data.secret_legend))
    cols = [Col(fmt.SUMMARY_KEY, lambda r: r[0], "text", width=30), Col(fmt.SUMMARY_LABEL, lambda r: r[1], "text", width=40),
            Col(fmt.SUMMARY_VALUE, lambda r: r[2], "long", width=100)]
    book.table_sheet(fmt.SUMMARY_SHEET, None, cols, rows, row_id=lambda r: r[0], freeze_first_col=False)


def _participants(book: WorkbookBuilder) -> None:
    data = book.data
    rows = list(enumerate(data.participants, 1))
    cols = [Col(fmt.NR, lambda r: r[0], "int", width=6)]
    for c in _field_cols(book, "participant", KINDS["participant"].field_names):
        cols.append(Col(c.heading, (lambda g: lambda r: g(r[1]))(c.get), c.type, c.validation, c.width))
    book.table_sheet(fmt.PARTICIPANT_SHEET, None, _stacked(book, cols), rows, row_id=lambda r: str(r[0]))


def _functions(book: WorkbookBuilder) -> None:
    data = book.data
    cols = [_id_col(), *_field_cols(book, "function", _fields("function"))]
    lst = book.list_name("Lista_Konsekvens", [lv.value for lv in data.scales.consequence])
    for h in data.scales.horizons:
        cols.append(Col(fmt.horizon_heading(h.label),
                        (lambda hid: lambda r: data.impacts.get(r.id, {}).get(hid))(h.id), "level", lst))
    cols.append(Col(_mirrored(fmt.FUNCTION_SHEET, "function_dependency"), _hids(data, "function_dependency"), "hids"))
    rows = data.items["function"]
    book.table_sheet(fmt.FUNCTION_SHEET, None, _stacked(book, cols), rows, row_id=lambda r: r.hid)


def _dependencies(book: WorkbookBuilder) -> None:
    data = book.data
    cols = [_id_col(), *_field_cols(book, "dependency", _fields("dependency")),
            Col(fmt.link_heading(fmt.DEPENDENCY_SHEET, "dependency_dependency"), _hids(data, "dependency_dependency"),
                "hids"),
            Col(_mirrored(fmt.DEPENDENCY_SHEET, "function_dependency"),
                _hids(data, "function_dependency", side="right"), "hids")]
    book.table_sheet(fmt.DEPENDENCY_SHEET, None, _stacked(book, cols), data.items["dependency"],
                     row_id=lambda r: r.hid)


def _links(book: WorkbookBuilder) -> None:
    data = book.data
    rows = sorted(data.links["function_dependency"],
                  key=lambda lr: (hid_key(data.hid("function", lr.left_id)), hid_key(data.hid("dependency", lr.right_id))))
    def name(kind, attr):
        return lambda lr: data.get(kind, getattr(lr, attr)).name
    dep = KINDS["dependency"]
    cols = [Col(fmt.LINK_FUNCTION, lambda lr: data.hid("function", lr.left_id), "id", width=11),
            Col(fmt.LINK_FUNCTION_NAME, name("function", "left_id"), "text", width=36),
            Col(fmt.LINK_DEPENDENCY, lambda lr: data.hid("dependency", lr.right_id), "id", width=10),
            Col(fmt.LINK_DEPENDENCY_NAME, name("dependency", "right_id"), "text", width=36),
            Col(fmt.TOLERANCE, lambda lr: format_duration(lr.attrs["tolerance"]), "enum"),
            Col(fmt.minutes_heading(fmt.TOLERANCE), lambda lr: lr.attrs["tolerance"], "minutes"),
            Col(fmt.minutes_heading(dep.field("expected_outage").label),
                lambda lr: data.get("dependency", lr.right_id).expected_outage, "minutes", width=15),
            Col(fmt.minutes_heading(dep.field("reserve_duration").label),
                lambda lr: data.get("dependency", lr.right_id).reserve_duration, "minutes", width=15),
            Col(fmt.NOTE, lambda lr: lr.attrs["note"], "long", width=40)]
    book.table_sheet(fmt.LINK_SHEET, None, _stacked(book, cols), rows,
                     row_id=lambda lr: f"{data.hid('function', lr.left_id)}–{data.hid('dependency', lr.right_id)}")


def _risks(book: WorkbookBuilder) -> None:
    data = book.data
    sc = data.scales
    cons_list = book.list_name("Lista_Konsekvens", [lv.value for lv in sc.consequence])
    f = {c.heading: c for c in _field_cols(book, "risk", _fields("risk"))}
    spec = KINDS["risk"]

    def fc(name):
        return f[spec.field(name).label]

    def score(lk, cs):
        return lk * cs if lk is not None and cs is not None else None

    def band(lk, cs):
        b = sc.band(lk, cs)
        return b.label if b else ""

    cols = [_id_col(), fc("title"), fc("description"), fc("category"), fc("scenario"), fc("likelihood")]
    for d in sc.dimensions:
        cols.append(Col(fmt.dimension_heading(d.label),
                        (lambda did: lambda r: data.consequences.get(r.id, {}).get(did))(d.id), "level", cons_list))
    cols += [
        Col("Sammanvägd konsekvens", lambda r: data.risk_consequence(r.id), "level"),
        Col("Riskvärde", lambda r: score(r.likelihood, data.risk_consequence(r.id)), "int"),
        Col("Riskklass", lambda r: band(r.likelihood, data.risk_consequence(r.id)), "enum"),
        fc("motivation"), fc("uncertainty"), fc("existing_measures"), fc("residual_likelihood"),
        fc("residual_consequence"),
        Col("Riskvärde efter åtgärder", lambda r: score(r.residual_likelihood, r.residual_consequence), "int"),
        Col("Riskklass efter åtgärder", lambda r: band(r.residual_likelihood, r.residual_consequence), "enum"),
        _link_col(data, fmt.RISK_SHEET, "risk_function"),
        _link_col(data, fmt.RISK_SHEET, "risk_dependency"),
        Col(_mirrored(fmt.RISK_SHEET, "action_risk"), _hids(data, "action_risk", side="right"), "hids"),
        fc("secret"),
    ]
    book.table_sheet(fmt.RISK_SHEET, None, _stacked(book, cols), data.items["risk"], row_id=lambda r: r.hid)


def _matrix_sheet(book: WorkbookBuilder) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    data = book.data
    ws = book.frame(fmt.MATRIX_SHEET)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.column_dimensions["A"].width = 24
    ncons = len(data.matrix.consequence_levels)
    for i in range(ncons):
        ws.column_dimensions[chr(ord("B") + i)].width = 18
    row = HEADER_ROW
    for title, m in (("Riskmatris – bedömd risk", data.matrix),
                     ("Riskmatris – risk efter åtgärder", data.residual_matrix)):
        ws.cell(row, 1, title).font = Font(bold=True, size=12)
        row += 1
        c = ws.cell(row, 1, "Sannolikhet (rader), konsekvens (kolumner)")
        c.font = Font(italic=True, size=9)
        c.alignment = Alignment(wrap_text=True, vertical="bottom")
        for ci, (value, label) in enumerate(m.consequence_levels, 2):
            c = ws.cell(row, ci, clean_text(f"{value} {label}"))
            c.font = Font(bold=True)
            c.alignment = Alignment(horizontal="center", vertical="bottom", wrap_text=True)
            c.border = border
        ws.row_dimensions[row].height = 30
        row += 1
        for lv, llabel in reversed(m.likelihood_levels):
            c = ws.cell(row, 1, clean_text(f"{lv} {llabel}"))
            c.font = Font(bold=True)
            c.alignment = Alignment(vertical="center", wrap_text=True)
            c.border = border
            for ci, (cv, _cl) in enumerate(m.consequence_levels, 2):
                cell = m.cell(lv, cv)
                c = ws.cell(row, ci, ", ".join(cell.hids))
                c.fill = PatternFill("solid", fgColor=cell.colour.lstrip("#").upper())
                c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                c.font = Font(bold=True)
                c.border = border
            ws.row_dimensions[row].height = 42
            row += 1
        missing = [p.hid for p in m.points if (p.residual_likelihood is None or p.residual_consequence is None)] \
            if m is data.residual_matrix else [p.hid for p in m.unplaced]
        if missing:
            ws.cell(row, 1, "Inte bedömda: " + ", ".join(sorted(missing, key=hid_key))).font = Font(italic=True)
            row += 1
        row += 2
    ws.cell(row, 1, "Färggränser (riskvärde = sannolikhet × konsekvens)").font = Font(bold=True)
    row += 1
    for b in data.scales.bands:
        ws.cell(row, 1, clean_text(b.label)).fill = PatternFill("solid", fgColor=b.colour.lstrip("#").upper())
        ws.cell(row, 2, f"riskvärde från {b.min_score}")
        row += 1
    row += 1
    ws.cell(row, 1, "Risker").font = Font(bold=True)
    row += 1
    for r in data.items["risk"]:
        ws.cell(row, 1, r.hid)
        book.put(ws, row, 2, r.title, None, r.hid)
        ws.cell(row, 2).alignment = Alignment(wrap_text=False)
        row += 1
    ws.print_title_rows = None
    ws.page_setup.fitToHeight = 0


def _vulnerabilities(book: WorkbookBuilder) -> None:
    data = book.data
    kinds = dict(KINDS["vulnerability"].field("vuln_type").choices)
    rows = [("v", r) for r in data.items["vulnerability"]] + [("c", r) for r in data.items["capability"]]
    cap_label = fmt.CAPABILITY_TYPE
    typ = book.list_name("Lista_SarbarhetFormaga", [*kinds.values(), cap_label])
    cap = book.list_name("Lista_Formaga", [lv.value for lv in data.scales.capability])
    vc, cc = fmt.VULN_CAP_COLUMNS["vulnerability"], fmt.VULN_CAP_COLUMNS["capability"]
    assert vc["title"] == cc["area"] and vc["description"] == cc["motivation"] and vc["secret"] == cc["secret"]
    cols = [
        Col(fmt.ID, lambda x: x[1].hid, "id"),
        Col(vc["vuln_type"], lambda x: kinds.get(x[1].vuln_type, x[1].vuln_type) if x[0] == "v" else cap_label,
            "enum", typ),
        Col(vc["title"], lambda x: x[1].title if x[0] == "v" else x[1].area, "text"),
        Col(vc["description"], lambda x: x[1].description if x[0] == "v" else x[1].motivation, "long"),
        Col(cc["rating"], lambda x: x[1].rating if x[0] == "c" else None, "level", cap),
        Col(fmt.CAPABILITY_LABEL,
            lambda x: data.scales.capability_label(x[1].rating) if x[0] == "c" else "", "enum"),
        Col(_mirrored(fmt.VULN_CAP_SHEET, "action_vulnerability"),
            lambda x: ", ".join(data.linked_hids("action_vulnerability", x[1].id, side="right"))
            if x[0] == "v" else "", "hids"),
        Col(vc["secret"], lambda x: yes_no(bool(x[1].secret)), "enum", book.list_name("Lista_JaNej", ["Ja", "Nej"])),
    ]
    book.table_sheet(fmt.VULN_CAP_SHEET, None, _stacked(book, cols), rows, row_id=lambda x: x[1].hid)


def _actions(book: WorkbookBuilder) -> None:
    data = book.data
    cols = [_id_col(), *_field_cols(book, "action", _fields("action", "secret")),
            Col("Försenad", lambda r: yes_no(data.overdue(r)), "enum"),
            *(_link_col(data, fmt.ACTION_SHEET, link) for link in fmt.LINK_COLUMNS[fmt.ACTION_SHEET].values()),
            Col(_mirrored(fmt.ACTION_SHEET, "exercise_action"), _hids(data, "exercise_action", side="right"), "hids"),
            *_field_cols(book, "action", ["secret"])]
    book.table_sheet(fmt.ACTION_SHEET, None, _stacked(book, cols), data.items["action"], row_id=lambda r: r.hid)


def _plans(book: WorkbookBuilder) -> None:
    data = book.data
    cols = [_id_col(), *_field_cols(book, "continuity_plan", _fields("continuity_plan"))]
    book.table_sheet(fmt.PLAN_SHEET, None, _stacked(book, cols), data.items["continuity_plan"],
                     row_id=lambda r: r.hid)
    fb_rows = [(p.plan, n, fb) for p in data.plans for n, fb in enumerate(p.fallbacks, 1)]
    cols = [Col(fmt.PLAN, lambda x: x[0].hid, "id"), Col(fmt.NR, lambda x: x[1], "int", width=6)]
    for c in _field_cols(book, "fallback", KINDS["fallback"].field_names):
        cols.append(Col(c.heading, (lambda g: lambda x: g(x[2]))(c.get), c.type, c.validation, c.width))
    book.table_sheet(fmt.FALLBACK_SHEET, None, _stacked(book, cols), fb_rows, row_id=lambda x: f"{x[0].hid}.{x[1]}")
    ct_rows = [(p.plan, n, ct) for p in data.plans for n, ct in enumerate(p.contacts, 1)]
    cols = [Col(fmt.PLAN, lambda x: x[0].hid, "id"), Col(fmt.NR, lambda x: x[1], "int", width=6)]
    for c in _field_cols(book, "contact", KINDS["contact"].field_names):
        cols.append(Col(c.heading, (lambda g: lambda x: g(x[2]))(c.get), c.type, c.validation, c.width))
    book.table_sheet(fmt.CONTACT_SHEET, None, _stacked(book, cols), ct_rows, row_id=lambda x: f"{x[0].hid}.{x[1]}")


def _exercises(book: WorkbookBuilder) -> None:
    data = book.data
    cols = [_id_col(), *_field_cols(book, "exercise", _fields("exercise", "secret")),
            _link_col(data, fmt.EXERCISE_SHEET, "exercise_action"), *_field_cols(book, "exercise", ["secret"])]
    book.table_sheet(fmt.EXERCISE_SHEET, None, _stacked(book, cols), data.items["exercise"], row_id=lambda r: r.hid)


def _gaps(book: WorkbookBuilder) -> None:
    data = book.data
    rows = data.gaps or []
    sev = book.list_name("Lista_Allvarlighet", list(severity.SEVERITIES))
    cols = [Col("Regel", lambda g: g.rule, "text", width=18),
            Col("Allvarlighet", lambda g: g.severity, "enum", sev),
            Col("Verksamhet", lambda g: data.hid("function", g.function_id), "id", width=11),
            Col("Beroende", lambda g: data.hid("dependency", g.dependency_id), "id", width=10),
            Col("Rubrik", lambda g: g.title, "text", width=40),
            Col("Förklaring", lambda g: g.explanation, "long"),
            Col("Berörda objekt", lambda g: ", ".join(g.items or ()), "hids"),
            Col("Föreslagen åtgärd", lambda g: g.suggested_action, "long", width=50)]
    ws = book.table_sheet(fmt.GAP_SHEET, None, _stacked(book, cols), rows, row_id=lambda g: g.rule,
                          freeze_first_col=False)
    if data.gaps is None:
        ws.cell(3, 1, "Gapanalysen ingår inte i den här versionen av programmet.")


def _scales(book: WorkbookBuilder) -> None:
    sc = book.data.scales
    rows: list[tuple] = []
    for lv in sc.likelihood:
        rows.append((fmt.SCALE_LIKELIHOOD, lv.value, "", lv.label, lv.description, lv.frequency, "", None))
    for lv in sc.consequence:
        rows.append((fmt.SCALE_CONSEQUENCE, lv.value, "", lv.label, lv.description, "", "", None))
    for i, d in enumerate(sc.dimensions, 1):
        rows.append((fmt.SCALE_DIMENSION, i, d.code, d.label, d.description, "", "", None))
    for b in sc.bands:
        rows.append((fmt.SCALE_BAND, None, "", b.label, "", "", b.colour, b.min_score))
    for lv in sc.capability:
        rows.append((fmt.SCALE_CAPABILITY, lv.value, "", lv.label, lv.description, "", "", None))
    for h in sc.horizons:
        rows.append((fmt.SCALE_HORIZON, h.minutes, "", h.label, "", "", "", None))
    agg = KINDS["analysis"].field("consequence_aggregation").choice_label(sc.aggregation)
    rows.append((fmt.SCALE_AGGREGATION, None, sc.aggregation, agg, "", "", "", None))
    rows.append((fmt.SCALE_UNACCEPTABLE, sc.unacceptable_level, "", sc.consequence_label(sc.unacceptable_level),
                 "", "", "", None))
    names = list(fmt.SCALE_COLUMNS)
    types = ["text", "int", "text", "text", "long", "text", "colour", "int"]
    widths = [26, 9, 14, 30, 70, 32, 10, 10]
    cols = [Col(n, operator.itemgetter(i), t, width=w) for i, (n, t, w) in enumerate(zip(names, types, widths))]
    book.table_sheet(fmt.SCALE_SHEET, None, cols, rows, freeze_first_col=False)


def build_workbook(data: ReportData):
    """The workbook for gathered data (reports.xlsx_writer.Workbook, not yet saved)."""
    book = WorkbookBuilder(data)
    for step in (_summary, _participants, _functions, _dependencies, _links, _risks, _matrix_sheet,
                 _vulnerabilities, _actions, _plans, _exercises, _gaps, _scales):
        step(book)
    book.finish()
    return book.wb


def write_xlsx(data: ReportData, path: str | os.PathLike) -> Path:
    """Write the workbook atomically: a temporary file beside `path`, then renamed onto it."""
    from rsa_desktop.reports.atomic import save_workbook, write_atomic

    wb = build_workbook(data)
    return write_atomic(path, lambda tmp: save_workbook(wb, tmp))


def export_xlsx(svc: RsaService, analysis_id: int, path: str | os.PathLike, *, public: bool = False,
                today: dt.date | None = None) -> Path:
    """Gather an analysis and write its Excel submission (or its öppet utdrag) to `path`."""
    return write_xlsx(gather(svc, analysis_id, public=public, today=today), path)
