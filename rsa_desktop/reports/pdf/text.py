"""Text as the PDF prints it: user text made printable in the embedded font and breakable, escaped into
Paragraph markup; reportlab's Paragraph remembering its line breaking; the heading flowable."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from xml.sax.saxutils import escape

from rsa_desktop.reports.common import TABLE_CELL_LIMIT, clean_text, shorten
from rsa_desktop.reports.hyphenation import hyphenator, swedish
from rsa_desktop.reports.pdf.styles import FONT, register_fonts

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
SHY = "\xad"
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
        token = _ALPHA_RUN.sub(lambda w: swedish().inserted(w.group(0), hyphen=SHY), token)
    out = []
    for piece in token.split(SHY):
        out.append(SHY.join(piece[i:i + 10] for i in range(0, len(piece), 10)) if len(piece) > 12 else piece)
    return SHY.join(out)


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


def shortened(text: Any, limit: int = TABLE_CELL_LIMIT) -> str:
    return shorten(pdf_text(text), limit)


def date_text(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def level_text(value: int | None, label: str) -> str:
    if value is None:
        return "–"
    return f"{value} {label}".strip()


class HeadingMark:
    """Marker for afterFlowable: a heading that goes into the table of contents and the PDF outline."""


_PARAGRAPH: Any = None


def paragraph_cls():
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


def heading_cls():
    Paragraph = paragraph_cls()

    class Heading(Paragraph, HeadingMark):
        def __init__(self, text: str, style, level: int, key: str, toc: bool = True):
            super().__init__(esc(text), style)
            self.plain = clean_text(text)
            self.level = level
            self.key = key
            self.toc = toc

    return Heading
