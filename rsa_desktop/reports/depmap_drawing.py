"""The PDF's dependency map drawn directly with reportlab graphics: one small map per samhällsviktig
verksamhet, full labels wrapped in their boxes, columns and order from services/depmap.py.

One map of every verksamhet and dependency could not be read at A4 (labels cut, a tangle of edges) and
its matplotlib → SVG → svglib round trip cost most of the large export; a map per verksamhet shows only
what that verksamhet needs, and shapes are cheap to draw.
"""

from __future__ import annotations

import functools
from typing import Any

from rsa_desktop.domain import severity
from rsa_desktop.reports.charts import NO_SEVERITY, SEVERITY_COLOURS, SEVERITY_LABELS
from rsa_desktop.reports.hyphenation import swedish

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
SIZE = 7.5
LEADING = 9.2
PAD = 3.0
GAP_X = 22.0  # between columns, room for the edges
GAP_Y = 5.0  # between boxes in a column
MAX_LINES = 5
SHY = "\xad"


def subgraph(graph: Any, function_id: str) -> tuple[list[Any], list[Any]]:
    """The nodes and edges one verksamhet needs: its direct dependencies and theirs, transitively."""
    nodes = {n.id: n for n in graph.nodes}
    keep = {function_id}
    frontier = [e.source for e in graph.edges if e.kind == "serves" and e.target == function_id]
    needs: dict[str, list[str]] = {}
    for e in graph.edges:
        if e.kind == "depends_on":
            needs.setdefault(e.source, []).append(e.target)
    while frontier:
        n = frontier.pop()
        if n in keep:
            continue
        keep.add(n)
        frontier.extend(needs.get(n, ()))
    edges = [e for e in graph.edges if e.source in keep and e.target in keep
             and (e.kind == "depends_on" or e.target == function_id)]
    return [nodes[k] for k in keep if k in nodes], edges


@functools.lru_cache(maxsize=8192)
def _width(text: str, font: str) -> float:
    """A string's width at the map's size (the same labels recur in many verksamheters' maps)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, SIZE)


@functools.lru_cache(maxsize=2048)
def _wrap(text: str, font: str, width: float) -> list[str]:
    """Lines of at most `width` points: at spaces, a too long word at its soft hyphens (with a hyphen),
    and only a word without any at a letter."""
    def w(s: str) -> float:
        return _width(s, font)

    lines: list[str] = []
    line = ""
    for token in text.split():
        whole = token.replace(SHY, "")
        if w((line + " " + whole).strip()) <= width:
            line = (line + " " + whole).strip()
            continue
        if line:
            lines.append(line)
            line = ""
        if w(whole) <= width:
            line = whole
            continue
        if SHY not in token:  # Swedish hyphenation points, as the report's paragraphs have
            if swedish():
                token = swedish().inserted(token, hyphen=SHY)
        pieces = token.split(SHY) if SHY in token else list(whole)
        joiner = "-" if SHY in token else ""
        for piece in pieces:
            if line and w(line + piece + joiner) > width:
                lines.append(line + joiner)
                line = ""
            line += piece
    if line:
        lines.append(line)
    return lines


def _label_lines(text: str, font: str, width: float, text_of) -> list[str]:
    lines = list(_wrap(text_of(text), font, width)) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1].rstrip() + " …"
    return lines


def function_map(graph: Any, function_id: str, width: float, text_of=str):
    """A Drawing of one verksamhet's map, `width` points wide (None when it has no dependencies).
    `text_of` makes a label printable (the PDF's pdf_text: emoji and control characters handled)."""
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    nodes, edges = subgraph(graph, function_id)
    if len(nodes) < 2:
        return None
    columns: dict[int, list[Any]] = {}
    for n in nodes:
        columns.setdefault(n.column, []).append(n)
    order = sorted(columns)
    ncols = len(order)
    box_w = (width - GAP_X * (ncols - 1)) / ncols
    boxes: dict[str, tuple[float, float, float, list[str], Any]] = {}  # id → x, top (from 0 down), h, lines
    heights = []
    for ci, col in enumerate(order):
        x = ci * (box_w + GAP_X)
        y = 0.0
        for n in sorted(columns[col], key=lambda n: (n.row, n.id)):
            font = FONT_BOLD if n.kind == "function" else FONT
            lines = _label_lines(f"{n.id} {n.label}", font, box_w - 2 * PAD, text_of)
            h = len(lines) * LEADING + 2 * PAD
            boxes[n.id] = (x, y, h, lines, n)
            y += h + GAP_Y
        heights.append(y - GAP_Y)
    total_h = max(heights)
    # centre each column vertically so that edges run roughly level
    for ci, col in enumerate(order):
        shift = (total_h - heights[ci]) / 2
        for n in columns[col]:
            x, y, h, lines, node = boxes[n.id]
            boxes[n.id] = (x, y + shift, h, lines, node)
    d = Drawing(width, total_h + 2)
    d.initialFontName = FONT

    def top(y: float) -> float:
        return total_h + 1 - y  # reportlab's y grows upwards

    for e in edges:
        if e.source not in boxes or e.target not in boxes:
            continue
        # serves: the dependency (right) feeds the verksamhet (left); depends_on: source needs target
        left, right = (e.target, e.source) if e.kind == "serves" else (e.source, e.target)
        lx, ly, lh, _l, _n = boxes[left]
        rx, ry, rh, _r, _m = boxes[right]
        colour = SEVERITY_COLOURS[e.severity][1] if e.severity in SEVERITY_COLOURS else "#9e9e9e"
        d.add(Line(lx + box_w, top(ly + lh / 2), rx, top(ry + rh / 2), strokeColor=colors.HexColor(colour),
                   strokeWidth=1.2 if e.severity in (severity.HIGH, severity.MEDIUM) else 0.6))
    for x, y, h, lines, n in boxes.values():
        fill, line = SEVERITY_COLOURS.get(n.severity or "", NO_SEVERITY)
        d.add(Rect(x, top(y + h), box_w, h, rx=2, ry=2, fillColor=colors.HexColor(fill),
                   strokeColor=colors.HexColor("#000000" if n.shared else line),
                   strokeWidth=1.6 if n.shared else 0.7))
        font = FONT_BOLD if n.kind == "function" else FONT
        for i, text in enumerate(lines):
            d.add(String(x + PAD, top(y + PAD + (i + 1) * LEADING - 2), text, fontName=font, fontSize=SIZE,
                         fillColor=colors.HexColor("#1A1A1A")))
    d.hAlign = "LEFT"
    return d


def legend(width: float):
    """The colours' meaning, one line."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    d = Drawing(width, 14)
    d.initialFontName = FONT  # the renderer's default is an unembedded Helvetica
    x = 0.0
    for sev in severity.SEVERITIES:
        fill, line = SEVERITY_COLOURS[sev]
        d.add(Rect(x, 2, 16, 10, fillColor=colors.HexColor(fill), strokeColor=colors.HexColor(line), strokeWidth=0.7))
        d.add(String(x + 20, 4, SEVERITY_LABELS[sev], fontName=FONT, fontSize=SIZE))
        x += 110
    d.add(Rect(x, 2, 16, 10, fillColor=colors.white, strokeColor=colors.black, strokeWidth=1.6))
    d.add(String(x + 20, 4, "Delat av flera verksamheter", fontName=FONT, fontSize=SIZE))
    d.hAlign = "LEFT"
    return d
