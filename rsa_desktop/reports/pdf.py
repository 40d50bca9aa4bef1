"""The PDF report to kommunstyrelsen (reportlab), in the structure of MSBFS 2015:5.

Chapter headings and fixed texts come from resources/report/template.json; every page carries the
classification marking in its header and footer; all fonts are DejaVu Sans from resources/fonts,
embedded as subsets. User text is always escaped before it reaches a Paragraph's markup parser, or
skips the parser altogether (Paragraph.plain: a plain table cell becomes one text fragment).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from rsa_desktop import paths
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.public import document_subject
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.model.kinds import KINDS
from rsa_desktop.reports.chapters import appendix_name, appendix_ref
from rsa_desktop.reports.common import (
    TABLE_CELL_LIMIT,
    ReportData,
    ReportTemplate,
    clean_text,
    export_stamp,
    gather,
    hid_key,
    impact_colour,
    key_figures,
    load_template,
    reserve_card,
    shorten,
    top_risks,
    yes_no,
)
from rsa_desktop.reports.hyphenation import hyphenator, swedish
from rsa_desktop.services.rsa import RsaService

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf", FONT_ITALIC: "DejaVuSans-Oblique.ttf",
               FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf"}

NAVY = "#1F3864"
MARK_RED = "#B00020"
GRID = "#B7C0CE"
ZEBRA = "#F2F4F8"
MUTED = "#555555"


def register_fonts() -> None:
    """Register the DejaVu Sans family shipped in resources/fonts (idempotent)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = paths.resource("fonts")
    for name, file in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT, bold, italic, [[FONT, FONT_ITALIC], [FONT_BOLD, FONT_BOLD_ITALIC]][bold][italic])


# -- text helpers ----------------------------------------------------------------------------

# clean_text shows a control character as its Control Picture (U+2400 …); DejaVu Sans has no glyphs for
# those, and a replacement character reads as garbage ("��"), so in print it becomes a plain space.
_CONTROL_PICTURES = {cp: " " for cp in range(0x2400, 0x2422)}
_CONTROL_PICTURES[0xFFFD] = " "
# Joiners and variation selectors are invisible parts of emoji sequences; dropped with the emoji.
for _cp in (0x200D, 0xFE0E, 0xFE0F, 0x20E3):
    _CONTROL_PICTURES[_cp] = None
_CANDIDATE = re.compile("[^\x00-\u052F\u2000-\u206F\u20A0-\u20BF\u2100-\u21FF]+")
_LONG_TOKEN = re.compile(r"\S{23,}")
_ALPHA_RUN = re.compile(r"[^\W\d_]{5,}")
_SECRET_ID = re.compile(r"(\S) \(S\)")
_SHY = "\xad"
NO_GLYPH = "[symbol]"  # what a character the embedded font cannot draw (an emoji) prints as
_glyphs: frozenset[int] | None = None


def _font_glyphs() -> frozenset[int]:
    global _glyphs
    if _glyphs is None:
        register_fonts()
        from reportlab.pdfbase import pdfmetrics

        _glyphs = frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)
    return _glyphs


def _replace_missing(m: re.Match) -> str:
    glyphs = _font_glyphs()
    out: list[str] = []
    for ch in m.group(0):
        if ord(ch) in glyphs:
            out.append(ch)
        elif not out or out[-1] != NO_GLYPH:  # an emoji sequence (flags, skin tones) is one symbol
            out.append(NO_GLYPH)
    return "".join(out)


def _soft_hyphens(m: re.Match) -> str:
    """A very long token with soft hyphens where it may break: Swedish hyphenation points, and at least
    every 10 characters, so that reportlab never has to cut it at an arbitrary letter without a hyphen."""
    token = m.group(0)
    if hyphenator():  # the words in it (a URL's too) at their Swedish hyphenation points
        token = _ALPHA_RUN.sub(lambda w: swedish().inserted(w.group(0), hyphen=_SHY), token)
    out = []
    for piece in token.split(_SHY):
        out.append(_SHY.join(piece[i:i + 10] for i in range(0, len(piece), 10)) if len(piece) > 12 else piece)
    return _SHY.join(out)


def pdf_text(text: Any) -> str:
    """User text as it is printed: cleaned, every character one the embedded font can show (an emoji is
    NO_GLYPH, a control character a space), a secret mark glued to its ID, very long tokens breakable."""
    s = clean_text(text)
    if not s.isascii():
        s = _CANDIDATE.sub(_replace_missing, s.translate(_CONTROL_PICTURES))
    if "(S)" in s:
        s = _SECRET_ID.sub("\\1\xa0(S)", s)
    if len(s) > 22 and _LONG_TOKEN.search(s):
        s = _LONG_TOKEN.sub(_soft_hyphens, s)
    return s


def esc(text: Any) -> str:
    """User text as Paragraph markup: escaped, control characters visible, line breaks kept."""
    return escape(pdf_text(text)).replace("\n", "<br/>")


def _limit(text: Any, limit: int = TABLE_CELL_LIMIT) -> str:
    return shorten(pdf_text(text), limit)


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _level(value: int | None, label: str) -> str:
    if value is None:
        return "–"
    return f"{value} {label}".strip()


class _Styles:
    def __init__(self):
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        base = ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=13.6, spaceAfter=5,
                              textColor=colors.HexColor("#1A1A1A"), splitLongWords=1,
                              # Swedish hyphenation at line ends, breaks at a compound's own hyphen
                              # ("IT-system") and after a URL's / or ., before any cut without a hyphen.
                              hyphenationLang=hyphenator(), embeddedHyphenation=1, uriWasteReduce=0.3)
        self.body = base
        # Headings, titles and the table of contents are not hyphenated (and are wide enough not to need it).
        heading = ParagraphStyle("Heading", base, hyphenationLang="", embeddedHyphenation=0)
        self.h1 = ParagraphStyle("H1", heading, fontName=FONT_BOLD, fontSize=16, leading=20, spaceBefore=0,
                                 spaceAfter=10, textColor=colors.HexColor(NAVY), keepWithNext=1)
        self.h2 = ParagraphStyle("H2", heading, fontName=FONT_BOLD, fontSize=12.5, leading=16, spaceBefore=12,
                                 spaceAfter=6, textColor=colors.HexColor(NAVY))
        self.h3 = ParagraphStyle("H3", heading, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=9,
                                 spaceAfter=4)
        self.label = ParagraphStyle("Label", base, fontName=FONT_BOLD, fontSize=8.5, leading=11, spaceAfter=1,
                                    spaceBefore=3, textColor=colors.HexColor(MUTED))
        self.small = ParagraphStyle("Small", base, fontSize=8, leading=10.5, textColor=colors.HexColor(MUTED))
        self.cell = ParagraphStyle("Cell", base, fontSize=8, leading=10.2, spaceAfter=0)
        self.cell_bold = ParagraphStyle("CellBold", self.cell, fontName=FONT_BOLD)
        self.head = ParagraphStyle("Head", self.cell, fontName=FONT_BOLD, textColor=colors.white)
        self.center = ParagraphStyle("Center", self.cell, alignment=TA_CENTER)
        self.intro = ParagraphStyle("Intro", base, fontName=FONT_ITALIC, textColor=colors.HexColor("#333333"))
        self.title = ParagraphStyle("Title", heading, fontName=FONT_BOLD, fontSize=26, leading=32,
                                    textColor=colors.HexColor(NAVY), spaceAfter=8)
        self.subtitle = ParagraphStyle("Subtitle", heading, fontSize=15, leading=20, spaceAfter=4)
        self.stamp = ParagraphStyle("Stamp", heading, fontName=FONT_BOLD, fontSize=13, leading=17,
                                    textColor=colors.HexColor(MARK_RED), alignment=TA_CENTER)
        self.card_title = ParagraphStyle("CardTitle", heading, fontName=FONT_BOLD, fontSize=17, leading=21,
                                         textColor=colors.HexColor(NAVY), spaceAfter=4)
        self.card_body = ParagraphStyle("CardBody", base, fontSize=9.5, leading=12.8, spaceAfter=3)
        self.toc = [ParagraphStyle("TOC0", heading, fontName=FONT_BOLD, fontSize=10, leading=14, leftIndent=0,
                                   firstLineIndent=0, spaceBefore=5),
                    ParagraphStyle("TOC1", heading, fontName=FONT, fontSize=9, leading=12, leftIndent=14,
                                   firstLineIndent=0, spaceBefore=0)]


class _Heading:
    """Marker for afterFlowable: a heading that goes into the table of contents and the PDF outline."""


_PARAGRAPH: Any = None


def _paragraph_cls():
    """reportlab's Paragraph, remembering its last line breaking.

    Breaking a paragraph into lines is most of the report's cost, and reportlab asks for the same
    paragraph at the same width many times: a table cell when the table's row heights are computed,
    again when the cell is drawn, and every paragraph again in each pass of the build (the table of
    contents needs more than one). The result depends only on the width (the text and style do not
    change), so a repeated request for the width of the last one returns that result instead of
    breaking the lines again. Anything that drops the result (reportlab deletes `blPara` when a split
    fails) or asks for another width computes anew, exactly as before.
    """
    global _PARAGRAPH
    if _PARAGRAPH is None:
        from reportlab.platypus import Paragraph as _RLParagraph

        class Paragraph(_RLParagraph):
            def wrap(self, availWidth, availHeight):
                last = self.__dict__.get("_last_wrap")
                if last is not None and last[0] == availWidth and self.__dict__.get("blPara") is last[1]:
                    self.width, self.height = last[2]
                    return last[2]
                result = super().wrap(availWidth, availHeight)
                blpara = self.__dict__.get("blPara")
                self._last_wrap = (availWidth, blpara, result) if blpara is not None else None
                return result

            @classmethod
            def plain(cls, text: str, style):
                """A paragraph of plain text (no markup, nothing to escape): its one fragment is made
                from the style's, without running reportlab's markup parser (a large report has tens of
                thousands of table cells)."""
                if not text or "\n" in text:
                    return cls(escape(text).replace("\n", "<br/>"), style)
                text = _BLANKS.sub(" ", text).strip()
                known = _FRAG_TEMPLATES.get(id(style))
                if known is None or known[0] is not style:
                    from reportlab.platypus.paraparser import ParaParser

                    _style, frags, _bullet = ParaParser().parse("x", style)
                    known = _FRAG_TEMPLATES[id(style)] = (style, frags[0] if len(frags) == 1 else None)
                if known[1] is None or not text:
                    return cls(escape(text), style)
                return cls(text, style, frags=[known[1].clone(text=text)])

        _PARAGRAPH = Paragraph
    return _PARAGRAPH


_BLANKS = re.compile("[ \t\r\n]+")  # what reportlab's parser folds into one space (not a no-break space)
_FRAG_TEMPLATES: dict[int, tuple[Any, Any]] = {}


def _heading_cls():
    Paragraph = _paragraph_cls()

    class Heading(Paragraph, _Heading):
        def __init__(self, text: str, style, level: int, key: str, toc: bool = True):
            super().__init__(esc(text), style)
            self.plain = clean_text(text)
            self.level = level
            self.key = key
            self.toc = toc

    return Heading


# -- document template -------------------------------------------------------------------------

def doc_classes():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    class NumberedCanvas(Canvas):
        """Defers each page so that the footer can say "Sida X av Y" once the total is known."""

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("initialFontName", FONT)  # never an unembedded Helvetica in the page preamble
            kwargs.setdefault("initialFontSize", 9)
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._draw_page_number(total)
                super().showPage()
            super().save()

        def _draw_page_number(self, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor("#333333")
            w, _h = A4
            self.drawRightString(w - 20 * mm, 12 * mm, f"Sida {self._pageNumber} av {total}")
            self.restoreState()

    class LayoutFrame(Frame):
        """A frame that, in a layout-only pass, places flowables without drawing them."""

        def __init__(self, *args, state: dict, **kwargs):
            super().__init__(*args, **kwargs)
            self.state = state  # ReportDoc.layout: {"only": bool}, shared

        def _add(self, flowable, canv, trySplit=0):
            if not self.state["only"]:
                return super()._add(flowable, canv, trySplit)
            # An instance attribute hides the class' drawOn for this call (set in __dict__ directly:
            # reportlab's Drawing validates attribute assignments).
            attrs = flowable.__dict__
            attrs["drawOn"] = _draw_nothing
            try:
                return super()._add(flowable, canv, trySplit)
            finally:
                attrs.pop("drawOn", None)

        add = _add

    class ReportDoc(BaseDocTemplate):
        def __init__(self, target, data: ReportData, styles: _Styles, **kw):
            super().__init__(target, pagesize=A4, leftMargin=22 * mm, rightMargin=20 * mm, topMargin=26 * mm,
                             bottomMargin=22 * mm, **kw)
            self.data = data
            self.styles = styles
            self.layout = {"only": False}  # a layout-only pass: place every flowable, draw nothing
            frame = LayoutFrame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                                leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, state=self.layout)
            self.addPageTemplates([PageTemplate("title", [frame], onPage=self._title_page),
                                   PageTemplate("body", [frame], onPage=self._body_page)])
            self._outline_keys = 0
            self.passes = 0
            self.layout_only_first_pass = False  # set by build_pdf when the first pass can never be the last

        def beforeDocument(self):
            self._outline_keys = 0  # the same keys in every pass, or the table of contents never settles
            self.passes += 1
            self.layout["only"] = self.layout_only_first_pass and self.passes == 1

        def afterFlowable(self, flowable):
            if isinstance(flowable, _Heading):
                key = f"h{self._outline_keys}"
                self._outline_keys += 1
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(flowable.plain[:120], key, level=flowable.level, closed=flowable.level > 0)
                if flowable.toc:
                    self.notify("TOCEntry", (flowable.level, escape(flowable.plain[:200]), self.page, key))

        # page decorations ------------------------------------------------------------

        def _marking_block(self, canv, y_top: float) -> None:
            from reportlab.lib.styles import ParagraphStyle
            Paragraph = _paragraph_cls()

            marking = self.data.marking
            if marking.empty:
                return
            p = self.__dict__.get("_marking_paragraph")  # the same on every page: made (and broken) once
            if p is None:
                style = ParagraphStyle("HeadMark", fontName=FONT_BOLD, fontSize=7.5, leading=9.2,
                                       textColor=MARK_RED, alignment=1)
                p = self._marking_paragraph = Paragraph(esc(marking.short(230)), style)
            w, h = p.wrap(self.width, 40)
            p.drawOn(canv, self.leftMargin, y_top - h)

        def _decorate(self, canv, doc, *, title_page: bool) -> None:
            if self.layout["only"]:
                return
            w, h = A4
            data = self.data
            canv.saveState()
            self._marking_block(canv, h - 9 * mm)
            canv.setStrokeColor(GRID)
            canv.setLineWidth(0.5)
            canv.line(self.leftMargin, h - 20 * mm, w - self.rightMargin, h - 20 * mm)
            canv.line(self.leftMargin, 17 * mm, w - self.rightMargin, 17 * mm)
            canv.setFillColor("#333333")
            canv.setFont(FONT, 7.5)
            if not title_page:
                org = data.organisation.name if data.organisation is not None else ""
                canv.drawString(self.leftMargin, h - 19 * mm + 1.5,
                                _fit(canv, clean_text(f"{org} – Risk- och sårbarhetsanalys {data.analysis.year}"),
                                     self.width * 0.75, 7.5))
            status = KINDS["analysis"].field("status").choice_label(data.analysis.status)
            if data.analysis.status == "faststalld" and data.analysis.adopted_date:
                status += f" {data.analysis.adopted_date.isoformat()}"
            canv.drawString(self.leftMargin, 12 * mm, f"{status} · exporterad {export_stamp(data)}")
            stamp = data.marking.stamp or ""
            if stamp:
                canv.setFont(FONT_BOLD, 7.5)
                canv.setFillColor(MARK_RED)
                canv.drawCentredString(w / 2, 12 * mm, stamp)
            canv.restoreState()

        def _title_page(self, canv, doc):
            self._decorate(canv, doc, title_page=True)

        def _body_page(self, canv, doc):
            self._decorate(canv, doc, title_page=False)

    return ReportDoc, NumberedCanvas


def _draw_nothing(*_args, **_kwargs) -> None:
    pass


def _toc_entries(story: list) -> list[tuple[int, str, int, str]]:
    """The table of contents' entries as the build will notify them (see ReportDoc.afterFlowable), with
    page -1: headings in story order, inside KeepTogether too (it hands its content to the frame)."""
    from reportlab.platypus.flowables import KeepTogether

    out: list[tuple[int, str, int, str]] = []
    count = 0

    def walk(flowables) -> None:
        nonlocal count
        for f in flowables:
            if isinstance(f, _Heading):
                if f.toc:
                    out.append((f.level, escape(f.plain[:200]), -1, f"h{count}"))
                count += 1
            elif isinstance(f, KeepTogether):
                walk(f._content)

    walk(story)
    return out


def _fit(canv, text: str, width: float, size: float) -> str:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + " …", FONT, size) > width:
        text = text[:-1]
    return text + " …"


_TAG = re.compile(r"<[^>]*>")
_CELL_PAD = 8.5  # a cell's left and right padding, and a hair
_MEASURE = 90  # characters: a longer cell wraps anyway and does not ask for its natural width


def _plain_of(value: Any) -> str:
    """The printed text of a table cell (a string, or a Paragraph made by Builder.cell/mcell)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):  # reportlab's Table holds a cell's flowables in a tuple
        return " ".join(_plain_of(v) for v in value)
    plain = getattr(value, "rsa_plain", None)
    if plain is not None:
        return plain
    text = getattr(value, "text", None)
    if isinstance(text, str):
        from xml.sax.saxutils import unescape

        return unescape(_TAG.sub(" ", text.replace("<br/>", "\n")))
    return ""


def _widest_piece(token: str, font: str, size: float) -> float:
    """The widest part of `token` once hyphenated at its most even Swedish hyphenation point."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    full = stringWidth(token, font, size)
    if not (hyphenator() and token.isalpha() and len(token) >= 5):
        return full
    best = full
    for head, tail in swedish().iterate(token):
        best = min(best, max(stringWidth(head + "-", font, size), stringWidth(tail, font, size)))
    return best


def column_widths(columns: list[list[tuple[str, str]]], fractions: list[float], total: float,
                  size: float = 8) -> list[float]:
    """Column widths (points) sized from the content: no column narrower than its widest word (a
    date, an ID, "Genomförd"), or where that cannot fit, its widest hyphenated piece; a column whose
    longest text is short gives its room to the others; the rest is shared as `fractions` say.

    `columns` holds, per column, every (text, font name) printed in it, the header first."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    n = len(fractions)
    cap = 0.3 * total  # longer words carry soft hyphens (pdf_text) and break anyway
    need, need_hy, natural = [0.0] * n, [0.0] * n, [0.0] * n
    for i, cells in enumerate(columns[:n]):
        widest: dict[str, str] = {}  # the longest tokens (by characters) and their fonts: measured below
        longest = wl = 0
        for text, _font in cells:
            shy = _SHY in text
            for line in (text.replace(_SHY, "") if shy else text).split("\n"):
                if len(line) > _MEASURE:
                    natural[i] = total
                elif len(line) > longest:
                    longest = len(line)
            # A line's natural width is estimated from its length (a generous DejaVu average): measuring
            # every cell is most of this function's cost, and it only decides which columns may give room.
        natural[i] = max(natural[i], longest * size * 0.62)
        for text, font in cells:
            shy = _SHY in text
            # a token with soft hyphens (pdf_text) breaks there: its widest piece (and a hyphen) counts
            tokens = [piece + "-" for t in text.split() for piece in t.split(_SHY)] if shy else text.split()
            if tokens:
                token = max(tokens, key=len)
                if len(token) >= wl - 3:
                    widest[token] = font
                    wl = max(wl, len(token))
        for token, font in widest.items():
            if len(token) < wl - 3:
                continue
            need[i] = max(need[i], stringWidth(token, font, size))
            need_hy[i] = max(need_hy[i], _widest_piece(token, font, size))
    desired = [f * total for f in fractions]
    mins = [min(x + _CELL_PAD, cap) for x in need]
    if sum(mins) > total:
        mins = [min(x + _CELL_PAD, cap) for x in need_hy]
    if sum(mins) >= total:
        return [m * total / sum(mins) for m in mins]
    natural = [max(x + _CELL_PAD, m) for x, m in zip(natural, mins)]
    widths = [max(m, min(d, x)) for m, d, x in zip(mins, desired, natural)]
    over = sum(widths) - total
    if over > 0:  # take it from the columns that have room above their minimum
        slack = [w - m for w, m in zip(widths, mins)]
        widths = [w - over * sl / sum(slack) for w, sl in zip(widths, slack)]
    else:
        spare = -over
        for _round in range(3):  # first to the columns whose text would still wrap, up to its length
            hungry = [i for i in range(n) if natural[i] > widths[i] + 0.01]
            if not hungry or spare < 0.01:
                break
            weight = sum(desired[i] for i in hungry) or 1
            for i in hungry:
                add = min(spare * desired[i] / weight, natural[i] - widths[i])
                widths[i] += add
            spare = total - sum(widths)
        if spare > 0.01:  # the table keeps the text width
            weight = sum(desired) or 1
            widths = [w + spare * d / weight for w, d in zip(widths, desired)]
    return widths


_GROUP_TABLE: Any = None


def _cell_key(value: Any) -> int:
    """The identity of a table cell's content, the same in every part of a split table."""
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    return id(value)


def _group_table_cls():
    """reportlab's Table, repeating a group's label with "(forts.)" where a split page would start
    with a row whose first cell is empty (a continuation row of the group above it)."""
    global _GROUP_TABLE
    if _GROUP_TABLE is None:
        from reportlab.platypus import Table

        class GroupTable(Table):
            rsa_groups: dict | None = None  # id(a row's last cell) → (label, style) of its group
            rsa_cell: Any = None

            def split(self, availWidth, availHeight):
                parts = super().split(availWidth, availHeight)
                groups = self.rsa_groups
                if groups and len(parts) == 2:
                    rest = parts[1]
                    rest.rsa_groups, rest.rsa_cell = groups, self.rsa_cell
                    r = rest.repeatRows if isinstance(rest.repeatRows, int) else len(rest.repeatRows)
                    if len(rest._cellvalues) > r:
                        row = rest._cellvalues[r]
                        group = groups.get(_cell_key(row[-1]))
                        if group is not None and not _plain_of(row[0]).strip():
                            row = list(row)  # the row list is shared with the unsplit table
                            row[0] = self.rsa_cell(f"{group[0]} (forts.)", group[1])
                            rest._cellvalues[r] = row
                            if isinstance(rest._argH, list):
                                rest._argH[r] = None  # its height is measured again
                return parts

        _GROUP_TABLE = GroupTable
    return _GROUP_TABLE


# -- building blocks --------------------------------------------------------------------------

class Builder:
    """Builds a report's story: headings, paragraphs, tables and figures in the report's styles.
    Public for the other PDF writers (reports/consolidated.py)."""

    def __init__(self, data: ReportData, template: ReportTemplate, svc: RsaService | None):
        self.data = data
        self.t = template
        self.svc = svc
        self.s = _Styles()
        self.story: list = []
        self.toc = None  # the TableOfContents flowable (_toc)
        # Full tables moved out of the main chapters; printed in the registers appendix (_registers).
        self.registers: list[tuple[str, list[str], list[list[Any]], list[float], dict]] = []
        self.Heading = _heading_cls()
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
        Paragraph = _paragraph_cls()

        s = clean_text(text).strip()
        if not s:
            return
        for block in s.split("\n\n"):
            block = block.strip("\n")
            if block:
                self.story.append(Paragraph(esc(block), style or self.s.body))

    def markup(self, markup: str, style=None) -> None:
        Paragraph = _paragraph_cls()

        self.story.append(Paragraph(markup, style or self.s.body))

    def field(self, label: str, text: Any) -> None:
        if clean_text(text).strip():
            from reportlab.platypus import CondPageBreak
            Paragraph = _paragraph_cls()

            self.story.append(CondPageBreak(18 * self.mm))
            self.story.append(Paragraph(escape(label), self.s.label))
            self.para(text)

    def none(self, text: str | None = None) -> None:
        self.markup(escape(text or self.t.texts.get("no_items", "Inga uppgifter har registrerats.")), self.s.intro)

    # tables ------------------------------------------------------------------------

    def cell(self, value: Any, style=None, limit: int = TABLE_CELL_LIMIT):
        Paragraph = _paragraph_cls()

        if value is None:
            value = ""
        if hasattr(value, "wrapOn"):
            return value
        text = _limit(value, limit)
        p = Paragraph.plain(text, style or self.s.cell)
        p.rsa_plain = text  # for column_widths
        return p

    def mcell(self, markup: str, style=None):
        """A cell from markup the caller has built with `esc()` around every piece of user text."""
        Paragraph = _paragraph_cls()

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
        if body and len(body[0]) > 1 and any(not _plain_of(r[0]).strip() for r in body):
            label = None
            for r in body:  # rows under a labelled row belong to its group
                if _plain_of(r[0]).strip():
                    label = (_plain_of(r[0]).strip(), getattr(r[0], "style", None))
                elif label is not None:
                    groups[_cell_key(r[-1])] = label
        t = _group_table_cls()([head, *body], colWidths=self.widths([head, *body], widths),
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
            label = r[0] if _plain_of(r[0]).strip() else label
            labels.append(label)
        short = [[labels[i], *rows[i][1:]] for i in order]
        at = {i: n for n, i in enumerate(order)}
        short_fills = [((c, at[r]), colour) for (c, r), colour in fills or [] if r in at]
        self.markup(escape(f"{len(rows)} {what}. Här visas {len(order)} av dem, {chosen} först. Hela "
                           f"förteckningen finns i {appendix_ref(self.t, 'registers')}."), self.s.small)
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
                columns[i].append((_plain_of(v), font))
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
        drawing = _svg_drawing(make, self.width, max_height or 0.62 * 297 * self.mm)
        if drawing is None:
            return
        self._place(drawing, caption, heading)

    def drawing(self, drawing: Any, caption: str, max_height: float | None = None, heading: str = "") -> None:
        """A reportlab Drawing, scaled down to the text width and `max_height`, with a caption."""
        _fit_drawing(drawing, self.width, max_height or 0.62 * 297 * self.mm)
        self._place(drawing, caption, heading)

    def _place(self, drawing: Any, caption: str, heading: str) -> None:
        from reportlab.platypus import KeepTogether
        Paragraph = _paragraph_cls()

        parts = [self.Heading(heading, self.s.h2, 1, "")] if heading else []
        self.story.append(KeepTogether([*parts, drawing, Paragraph(escape(caption), self.s.small)]))
        self.space(8)

    # lookups -----------------------------------------------------------------------

    def hids(self, link: str, item_id: int, side: str = "left") -> str:
        return ", ".join(self.data.linked_hids(link, item_id, side=side))

    def label_of(self, kind: str, field: str, code: Any) -> str:
        return KINDS[kind].field(field).choice_label(code) if code else ""


def _svg_drawing(make: Callable[[], Any], width: float, max_height: float):
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
    _fit_drawing(drawing, width, max_height)
    drawing.hAlign = "CENTER"
    return drawing


def _fit_drawing(drawing: Any, width: float, max_height: float) -> None:
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


# -- chapters ---------------------------------------------------------------------------------

def _catalogues():
    from rsa_desktop.services import catalogues

    return catalogues


def _title_page(b: Builder) -> None:
    from reportlab.platypus import NextPageTemplate, Spacer
    Paragraph = _paragraph_cls()

    d = b.data
    a = d.analysis
    org = d.organisation
    s = b.s
    b.story.append(Spacer(1, 38 * b.mm))
    b.story.append(Paragraph(escape(b.t.title), s.title))
    b.story.append(Paragraph(escape(str(a.year)), s.title))
    if org is not None:
        b.story.append(Spacer(1, 6 * b.mm))
        b.story.append(Paragraph(esc(org.name), s.subtitle))
        if org.committee:
            b.story.append(Paragraph(esc(org.committee), s.body))
    b.story.append(Spacer(1, 12 * b.mm))
    status = KINDS["analysis"].field("status").choice_label(a.status)
    adopted = ""
    if a.status == "faststalld":
        adopted = " ".join(p for p in (_date(a.adopted_date), clean_text(a.adopted_decision)) if p) or "–"
    b.kv([("Analysår", str(a.year)), ("Status", status),
          ("Fastställd", adopted if a.status == "faststalld" else "Ej fastställd"),
          ("Organisation", org.name if org else ""), ("Nämnd eller styrelse", org.committee if org else ""),
          ("Kontaktperson", org.contact_person if org else ""),
          ("Säkerhetssamordnare", org.security_coordinator if org else ""),
          ("Klassificering", d.marking.text if not d.marking.empty else None),
          ("Exporterad", f"{export_stamp(d)} med RSA Desktop {d.program_version}"),
          ("Katalogversion", _catalogues().version_text(a.get("catalogue_version") or ""))], label_width=0.28)
    if not d.marking.empty:
        b.space(10 * b.mm)
        if d.marking.stamp:
            b.story.append(Paragraph(escape(d.marking.stamp), s.stamp))
        if d.public:
            b.markup(escape(d.public_note), ParagraphStyleCentered(s.body))
        elif d.marking.secrecy:
            b.markup(esc(d.marking.secrecy), ParagraphStyleCentered(s.body))
    if d.secret_legend:
        b.space(6 * b.mm)
        b.markup(escape(d.secret_legend), ParagraphStyleCentered(s.body))
    b.story.append(NextPageTemplate("body"))


def ParagraphStyleCentered(style):  # noqa: N802 - reads like a style name where it is used
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "C", style, alignment=TA_CENTER)


def _toc(b: Builder) -> None:
    from reportlab.platypus import PageBreak
    Paragraph = _paragraph_cls()
    from reportlab.platypus.tableofcontents import TableOfContents

    b.story.append(PageBreak())
    b.story.append(Paragraph(escape(b.t.texts.get("toc", "Innehåll")), b.s.h1))
    toc = b.toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = b.s.toc
    toc.tableStyle = [("FONT", (0, 0), (-1, -1), FONT, 9), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                      ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    b.story.append(toc)
    if b.t.basis:
        b.space(10)
        b.markup(escape(b.t.basis), b.s.small)


def _summary(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("summary"), "summary")
    if d.public:
        b.markup(escape(d.public_note), b.s.intro)
    elif d.secret_legend:
        b.markup(escape(d.secret_legend), b.s.intro)
    if clean_text(d.analysis.summary).strip():
        b.para(d.analysis.summary)
    else:
        b.none("Ingen sammanfattning har skrivits.")
    b.h2(t.section("summary", "key_figures"))
    b.table(["", "Antal", "Kommentar"], key_figures(d), [0.34, 0.12, 0.54], first_col_bold=True)
    top = top_risks(d)
    if top:
        b.h2(t.section("summary", "top_risks"))
        rows, fills = [], []
        for i, (score, cons, r) in enumerate(top):
            band = d.scales.band(r.likelihood, cons)
            rows.append([b.data.mark(r), r.title, str(r.likelihood), str(cons), f"{score} {band.label if band else ''}"])
            if band:
                fills.append(((4, i), band.colour))
        b.table(["ID", "Risk", "S", "K", "Riskvärde"], rows, [0.07, 0.63, 0.06, 0.06, 0.18], fills=fills)
        b.para("S = sannolikhet, K = sammanvägd konsekvens, riskvärde = S × K.", b.s.small)


def _description(b: Builder) -> None:
    d = b.data
    t = b.t
    org = d.organisation
    b.h1(t.heading("description"), "description")
    b.h2(t.section("description", "organisation"))
    if org is not None:
        b.kv([("Namn", org.name), ("Typ", b.label_of("organisation", "org_type", org.org_type)),
              ("Nämnd eller styrelse", org.committee),
              ("Antal anställda", str(org.employees) if org.employees is not None else ""),
              ("Kontaktperson", org.contact_person), ("Säkerhetssamordnare", org.security_coordinator)])
    b.h2(t.section("description", "business"))
    if clean_text(d.analysis.business_description).strip():
        b.para(d.analysis.business_description)
    else:
        b.none()
    b.h2(t.section("description", "locations"))
    if clean_text(d.analysis.locations).strip():
        b.para(d.analysis.locations)
    else:
        b.none()


def _method(b: Builder) -> None:
    d = b.data
    t = b.t
    a = d.analysis
    b.h1(t.heading("method"), "method")
    for key, field in (("assignment", "assignment"), ("delimitations", "delimitations"), ("method", "method")):
        b.h2(t.section("method", key))
        if clean_text(a.values[field]).strip():
            b.para(a.values[field])
        else:
            b.none()
    b.h2(t.section("method", "group"))
    if d.participants:
        names = "; ".join(clean_text(", ".join(x for x in (p.name, p.role, p.unit) if x)) for p in d.participants)
        b.para(f"Arbetsgruppen har bestått av {len(d.participants)} personer: {names}. "
               f"Se även {appendix_ref(t, 'participants')}.")
    else:
        b.none()
    b.h2(t.section("method", "scales"))
    sc = d.scales
    agg = "den högsta av dimensionernas konsekvenser" if sc.aggregation == "max" else \
        "medelvärdet av dimensionernas konsekvenser, avrundat uppåt"
    dims = ", ".join(x.label.lower() for x in sc.dimensions)
    b.para(f"Sannolikhet bedöms i {len(sc.likelihood)} nivåer och konsekvens i {len(sc.consequence)} nivåer "
           f"för skyddsvärdena {dims}. En risks sammanvägda konsekvens är {agg}. Riskvärdet är sannolikhet × "
           f"konsekvens, och riskmatrisens färger följer förvaltningens gränser. Konsekvensnivå "
           f"{sc.unacceptable_level} ({sc.consequence_label(sc.unacceptable_level).lower()}) och högre räknas "
           f"som oacceptabel när acceptabel avbrottstid bestäms. Skalorna redovisas i "
           f"{appendix_ref(t, 'scales')}.")


def _functions(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("functions"), "functions")
    c = t.chapter("functions")
    if c.intro:
        b.markup(escape(c.intro), b.s.intro)
    critical = [f for f in d.items["function"] if f.is_critical]
    other = [f for f in d.items["function"] if not f.is_critical]
    b.h2(t.section("functions", "overview"))
    if not critical:
        b.none("Ingen verksamhet har bedömts som samhällsviktig.")
    else:
        b.para(f"Förvaltningen har identifierat {len(critical)} samhällsviktiga verksamheter av "
               f"{len(d.items['function'])} kartlagda.")
        rows = []
        for f in critical:
            regi = b.label_of("function", "operation", f.operation)
            if f.operation == "extern" and f.supplier:
                regi += f" ({clean_text(f.supplier)})"
            rows.append([b.data.mark(f), f.name, f.msb_sector, regi, format_duration(f.max_tolerable_downtime) or "–",
                         format_duration(f.rto) or "–"])
        b.table(["ID", "Verksamhet", "Samhällssektor", "Regi", "Acceptabel avbrottstid", "Återställningstid"],
                rows, [0.06, 0.32, 0.2, 0.16, 0.13, 0.13])
        horizons = d.scales.horizons
        if horizons:
            b.h2(t.section("functions", "impact"))
            b.para("Tabellen visar konsekvensen om verksamheten är helt nere under den angivna tiden, på "
                   f"konsekvensskalan 1–{max((lv.value for lv in d.scales.consequence), default=5)}. "
                   f"Fetstil markerar nivå {d.scales.unacceptable_level} och högre, som förvaltningen bedömer som "
                   "oacceptabel.", b.s.small)
            rows, fills = [], []
            for i, f in enumerate(critical):
                row = [f"{f.hid} {clean_text(f.name)}"]
                levels = d.impacts.get(f.id, {})
                for j, h in enumerate(horizons, 1):
                    lv = levels.get(h.id)
                    style = b.s.center
                    if lv is not None and lv >= d.scales.unacceptable_level:
                        style = ParagraphStyleCentered(b.s.cell_bold)
                    row.append(b.cell("–" if lv is None else str(lv), style))
                    colour = impact_colour(lv, d)
                    if colour:
                        fills.append(((j, i), colour))
                rows.append(row)
            n = len(horizons)
            b.table(["Verksamhet", *[h.label for h in horizons]], rows, [0.4] + [0.6 / n] * n, fills=fills)
        b.h2(t.section("functions", "details"))
        for f in critical:
            b.h3(f"{b.data.mark(f)} {clean_text(f.name)}")
            crit = []
            if f.criticality_life_health is not None:
                crit.append(f"liv och hälsa {f.criticality_life_health}")
            if f.criticality_functionality is not None:
                crit.append(f"stadens funktionalitet {f.criticality_functionality}")
            b.kv([("Samhällssektor (MSB)", f.msb_sector), ("Beredskapssektor", f.preparedness_sector),
                  ("Kritikalitet", ", ".join(crit)),
                  ("Acceptabel avbrottstid", format_duration(f.max_tolerable_downtime)),
                  ("Återställningstid", format_duration(f.rto)),
                  ("Regi", b.label_of("function", "operation", f.operation)),
                  ("Leverantör", f.supplier), ("Avtal", f.contract),
                  ("Kontinuitetskrav i avtalet", yes_no(f.continuity_in_contract) if f.operation == "extern" else ""),
                  ("Styrelklass", str(f.styrel_class) if f.styrel_class else ""), ("Ansvarig", f.owner),
                  ("Beroenden", b.hids("function_dependency", f.id))])
            b.para(f.description)
            b.field("Därför är verksamheten samhällsviktig", f.critical_motivation)
            b.field("Lägsta acceptabla nivå", f.minimum_level)
            b.field("Motivering av avbrottstid", f.mtd_motivation)
    if other:
        b.h2(t.section("functions", "other"))
        b.para("Följande verksamheter har kartlagts men bedöms inte vara samhällsviktiga.")
        b.table(["ID", "Verksamhet", "Beskrivning"],
                [[b.data.mark(f), f.name, _limit(f.description, 400)] for f in other], [0.06, 0.3, 0.64])


def _dependencies(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("dependencies"), "dependencies")
    c = t.chapter("dependencies")
    if c.intro:
        b.markup(escape(c.intro), b.s.intro)
    deps = d.items["dependency"]
    b.h2(t.section("dependencies", "overview"))
    if not deps:
        b.none()
    else:
        rows, pick = [], sorted(range(len(deps)), key=lambda i: (not deps[i].single_point_of_failure,
                                                                  -(deps[i].expected_outage or 0)))
        for x in deps:
            reserve = "Ja" if x.has_reserve else "Nej"
            if x.has_reserve and x.reserve_duration is not None:
                reserve += f", {format_duration(x.reserve_duration)}"
            provider = x.provider or x.provider_org
            rows.append([b.data.mark(x), x.name, x.dep_type, provider, format_duration(x.expected_outage) or "–", reserve,
                         "Ja" if x.single_point_of_failure else ""])
        b.long_table(t.section("dependencies", "overview"),
                     ["ID", "Beroende", "Typ", "Leverantör", "Förväntat avbrott", "Reserv", "Enda felpunkt"], rows,
                     [0.06, 0.23, 0.14, 0.26, 0.1, 0.11, 0.1], pick=pick, what="beroenden",
                     chosen="enda felpunkter och längsta avbrott")
    links = sorted(d.links["function_dependency"],
                   key=lambda lr: (hid_key(d.hid("function", lr.left_id)), hid_key(d.hid("dependency", lr.right_id))))
    links = [lr for lr in links if d.get("function", lr.left_id).is_critical]
    if links:
        b.h2(t.section("dependencies", "links"))
        b.para("Tolerans är hur länge verksamheten klarar sig utan beroendet. Raden är markerad när det "
               "förväntade avbrottet är längre än toleransen och reserven inte räcker.", b.s.small)
        rows, fills = [], []
        previous_function = None
        for i, lr in enumerate(links):
            f, x = d.get("function", lr.left_id), d.get("dependency", lr.right_id)
            tol = lr.attrs.get("tolerance")
            covered = (x.reserve_duration or 0) if x.has_reserve else 0
            short = tol is not None and x.expected_outage is not None and x.expected_outage > tol + covered
            first = f.id != previous_function
            previous_function = f.id
            rows.append([f"{f.hid} {clean_text(f.name)}" if first else "",
                         f"{x.hid} {clean_text(x.name)}",
                         format_duration(tol) or "–", format_duration(x.expected_outage) or "–",
                         format_duration(x.reserve_duration) if x.has_reserve else "Ingen"])
            if short:
                fills.append(((3, i), "#F8D7DA"))
        marked = {r for (_c, r), _colour in fills}
        b.long_table(t.section("dependencies", "links"),
                     ["Verksamhet", "Beroende", "Tolerans", "Förväntat avbrott", "Reserven räcker"], rows,
                     [0.32, 0.32, 0.12, 0.12, 0.12], fills=fills, first_col_bold=True, what="beroenden",
                     pick=sorted(range(len(rows)), key=lambda i: i not in marked),
                     chosen="de markerade raderna")
    if deps:
        _depmap(b)
    if d.gaps is not None:
        b.h2(t.section("dependencies", "gaps"))
        if not d.gaps:
            b.para("Gapanalysen har inte hittat några kontinuitetsgap.")
        else:
            from rsa_desktop.reports import chapters

            b.para(chapters.GAP_INTRO, b.s.small)

            def rich(title: str, explanation: str | None):
                return b.mcell(f"<b>{esc(title)}</b><br/>{esc(explanation)}" if explanation else esc(title))

            rows, fills = chapters.gap_rows(d, rich)
            rank = {"Hög": 0, "Medel": 1, "Låg": 2}
            b.long_table(t.section("dependencies", "gaps"), chapters.GAP_HEADER, rows, chapters.GAP_WIDTHS,
                         fills=fills, first_col_bold=True, what="fynd",
                         pick=sorted(range(len(rows)), key=lambda i: rank.get(rows[i][1], 3)))
    described = [x for x in deps if clean_text(x.description).strip() or clean_text(x.reserve_description).strip()]
    if described:
        b.h2(t.section("dependencies", "details"))
        for x in described:
            b.h3(f"{b.data.mark(x)} {clean_text(x.name)}")
            used = b.hids("function_dependency", x.id, side="right")
            under = b.hids("dependency_dependency", x.id)
            b.kv([("Typ", x.dep_type), ("Leverantör", x.provider), ("Stadens organisation", x.provider_org),
                  ("Extern (utanför staden)", "Ja" if x.is_external else ""),
                  ("Används av", used), ("Beror på", under)])
            b.para(x.description)
            b.field("Reserv / plan B", x.reserve_description)


def _depmap(b: Builder) -> None:
    """The dependency map: one small map per samhällsviktig verksamhet (reports/depmap_drawing.py),
    drawn with reportlab shapes, levels and order from services/depmap.py."""
    from reportlab.platypus import KeepTogether

    from rsa_desktop.reports import depmap_drawing
    from rsa_desktop.reports.common import dependency_graph

    if b.svc is None:
        return
    graph = dependency_graph(b.svc, b.data)
    if graph is None:
        return
    maps = []
    for n in graph.column(0):
        drawing = depmap_drawing.function_map(graph, n.id, b.width, text_of=pdf_text)
        if drawing is None:
            continue
        limit = 0.8 * 297 * b.mm
        if drawing.height > limit:  # a verksamhet with very many dependencies: the map shrinks to a page
            scale = limit / drawing.height
            drawing.width *= scale
            drawing.height *= scale
            drawing.scale(scale, scale)
        maps.append((n, drawing))
    if not maps:
        return
    b.h2(b.t.section("dependencies", "map"))
    b.para("Beroendekartan visar för varje samhällsviktig verksamhet de beroenden den behöver, direkt (mitten) "
           "och genom andra beroenden (längre till höger). Färgen visar det allvarligaste kontinuitetsgapet; "
           "en tjock ram att beroendet delas av flera verksamheter.", b.s.small)
    b.story.append(depmap_drawing.legend(b.width))
    b.space(6)
    for n, drawing in maps:
        rec = b.data.get("function", n.db_id)
        head = b.Heading(f"{b.data.mark(rec) if rec is not None else n.id} {clean_text(n.label)}", b.s.h3, 2, "",
                         toc=False)
        b.story.append(KeepTogether([head, drawing]))
        b.space(8)


def _matrix_drawing(b: Builder, residual: bool):
    """The riskmatris drawn with reportlab shapes (reports/matrix_drawing.py): the SVG round trip through
    matplotlib and svglib cost most of the story's time on a large analysis."""
    from rsa_desktop.reports.matrix_drawing import risk_matrix_drawing

    d = b.data
    if residual:
        return risk_matrix_drawing(d.residual_matrix, title="Risk efter planerade åtgärder", width_in=b.width / 72)
    return risk_matrix_drawing(d.matrix, title="Bedömd risk", width_in=b.width / 72)


def _risks(b: Builder) -> None:
    d = b.data
    t = b.t
    sc = d.scales
    b.h1(t.heading("risks"), "risks")
    c = t.chapter("risks")
    if c.intro:
        b.markup(escape(c.intro), b.s.intro)
    risks = d.items["risk"]
    if not risks:
        b.none()
        return
    b.h2(t.section("risks", "matrix"))
    b.para("Riskmatrisen visar varje risk med sitt ID i den ruta som motsvarar bedömd sannolikhet och "
           "sammanvägd konsekvens. Riskerna beskrivs i avsnittet nedan.", b.s.small)
    residual = any(p.residual_likelihood is not None and p.residual_consequence is not None
                   for p in d.matrix.points)
    # Two matrices at 98 mm did not fit on the chapter's first page: the second went over and left the
    # bottom of the page empty. At 86 mm both fit under the chapter heading.
    height = (86 if residual else 98) * b.mm
    b.drawing(_matrix_drawing(b, False), "Riskmatris: bedömd risk.", max_height=height)
    if residual:
        b.drawing(_matrix_drawing(b, True), "Riskmatris: risk efter planerade åtgärder.", max_height=height)
    unplaced = [p.hid for p in d.matrix.unplaced]
    if unplaced:
        b.para("Inte placerade i matrisen (sannolikhet eller konsekvens saknas): " + ", ".join(unplaced) + ".",
               b.s.small)
    b.h2(t.section("risks", "overview"))
    rows, fills, values = [], [], []
    for i, r in enumerate(risks):
        cons = d.risk_consequence(r.id)
        band = sc.band(r.likelihood, cons)
        rband = sc.band(r.residual_likelihood, r.residual_consequence)
        score = f"{risk_value(r.likelihood, cons)} {band.label}" if band else "–"
        rscore = f"{risk_value(r.residual_likelihood, r.residual_consequence)}" if rband else "–"
        values.append(risk_value(r.likelihood, cons) if band else -1)
        rows.append([b.data.mark(r), r.title, r.category, "–" if r.likelihood is None else str(r.likelihood),
                     "–" if cons is None else str(cons), score, rscore])
        if band:
            fills.append(((5, i), band.colour))
        if rband:
            fills.append(((6, i), rband.colour))
    b.long_table(t.section("risks", "overview"), ["ID", "Risk", "Kategori", "S", "K", "Riskvärde", "Efter åtgärder"],
                 rows, [0.06, 0.38, 0.19, 0.05, 0.05, 0.15, 0.12], fills=fills, what="risker",
                 pick=sorted(range(len(rows)), key=lambda i: -values[i]), chosen="de högst värderade")
    b.para("S = sannolikhet, K = sammanvägd konsekvens. Riskvärde = S × K. ”Efter åtgärder” är riskvärdet "
           "när de planerade åtgärderna har genomförts.", b.s.small)
    b.h2(t.section("risks", "details"))
    for r in risks:
        b.h3(f"{b.data.mark(r)} {clean_text(r.title)}")
        cons_levels = d.consequences.get(r.id, {})
        pairs: list[tuple[str, Any]] = [("Kategori", r.category), ("Scenario", r.scenario),
                                        ("Sannolikhet", _level(r.likelihood, sc.likelihood_label(r.likelihood)))]
        for dim in sc.dimensions:
            lv = cons_levels.get(dim.id)
            pairs.append((f"Konsekvens: {dim.label}", _level(lv, sc.consequence_label(lv))))
        overall = d.risk_consequence(r.id)
        band = sc.band(r.likelihood, overall)
        pairs.append(("Sammanvägd konsekvens", _level(overall, sc.consequence_label(overall))))
        pairs.append(("Riskvärde", f"{risk_value(r.likelihood, overall)} ({band.label})" if band else "–"))
        pairs.append(("Osäkerhet i bedömningen", b.label_of("risk", "uncertainty", r.uncertainty)))
        rband = sc.band(r.residual_likelihood, r.residual_consequence)
        if rband:
            pairs.append(("Efter planerade åtgärder", f"sannolikhet {r.residual_likelihood}, konsekvens "
                                                       f"{r.residual_consequence}: riskvärde "
                                                       f"{risk_value(r.residual_likelihood, r.residual_consequence)} ({rband.label})"))
        pairs += [("Berörda verksamheter", b.hids("risk_function", r.id)),
                  ("Berörda beroenden", b.hids("risk_dependency", r.id)),
                  ("Åtgärder", b.hids("action_risk", r.id, side="right"))]
        b.kv(pairs)
        b.para(r.description)
        b.field("Motivering av bedömningen", r.motivation)
        b.field("Befintliga åtgärder", r.existing_measures)


def _vulnerabilities(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("vulnerabilities"), "vulnerabilities")
    vulns = d.items["vulnerability"]
    for key, kind in (("vulnerabilities", "sarbarhet"), ("shortcomings", "brist_krisberedskap")):
        b.h2(t.section("vulnerabilities", key))
        chosen = [v for v in vulns if v.vuln_type == kind]
        if not chosen:
            b.none()
        for v in chosen:
            b.h3(f"{b.data.mark(v)} {clean_text(v.title)}")
            b.para(v.description)
            acts = b.hids("action_vulnerability", v.id, side="right")
            if acts:
                b.markup(f"<i>Åtgärder:</i> {escape(acts)}", b.s.small)
    b.h2(t.section("vulnerabilities", "capability"))
    caps = d.items["capability"]
    if not caps:
        b.none()
        return
    sc = d.scales
    rows = [[b.data.mark(x), x.area, sc.capability_label(x.rating) or "Ej bedömd"] for x in caps]
    b.long_table(t.section("vulnerabilities", "capability"), ["ID", "Område", "Bedömning"], rows,
                 [0.08, 0.55, 0.37], what="områden", chosen="de svagaste",
                 pick=sorted(range(len(caps)), key=lambda i: caps[i].rating if caps[i].rating is not None else 99))
    for x in caps:
        if clean_text(x.motivation).strip():
            label = sc.capability_label(x.rating)
            b.h3(f"{b.data.mark(x)} {clean_text(x.area)}" + (f" – {label.lower()}" if label else ""))
            b.para(x.motivation)


def _actions(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("actions"), "actions")
    acts = d.items["action"]
    b.h2(t.section("actions", "plan"))
    if not acts:
        b.none()
        return
    rows, fills = [], []
    for i, a in enumerate(acts):
        links = ", ".join(x for x in (b.hids("action_risk", a.id), b.hids("action_dependency", a.id),
                                      b.hids("action_function", a.id), b.hids("action_vulnerability", a.id)) if x)
        rows.append([b.data.mark(a), a.title, a.owner, _date(a.deadline) or "–",
                     b.label_of("action", "priority", a.priority), b.label_of("action", "status", a.status), links])
        if d.overdue(a):
            fills.append(((3, i), "#F8D7DA"))
        if a.priority == "hog":
            fills.append(((4, i), "#FDE2C8"))
    prio = {"hog": 0, "medel": 1}
    b.long_table(t.section("actions", "plan"), ["ID", "Åtgärd", "Ansvarig", "Klart senast", "Prioritet", "Status",
                                                "Avser"],
                 rows, [0.06, 0.33, 0.17, 0.11, 0.08, 0.1, 0.15], fills=fills, what="åtgärder",
                 pick=sorted(range(len(acts)), key=lambda i: (not d.overdue(acts[i]), prio.get(acts[i].priority, 2),
                                                              acts[i].deadline or dt.date.max)),
                 chosen="de försenade och högst prioriterade")
    b.para("Rött datum: slutdatumet har passerat utan att åtgärden är genomförd.", b.s.small)
    described = [a for a in acts if clean_text(a.description).strip()]
    if described:
        b.h2(t.section("actions", "details"))
        for a in described:
            b.h3(f"{b.data.mark(a)} {clean_text(a.title)}")
            b.para(a.description)


def _continuity(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("continuity"), "continuity")
    b.h2(t.section("continuity", "plans"))
    if not d.plans:
        b.none()
    else:
        rows = []
        for p in d.plans:
            pl = p.plan
            func = d.get("function", pl.function_id)
            rows.append([b.data.mark(pl), pl.title, f"{func.hid} {clean_text(func.name)}" if func else "–", pl.responsible,
                         _date(pl.last_exercised) or "Aldrig", _date(pl.next_exercise) or "–",
                         _date(pl.last_revised) or "–"])
        b.long_table(t.section("continuity", "plans"),
                     ["ID", "Plan", "Verksamhet", "Ansvarig", "Senast övad", "Nästa övning", "Reviderad"], rows,
                     [0.06, 0.27, 0.2, 0.17, 0.1, 0.1, 0.1], what="planer", chosen="de längst ej övade",
                     pick=sorted(range(len(d.plans)), key=lambda i: d.plans[i].plan.last_exercised or dt.date.min))
        b.para(f"Reservrutiner, kontakter och återstartsordning finns som utskrivbara kort i "
               f"{appendix_ref(t, 'cards')}.", b.s.small)
        for p in d.plans:
            pl = p.plan
            b.h3(f"{b.data.mark(pl)} {clean_text(pl.title)}")
            b.field("Omfattning", pl.scope)
            b.field("Lägsta acceptabla nivå", pl.minimum_level)
            b.field("Aktiveringskriterier", pl.activation_criteria)
            b.field("Resurser", pl.resources)
            if p.fallbacks:
                deps = ", ".join(sorted({d.hid("dependency", fb.dependency_id) for fb in p.fallbacks
                                         if fb.dependency_id}, key=hid_key))
                b.markup(f"<i>Reservrutiner:</i> {len(p.fallbacks)}" + (f" (för {escape(deps)})" if deps else ""),
                         b.s.small)
    b.h2(t.section("continuity", "exercises"))
    ex = d.items["exercise"]
    if not ex:
        b.none()
        return
    rows = [[b.data.mark(x), x.title, _date(x.date) or "–", b.label_of("exercise", "exercise_type", x.exercise_type),
             d.hid("continuity_plan", x.plan_id) or "–", b.hids("exercise_action", x.id)] for x in ex]
    b.long_table(t.section("continuity", "exercises"), ["ID", "Övning", "Datum", "Typ", "Plan", "Åtgärder"], rows,
                 [0.06, 0.38, 0.11, 0.17, 0.1, 0.18], what="övningar", chosen="de senaste",
                 pick=sorted(range(len(ex)), key=lambda i: ex[i].date or dt.date.min, reverse=True))
    for x in ex:
        if any(clean_text(v).strip() for v in (x.scenario, x.lessons, x.success_criteria)):
            b.h3(f"{b.data.mark(x)} {clean_text(x.title)}")
            b.field("Scenario", x.scenario)
            b.field("Deltagare", x.participants)
            b.field("Framgångskriterier", x.success_criteria)
            b.field("Lärdomar", x.lessons)


def _follow_up(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("follow_up"), "follow_up")
    acts = d.items["action"]
    b.h2(t.section("follow_up", "status"))
    if not acts:
        b.none()
    else:
        spec = KINDS["action"].field("status")
        counts = [[label, str(sum(1 for a in acts if a.status == code))] for code, label in spec.choices]
        b.table(["Status", "Antal"], counts, [0.4, 0.15])
        noted = [a for a in acts if clean_text(a.follow_up_note).strip()]
        for a in noted:
            b.h3(f"{b.data.mark(a)} {clean_text(a.title)} – {b.label_of('action', 'status', a.status).lower()}")
            b.para(a.follow_up_note)
    overdue = [a for a in acts if d.overdue(a)]
    b.h2(t.section("follow_up", "overdue"))
    if not overdue:
        b.para("Ingen åtgärd har passerat sitt slutdatum.")
    else:
        b.table(["ID", "Åtgärd", "Ansvarig", "Klart senast", "Status"],
                [[b.data.mark(a), a.title, a.owner, _date(a.deadline), b.label_of("action", "status", a.status)]
                 for a in overdue], [0.07, 0.45, 0.2, 0.13, 0.15])
    if d.previous is None:
        b.h2(t.section("follow_up", "previous"))
        b.para("Filen innehåller ingen tidigare analys att följa upp.")
    else:
        year, prev = d.previous
        b.h2(f"{t.section('follow_up', 'previous')} ({year})")
        if not prev:
            b.none()
        else:
            b.table(["ID", "Åtgärd", "Ansvarig", "Klart senast", "Status", "Uppföljning"],
                    [[b.data.mark(a), a.title, a.owner, _date(a.deadline), b.label_of("action", "status", a.status),
                      _limit(a.follow_up_note, 400)] for a in prev], [0.06, 0.3, 0.16, 0.11, 0.11, 0.26])


def _appendices(b: Builder) -> None:
    from rsa_desktop.services import catalogues

    d = b.data
    t = b.t
    sc = d.scales
    b.h1(t.heading("appendices"), "appendices")
    b.h2(t.section("appendices", "scales"))
    b.h3("Sannolikhet")
    b.table(["Nivå", "Benämning", "Frekvens", "Beskrivning"],
            [[str(x.value), x.label, x.frequency, x.description] for x in sc.likelihood], [0.07, 0.18, 0.3, 0.45])
    b.h3("Konsekvens")
    b.table(["Nivå", "Benämning", "Beskrivning"],
            [[str(x.value), x.label, x.description] for x in sc.consequence], [0.07, 0.2, 0.73])
    b.h3("Konsekvensdimensioner (skyddsvärden)")
    b.table(["Dimension", "Beskrivning"], [[x.label, x.description] for x in sc.dimensions], [0.35, 0.65])
    b.h3("Riskmatrisens färger")
    b.table(["Riskklass", "Riskvärde från"], [[x.label, str(x.min_score)] for x in sc.bands], [0.35, 0.2],
            fills=[((0, i), x.colour) for i, x in enumerate(sc.bands)])
    if sc.capability:
        b.h3("Förmåga")
        b.table(["Nivå", "Benämning", "Beskrivning"],
                [[str(x.value), x.label, x.description] for x in sc.capability], [0.07, 0.2, 0.73])
    b.h2(t.section("appendices", "definitions"))
    glossary = catalogues.load("glossary")
    if glossary:
        b.table(["Begrepp", "Definition", "Källa"],
                [[g.get("term", ""), g.get("definition", ""), g.get("source", "")] for g in glossary],
                [0.24, 0.6, 0.16], first_col_bold=True)
    b.h2(t.section("appendices", "participants"))
    if d.participants:
        b.table(["Namn", "Roll", "Enhet"], [[p.name, p.role, p.unit] for p in d.participants], [0.3, 0.4, 0.3])
    else:
        b.none()
    b.h2(t.section("appendices", "scenarios"))
    library = {str(s.get("label", "")).strip().lower(): s for s in catalogues.load("scenarios")}
    used: dict[str, list[str]] = {}
    for r in d.items["risk"]:
        name = clean_text(r.scenario).strip()
        if name:
            used.setdefault(name, []).append(r.hid)
    if not used:
        b.para("Inga scenarier har angetts för riskerna.")
    for name, hids in used.items():
        b.h3(name)
        entry = library.get(name.lower())
        if entry and entry.get("description"):
            b.para(entry["description"])
        else:
            b.para("Eget scenario; se riskbeskrivningen.")
        b.markup(f"<i>Används för:</i> {escape(', '.join(hids))}", b.s.small)
    _cards(b)
    _registers(b)


LONG_TABLE_ROWS = 12  # longer tables leave the main chapters for the registers appendix
SUMMARY_ROWS = 10  # rows the chapter keeps of such a table


def _registers(b: Builder) -> None:
    """Bilaga F: the full tables that the main chapters summarise (Builder.long_table)."""
    from reportlab.platypus import PageBreak

    if not b.registers or getattr(b, "registers_printed", False):
        return
    b.registers_printed = True
    b.story.append(PageBreak())
    b.story.append(b.Heading(appendix_name(b.t, "registers"), b.s.h1, 1, "registers"))
    for title, header, rows, widths, kw in b.registers:
        b.h2(title)
        b.table(header, rows, widths, **kw)


def _cards(b: Builder) -> None:
    from reportlab.lib import colors
    from reportlab.platypus import KeepInFrame, PageBreak, Table, TableStyle
    Paragraph = _paragraph_cls()

    d = b.data
    t = b.t
    critical = [f for f in d.items["function"] if f.is_critical]
    # Bilaga E is an appendix: under "Bilagor" in the table of contents and the outline, on a page of its own.
    b.story.append(PageBreak())
    b.story.append(b.Heading(t.section("appendices", "cards"), b.s.h1, 1, "cards"))
    b.markup(escape(t.texts.get("cards_intro", "")), b.s.intro)
    if not critical:
        b.none("Ingen verksamhet har bedömts som samhällsviktig.")
        return
    s = b.s
    from reportlab.lib.styles import ParagraphStyle

    # A card is read at a workplace during a disruption: no type under 8.5 pt, and no shrinking below it.
    cs = ParagraphStyle("CardCell", s.cell, fontSize=9, leading=11.4)
    cs_bold = ParagraphStyle("CardCellBold", cs, fontName=FONT_BOLD)
    cs_head = ParagraphStyle("CardHead", cs, fontName=FONT_BOLD, textColor=colors.white)
    cs_small = ParagraphStyle("CardSmall", s.small, fontSize=8.5, leading=11)
    frame_h = 297 * b.mm - 26 * b.mm - 22 * b.mm - 4
    for f in critical:
        b.story.append(PageBreak())
        parts: list = []
        heading = b.Heading(f"Reservrutinkort: {f.hid} {clean_text(f.name)}", s.card_title, 2, "", toc=False)
        parts.append(heading)
        card = reserve_card(d, f)
        plans = card.plans
        facts = [("Acceptabel avbrottstid", format_duration(f.max_tolerable_downtime) or "–"),
                 ("Lägsta acceptabla nivå", _limit(f.minimum_level or "–", 500)),
                 ("Ansvarig", "; ".join(clean_text(p.plan.responsible) for p in plans if p.plan.responsible)
                  or clean_text(f.owner) or "–"),
                 ("Plan", "; ".join(f"{p.plan.hid} {clean_text(p.plan.title)}" for p in plans)
                  or "Ingen kontinuitetsplan finns")]
        rows = [[b.cell(k, cs_bold), b.cell(v, cs)] for k, v in facts]
        box = Table(rows, colWidths=b.widths([[], *rows], [0.26, 0.74], size=9), hAlign="LEFT")
        box.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("BOX", (0, 0), (-1, -1), 1, colors.HexColor(NAVY)),
                                 ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(ZEBRA)),
                                 ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID))]))
        parts.append(box)

        def sub(text, parts=parts):
            parts.append(Paragraph(escape(text), s.h3))

        for p in plans:
            if clean_text(p.plan.activation_criteria).strip():
                sub("Aktivera planen när")
                parts.append(Paragraph(esc(p.plan.activation_criteria), s.card_body))
        sub("Reservrutiner")
        # The plan's procedures first, the most urgent (shortest tolerance) at the top.
        for dep, tol, fb in card.fallbacks:
            head = f"<b>{escape(dep.hid)} {esc(dep.name)}</b>" if dep else "<b>Allmän reservrutin</b>"
            facts = [f"tål avbrott i {format_duration(tol)}" if dep and tol else "",
                     f"rutinen räcker {format_duration(fb.duration)}" if fb.duration else "",
                     f"ansvarig: {pdf_text(fb.responsible)}" if fb.responsible else ""]
            extra = ", ".join(x for x in facts if x)
            parts.append(Paragraph(head + (f" – {escape(extra)}" if extra else ""), s.card_body))
            parts.append(Paragraph(esc(fb.procedure), ParagraphStyleIndented(s.card_body)))
        if not card.fallbacks:
            parts.append(Paragraph("Inga reservrutiner har dokumenterats i en kontinuitetsplan.", s.card_body))
        contacts = card.contacts
        sub("Kontakter")
        if contacts:
            crow = [[b.cell("Namn", cs_head), b.cell("Roll", cs_head), b.cell("Telefon", cs_head),
                     b.cell("Ersättare", cs_head)]]
            crow += [[b.cell(c.name, cs_bold), b.cell(c.role, cs), b.cell(c.phone, cs), b.cell(c.alternate, cs)]
                     for c in contacts]
            ct = Table(crow, colWidths=b.widths(crow, [0.25, 0.3, 0.17, 0.28], size=9), hAlign="LEFT")
            ct.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NAVY)),
                                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID)),
                                    ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID))]))
            parts.append(ct)
        else:
            parts.append(Paragraph("Inga kontakter har dokumenterats.", s.card_body))
        recovery = card.recovery
        sub("Återstart och prioritetsordning")
        if recovery:
            for text in recovery:
                parts.append(Paragraph(esc(text), s.card_body))
        else:
            parts.append(Paragraph("Ingen återstartsordning har dokumenterats.", s.card_body))
        dates = "; ".join(f"{p.plan.hid}: reviderad {_date(p.plan.last_revised) or '–'}, övad "
                          f"{_date(p.plan.last_exercised) or 'aldrig'}" for p in plans)
        if dates:
            parts.append(Paragraph(escape(dates), cs_small))
        # The other dependencies last: if a card needs a second page, only this list runs onto it.
        if card.rest:
            sub("Övriga beroenden")
            rows = [[b.cell("Beroende", cs_head), b.cell("Tål avbrott i", cs_head), b.cell("Reserv", cs_head)]]
            for dep, tol in card.rest:
                reserve = "Nej"
                if dep.has_reserve:
                    reserve = "Ja" + (f", räcker {format_duration(dep.reserve_duration)}" if dep.reserve_duration else "")
                rows.append([b.cell(f"{dep.hid} {pdf_text(dep.name)}", cs),
                             b.cell(format_duration(tol) or "–", cs), b.cell(reserve, cs)])
            other = Table(rows, colWidths=b.widths(rows, [0.56, 0.18, 0.26], size=9), hAlign="LEFT", repeatRows=1)
            other.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NAVY)),
                                       ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                                       ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID)),
                                       ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID))]))
            parts.append(other)
        # One printed page per card: shrunk a little if it must, but a card that would need type under
        # 8.5 pt runs onto a second page instead.
        height = sum(p.wrap(b.width, frame_h)[1] for p in parts)
        if height * 8.5 / 9 <= frame_h:
            b.story.append(KeepInFrame(b.width, frame_h, parts, mode="shrink"))
        else:
            b.story.extend(parts)


def ParagraphStyleIndented(style):  # noqa: N802
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "I", style, leftIndent=12, spaceAfter=5)


_CHAPTERS = {"summary": _summary, "description": _description, "method": _method, "functions": _functions,
             "dependencies": _dependencies, "risks": _risks, "vulnerabilities": _vulnerabilities,
             "actions": _actions, "continuity": _continuity, "follow_up": _follow_up, "appendices": _appendices}


def build_story(data: ReportData, *, svc: RsaService | None = None,
                template: ReportTemplate | None = None) -> Builder:
    """The report's story (every flowable, nothing laid out yet); lay_out() turns it into pages. Kept
    apart so that a benchmark can time reportlab's layout pass of the same story alone."""
    register_fonts()
    template = template or load_template()
    b = Builder(data, template, svc)
    _title_page(b)
    _toc(b)
    for chapter in template.chapters:
        render = _CHAPTERS.get(chapter.key)
        if render is not None:
            render(b)
    _registers(b)  # a template without the Bilagor chapter must not lose the moved tables
    return b


def lay_out(b: Builder, target) -> None:
    """Lay out a story from build_story() into `target` (a path or a binary file object); once per story."""
    data = b.data
    ReportDoc, NumberedCanvas = doc_classes()
    org = data.organisation.name if data.organisation is not None else ""
    subject = document_subject(data.analysis.year, "" if data.marking.empty else data.marking.text)
    doc = ReportDoc(target, data, b.s, title=clean_text(data.title), author=clean_text(org),
                    subject=clean_text(subject), creator=f"RSA Desktop {data.program_version}",
                    producer=f"RSA Desktop {data.program_version} (reportlab)",
                    keywords="risk- och sårbarhetsanalys, RSA" + (", öppet utdrag" if data.public else ""),
                    lang="sv-SE", initialFontName=FONT)
    if b.toc is not None:
        # The table of contents is laid out from the previous pass' entries, so reportlab needs three full
        # passes: without entries, with entries, and one to confirm the page numbers. Its height depends
        # on the entries' texts only (page numbers are drawn after the text), so starting it with the
        # headings of the story makes the first pass lay out the document as the last one will; the page
        # numbers it collects are then confirmed by the second pass. The first pass can never be the
        # last (no real page is -1), so it only places the flowables and draws nothing. Should the
        # prediction be wrong, reportlab simply makes more (drawn) passes, as before.
        b.toc._entries = _toc_entries(b.story)
        doc.layout_only_first_pass = True
    doc.multiBuild(b.story, canvasmaker=NumberedCanvas)


def build_pdf(data: ReportData, target, *, svc: RsaService | None = None,
              template: ReportTemplate | None = None) -> None:
    """Render gathered data to `target` (a path or a binary file object)."""
    lay_out(build_story(data, svc=svc, template=template), target)


def write_pdf(data: ReportData, path: str | os.PathLike, *, svc: RsaService | None = None) -> Path:
    """Write the report atomically: a temporary file beside `path`, then renamed onto it."""
    from rsa_desktop.reports.atomic import write_atomic

    return write_atomic(path, lambda tmp: build_pdf(data, str(tmp), svc=svc))


def export_pdf(svc: RsaService, analysis_id: int, path: str | os.PathLike, *, public: bool = False,
               today: dt.date | None = None) -> Path:
    """Gather an analysis and write its PDF report (or its öppet utdrag) to `path`."""
    return write_pdf(gather(svc, analysis_id, public=public, today=today), path, svc=svc)


# The names other writers used before Builder and doc_classes were public (kept for a merge in flight).
_Builder = Builder
_doc_classes = doc_classes
