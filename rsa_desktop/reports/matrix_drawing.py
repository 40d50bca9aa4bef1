"""The PDF's riskmatris drawn directly with reportlab graphics.

The geometry and content come from reports/charts.py (`matrix_geometry`, `matrix_layout`,
`axis_labels`, `legend_entries`, `matrix_arrows`), the same data the GUI's matplotlib figure paints,
so both show the same matrix; only the painting differs. The matplotlib → SVG → svglib round trip cost
most of the PDF's story building on a large analysis; shapes are cheap.
"""

from __future__ import annotations

import textwrap
from typing import Any

from rsa_desktop.reports import charts
from rsa_desktop.services.matrix import MatrixData

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
PT = 72.0  # points per inch: charts' geometry is in inches


def _centre_baseline(y: float, size: float) -> float:
    """The baseline that centres a line of DejaVu Sans capitals/digits vertically on y."""
    return y - 0.36 * size


def risk_matrix_drawing(data: MatrixData, *, residual: MatrixData | None = None, previous: MatrixData | None = None,
                        title: str = "", width_in: float = 6.3, arrows: bool | None = None):
    """A reportlab Drawing of the riskmatris, looking like `charts.risk_matrix_figure`."""
    from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
    from reportlab.lib import colors

    hexc = colors.HexColor
    texts = charts._cell_texts(data, residual, previous)
    entries = charts.legend_entries(data, residual=residual is not None, previous=previous is not None)
    legend_rows = charts._legend_rows(entries, width_in)
    geo = charts.matrix_geometry(data, width_in=width_in, title=title, legend_rows=len(legend_rows), texts=texts)
    layout = charts.matrix_layout(data, residual=residual, previous=previous, width_in=width_in, title=title)
    labels = charts.axis_labels(data)
    W, H = geo["width"] * PT, geo["height"] * PT
    ncons = max(len(data.consequence_levels), 1)
    nlik = max(len(data.likelihood_levels), 1)
    gx, gy = geo["left"] * PT, geo["bottom"] * PT
    cw, ch = geo["grid_w"] * PT / ncons, geo["grid_h"] * PT / nlik

    def at(x: float, y: float) -> tuple[float, float]:
        """Data coordinates (one unit = one cell) → points."""
        return gx + x * cw, gy + y * ch

    d = Drawing(W, H)
    d.initialFontName = FONT  # the renderer's default is an unembedded Helvetica
    for cell in layout:
        x, y, w, h = cell["rect"]
        px, py = at(x, y)
        d.add(Rect(px, py, w * cw, h * ch, fillColor=hexc(cell["colour"]), strokeColor=hexc(charts.GRID_LINE),
                   strokeWidth=1.5))
        dark = charts.text_colour_on(cell["colour"]) == charts.TEXT_DARK
        fs = cell["fontsize"]
        for t in cell["tokens"]:
            style = t["style"]
            colour = cell["text_colour"] if style in ("current", "more") else ("#0d2c6b" if dark else "#dfe8ff")
            if style == "previous":
                colour = charts.MUTED if dark else "#e0e0e0"
            font = FONT_BOLD if style == "current" else FONT_ITALIC if style == "residual" else FONT
            tx, ty = at(t["x"], t["y"])
            d.add(String(tx, _centre_baseline(ty, fs), t["text"], fontName=font, fontSize=fs,
                         fillColor=hexc(colour), textAnchor="middle"))
        if cell["count"]:
            d.add(String(px + w * cw - 0.04 * PT, py + 0.035 * PT + 1, str(cell["count"]), fontName=FONT,
                         fontSize=6, fillColor=hexc(cell["text_colour"]), fillOpacity=0.8, textAnchor="end"))
    moved = charts.matrix_arrows(layout)
    if arrows is False or (arrows is None and len(moved) > charts.MAX_ARROWS):
        moved = []
    for a in moved:
        _arrow(d, at(*a["start"]), at(*a["end"]), hexc("#0d2c6b"), Line, Polygon)
    tick = charts._TICK_FS
    lead = 1.1 * tick * 1.17  # matplotlib's linespacing 1.1 of its line height
    for i, text in enumerate(labels["x"]):
        cx, top = at(i + 0.5, 0)
        top -= 0.05 * PT
        for n, line in enumerate(textwrap.fill(text, 16).splitlines()):
            d.add(String(cx, top - tick * 0.93 - n * lead, line, fontName=FONT, fontSize=tick,
                         fillColor=hexc(charts.TEXT_DARK), textAnchor="middle"))
    for i, text in enumerate(labels["y"]):
        right, cy = at(0, i + 0.5)
        right -= 0.06 * PT
        lines = textwrap.fill(text, 14).splitlines()
        first = cy + (len(lines) - 1) * lead / 2
        for n, line in enumerate(lines):
            d.add(String(right, _centre_baseline(first - n * lead, tick), line, fontName=FONT, fontSize=tick,
                         fillColor=hexc(charts.TEXT_DARK), textAnchor="end"))
    y_title = String(0, 0, labels["y_title"], fontName=FONT_BOLD, fontSize=8.5, fillColor=hexc(charts.TEXT_DARK),
                     textAnchor="middle")
    from reportlab.graphics.shapes import Group

    g = Group(y_title)
    g.translate(0.08 * PT + 8.5 * 0.76, gy + geo["grid_h"] * PT / 2)
    g.rotate(90)
    d.add(g)
    x_title_y = geo["bottom"] - 0.42
    d.add(String(gx + geo["grid_w"] * PT / 2, x_title_y * PT - 8.5 * 0.93, labels["x_title"], fontName=FONT_BOLD,
                 fontSize=8.5, fillColor=hexc(charts.TEXT_DARK), textAnchor="middle"))
    if title:
        d.add(String(W / 2, H - 0.1 * PT - 10 * 0.93, title, fontName=FONT_BOLD, fontSize=10,
                     fillColor=hexc(charts.TEXT_DARK), textAnchor="middle"))
    y_leg = x_title_y - 0.2 - charts._M_LEGEND_ROW / 2
    for row in legend_rows:
        for label, colour, x_cur in row:
            if colour is not None:
                d.add(Rect(x_cur * PT, (y_leg - 0.06) * PT, 0.14 * PT, 0.12 * PT, fillColor=hexc(colour),
                           strokeColor=hexc("#888888"), strokeWidth=0.5))
                x_cur += 0.19
            d.add(String(x_cur * PT, _centre_baseline(y_leg * PT, 7), label, fontName=FONT, fontSize=7,
                         fillColor=hexc(charts.TEXT_DARK)))
        y_leg -= charts._M_LEGEND_ROW
    y_leg += charts._M_LEGEND_ROW
    unplaced = charts.unplaced_hids(data)
    if unplaced:
        note = "Saknar sannolikhet eller konsekvens och visas inte: " + ", ".join(unplaced)
        d.add(String(gx, _centre_baseline((y_leg - 0.22) * PT, 6.5), textwrap.shorten(note, 130, placeholder=" …"),
                     fontName=FONT_ITALIC, fontSize=6.5, fillColor=hexc(charts.MUTED)))
    d.hAlign = "CENTER"
    return d


def _arrow(d: Any, start: tuple[float, float], end: tuple[float, float], colour: Any, Line, Polygon) -> None:
    """A thin arrow from start to end, shortened at both ends so that it does not cover the IDs."""
    import math

    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 14:
        return
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    x0, y0, x1, y1 = x0 + 6 * ux, y0 + 6 * uy, x1 - 6 * ux, y1 - 6 * uy
    d.add(Line(x0, y0, x1 - 4 * ux, y1 - 4 * uy, strokeColor=colour, strokeWidth=0.8, strokeOpacity=0.75))
    px, py = -uy, ux
    d.add(Polygon([x1, y1, x1 - 5 * ux + 2 * px, y1 - 5 * uy + 2 * py, x1 - 5 * ux - 2 * px, y1 - 5 * uy - 2 * py],
                  fillColor=colour, strokeColor=None, fillOpacity=0.75))
