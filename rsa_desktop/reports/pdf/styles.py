"""The PDF report's look: the embedded DejaVu Sans family, the colours and the paragraph styles."""

from __future__ import annotations

from rsa_desktop import paths
from rsa_desktop.reports.hyphenation import hyphenator

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


class Styles:
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


def ParagraphStyleCentered(style):  # noqa: N802 - reads like a style name where it is used
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "C", style, alignment=TA_CENTER)


def ParagraphStyleIndented(style):  # noqa: N802
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "I", style, leftIndent=12, spaceAfter=5)
