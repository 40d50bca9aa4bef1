"""The document template: A4 pages with the marking in header and footer, "Sida X av Y", the outline and
the table of contents' entries, and a layout-only first pass."""

from __future__ import annotations

from xml.sax.saxutils import escape

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.reports.common import ReportData, clean_text, export_stamp
from rsa_desktop.reports.pdf.styles import FONT, FONT_BOLD, GRID, MARK_RED, Styles
from rsa_desktop.reports.pdf.text import HeadingMark, esc, paragraph_cls


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
        def __init__(self, target, data: ReportData, styles: Styles, **kw):
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
            if isinstance(flowable, HeadingMark):
                key = f"h{self._outline_keys}"
                self._outline_keys += 1
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(flowable.plain[:120], key, level=flowable.level, closed=flowable.level > 0)
                if flowable.toc:
                    self.notify("TOCEntry", (flowable.level, escape(flowable.plain[:200]), self.page, key))

        # page decorations ------------------------------------------------------------

        def _marking_block(self, canv, y_top: float) -> None:
            from reportlab.lib.styles import ParagraphStyle
            Paragraph = paragraph_cls()

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


def toc_entries(story: list) -> list[tuple[int, str, int, str]]:
    """The table of contents' entries as the build will notify them (see ReportDoc.afterFlowable), with
    page -1: headings in story order, inside KeepTogether too (it hands its content to the frame)."""
    from reportlab.platypus.flowables import KeepTogether

    out: list[tuple[int, str, int, str]] = []
    count = 0

    def walk(flowables) -> None:
        nonlocal count
        for f in flowables:
            if isinstance(f, HeadingMark):
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
