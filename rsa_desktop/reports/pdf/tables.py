"""Tables: column widths sized from the content, and a table that repeats a group's label where it splits."""

from __future__ import annotations

import re
from typing import Any

from rsa_desktop.reports.hyphenation import hyphenator, swedish
from rsa_desktop.reports.pdf.text import SHY

_TAG = re.compile(r"<[^>]*>")
_CELL_PAD = 8.5  # a cell's left and right padding, and a hair
_MEASURE = 90  # characters: a longer cell wraps anyway and does not ask for its natural width


def plain_of(value: Any) -> str:
    """The printed text of a table cell (a string, or a Paragraph made by Builder.cell/mcell)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):  # reportlab's Table holds a cell's flowables in a tuple
        return " ".join(plain_of(v) for v in value)
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
            shy = SHY in text
            for line in (text.replace(SHY, "") if shy else text).split("\n"):
                if len(line) > _MEASURE:
                    natural[i] = total
                elif len(line) > longest:
                    longest = len(line)
            # A line's natural width is estimated from its length (a generous DejaVu average): measuring
            # every cell is most of this function's cost, and it only decides which columns may give room.
        natural[i] = max(natural[i], longest * size * 0.62)
        for text, font in cells:
            shy = SHY in text
            # a token with soft hyphens (pdf_text) breaks there: its widest piece (and a hyphen) counts
            tokens = [piece + "-" for t in text.split() for piece in t.split(SHY)] if shy else text.split()
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


def cell_key(value: Any) -> int:
    """The identity of a table cell's content, the same in every part of a split table."""
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    return id(value)


def group_table_cls():
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
                        group = groups.get(cell_key(row[-1]))
                        if group is not None and not plain_of(row[0]).strip():
                            row = list(row)  # the row list is shared with the unsplit table
                            row[0] = self.rsa_cell(f"{group[0]} (forts.)", group[1])
                            rest._cellvalues[r] = row
                            if isinstance(rest._argH, list):
                                rest._argH[r] = None  # its height is measured again
                return parts

        _GROUP_TABLE = GroupTable
    return _GROUP_TABLE
