"""The workbook as the export builds it, written by XlsxWriter (Qt-free).

The export code (reports/xlsx.py, reports/consolidated.py) builds sheets through a small subset of
openpyxl's worksheet interface – `cell()`, column and row dimensions, page setup, header and footer,
tables, list validation, freeze panes, defined names, document properties – and keeps openpyxl's
style objects (Font, PatternFill, Alignment, Border) as plain values. This module records that and
writes it with XlsxWriter, which was measured 4× faster than openpyxl for the same cells and styles of
the large demo (issue 20; the figures are in docs/excel-format.md). openpyxl still reads workbooks.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

_TABLE_STYLE = {"TableStyleMedium2": "Table Style Medium 2"}


class Cell:
    __slots__ = ("row", "column", "value", "data_type", "font", "fill", "alignment", "border", "number_format",
                 "quotePrefix")

    def __init__(self, row: int, column: int, value: Any = None):
        self.row, self.column, self.value = row, column, value
        self.data_type = "s" if isinstance(value, str) else "n"
        self.font = self.fill = self.alignment = self.border = None
        self.number_format = None
        self.quotePrefix = False

    @property
    def column_letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.column)


class _Dim:
    __slots__ = ("width", "height")

    def __init__(self):
        self.width = None
        self.height = None


class _Dims(dict):
    def __missing__(self, key):
        d = self[key] = _Dim()
        return d


@dataclass
class _PageSetup:
    orientation: str = "portrait"
    paperSize: Any = None
    fitToWidth: int = 1
    fitToHeight: int = 1


@dataclass
class _PageSetupPr:
    fitToPage: bool = False


@dataclass
class _SheetProperties:
    pageSetUpPr: _PageSetupPr = field(default_factory=_PageSetupPr)


@dataclass
class _Margins:
    left: float = 0.7
    right: float = 0.7
    top: float = 0.75
    bottom: float = 0.75
    header: float = 0.3
    footer: float = 0.3


class Worksheet:
    PAPERSIZE_A4 = "9"

    def __init__(self, title: str):
        from openpyxl.worksheet.header_footer import HeaderFooterItem

        self.title = title
        self._cells: dict[tuple[int, int], Cell] = {}
        self.column_dimensions = _Dims()
        self.row_dimensions = _Dims()
        self.page_setup = _PageSetup()
        self.sheet_properties = _SheetProperties()
        self.page_margins = _Margins()
        self.print_title_rows: str | None = None
        self.print_title_cols: str | None = None
        self.oddHeader = HeaderFooterItem()  # openpyxl's, so the header string is built exactly as openpyxl does
        self.oddFooter = HeaderFooterItem()
        self.tables: dict[str, Any] = {}
        self.validations: list[Any] = []
        self.freeze_panes: str | None = None
        self.sheet_state = "visible"

    def cell(self, row: int, column: int, value: Any = None) -> Cell:
        c = self._cells.get((row, column))
        if c is None:
            c = self._cells[(row, column)] = Cell(row, column)
        if value is not None:
            c.value = value
            c.data_type = "s" if isinstance(value, str) else "n"
        return c

    def add_table(self, table) -> None:
        self.tables[table.displayName] = table

    def add_data_validation(self, dv) -> None:
        self.validations.append(dv)


@dataclass
class _Properties:
    title: str = ""
    subject: str = ""
    creator: str = ""
    keywords: str = ""
    language: str = ""


class Workbook:
    """What the export builds; `save(target)` writes it with XlsxWriter."""

    def __init__(self):
        self.worksheets: list[Worksheet] = []
        self.defined_names: dict[str, Any] = {}
        self.properties = _Properties()
        self.active = 0

    def create_sheet(self, title: str) -> Worksheet:
        ws = Worksheet(title)
        self.worksheets.append(ws)
        return ws

    @property
    def sheetnames(self) -> list[str]:
        return [ws.title for ws in self.worksheets]

    def __getitem__(self, name: str) -> Worksheet:
        return next(ws for ws in self.worksheets if ws.title == name)

    def save(self, target) -> None:
        _write(self, target)


# -- writing -------------------------------------------------------------------------------------------

def _rgb(colour) -> str | None:
    if colour is None:
        return None
    rgb = getattr(colour, "rgb", colour)
    if not isinstance(rgb, str):
        return None
    return "#" + rgb[-6:]


class _Formats:
    """One XlsxWriter Format per distinct style, as openpyxl keeps one per distinct style."""

    def __init__(self, book):
        self.book = book
        self.cache: dict[tuple, Any] = {}
        self.by_id: dict[tuple, Any] = {}

    def key(self, c: Cell) -> tuple:
        f, fill, al, b = c.font, c.fill, c.alignment, c.border
        fk = (bool(f.b), bool(f.i), f.sz, _rgb(f.color), f.name) if f is not None else None
        fillk = _rgb(fill.fgColor) if fill is not None and fill.fill_type == "solid" else None
        alk = (bool(al.wrap_text), al.vertical, al.horizontal) if al is not None else None
        bk = (_rgb(b.left.color) if b.left is not None else None) if b is not None and b.left is not None \
            and b.left.style else None
        return (fk, fillk, alk, bk, c.number_format, bool(c.quotePrefix))

    def get(self, c: Cell):
        # Style objects are shared between cells and alive while the book is written: look up by identity
        # first (reading openpyxl's descriptors for every cell cost more than writing the cell).
        ik = (id(c.font), id(c.fill), id(c.alignment), id(c.border), c.number_format, c.quotePrefix)
        fmt = self.by_id.get(ik, self)
        if fmt is not self:
            return fmt
        fmt = self.by_id[ik] = self._get(c)
        return fmt

    def _get(self, c: Cell):
        k = self.key(c)
        fmt = self.cache.get(k)
        if fmt is None:
            fk, fillk, alk, bk, number_format, quote = k
            props: dict[str, Any] = {}
            if fk is not None:
                bold, italic, size, colour, name = fk
                props.update(bold=bold, italic=italic)
                if size:
                    props["font_size"] = float(size)
                if colour:
                    props["font_color"] = colour
            if fillk:
                props.update(pattern=1, bg_color=fillk)
            if alk is not None:
                wrap, vertical, horizontal = alk
                if wrap:
                    props["text_wrap"] = True
                if vertical:
                    props["valign"] = {"center": "vcenter"}.get(vertical, vertical)
                if horizontal:
                    props["align"] = horizontal
            if bk is not None:
                props.update(border=1, border_color=bk)
            if number_format and number_format != "General":
                props["num_format"] = number_format
            if quote:
                props["quote_prefix"] = True
            fmt = self.cache[k] = self.book.add_format(props) if props else None
        return fmt


def _header_string(item) -> str:
    # openpyxl writes a line break as "_x000a_" (its XML escape); XlsxWriter escapes it itself.
    return str(item).replace("_x000a_", "\n") if item.left.text or item.center.text or item.right.text else ""


def _rows(spec: str) -> tuple[int, int]:
    a, b = spec.replace("$", "").split(":")
    return int(a) - 1, int(b) - 1


def _write(wb: Workbook, target) -> None:
    import xlsxwriter
    from openpyxl.utils import column_index_from_string, range_boundaries
    from openpyxl.utils.cell import coordinate_from_string

    out = str(target) if not hasattr(target, "write") else io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False, "in_memory": True,
                                     "default_date_format": "yyyy-mm-dd"})
    formats = _Formats(book)
    for ws in wb.worksheets:
        xs = book.add_worksheet(ws.title)
        for letter, dim in ws.column_dimensions.items():
            if dim.width is not None:
                i = column_index_from_string(letter) - 1
                xs.set_column(i, i, dim.width)
        for r, dim in ws.row_dimensions.items():
            if dim.height is not None:
                xs.set_row(r - 1, dim.height)
        headers: dict[tuple[int, int], Any] = {}
        for table in ws.tables.values():
            c1, r1, c2, _r2 = range_boundaries(table.ref)
            for c in range(c1, c2 + 1):
                headers[(r1, c)] = table
        for (r, c), cell in ws._cells.items():
            if (r, c) in headers:
                continue  # written by the table
            fmt = formats.get(cell)
            v = cell.value
            if v is None or v == "":
                if fmt is not None:
                    xs.write_blank(r - 1, c - 1, None, fmt)
            elif isinstance(v, str):
                xs.write_string(r - 1, c - 1, v, fmt)
            elif isinstance(v, bool):
                xs.write_boolean(r - 1, c - 1, v, fmt)
            elif isinstance(v, (int, float)):
                xs.write_number(r - 1, c - 1, v, fmt)
            elif isinstance(v, dt.datetime):
                xs.write_datetime(r - 1, c - 1, v, fmt)
            elif isinstance(v, dt.date):
                xs.write_datetime(r - 1, c - 1, dt.datetime.combine(v, dt.time()), fmt)
            else:
                xs.write_string(r - 1, c - 1, str(v), fmt)
        for name, table in ws.tables.items():
            c1, r1, c2, r2 = range_boundaries(table.ref)
            columns = []
            for c in range(c1, c2 + 1):
                cell = ws._cells.get((r1, c))
                columns.append({"header": str(cell.value) if cell is not None and cell.value is not None
                                else f"Kolumn{c}", "header_format": formats.get(cell) if cell is not None else None})
            style = table.tableStyleInfo.name if table.tableStyleInfo is not None else "TableStyleMedium2"
            xs.add_table(r1 - 1, c1 - 1, r2 - 1, c2 - 1, {
                "name": name, "columns": columns, "autofilter": True,
                "style": _TABLE_STYLE.get(style, style), "banded_rows": True})
        for dv in ws.validations:
            for rng in str(dv.sqref).split():
                c1, r1, c2, r2 = range_boundaries(rng)
                xs.data_validation(r1 - 1, c1 - 1, r2 - 1, c2 - 1, {
                    "validate": "list", "source": dv.formula1, "ignore_blank": bool(dv.allow_blank),
                    "show_error": bool(dv.showErrorMessage), "error_title": dv.errorTitle or "",
                    "error_message": dv.error or "", "show_input": bool(dv.showInputMessage)})
        if ws.freeze_panes:
            letters, row = coordinate_from_string(ws.freeze_panes)
            xs.freeze_panes(row - 1, column_index_from_string(letters) - 1)
        ps = ws.page_setup
        if ps.orientation == "landscape":
            xs.set_landscape()
        else:
            xs.set_portrait()
        if ps.paperSize:
            xs.set_paper(int(ps.paperSize))
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            xs.fit_to_pages(ps.fitToWidth or 0, ps.fitToHeight or 0)
        m = ws.page_margins
        xs.set_margins(left=m.left, right=m.right, top=m.top, bottom=m.bottom)
        head, foot = _header_string(ws.oddHeader), _header_string(ws.oddFooter)
        if head:
            xs.set_header(head, {"margin": m.header})
        if foot:
            xs.set_footer(foot, {"margin": m.footer})
        if ws.print_title_rows:
            xs.repeat_rows(*_rows(ws.print_title_rows))
        if ws.print_title_cols:
            a, b = ws.print_title_cols.replace("$", "").split(":")
            xs.repeat_columns(column_index_from_string(a) - 1, column_index_from_string(b) - 1)
        if ws.sheet_state == "hidden":
            xs.hide()
    for name, dn in wb.defined_names.items():
        book.define_name(name, "=" + (dn.attr_text if hasattr(dn, "attr_text") else str(dn)))
    p = wb.properties
    book.set_properties({"title": p.title, "subject": p.subject, "author": p.creator, "keywords": p.keywords})
    if 0 < wb.active < len(wb.worksheets):
        book.worksheets()[wb.active].activate()
    book.close()
    if isinstance(out, io.BytesIO):
        target.write(out.getvalue())
