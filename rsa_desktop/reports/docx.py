"""The report to kommunstyrelsen as an editable Word document (python-docx), in the PDF's structure.

The same data (`common.gather`) and the same chapters (resources/report/template.json) as the PDF
report, for a förvaltning that edits the report before it goes to the nämnd with a tjänsteutlåtande.
Word's own means are used so that the document stays easy to edit and accessible: the built-in
Heading 1–3 styles, a real table-of-contents field (`TOC \\o "1-3" \\h \\z \\u`) that Word and
LibreOffice update, tables whose header row repeats on every page, figures as PNG images with alt
text, document language sv-SE, and the classification marking in the header and footer of every
section. python-docx lacks the TOC and page-number fields, cell shading, the repeated header row and
alt text; those few elements are written here.

User text is never interpreted: it goes into runs as plain text (markup and formula-like text stay
text), with control characters made visible by `clean_text` (XML cannot hold them).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.reports.chapters import appendix_ref, impact_text, scales_text
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
from rsa_desktop.reports.prose import fixed_text
from rsa_desktop.services.rsa import RsaService

LANGUAGE = "sv-SE"
NAVY = "1F3864"
MARK_RED = "B00020"
GRID = "B7C0CE"
ZEBRA = "F2F4F8"
MUTED = "555555"
TOC_FIELD = 'TOC \\o "1-3" \\h \\z \\u'
TOC_ENTRY_LIMIT = 200  # characters of a heading shown in the table of contents before Word updates it
TEXT_WIDTH_MM = 210 - 22 - 20  # A4 less the margins, as in the PDF
CHUNK = 64  # blocks built apart before they are moved into the document (see _Word.body)


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _level(value: int | None, label: str) -> str:
    if value is None:
        return "–"
    return f"{value} {label}".strip()


def _limit(text: Any, limit: int = TABLE_CELL_LIMIT) -> str:
    return shorten(clean_text(text), limit)


@dataclass(frozen=True)
class Rich:
    """A table cell of several runs: ((text, bold), …), optionally centred."""
    parts: tuple[tuple[str, bool], ...]
    center: bool = False


# -- low-level elements python-docx has no API for ----------------------------------------------------

def _el(tag: str, **attrs: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(k), v)
    return e


def _field_runs(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (begin, instruction, separate, cached result, end) in one paragraph."""
    run = paragraph.add_run()
    run._r.append(_el("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
    run = paragraph.add_run()
    instr = _el("w:instrText", **{"xml:space": "preserve"})
    instr.text = f" {instruction} "
    run._r.append(instr)
    paragraph.add_run()._r.append(_el("w:fldChar", **{"w:fldCharType": "separate"}))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(_el("w:fldChar", **{"w:fldCharType": "end"}))


def _shade(cell, colour: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(_el("w:shd", **{"w:val": "clear", "w:color": "auto", "w:fill": colour.lstrip("#").upper()}))


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(_el("w:tblHeader", **{"w:val": "true"}))


def _set_language(doc) -> None:
    """sv-SE as the language of all text (document defaults, theme fonts), with Swedish number separators."""
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for lang in rpr.findall(qn("w:lang")):
        rpr.remove(lang)
    rpr.append(_el("w:lang", **{"w:val": LANGUAGE, "w:eastAsia": LANGUAGE, "w:bidi": "ar-SA"}))
    settings = doc.settings.element
    for tag, value in (("w:themeFontLang", LANGUAGE), ("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        el = settings.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), value)
    proof = settings.find(qn("w:proofState"))  # "already checked" would hide Word's Swedish spell check
    if proof is not None:
        settings.remove(proof)
    # Ask Word to update the fields (the table of contents) when the document is opened.
    update = _el("w:updateFields", **{"w:val": "true"})
    zoom = settings.find(qn("w:zoom"))
    if zoom is not None:
        zoom.addnext(update)
    else:
        settings.insert(0, update)
    doc.core_properties.language = LANGUAGE
    # The template's Word 2010 copy of the styles (stylesWithEffects) would still say en-US; Word 2013 and
    # later ignore the part, and Word 2010 rebuilds it from styles.xml.
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)


# -- the builder ------------------------------------------------------------------------------------

class _Word:
    def __init__(self, data: ReportData, template: ReportTemplate, svc: RsaService | None):
        from docx import Document
        from docx.shared import Pt, RGBColor

        self.data = data
        self.t = template
        self.svc = svc
        self.doc = Document()
        self.headings: list[tuple[int, str]] = []
        self._chunk = None  # see body()  # (level, text) for the table of contents' first view
        _set_language(self.doc)
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.size = Pt(10)
        normal.paragraph_format.space_after = Pt(5)
        normal.paragraph_format.line_spacing = 1.1
        for name, size in (("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
            st = styles[name]
            st.font.size = Pt(size)
            st.font.color.rgb = RGBColor.from_string(NAVY)
        self._small = self._style("RSA Liten text", Pt(8), italic=False, colour=MUTED)
        self._intro = self._style("RSA Ingress", Pt(10), italic=True, colour="333333")
        self._label = self._style("RSA Fältrubrik", Pt(8.5), bold=True, colour=MUTED)
        # The reservrutinkort's sub-headings: a bold paragraph style, not a heading, so that the same five
        # sub-headings of every card do not fill the table of contents.
        self._card_head = self._style("RSA Kortrubrik", Pt(11), bold=True, colour=NAVY)
        self._card_head.paragraph_format.space_before = Pt(8)
        self._card_head.paragraph_format.keep_with_next = True
        self._cell = self._style("RSA Tabelltext", Pt(8.5))
        self._cell.paragraph_format.space_after = Pt(0)
        self._cell.paragraph_format.line_spacing = 1.0
        self._setup_page(self.doc.sections[0])

    def add(self, text: str = "", style=None):
        """A body paragraph. The style is set by its id: python-docx's `paragraph.style = …` looks the
        style up among all ~160 of the template each time, which was most of the export's time."""
        p = self.body().add_paragraph(text)
        if style is not None:
            p._p.get_or_add_pPr().style = style if isinstance(style, str) else style.style_id
        return p

    def body(self):
        """Where the next block goes: a small detached body, moved into the document every CHUNK blocks.

        python-docx inserts every new block before the body's final sectPr, which it finds by scanning
        all the body's children: quadratic in the length of the report (a third of the export time of
        a large analysis). A short chunk keeps that scan short; moving its blocks is cheap.
        """
        from docx.document import _Body
        from docx.oxml import OxmlElement

        if self._chunk is not None and len(self._chunk._element) >= CHUNK:
            self.flush()
        if self._chunk is None:
            self._chunk = _Body(OxmlElement("w:body"), self.doc)
        return self._chunk

    def flush(self) -> None:
        """Move the chunk's blocks to the end of the document (before its final section properties)."""
        if self._chunk is None:
            return
        body = self.doc.element.body
        anchor = body.sectPr
        for child in list(self._chunk._element):
            if anchor is not None:
                anchor.addprevious(child)
            else:
                body.append(child)
        self._chunk = None

    def _style(self, name: str, size, *, bold: bool = False, italic: bool = False, colour: str | None = None):
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import RGBColor

        st = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = self.doc.styles["Normal"]
        st.quick_style = True
        st.font.size = size
        st.font.bold = bold or None
        st.font.italic = italic or None
        if colour:
            st.font.color.rgb = RGBColor.from_string(colour)
        return st

    # page layout ------------------------------------------------------------------------

    def _setup_page(self, section) -> None:
        from docx.shared import Mm

        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(22), Mm(20)
        section.top_margin, section.bottom_margin = Mm(26), Mm(22)
        section.header_distance, section.footer_distance = Mm(9), Mm(9)

    def new_section(self) -> None:
        from docx.enum.section import WD_SECTION

        self.flush()
        self._setup_page(self.doc.add_section(WD_SECTION.NEW_PAGE))

    def decorate_sections(self) -> None:
        """The marking in the header and footer of every section, each section with its own copy."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
        from docx.shared import Mm, Pt, RGBColor

        d = self.data
        org = d.organisation.name if d.organisation is not None else ""
        status = KINDS["analysis"].field("status").choice_label(d.analysis.status)
        if d.analysis.status == "faststalld" and d.analysis.adopted_date:
            status += f" {d.analysis.adopted_date.isoformat()}"
        for i, section in enumerate(self.doc.sections):
            header, footer = section.header, section.footer
            header.is_linked_to_previous = False
            footer.is_linked_to_previous = False
            hp = header.paragraphs[0]
            hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if not d.marking.empty:
                run = hp.add_run(d.marking.short(230))
                run.bold = True
                run.font.size = Pt(7.5)
                run.font.color.rgb = RGBColor.from_string(MARK_RED)
            if i > 0:  # the title page names the organisation in large type already
                line = header.add_paragraph()
                line.add_run(clean_text(f"{org} – Risk- och sårbarhetsanalys {d.analysis.year}")).font.size = Pt(7.5)
            fp = footer.paragraphs[0]
            stops = fp.paragraph_format.tab_stops
            stops.add_tab_stop(Mm(TEXT_WIDTH_MM / 2), WD_TAB_ALIGNMENT.CENTER)
            stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
            fp.add_run(f"{status} · exporterad {export_stamp(d)}\t").font.size = Pt(7.5)
            stamp = fp.add_run(d.marking.stamp)
            stamp.bold = True
            stamp.font.size = Pt(7.5)
            stamp.font.color.rgb = RGBColor.from_string(MARK_RED)
            fp.add_run("\tSida ").font.size = Pt(7.5)
            _field_runs(fp, "PAGE", "1")
            fp.add_run(" av ")
            _field_runs(fp, "NUMPAGES", "1")
            for run in fp.runs:
                run.font.size = Pt(7.5)
            if d.marking.text and d.marking.text != d.marking.stamp.capitalize():
                full = footer.add_paragraph()
                full.alignment = WD_ALIGN_PARAGRAPH.CENTER
                r = full.add_run(d.marking.short(230))
                r.font.size = Pt(7)
                r.font.color.rgb = RGBColor.from_string(MARK_RED)

    # text -------------------------------------------------------------------------------

    def heading(self, text: str, level: int, *, page_break: bool = False):
        text = clean_text(text)
        p = self.add(text, f"Heading{level}")
        if page_break:
            p.paragraph_format.page_break_before = True
        self.headings.append((level, text))
        return p

    def h1(self, text: str) -> None:
        self.heading(text, 1, page_break=True)

    def h2(self, text: str) -> None:
        self.heading(text, 2)

    def h3(self, text: str) -> None:
        self.heading(text, 3)

    def card_head(self, text: str) -> None:
        self.add(text, self._card_head)

    def para(self, text: Any, style=None) -> None:
        """User text: one paragraph per blank-line separated block; single line breaks kept."""
        s = clean_text(text).strip()
        if not s:
            return
        for block in s.split("\n\n"):
            block = block.strip("\n")
            if block:
                self.add(block, style)

    def fixed(self, text: str, style=None) -> None:
        """A program text (from the template or this module), one paragraph."""
        if text:
            self.add(text, style)

    def small(self, text: str) -> None:
        self.fixed(text, self._small)

    def intro(self, text: str) -> None:
        self.fixed(text, self._intro)

    def labelled(self, label: str, text: str) -> None:
        """A short line "Label: text" in small type, e.g. the actions linked to a sårbarhet."""
        p = self.add("", self._small)
        p.add_run(f"{label}: ").italic = True
        p.add_run(clean_text(text))

    def field(self, label: str, text: Any) -> None:
        if clean_text(text).strip():
            p = self.add(label, self._label)
            p.paragraph_format.keep_with_next = True
            self.para(text)

    def none(self, text: str | None = None) -> None:
        self.intro(text or fixed_text(self.t, "no_items"))

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.add().add_run().add_break(WD_BREAK.PAGE)

    # tables -----------------------------------------------------------------------------

    def _write_cell(self, cell, value: Any, *, bold: bool = False, white: bool = False) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import RGBColor

        p = cell.paragraphs[0]
        p._p.get_or_add_pPr().style = self._cell.style_id
        if isinstance(value, Rich):
            parts = value.parts
            if value.center:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            parts = ((_limit("" if value is None else value), bold),)
        for text, strong in parts:
            if not text:
                continue
            run = p.add_run(text)
            if strong:
                run.bold = True
            if white:
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)

    def table(self, header: list[str], rows: list[list[Any]], widths: list[float], *,
              fills: list[tuple[tuple[int, int], str]] | None = None, first_col_bold: bool = False,
              head_row: bool = True):
        """A table whose header row repeats on every page; `widths` are fractions of the text width."""
        from docx.shared import Mm
        from docx.table import _Cell

        n = len(header)
        table = self.body().add_table(1 if head_row else 0, n, Mm(TEXT_WIDTH_MM))
        table._tbl.tblStyle_val = "TableGrid"  # by id, as for paragraphs (see `add`)
        table.autofit = False
        total = sum(widths)
        col_widths = [Mm(TEXT_WIDTH_MM * w / total) for w in widths]
        for col, w in zip(table.columns, col_widths):
            col.width = w
        if head_row:
            head = table.rows[0]
            _repeat_header(head)
            for cell, text, w in zip(head.cells, header, col_widths):
                cell.width = w
                self._write_cell(cell, text, bold=True, white=True)
                _shade(cell, NAVY)
        fill_at = {(col, row): colour for (col, row), colour in fills or []}
        for i, values in enumerate(rows):
            row = table.add_row()
            # The row's own cells: table.rows[i].cells walks the whole table each time (quadratic).
            cells = [_Cell(tc, table) for tc in row._tr.tc_lst]
            for j, (cell, value) in enumerate(zip(cells, values)):
                self._write_cell(cell, value, bold=first_col_bold and j == 0)
                colour = fill_at.get((j, i))
                if colour:
                    _shade(cell, colour)
                elif i % 2 == 1:
                    _shade(cell, ZEBRA)
        self.add().paragraph_format.space_after = 0
        return table

    def kv(self, pairs: list[tuple[str, Any]], label_width: float = 0.3) -> None:
        """A two-column fact box (label, value) for the pairs that have a value."""
        rows = [[k, v] for k, v in pairs if v is not None and clean_text(v).strip()]
        if not rows:
            return
        self.table(["", ""], rows, [label_width, 1 - label_width], first_col_bold=True, head_row=False)

    # figures ----------------------------------------------------------------------------

    def figure(self, fig, alt: str, caption: str, *, max_height_mm: float = 200, heading: str = "") -> None:
        """A matplotlib figure from reports.charts as a PNG image with alt text, and a caption."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        from rsa_desktop.reports.charts import figure_to_png

        png = figure_to_png(fig, dpi=200)
        w_in, h_in = fig.get_size_inches()
        width = TEXT_WIDTH_MM
        if h_in and w_in and width * h_in / w_in > max_height_mm:
            width = max_height_mm * w_in / h_in
        if heading:
            self.h2(heading)
        p = self.add()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        shape = p.add_run().add_picture(io.BytesIO(png), width=Mm(width))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", clean_text(alt))
        doc_pr.set("title", clean_text(caption))
        self.add(caption, "Caption")

    # look-ups ---------------------------------------------------------------------------

    def hids(self, link: str, item_id: int, side: str = "left") -> str:
        return ", ".join(self.data.linked_hids(link, item_id, side=side))

    def label_of(self, kind: str, field: str, code: Any) -> str:
        return KINDS[kind].field(field).choice_label(code) if code else ""

    # the table of contents --------------------------------------------------------------

    def fill_toc(self, marker) -> None:
        """Put the TOC field where `marker` is, its cached result listing the headings until Word updates it.

        Word and LibreOffice rebuild the list with page numbers when the field is updated (Word asks on
        opening, because settings.xml has updateFields); until then the reader sees the headings.
        """
        from docx.shared import Mm

        entries = self.headings or [(1, "")]
        first = marker.insert_paragraph_before()
        run = first.add_run()
        run._r.append(_el("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
        run = first.add_run()
        instr = _el("w:instrText", **{"xml:space": "preserve"})
        instr.text = f" {TOC_FIELD} "
        run._r.append(instr)
        first.add_run()._r.append(_el("w:fldChar", **{"w:fldCharType": "separate"}))
        paragraphs = [first]
        for k, (level, text) in enumerate(entries):
            p = first if k == 0 else marker.insert_paragraph_before()
            if k:
                paragraphs.append(p)
            p.paragraph_format.left_indent = Mm(6 * (level - 1))
            p.paragraph_format.space_after = 0
            run = p.add_run(text if len(text) <= TOC_ENTRY_LIMIT else text[:TOC_ENTRY_LIMIT] + " …")
            if level == 1:
                run.bold = True
        paragraphs[-1].add_run()._r.append(_el("w:fldChar", **{"w:fldCharType": "end"}))
        marker._p.getparent().remove(marker._p)


# -- chapters --------------------------------------------------------------------------------------

def _title_page(b: _Word) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    d = b.data
    a = d.analysis
    org = d.organisation
    for _ in range(3):
        b.add()
    b.add(b.t.title, "Title")
    b.add(str(a.year), "Title")
    if org is not None:
        b.add(clean_text(org.name), "Subtitle")
        if org.committee:
            b.para(org.committee)
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
          ("Exporterad", f"{export_stamp(d)} med RSA Desktop {d.program_version}")], label_width=0.28)
    if not d.marking.empty:
        if d.marking.stamp:
            p = b.add()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(d.marking.stamp)
            run.bold = True
            run.font.size = Pt(13)
            run.font.color.rgb = RGBColor.from_string(MARK_RED)
        text = d.public_note if d.public else clean_text(d.marking.secrecy)
        if text:
            b.add(text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if d.secret_legend:
        b.add(d.secret_legend).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _toc(b: _Word):
    b.page_break()
    b.add(fixed_text(b.t, "toc"), "TOCHeading")
    marker = b.add()
    if b.t.basis:
        b.small(b.t.basis)
    return marker


def _summary(b: _Word) -> None:
    d, t = b.data, b.t
    b.h1(t.heading("summary"))
    if d.public:
        b.intro(d.public_note)
    elif d.secret_legend:
        b.intro(d.secret_legend)
    if clean_text(d.analysis.summary).strip():
        b.para(d.analysis.summary)
    else:
        b.none(fixed_text(t, "summary_none"))
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
        b.small(fixed_text(t, "top_risks_legend"))


def _description(b: _Word) -> None:
    d, t = b.data, b.t
    org = d.organisation
    b.h1(t.heading("description"))
    b.h2(t.section("description", "organisation"))
    if org is not None:
        b.kv([("Namn", org.name), ("Typ", b.label_of("organisation", "org_type", org.org_type)),
              ("Nämnd eller styrelse", org.committee),
              ("Antal anställda", str(org.employees) if org.employees is not None else ""),
              ("Kontaktperson", org.contact_person), ("Säkerhetssamordnare", org.security_coordinator)])
    for key, text in (("business", d.analysis.business_description), ("locations", d.analysis.locations)):
        b.h2(t.section("description", key))
        if clean_text(text).strip():
            b.para(text)
        else:
            b.none()


def _method(b: _Word) -> None:
    d, t = b.data, b.t
    a = d.analysis
    b.h1(t.heading("method"))
    for key in ("assignment", "delimitations", "method"):
        b.h2(t.section("method", key))
        if clean_text(a.get(key)).strip():
            b.para(a.get(key))
        else:
            b.none()
    b.h2(t.section("method", "group"))
    if d.participants:
        names = "; ".join(clean_text(", ".join(x for x in (p.name, p.role, p.unit) if x)) for p in d.participants)
        b.para(fixed_text(t, "method_group", count=len(d.participants), names=names,
                          appendix=appendix_ref(t, "participants")))
    else:
        b.none()
    b.h2(t.section("method", "scales"))
    b.para(scales_text(t, d))


def _functions(b: _Word) -> None:
    d, t = b.data, b.t
    b.h1(t.heading("functions"))
    if t.chapter("functions").intro:
        b.intro(t.chapter("functions").intro)
    critical = [f for f in d.items["function"] if f.is_critical]
    other = [f for f in d.items["function"] if not f.is_critical]
    b.h2(t.section("functions", "overview"))
    if not critical:
        b.none(fixed_text(t, "no_critical_functions"))
    else:
        b.para(fixed_text(t, "functions_overview", critical=len(critical), total=len(d.items["function"])))
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
            b.small(impact_text(t, d))
            rows, fills = [], []
            for i, f in enumerate(critical):
                row: list[Any] = [f"{f.hid} {clean_text(f.name)}"]
                levels = d.impacts.get(f.id, {})
                for j, h in enumerate(horizons, 1):
                    lv = levels.get(h.id)
                    strong = lv is not None and lv >= d.scales.unacceptable_level
                    row.append(Rich((("–" if lv is None else str(lv), strong),), center=True))
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
        b.para(fixed_text(t, "functions_other"))
        b.table(["ID", "Verksamhet", "Beskrivning"],
                [[b.data.mark(f), f.name, _limit(f.description, 400)] for f in other], [0.06, 0.3, 0.64])


def _dependencies(b: _Word) -> None:
    d, t = b.data, b.t
    b.h1(t.heading("dependencies"))
    if t.chapter("dependencies").intro:
        b.intro(t.chapter("dependencies").intro)
    deps = d.items["dependency"]
    b.h2(t.section("dependencies", "overview"))
    if not deps:
        b.none()
    else:
        rows = []
        for x in deps:
            reserve = "Ja" if x.has_reserve else "Nej"
            if x.has_reserve and x.reserve_duration is not None:
                reserve += f", {format_duration(x.reserve_duration)}"
            rows.append([b.data.mark(x), x.name, x.dep_type, x.provider or x.provider_org,
                         format_duration(x.expected_outage) or "–", reserve, "Ja" if x.single_point_of_failure else ""])
        b.table(["ID", "Beroende", "Typ", "Leverantör", "Förväntat avbrott", "Reserv", "Enda felpunkt"], rows,
                [0.06, 0.23, 0.14, 0.26, 0.1, 0.11, 0.1])
    links = sorted(d.links["function_dependency"],
                   key=lambda lr: (hid_key(d.hid("function", lr.left_id)), hid_key(d.hid("dependency", lr.right_id))))
    links = [lr for lr in links if d.get("function", lr.left_id).is_critical]
    if links:
        b.h2(t.section("dependencies", "links"))
        b.small(fixed_text(t, "dependency_links"))
        rows, fills = [], []
        previous_function = None
        for i, lr in enumerate(links):
            f, x = d.get("function", lr.left_id), d.get("dependency", lr.right_id)
            tol = lr.attrs.get("tolerance")
            covered = (x.reserve_duration or 0) if x.has_reserve else 0
            short = tol is not None and x.expected_outage is not None and x.expected_outage > tol + covered
            first = f.id != previous_function
            previous_function = f.id
            rows.append([Rich(((_limit(f"{f.hid} {clean_text(f.name)}"), True),)) if first else "",
                         f"{x.hid} {clean_text(x.name)}", format_duration(tol) or "–",
                         format_duration(x.expected_outage) or "–",
                         format_duration(x.reserve_duration) if x.has_reserve else "Ingen"])
            if short:
                fills.append(((3, i), "#F8D7DA"))
        b.table(["Verksamhet", "Beroende", "Tolerans", "Förväntat avbrott", "Reserven räcker"], rows,
                [0.32, 0.32, 0.12, 0.12, 0.12], fills=fills)
    if deps:
        _depmap(b)
    if d.gaps is not None:
        b.h2(t.section("dependencies", "gaps"))
        if not d.gaps:
            b.para(fixed_text(t, "gaps_none"))
        else:
            from rsa_desktop.reports import chapters

            b.small(fixed_text(t, "gaps_intro"))

            def rich(title: str, explanation: str | None):
                return Rich(((_limit(title) + "\n", True), (explanation, False))) if explanation else title

            rows, fills = chapters.gap_rows(d, rich)
            b.table(chapters.GAP_HEADER, rows, chapters.GAP_WIDTHS, fills=fills, first_col_bold=True)
    described = [x for x in deps if clean_text(x.description).strip() or clean_text(x.reserve_description).strip()]
    if described:
        b.h2(t.section("dependencies", "details"))
        for x in described:
            b.h3(f"{b.data.mark(x)} {clean_text(x.name)}")
            b.kv([("Typ", x.dep_type), ("Leverantör", x.provider), ("Stadens organisation", x.provider_org),
                  ("Extern (utanför staden)", "Ja" if x.is_external else ""),
                  ("Används av", b.hids("function_dependency", x.id, side="right")),
                  ("Beror på", b.hids("dependency_dependency", x.id))])
            b.para(x.description)
            b.field("Reserv / plan B", x.reserve_description)


def _depmap(b: _Word) -> None:
    from rsa_desktop.reports.common import dependency_graph

    if b.svc is None:
        return
    try:
        from rsa_desktop.reports.charts import dependency_map_figure
    except ImportError:  # without matplotlib the report is complete without the figure
        return
    graph = dependency_graph(b.svc, b.data)
    if graph is None:
        return
    fig = dependency_map_figure(graph, width_in=TEXT_WIDTH_MM / 25.4)
    d = b.data
    functions = sum(1 for f in d.items["function"] if f.is_critical)
    alt = fixed_text(b.t, "depmap_alt", functions=functions, links=len(graph.edges),
                     links_section=b.t.section("dependencies", "links"), gaps_section=b.t.section("dependencies", "gaps"))
    b.figure(fig, alt, fixed_text(b.t, "depmap_caption"), heading=b.t.section("dependencies", "map"))


def _matrix_alt(matrix, what: str) -> str:
    """The risk matrix in words: which risks sit in which cell (the figure's alt text)."""
    cells = [c for c in matrix.cells if c.hids]
    cells.sort(key=lambda c: (-(risk_value(c.likelihood, c.consequence) or 0), -c.consequence))
    parts = [f"sannolikhet {c.likelihood}, konsekvens {c.consequence} ({c.band.lower()}): {', '.join(c.hids)}"
             for c in cells]
    text = (f"Riskmatris, {what}: sannolikhet {matrix.likelihood_levels[0][0]}–{matrix.likelihood_levels[-1][0]} "
            f"mot konsekvens {matrix.consequence_levels[0][0]}–{matrix.consequence_levels[-1][0]}. ")
    return text + ("; ".join(parts) + "." if parts else "Ingen risk är placerad.")


def _risks(b: _Word) -> None:
    d, t = b.data, b.t
    sc = d.scales
    b.h1(t.heading("risks"))
    if t.chapter("risks").intro:
        b.intro(t.chapter("risks").intro)
    risks = d.items["risk"]
    if not risks:
        b.none()
        return
    b.h2(t.section("risks", "matrix"))
    b.small(fixed_text(t, "risk_matrix"))
    try:
        from rsa_desktop.reports.charts import risk_matrix_figure
    except ImportError:
        risk_matrix_figure = None
    if risk_matrix_figure is not None and d.matrix.likelihood_levels and d.matrix.consequence_levels:
        width_in = TEXT_WIDTH_MM / 25.4
        b.figure(risk_matrix_figure(d.matrix, title="Bedömd risk", width_in=width_in),
                 _matrix_alt(d.matrix, "bedömd risk"), fixed_text(t, "risk_matrix_caption"), max_height_mm=98)
        if any(p.residual_likelihood is not None and p.residual_consequence is not None for p in d.matrix.points):
            b.figure(risk_matrix_figure(d.residual_matrix, title="Risk efter planerade åtgärder", width_in=width_in),
                     _matrix_alt(d.residual_matrix, "risk efter planerade åtgärder"),
                     fixed_text(t, "residual_matrix_caption"), max_height_mm=98)
    unplaced = [p.hid for p in d.matrix.unplaced]
    if unplaced:
        b.small(fixed_text(t, "risks_unplaced", risks=", ".join(unplaced)))
    b.h2(t.section("risks", "overview"))
    rows, fills = [], []
    for i, r in enumerate(risks):
        cons = d.risk_consequence(r.id)
        band = sc.band(r.likelihood, cons)
        rband = sc.band(r.residual_likelihood, r.residual_consequence)
        rows.append([b.data.mark(r), r.title, r.category, "–" if r.likelihood is None else str(r.likelihood),
                     "–" if cons is None else str(cons), f"{risk_value(r.likelihood, cons)} {band.label}" if band else "–",
                     f"{risk_value(r.residual_likelihood, r.residual_consequence)}" if rband else "–"])
        if band:
            fills.append(((5, i), band.colour))
        if rband:
            fills.append(((6, i), rband.colour))
    b.table(["ID", "Risk", "Kategori", "S", "K", "Riskvärde", "Efter åtgärder"], rows,
            [0.06, 0.38, 0.19, 0.05, 0.05, 0.15, 0.12], fills=fills)
    b.small(fixed_text(t, "risks_legend"))
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


def _vulnerabilities(b: _Word) -> None:
    d, t = b.data, b.t
    b.h1(t.heading("vulnerabilities"))
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
                b.labelled("Åtgärder", acts)
    b.h2(t.section("vulnerabilities", "capability"))
    caps = d.items["capability"]
    if not caps:
        b.none()
        return
    sc = d.scales
    b.table(["ID", "Område", "Bedömning"], [[b.data.mark(x), x.area, sc.capability_label(x.rating) or "Ej bedömd"]
                                           for x in caps], [0.08, 0.55, 0.37])
    for x in caps:
        if clean_text(x.motivation).strip():
            label = sc.capability_label(x.rating)
            b.h3(f"{b.data.mark(x)} {clean_text(x.area)}" + (f" – {label.lower()}" if label else ""))
            b.para(x.motivation)


def _actions(b: _Word) -> None:
    d, t = b.data, b.t
    b.h1(t.heading("actions"))
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
    b.table(["ID", "Åtgärd", "Ansvarig", "Klart senast", "Prioritet", "Status", "Avser"], rows,
            [0.06, 0.33, 0.17, 0.11, 0.08, 0.1, 0.15], fills=fills)
    b.small(fixed_text(t, "actions_legend"))
    described = [a for a in acts if clean_text(a.description).strip()]
    if described:
        b.h2(t.section("actions", "details"))
        for a in described:
            b.h3(f"{b.data.mark(a)} {clean_text(a.title)}")
            b.para(a.description)


def _continuity(b: _Word) -> None:
    d, t = b.data, b.t
    b.h1(t.heading("continuity"))
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
        b.table(["ID", "Plan", "Verksamhet", "Ansvarig", "Senast övad", "Nästa övning", "Reviderad"], rows,
                [0.06, 0.27, 0.2, 0.17, 0.1, 0.1, 0.1])
        b.small(fixed_text(t, "plans_cards", appendix=appendix_ref(t, "cards")))
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
                b.labelled("Reservrutiner", f"{len(p.fallbacks)}" + (f" (för {deps})" if deps else ""))
    b.h2(t.section("continuity", "exercises"))
    ex = d.items["exercise"]
    if not ex:
        b.none()
        return
    rows = [[b.data.mark(x), x.title, _date(x.date) or "–", b.label_of("exercise", "exercise_type", x.exercise_type),
             d.hid("continuity_plan", x.plan_id) or "–", b.hids("exercise_action", x.id)] for x in ex]
    b.table(["ID", "Övning", "Datum", "Typ", "Plan", "Åtgärder"], rows, [0.06, 0.38, 0.11, 0.17, 0.1, 0.18])
    for x in ex:
        if any(clean_text(v).strip() for v in (x.scenario, x.lessons, x.success_criteria)):
            b.h3(f"{b.data.mark(x)} {clean_text(x.title)}")
            b.field("Scenario", x.scenario)
            b.field("Deltagare", x.participants)
            b.field("Framgångskriterier", x.success_criteria)
            b.field("Lärdomar", x.lessons)


def _follow_up(b: _Word) -> None:
    d, t = b.data, b.t
    b.h1(t.heading("follow_up"))
    acts = d.items["action"]
    b.h2(t.section("follow_up", "status"))
    if not acts:
        b.none()
    else:
        spec = KINDS["action"].field("status")
        b.table(["Status", "Antal"], [[label, str(sum(1 for a in acts if a.status == code))]
                                      for code, label in spec.choices], [0.4, 0.15])
        for a in acts:
            if clean_text(a.follow_up_note).strip():
                b.h3(f"{b.data.mark(a)} {clean_text(a.title)} – {b.label_of('action', 'status', a.status).lower()}")
                b.para(a.follow_up_note)
    overdue = [a for a in acts if d.overdue(a)]
    b.h2(t.section("follow_up", "overdue"))
    if not overdue:
        b.para(fixed_text(t, "no_overdue"))
    else:
        b.table(["ID", "Åtgärd", "Ansvarig", "Klart senast", "Status"],
                [[b.data.mark(a), a.title, a.owner, _date(a.deadline), b.label_of("action", "status", a.status)]
                 for a in overdue], [0.07, 0.45, 0.2, 0.13, 0.15])
    if d.previous is None:
        b.h2(t.section("follow_up", "previous"))
        b.para(fixed_text(t, "no_previous"))
    else:
        year, prev = d.previous
        b.h2(f"{t.section('follow_up', 'previous')} ({year})")
        if not prev:
            b.none()
        else:
            b.table(["ID", "Åtgärd", "Ansvarig", "Klart senast", "Status", "Uppföljning"],
                    [[b.data.mark(a), a.title, a.owner, _date(a.deadline), b.label_of("action", "status", a.status),
                      _limit(a.follow_up_note, 400)] for a in prev], [0.06, 0.3, 0.16, 0.11, 0.11, 0.26])


def _appendices(b: _Word) -> None:
    from rsa_desktop.services import catalogues

    d, t = b.data, b.t
    sc = d.scales
    b.h1(t.heading("appendices"))
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
        b.para(fixed_text(t, "no_scenarios"))
    for name, hids in used.items():
        b.h3(name)
        entry = library.get(name.lower())
        b.para(entry["description"] if entry and entry.get("description") else fixed_text(t, "own_scenario"))
        b.labelled("Används för", ", ".join(hids))
    b.new_section()  # the cards are printed on their own: a section of their own, marked like the rest
    _cards(b)


def _cards(b: _Word) -> None:
    d, t = b.data, b.t
    critical = [f for f in d.items["function"] if f.is_critical]
    b.heading(t.section("appendices", "cards"), 1)
    b.intro(fixed_text(t, "cards_intro"))
    if not critical:
        b.none(fixed_text(t, "no_critical_functions"))
        return
    for f in critical:
        card = reserve_card(d, f)
        plans = card.plans
        b.heading(f"Reservrutinkort: {f.hid} {clean_text(f.name)}", 2, page_break=True)
        b.kv([("Acceptabel avbrottstid", format_duration(f.max_tolerable_downtime) or "–"),
              ("Lägsta acceptabla nivå", _limit(f.minimum_level or "–", 500)),
              ("Ansvarig", "; ".join(clean_text(p.plan.responsible) for p in plans if p.plan.responsible)
               or clean_text(f.owner) or "–"),
              ("Plan", "; ".join(f"{p.plan.hid} {clean_text(p.plan.title)}" for p in plans)
               or "Ingen kontinuitetsplan finns")], label_width=0.26)
        for p in plans:
            if clean_text(p.plan.activation_criteria).strip():
                b.card_head("Aktivera planen när")
                b.para(p.plan.activation_criteria)
        b.card_head("Reservrutiner")
        for dep, tol, fb in card.fallbacks:
            facts = [f"tål avbrott i {format_duration(tol)}" if dep and tol else "",
                     f"rutinen räcker {format_duration(fb.duration)}" if fb.duration else "",
                     f"ansvarig: {clean_text(fb.responsible)}" if fb.responsible else ""]
            extra = ", ".join(x for x in facts if x)
            p = b.add()
            p.paragraph_format.keep_with_next = True
            p.add_run(f"{dep.hid} {clean_text(dep.name)}" if dep else "Allmän reservrutin").bold = True
            if extra:
                p.add_run(f" – {extra}")
            for block in clean_text(fb.procedure).strip().split("\n\n"):
                if block.strip("\n"):
                    from docx.shared import Mm

                    b.add(block.strip("\n")).paragraph_format.left_indent = Mm(4)
        if not card.fallbacks:
            b.fixed(fixed_text(t, "card_no_fallbacks"))
        if card.rest:
            b.card_head("Övriga beroenden")
            rows = []
            for dep, tol in card.rest:
                reserve = "Nej"
                if dep.has_reserve:
                    reserve = "Ja" + (f", räcker {format_duration(dep.reserve_duration)}" if dep.reserve_duration else "")
                rows.append([f"{dep.hid} {clean_text(dep.name)}", format_duration(tol) or "–", reserve])
            b.table(["Beroende", "Tål avbrott i", "Reserv"], rows, [0.56, 0.18, 0.26])
        b.card_head("Kontakter")
        if card.contacts:
            b.table(["Namn", "Roll", "Telefon", "Ersättare"],
                    [[c.name, c.role, c.phone, c.alternate] for c in card.contacts], [0.25, 0.3, 0.17, 0.28],
                    first_col_bold=True)
        else:
            b.fixed(fixed_text(t, "card_no_contacts"))
        b.card_head("Återstart och prioritetsordning")
        if card.recovery:
            for text in card.recovery:
                b.para(text)
        else:
            b.fixed(fixed_text(t, "card_no_recovery"))
        dates = "; ".join(f"{p.plan.hid}: reviderad {_date(p.plan.last_revised) or '–'}, övad "
                          f"{_date(p.plan.last_exercised) or 'aldrig'}" for p in plans)
        if dates:
            b.small(dates)


_CHAPTERS = {"summary": _summary, "description": _description, "method": _method, "functions": _functions,
             "dependencies": _dependencies, "risks": _risks, "vulnerabilities": _vulnerabilities,
             "actions": _actions, "continuity": _continuity, "follow_up": _follow_up, "appendices": _appendices}


def build_docx(data: ReportData, target, *, svc: RsaService | None = None,
               template: ReportTemplate | None = None) -> None:
    """Render gathered data to `target` (a path or a binary file object)."""
    template = template or load_template()
    b = _Word(data, template, svc)
    _title_page(b)
    marker = _toc(b)
    b.new_section()  # the chapters: a section of their own, whose header names the organisation
    for chapter in template.chapters:
        render = _CHAPTERS.get(chapter.key)
        if render is not None:
            render(b)
    b.flush()
    b.fill_toc(marker)
    b.decorate_sections()
    org = data.organisation.name if data.organisation is not None else ""
    props = b.doc.core_properties
    props.title = clean_text(data.title)[:250]
    props.author = clean_text(org)[:250]
    props.last_modified_by = f"RSA Desktop {data.program_version}"
    subject = f"Risk- och sårbarhetsanalys {data.analysis.year}"
    if not data.marking.empty:
        subject += f" – {data.marking.text}"
    props.subject = clean_text(subject)[:250]
    props.keywords = "risk- och sårbarhetsanalys, RSA" + (", öppet utdrag" if data.public else "")
    props.comments = f"Skapad med RSA Desktop {data.program_version} {export_stamp(data)}."
    props.created = props.modified = data.exported_at
    props.revision = 1
    b.doc.save(target)


def write_docx(data: ReportData, path: str | os.PathLike, *, svc: RsaService | None = None) -> Path:
    """Write the report atomically: a temporary file beside `path`, then renamed onto it."""
    from rsa_desktop.reports.atomic import write_atomic

    return write_atomic(path, lambda tmp: build_docx(data, str(tmp), svc=svc))


def export_docx(svc: RsaService, analysis_id: int, path: str | os.PathLike, *, public: bool = False,
                today: dt.date | None = None) -> Path:
    """Gather an analysis and write its Word report (or its öppet utdrag) to `path`."""
    return write_docx(gather(svc, analysis_id, public=public, today=today), path, svc=svc)
