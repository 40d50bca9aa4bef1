"""The PDF report to kommunstyrelsen (reportlab), in the structure of MSBFS 2015:5.

Chapter headings and fixed texts come from resources/report/template.json; every page carries the
classification marking in its header and footer; all fonts are DejaVu Sans from resources/fonts,
embedded as subsets. User text is always escaped before it reaches a Paragraph's markup parser, or
skips the parser altogether (Paragraph.plain: a plain table cell becomes one text fragment).

The package is split along the report's seams: styles (fonts, colours, paragraph styles), text (what user
text prints as, the Paragraph and heading flowables), document (page template, marking, page numbers,
table of contents passes), tables (column widths, split groups), builder (the story's building blocks),
and the chapters in front, analysis, measures and appendices. This module assembles and lays out a
report; it is the package's public API.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from rsa_desktop.domain.public import document_subject
from rsa_desktop.reports.common import ReportData, ReportTemplate, clean_text, gather, load_template
from rsa_desktop.reports.pdf import analysis, appendices, front, measures
from rsa_desktop.reports.pdf.builder import LONG_TABLE_ROWS, SUMMARY_ROWS, Builder
from rsa_desktop.reports.pdf.document import doc_classes, toc_entries
from rsa_desktop.reports.pdf.styles import FONT, FONT_BOLD, FONT_BOLD_ITALIC, FONT_ITALIC, register_fonts
from rsa_desktop.reports.pdf.tables import column_widths
from rsa_desktop.reports.pdf.text import NO_GLYPH, esc, pdf_text
from rsa_desktop.services.rsa import RsaService

__all__ = ["FONT", "FONT_BOLD", "FONT_BOLD_ITALIC", "FONT_ITALIC", "LONG_TABLE_ROWS", "NO_GLYPH", "SUMMARY_ROWS",
           "Builder", "build_pdf", "build_story", "column_widths", "doc_classes", "esc", "export_pdf", "gather",
           "lay_out", "pdf_text", "register_fonts", "write_pdf"]

_CHAPTERS = {**front.CHAPTERS, **analysis.CHAPTERS, **measures.CHAPTERS, **appendices.CHAPTERS}


def build_story(data: ReportData, *, svc: RsaService | None = None,
                template: ReportTemplate | None = None) -> Builder:
    """The report's story (every flowable, nothing laid out yet); lay_out() turns it into pages. Kept
    apart so that a benchmark can time reportlab's layout pass of the same story alone."""
    register_fonts()
    template = template or load_template()
    b = Builder(data, template, svc)
    front.title_page(b)
    front.toc_page(b)
    for chapter in template.chapters:
        render = _CHAPTERS.get(chapter.key)
        if render is not None:
            render(b)
    appendices.registers(b)  # a template without the Bilagor chapter must not lose the moved tables
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
        b.toc._entries = toc_entries(b.story)
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

# The names other writers used before Builder and doc_classes were public (kept for a merge in flight).
_Builder = Builder
_doc_classes = doc_classes
