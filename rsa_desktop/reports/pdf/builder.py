"""The Builder: a report's story of headings, paragraphs, tables and figures in the report's styles."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.reports.chapters import appendix_ref
from rsa_desktop.reports.common import TABLE_CELL_LIMIT, ReportData, ReportTemplate, clean_text
from rsa_desktop.reports.pdf.styles import FONT, FONT_BOLD, GRID, NAVY, ZEBRA, Styles
from rsa_desktop.reports.pdf.tables import cell_key, column_widths, group_table_cls, plain_of
from rsa_desktop.reports.pdf.text import esc, heading_cls, paragraph_cls, shortened
from rsa_desktop.reports.prose import fixed_text
from rsa_desktop.services.rsa import RsaService

LONG_TABLE_ROWS = 12  # longer tables leave the main chapters for the registers appendix
SUMMARY_ROWS = 10  # rows the chapter keeps of such a table


class Builder:
    """Builds a report's story: headings, paragraphs, tables and figures in the report's styles.
    Public for the other PDF writers (reports/consolidated.py)."""

    def __init__(self, data: ReportData, template: ReportTemplate, svc: RsaService | None):
        self.data = data
        self.t = template
        self.svc = svc
        self.s = Styles()
        self.story: list = []
        self.toc = None  # the TableOfContents flowable (toc_page)
        # Full tables moved out of the main chapters; printed in the registers appendix (appendices.registers).
        self.registers: list[tuple[str, list[str], list[list[Any]], list[float], dict]] = []
        self.Heading = heading_cls()
        from reportlab.lib.units import mm

        self.mm = mm
        self.width = 210 * mm - 42 * mm

    # text ---------------------------------------------------------------------------

    def h1(self, text: str, key: str = "") -> None:
        from reportlab.platypus import PageBreak

        self.story.append(PageBreak())
        self.story.append(self.Heading(text, self.s.h1, 0, key))

    # Headings use a conditional page break rather than keepWithNext: keepWithNext would glue a heading to
    # a whole table and push both to the next page, leaving half a page empty.
    def h2(self, text: str, room: float = 45) -> None:
        from reportlab.platypus import CondPageBreak

        self.story.append(CondPageBreak(room * self.mm))
        self.story.append(self.Heading(text, self.s.h2, 1, ""))

    def h3(self, text: str, room: float = 35) -> None:
        from reportlab.platypus import CondPageBreak

        self.story.append(CondPageBreak(room * self.mm))
        self.story.append(self.Heading(text, self.s.h3, 2, "", toc=False))

    def para(self, text: Any, style=None) -> None:
        """User text: one Paragraph per paragraph (blank-line separated), escaped."""
        Paragraph = paragraph_cls()

        s = clean_text(text).strip()
        if not s:
            return
        for block in s.split("\n\n"):
            block = block.strip("\n")
            if block:
                self.story.append(Paragraph(esc(block), style or self.s.body))

    def markup(self, markup: str, style=None) -> None:
        Paragraph = paragraph_cls()

        self.story.append(Paragraph(markup, style or self.s.body))

    def field(self, label: str, text: Any) -> None:
        if clean_text(text).strip():
            from reportlab.platypus import CondPageBreak
            Paragraph = paragraph_cls()

            self.story.append(CondPageBreak(18 * self.mm))
            self.story.append(Paragraph(escape(label), self.s.label))
            self.para(text)

    def none(self, text: str | None = None) -> None:
        self.markup(escape(text or fixed_text(self.t, "no_items")), self.s.intro)

    # tables ------------------------------------------------------------------------

    def cell(self, value: Any, style=None, limit: int = TABLE_CELL_LIMIT):
        Paragraph = paragraph_cls()

        if value is None:
            value = ""
        if hasattr(value, "wrapOn"):
            return value
        text = shortened(value, limit)
        p = Paragraph.plain(text, style or self.s.cell)
        p.rsa_plain = text  # for column_widths
        return p

    def mcell(self, markup: str, style=None):
        """A cell from markup the caller has built with `esc()` around every piece of user text."""
        Paragraph = paragraph_cls()

        return Paragraph(markup, style or self.s.cell)

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float], *,
              fills: list[tuple[tuple[int, int], str]] | None = None, repeat: bool = True,
              first_col_bold: bool = False):
        """A table with a repeated header row; `widths` are fractions of the text width."""
        from reportlab.lib import colors
        from reportlab.platypus import TableStyle

        head = [self.cell(h, self.s.head) for h in header]
        body = [[self.cell(v, self.s.cell_bold if (first_col_bold and i == 0) else None) for i, v in enumerate(r)]
                for r in rows]
        groups: dict[int, tuple[str, Any]] = {}
        if body and len(body[0]) > 1 and any(not plain_of(r[0]).strip() for r in body):
            label = None
            for r in body:  # rows under a labelled row belong to its group
                if plain_of(r[0]).strip():
                    label = (plain_of(r[0]).strip(), getattr(r[0], "style", None))
                elif label is not None:
                    groups[cell_key(r[-1])] = label
        t = group_table_cls()([head, *body], colWidths=self.widths([head, *body], widths),
                               repeatRows=1 if repeat else 0, hAlign="LEFT")
        if groups:
            t.rsa_groups, t.rsa_cell = groups, self.cell
        style = [("FONT", (0, 0), (-1, -1), FONT, 8),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NAVY)),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID)),
                 ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID)),
                 ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                 ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
        for i in range(1, len(rows) + 1):
            if i % 2 == 0:
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor(ZEBRA)))
        for (col, row), colour in fills or []:
            style.append(("BACKGROUND", (col, row + 1), (col, row + 1), colors.HexColor(colour)))
        t.setStyle(TableStyle(style))
        self.story.append(t)
        self.space(6)
        return t

    def long_table(self, title: str, header: list[str], rows: list[list[Any]], widths: list[float], *,
                   fills: list[tuple[tuple[int, int], str]] | None = None, pick: list[int] | None = None,
                   first_col_bold: bool = False, what: str = "rader", chosen: str = "de allvarligaste") -> None:
        """A table a nämnd reads in the chapter when short; when longer than LONG_TABLE_ROWS the chapter gets
        the SUMMARY_ROWS rows of `pick` (most serious first) and the whole table goes to the registers
        appendix, so nothing leaves the report. An empty first cell (a grouped row) is filled from the row
        above in the summary, whose rows are out of their grouped order."""
        if len(rows) <= LONG_TABLE_ROWS:
            self.table(header, rows, widths, fills=fills, first_col_bold=first_col_bold)
            return
        order = list(pick if pick is not None else range(len(rows)))[:SUMMARY_ROWS]
        label, labels = "", []
        for r in rows:
            label = r[0] if plain_of(r[0]).strip() else label
            labels.append(label)
        short = [[labels[i], *rows[i][1:]] for i in order]
        at = {i: n for n, i in enumerate(order)}
        short_fills = [((c, at[r]), colour) for (c, r), colour in fills or [] if r in at]
        self.markup(escape(fixed_text(self.t, "long_table", rows=len(rows), what=what, shown=len(order),
                                      chosen=chosen, appendix=appendix_ref(self.t, "registers"))), self.s.small)
        self.table(header, short, widths, fills=short_fills, first_col_bold=first_col_bold)
        self.registers.append((title, header, rows, widths, {"fills": fills, "first_col_bold": first_col_bold}))

    def widths(self, rows: list[list[Any]], fractions: list[float], total: float | None = None,
               size: float = 8) -> list[float]:
        """Column widths for rows of cells (see column_widths); the first row is the header."""
        columns: list[list[tuple[str, str]]] = [[] for _ in fractions]
        for r, row in enumerate(rows):
            for i, v in enumerate(row[:len(fractions)]):
                style = getattr(v, "style", None)
                font = getattr(style, "fontName", FONT) if style is not None else (FONT_BOLD if r == 0 else FONT)
                columns[i].append((plain_of(v), font))
        return column_widths(columns, fractions, total or self.width, size)

    def kv(self, pairs: list[tuple[str, Any]], label_width: float = 0.3) -> None:
        """A two-column fact box (label, value) for the pairs that have a value."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        rows = [[self.cell(k, self.s.cell_bold), self.cell(v)] for k, v in pairs
                if v is not None and clean_text(v).strip()]
        if not rows:
            return
        t = Table(rows, colWidths=self.widths([[], *rows], [label_width, 1 - label_width]), hAlign="LEFT")
        t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(ZEBRA)),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID)),
                               ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID)),
                               ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]))
        self.story.append(t)
        self.space(6)

    def space(self, points: float) -> None:
        from reportlab.platypus import Spacer

        self.story.append(Spacer(1, points))

    def figure(self, make: Callable[[], Any], caption: str, max_height: float | None = None,
               heading: str = "") -> None:
        """A matplotlib figure from reports.charts as a vector drawing (SVG → svglib), with a caption."""
        drawing = svg_drawing(make, self.width, max_height or 0.62 * 297 * self.mm)
        if drawing is None:
            return
        self._place(drawing, caption, heading)

    def drawing(self, drawing: Any, caption: str, max_height: float | None = None, heading: str = "") -> None:
        """A reportlab Drawing, scaled down to the text width and `max_height`, with a caption."""
        fit_drawing(drawing, self.width, max_height or 0.62 * 297 * self.mm)
        self._place(drawing, caption, heading)

    def _place(self, drawing: Any, caption: str, heading: str) -> None:
        from reportlab.platypus import KeepTogether
        Paragraph = paragraph_cls()

        parts = [self.Heading(heading, self.s.h2, 1, "")] if heading else []
        self.story.append(KeepTogether([*parts, drawing, Paragraph(escape(caption), self.s.small)]))
        self.space(8)

    # lookups -----------------------------------------------------------------------

    def hids(self, link: str, item_id: int, side: str = "left") -> str:
        return ", ".join(self.data.linked_hids(link, item_id, side=side))

    def label_of(self, kind: str, field: str, code: Any) -> str:
        return KINDS[kind].field(field).choice_label(code) if code else ""


def svg_drawing(make: Callable[[], Any], width: float, max_height: float):
    """Run `make()` → SVG bytes and turn them into a scaled reportlab Drawing with embedded fonts only."""
    try:
        svg = make()
        from svglib.svglib import svg2rlg
    except ImportError:  # charts or svglib not installed: the report is complete without the figure
        return None
    if svg is None:
        return None

    drawing = svg2rlg(io.BytesIO(svg))
    if drawing is None:
        return None
    drawing.initialFontName = FONT  # the renderer's initial state; its default is an unembedded Helvetica
    _force_font(drawing)
    fit_drawing(drawing, width, max_height)
    drawing.hAlign = "CENTER"
    return drawing


def fit_drawing(drawing: Any, width: float, max_height: float) -> None:
    """Scale a Drawing to fit `width` × `max_height` (its aspect kept)."""
    scale = min(width / drawing.width, max_height / drawing.height) if drawing.width and drawing.height else 1
    drawing.width *= scale
    drawing.height *= scale
    drawing.scale(scale, scale)


def _force_font(node) -> None:
    """svglib falls back to an unembedded Helvetica for any text; use the embedded family instead."""
    from reportlab.graphics.shapes import String

    if isinstance(node, String):
        bold = "bold" in str(getattr(node, "fontName", "")).lower()
        node.fontName = FONT_BOLD if bold else FONT
    for child in getattr(node, "contents", []) or []:
        _force_font(child)
