"""Charts for the reports and the GUI: the riskmatris and the dependency map on a matplotlib Figure.

Qt-free. matplotlib is imported inside the functions (it costs start-up time), and only
`matplotlib.figure.Figure` is used (never pyplot), so one function feeds the Qt canvas, the PDF
(via SVG) and PNG files alike. Fonts are DejaVu Sans (shipped with matplotlib; nothing is fetched).

What is drawn is computed first as plain data – `matrix_layout()` and `depmap_layout()` – which
the figure functions then paint one to one, so tests check the data, not pixels.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING, Any

from rsa_desktop.domain import severity
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.ids import hid_key
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.services.matrix import MatrixData

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from rsa_desktop.services.depmap import DependencyGraph

FONT = "DejaVu Sans"
TEXT_DARK = "#1b1b1b"
TEXT_LIGHT = "#ffffff"
GRID_LINE = "#ffffff"
MUTED = "#555555"

# Severity palette for the dependency map: (fill, line).
SEVERITY_COLOURS = {"hög": ("#f6c5c0", "#c62828"), "medel": ("#ffe0b2", "#e65100"), "låg": ("#fff5b1", "#b58900")}
NO_SEVERITY = ("#ffffff", "#9e9e9e")
SEVERITY_LABELS = {"hög": "Brist – hög", "medel": "Brist – medel", "låg": "Brist – låg"}

# Matrix geometry, inches.
_M_LEFT = 1.45  # likelihood tick labels and axis title
_M_RIGHT = 0.12
_M_TOP_TITLE = 0.38
_M_TOP = 0.12
_M_XLABELS = 0.62  # consequence tick labels and axis title
_M_LEGEND_ROW = 0.24
_M_NOTE_ROW = 0.2
_CELL_ASPECT = 0.72  # cell height / width
_CELL_PAD = 0.05
_COUNT_H = 0.09  # the bottom strip of a cell where the count sits
_FS_MAX, _FS_MIN = 8.0, 5.5
_TICK_FS = 7.0


def _rc() -> dict[str, Any]:
    return {"font.family": "sans-serif", "font.sans-serif": [FONT], "svg.fonttype": "path", "svg.hashsalt": "rsa",
            "axes.unicode_minus": False}


def _luminance(colour: str) -> float:
    c = colour.lstrip("#")
    if len(c) != 6:
        return 1.0
    r, g, b = (int(c[i:i + 2], 16) / 255 for i in (0, 2, 4))
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour_on(colour: str) -> str:
    """Black on light cells, white on dark ones."""
    return TEXT_LIGHT if _luminance(colour) < 0.18 else TEXT_DARK


def _token_width_in(text: str, fs: float) -> float:
    # DejaVu Sans: capitals and digits ≈ 0.62–0.70 em; a little slack avoids touching tokens.
    return (len(text) * 0.66 + 0.6) * fs / 72


def _cell_texts(data: MatrixData, residual: MatrixData | None,
                previous: MatrixData | None) -> dict[tuple[int, int], list[tuple[str, str, str]]]:
    """(likelihood, consequence) → [(text, hid, style)] in drawing order: current, residual, previous."""
    out: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    for cell in data.cells:
        out[(cell.likelihood, cell.consequence)] = [(h, h, "current") for h in cell.hids]
    for other, style, fmt in ((residual, "residual", "{}′"), (previous, "previous", "({})")):
        if other is None:
            continue
        for cell in other.cells:
            for hid in cell.hids:
                if _position_for(data, hid) != (cell.likelihood, cell.consequence):
                    out.setdefault((cell.likelihood, cell.consequence), []).append((fmt.format(hid), hid, style))
    return out


def _rows_needed(texts, fs: float, usable_w: float) -> int:
    rows, x = 1, 0.0
    for t, _, _ in texts:
        w = _token_width_in(t, fs)
        if x and x + w > usable_w:
            rows, x = rows + 1, 0.0
        x += w
    return rows


def _fits(texts, fs: float, cell_w: float, cell_h: float) -> bool:
    if not texts:
        return True
    usable_h = cell_h - 2 * _CELL_PAD - _COUNT_H
    return _rows_needed(texts, fs, cell_w - 2 * _CELL_PAD) * 1.3 * fs / 72 <= usable_h


def matrix_geometry(data: MatrixData, *, width_in: float = 6.3, title: str = "", legend_rows: int = 1,
                    note: bool | None = None, texts: dict | None = None) -> dict[str, float]:
    """Sizes in inches: figure, grid origin, cell size. Shared by `matrix_layout` and the figure.

    Cells are 0.72 × as high as wide, taller (up to square) when the fullest cell would otherwise
    need a font below 7 pt.
    """
    ncons = max(len(data.consequence_levels), 1)
    nlik = max(len(data.likelihood_levels), 1)
    grid_w = max(width_in - _M_LEFT - _M_RIGHT, 1.0)
    cell_w = grid_w / ncons
    aspect = _CELL_ASPECT
    texts = texts if texts is not None else _cell_texts(data, None, None)
    while aspect < 1.0 and not all(_fits(t, 7.0, cell_w, cell_w * aspect) for t in texts.values()):
        aspect += 0.07
    cell_h = min(cell_w * aspect, 1.2)
    grid_h = cell_h * nlik
    if note is None:
        note = bool(unplaced_hids(data))
    bottom = _M_XLABELS + _M_LEGEND_ROW * legend_rows + (_M_NOTE_ROW if note else 0) + 0.08
    top = _M_TOP_TITLE if title else _M_TOP
    return {"width": width_in, "height": bottom + grid_h + top, "left": _M_LEFT, "bottom": bottom,
            "grid_w": grid_w, "grid_h": grid_h, "cell_w": cell_w, "cell_h": cell_h, "top": top}


def unplaced_hids(data: MatrixData) -> list[str]:
    """Risks in the data that sit in no cell (also right for a matrix of residual positions)."""
    placed = {h for c in data.cells for h in c.hids}
    return [p.hid for p in data.points if p.hid not in placed]


def _position_for(data: MatrixData | None, hid: str, residual: bool = False) -> tuple[int, int] | None:
    if data is None:
        return None
    for p in data.points:
        if p.hid == hid:
            where = (p.residual_likelihood, p.residual_consequence) if residual else (p.likelihood, p.consequence)
            return where if None not in where else None
    return None


def legend_entries(data: MatrixData, *, residual: bool = False, previous: bool = False) -> list[tuple[str, str | None]]:
    """(label, colour or None) under the matrix: the colour bands, then the marks used."""
    entries: list[tuple[str, str | None]] = list(band_legend(data))
    if residual:
        entries.append(("R1′ = läge efter åtgärder", None))
    if previous:
        entries.append(("(R1) = förra årets läge", None))
    return entries


def _legend_rows(entries, width_in: float) -> list[list[tuple[str, str | None, float]]]:
    """Entries wrapped into rows that fit the figure, each with its x position (inches)."""
    rows: list[list[tuple[str, str | None, float]]] = [[]]
    x = _M_LEFT
    for label, colour in entries:
        w = (0.19 if colour else 0) + _token_width_in(label, 7) * 0.82 + 0.22
        if rows[-1] and x + w > width_in - _M_RIGHT:
            rows.append([])
            x = _M_LEFT
        rows[-1].append((label, colour, x))
        x += w
    return rows


def matrix_layout(data: MatrixData, *, residual: MatrixData | None = None, previous: MatrixData | None = None,
                  width_in: float = 6.3, title: str = "") -> list[dict[str, Any]]:
    """What each cell of the drawn matrix shows, in data coordinates (one unit = one cell).

    Column = consequence index, row = likelihood index (low likelihood at the bottom). Per cell:
    ``likelihood, consequence, rect (x, y, w, h), colour, band, text_colour, hids, count, fontsize,
    tokens`` where each token is ``{"text", "hid", "style", "x", "y"}`` with style ``current`` (the
    risk's position), ``residual`` (its position after actions, written "R1′", only where it differs)
    or ``previous`` (last year's position, written "(R1)", only where it differs). Risks that do not
    fit are summarised by a last token "+N" (style ``more``).
    """
    texts = _cell_texts(data, residual, previous)
    rows = len(_legend_rows(legend_entries(data, residual=residual is not None, previous=previous is not None),
                            width_in))
    geo = matrix_geometry(data, width_in=width_in, title=title, legend_rows=rows, texts=texts)
    cons_index = {v: i for i, (v, _) in enumerate(data.consequence_levels)}
    lik_index = {v: i for i, (v, _) in enumerate(data.likelihood_levels)}
    # one font size for the whole matrix: the largest at which every cell fits (down to a minimum)
    fs = min((_fitting_size(t, geo["cell_w"], geo["cell_h"]) for t in texts.values() if t), default=_FS_MAX)
    out = []
    for cell in data.cells:
        if cell.likelihood not in lik_index or cell.consequence not in cons_index:
            continue
        x, y = cons_index[cell.consequence], lik_index[cell.likelihood]
        tokens = _place_tokens(texts.get((cell.likelihood, cell.consequence), []), x, y,
                               geo["cell_w"], geo["cell_h"], fs)
        out.append({"likelihood": cell.likelihood, "consequence": cell.consequence, "rect": (x, y, 1.0, 1.0),
                    "colour": cell.colour, "band": cell.band, "text_colour": text_colour_on(cell.colour),
                    "hids": cell.hids, "count": len(cell.hids), "fontsize": fs, "tokens": tokens})
    return out


def _fitting_size(texts, cell_w: float, cell_h: float) -> float:
    fs = _FS_MAX
    while not _fits(texts, fs, cell_w, cell_h) and fs > _FS_MIN:
        fs = max(fs - 0.5, _FS_MIN)
    return fs


def _place_tokens(texts: list[tuple[str, str, str]], x0: float, y0: float, cell_w: float, cell_h: float,
                  fs: float) -> list[dict[str, Any]]:
    """Wrap tokens into centred rows that fit the cell at font size `fs`; what does not fit becomes "+N"."""
    if not texts:
        return []
    usable_w = cell_w - 2 * _CELL_PAD
    line_h = 1.3 * fs / 72
    max_rows = max(int((cell_h - 2 * _CELL_PAD - _COUNT_H) // line_h), 1)
    if _rows_needed(texts, fs, usable_w) > max_rows:
        keep = len(texts)
        while keep > 0 and _rows_needed(texts[:keep] + [(f"+{len(texts) - keep}", "", "more")], fs,
                                        usable_w) > max_rows:
            keep -= 1
        texts = texts[:keep] + [(f"+{len(texts) - keep}", "", "more")]
    rows: list[list[tuple[str, str, str, float]]] = [[]]
    x = 0.0
    for t, hid, style in texts:
        w = _token_width_in(t, fs)
        if rows[-1] and x + w > usable_w:
            rows.append([])
            x = 0.0
        rows[-1].append((t, hid, style, w))
        x += w
    tokens = []
    block_h = len(rows) * line_h
    top = (cell_h - _COUNT_H - block_h) / 2  # centred in the space above the count corner
    for r, row in enumerate(rows):
        row_w = sum(w for *_, w in row)
        left = (cell_w - row_w) / 2
        cy = cell_h - (top + (r + 0.5) * line_h)
        for text, hid, style, w in row:
            cx = left + w / 2
            left += w
            tokens.append({"text": text, "hid": hid, "style": style,
                           "x": round(x0 + cx / cell_w, 4), "y": round(y0 + cy / cell_h, 4)})
    return tokens


def matrix_arrows(layout: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Arrows from each risk's current token to its residual token: ``{"hid", "start", "end"}``."""
    current = {t["hid"]: (t["x"], t["y"]) for c in layout for t in c["tokens"] if t["style"] == "current"}
    out = []
    for c in layout:
        for t in c["tokens"]:
            if t["style"] == "residual" and t["hid"] in current:
                out.append({"hid": t["hid"], "start": current[t["hid"]], "end": (t["x"], t["y"])})
    return sorted(out, key=lambda a: _hid_sort(a["hid"]))


def _hid_sort(hid: str):
    return hid_key(hid)


def axis_labels(data: MatrixData) -> dict[str, Any]:
    """Tick labels ("5 Mycket hög") and axis titles, as drawn."""
    cons_title = "Konsekvens" + (f" – {data.dimension_label}" if data.dimension_label else "")
    return {"x": [f"{v} {label}".strip() for v, label in data.consequence_levels],
            "y": [f"{v} {label}".strip() for v, label in data.likelihood_levels],
            "x_title": cons_title, "y_title": "Sannolikhet"}


def band_legend(data: MatrixData) -> list[tuple[str, str]]:
    """(label, colour) of each colour band that appears in the matrix, from low to high."""
    seen: dict[str, str] = {}
    for cell in sorted(data.cells, key=lambda c: risk_value(c.likelihood, c.consequence) or 0):
        if cell.band and cell.band not in seen:
            seen[cell.band] = cell.colour
    return list(seen.items())


MAX_ARROWS = 30  # more arrows than this hide the matrix; the residual IDs are still shown


def risk_matrix_figure(data: MatrixData, *, residual: MatrixData | None = None, previous: MatrixData | None = None,
                       title: str = "", width_in: float = 6.3, arrows: bool | None = None) -> Figure:
    """The riskmatris: coloured cells with the risk IDs in them and a count per cell.

    With `residual`, each risk's position after actions is shown ("R1′") with an arrow from its
    current position (`arrows=None`: only while there are at most MAX_ARROWS of them); with `previous`
    (last year's matrix), last year's positions are shown as "(R1)".
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    texts = _cell_texts(data, residual, previous)
    legend_rows = len(_legend_rows(legend_entries(data, residual=residual is not None,
                                                  previous=previous is not None), width_in))
    geo = matrix_geometry(data, width_in=width_in, title=title, legend_rows=legend_rows, texts=texts)
    layout = matrix_layout(data, residual=residual, previous=previous, width_in=width_in, title=title)
    labels = axis_labels(data)
    W, H = geo["width"], geo["height"]
    ncons = max(len(data.consequence_levels), 1)
    nlik = max(len(data.likelihood_levels), 1)
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(W, H), dpi=100)
        ax = fig.add_axes((geo["left"] / W, geo["bottom"] / H, geo["grid_w"] / W, geo["grid_h"] / H))
        ax.set_xlim(0, ncons)
        ax.set_ylim(0, nlik)
        ax.set_axis_off()
        ax.set_gid("riskmatris")
        per_in_x = ncons / geo["grid_w"]  # data units per inch
        per_in_y = nlik / geo["grid_h"]
        for cell in layout:
            x, y, w, h = cell["rect"]
            ax.add_patch(Rectangle((x, y), w, h, facecolor=cell["colour"], edgecolor=GRID_LINE, linewidth=1.5,
                                   gid=f"cell-{cell['likelihood']}-{cell['consequence']}"))
            for t in cell["tokens"]:
                style = t["style"]
                colour = cell["text_colour"] if style in ("current", "more") else (
                    "#0d2c6b" if text_colour_on(cell["colour"]) == TEXT_DARK else "#dfe8ff")
                if style == "previous":
                    colour = MUTED if text_colour_on(cell["colour"]) == TEXT_DARK else "#e0e0e0"
                ax.text(t["x"], t["y"], t["text"], ha="center", va="center", fontsize=cell["fontsize"],
                        family=FONT, color=colour, fontweight="bold" if style == "current" else "normal",
                        fontstyle="italic" if style == "residual" else "normal", gid=f"token-{style}-{t['hid']}")
            if cell["count"]:
                ax.text(x + w - 0.04 * per_in_x, y + 0.035 * per_in_y, str(cell["count"]), ha="right", va="bottom",
                        fontsize=6, family=FONT, color=cell["text_colour"], alpha=0.8, gid="count")
        moved = matrix_arrows(layout)
        if arrows is False or (arrows is None and len(moved) > MAX_ARROWS):
            moved = []
        for a in moved:
            ax.annotate("", xy=a["end"], xytext=a["start"], annotation_clip=False,
                        arrowprops={"arrowstyle": "-|>", "color": "#0d2c6b", "lw": 0.8, "alpha": 0.75,
                                    "shrinkA": 6, "shrinkB": 6, "mutation_scale": 7}, gid=f"arrow-{a['hid']}")
        # tick labels and axis titles, drawn as text so that wrapping and fonts are under control
        for i, text in enumerate(labels["x"]):
            ax.text(i + 0.5, -0.05 * per_in_y, textwrap.fill(text, 16), ha="center", va="top", fontsize=_TICK_FS,
                    family=FONT, color=TEXT_DARK, linespacing=1.1, gid="xtick")
        for i, text in enumerate(labels["y"]):
            ax.text(-0.06 * per_in_x, i + 0.5, textwrap.fill(text, 14), ha="right", va="center", fontsize=_TICK_FS,
                    family=FONT, color=TEXT_DARK, linespacing=1.1, gid="ytick")
        fig.text(0.08 / W, (geo["bottom"] + geo["grid_h"] / 2) / H, labels["y_title"], rotation=90, ha="left",
                 va="center", fontsize=8.5, fontweight="bold", family=FONT, color=TEXT_DARK)
        x_title_y = geo["bottom"] - 0.42
        fig.text((geo["left"] + geo["grid_w"] / 2) / W, x_title_y / H, labels["x_title"], ha="center", va="top",
                 fontsize=8.5, fontweight="bold", family=FONT, color=TEXT_DARK)
        if title:
            fig.text(0.5, (H - 0.1) / H, title, ha="center", va="top", fontsize=10, fontweight="bold", family=FONT,
                     color=TEXT_DARK)
        # legend: bands, then the marks for residual/previous positions, wrapped into rows
        entries = legend_entries(data, residual=residual is not None, previous=previous is not None)
        y_leg = x_title_y - 0.2 - _M_LEGEND_ROW / 2
        for row in _legend_rows(entries, W):
            for label, colour, x_cur in row:
                if colour is not None:
                    fig.add_artist(Rectangle((x_cur / W, (y_leg - 0.06) / H), 0.14 / W, 0.12 / H, facecolor=colour,
                                             edgecolor="#888888", linewidth=0.5, transform=fig.transFigure))
                    x_cur += 0.19
                fig.text(x_cur / W, y_leg / H, label, ha="left", va="center", fontsize=7, family=FONT,
                         color=TEXT_DARK)
            y_leg -= _M_LEGEND_ROW
        y_leg += _M_LEGEND_ROW
        unplaced = unplaced_hids(data)
        if unplaced:
            note = "Saknar sannolikhet eller konsekvens och visas inte: " + ", ".join(unplaced)
            fig.text(geo["left"] / W, (y_leg - 0.22) / H, textwrap.shorten(note, 130, placeholder=" …"), ha="left",
                     va="center", fontsize=6.5, family=FONT, color=MUTED, fontstyle="italic")
    return fig


# -- dependency map ----------------------------------------------------------------------------

_D_ROW = 0.3  # inches per row
_D_BOX_H = 0.22
_D_TOP = 0.35
_D_BOTTOM = 0.55
_D_SIDE = 0.08
_D_FS = 6.0


def _truncate(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[:max_chars - 1].rstrip(" ,–-") + "…"


def depmap_layout(graph: DependencyGraph, *, width_in: float = 6.3) -> dict[str, Any]:
    """Boxes, lines and texts of the dependency map in inches (origin bottom-left), as drawn.

    ``{"width", "height", "columns": [{"x", "title"}], "nodes": [{"id", "kind", "text", "box" (x, y, w, h),
    "fill", "edge", "linewidth", "bold", "severity", "shared"}], "edges": [{"source", "target", "kind",
    "start", "end", "colour", "linewidth", "severity", "label"}]}``.
    """
    ncols = max(graph.columns, 1)
    col_w = (width_in - 2 * _D_SIDE) / ncols
    box_w = col_w * 0.84
    height = _D_TOP + max(graph.rows, 1) * _D_ROW + _D_BOTTOM
    top_y = height - _D_TOP
    max_chars = max(int((box_w - 0.08) / (0.57 * _D_FS / 72)), 6)
    max_bold = max(int((box_w - 0.08) / (0.64 * _D_FS / 72)), 6)
    nodes, where = [], {}
    for n in graph.nodes:
        cx = _D_SIDE + (n.column + 0.5) * col_w
        cy = top_y - (n.y + 0.5) * _D_ROW
        fill, line = SEVERITY_COLOURS.get(n.severity or "", NO_SEVERITY)
        if n.kind == "function" and n.severity is None:
            fill, line = ("#e3f2fd", "#1565c0") if n.critical else ("#f5f5f5", "#9e9e9e")
        bold = n.kind == "function" and n.critical
        text = _truncate(f"{n.id} {n.label}", max_bold if bold else max_chars)
        nodes.append({"id": n.id, "kind": n.kind, "text": text, "box": (cx - box_w / 2, cy - _D_BOX_H / 2, box_w, _D_BOX_H),
                      "fill": fill, "edge": "#000000" if n.shared else line, "linewidth": 1.8 if n.shared else 0.8,
                      "bold": bold, "severity": n.severity, "shared": n.shared})
        where[n.id] = (cx, cy)
    edges = []
    for e in graph.edges:
        if e.source not in where or e.target not in where:
            continue
        # draw from the left-hand node's right side to the right-hand node's left side
        (sx, sy), (tx, ty) = where[e.source], where[e.target]
        if sx > tx:
            (sx, sy), (tx, ty) = (tx, ty), (sx, sy)
        start, end = (sx + box_w / 2, sy), (tx - box_w / 2, ty)
        colour = SEVERITY_COLOURS[e.severity][1] if e.severity in SEVERITY_COLOURS else "#b0b0b0"
        edges.append({"source": e.source, "target": e.target, "kind": e.kind, "start": start, "end": end,
                      "colour": colour, "linewidth": (1.4, 1.1, 0.9, 0.5)[severity.rank(e.severity)],
                      "severity": e.severity,
                      "label": format_duration(e.tolerance) if e.tolerance is not None else ""})
    # severe edges last so they are drawn on top
    edges.sort(key=lambda e: -severity.rank(e["severity"]))
    titles = ["Verksamheter"] + [f"Beroenden, nivå {c}" if c > 1 else "Beroenden" for c in range(1, ncols)]
    columns = [{"x": _D_SIDE + (c + 0.5) * col_w, "title": titles[c]} for c in range(ncols)]
    return {"width": width_in, "height": height, "columns": columns, "nodes": nodes, "edges": edges,
            "box_w": box_w, "top_y": top_y}


def dependency_map_figure(graph: DependencyGraph, *, width_in: float = 6.3) -> Figure:
    """The dependency map: functions left, dependencies in layers to the right, coloured by gap severity.

    Shared dependencies (serving several functions, or provided by another organisation) have a thick
    black frame; lines are coloured by the worst gap along them.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Rectangle

    lay = depmap_layout(graph, width_in=width_in)
    W, H = lay["width"], lay["height"]
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(W, H), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(0, H)
        ax.set_axis_off()
        ax.set_gid("beroendekarta")
        for c in lay["columns"]:
            ax.text(c["x"], H - 0.16, c["title"], ha="center", va="center", fontsize=7, fontweight="bold",
                    family=FONT, color=TEXT_DARK)
        for e in lay["edges"]:
            (x1, y1), (x2, y2) = e["start"], e["end"]
            ax.plot([x1, x2], [y1, y2], color=e["colour"], linewidth=e["linewidth"], solid_capstyle="round",
                    alpha=0.9 if e["severity"] else 0.7, zorder=1, gid=f"edge-{e['source']}-{e['target']}")
        for n in lay["nodes"]:
            x, y, w, h = n["box"]
            ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.04",
                                        facecolor=n["fill"], edgecolor=n["edge"], linewidth=n["linewidth"], zorder=2,
                                        gid=f"node-{n['id']}"))
            ax.text(x + 0.04, y + h / 2, n["text"], ha="left", va="center", fontsize=_D_FS, family=FONT,
                    color=TEXT_DARK, fontweight="bold" if n["bold"] else "normal", zorder=3, clip_on=False)
        if not lay["nodes"]:
            ax.text(W / 2, H / 2, "Inga verksamheter eller beroenden", ha="center", va="center", fontsize=8,
                    family=FONT, color=MUTED)
        # legend
        y = 0.2
        x = _D_SIDE
        for sev in severity.SEVERITIES:
            fill, line = SEVERITY_COLOURS[sev]
            ax.add_patch(Rectangle((x, y - 0.06), 0.18, 0.12, facecolor=fill, edgecolor=line, linewidth=0.8))
            label = SEVERITY_LABELS[sev]
            ax.text(x + 0.24, y, label, ha="left", va="center", fontsize=6.5, family=FONT, color=TEXT_DARK)
            x += 0.24 + _token_width_in(label, 6.5) * 0.8 + 0.2
        ax.add_patch(Rectangle((x, y - 0.06), 0.18, 0.12, facecolor="#ffffff", edgecolor="#000000", linewidth=1.8))
        label = "Delat beroende (flera verksamheter eller annan förvaltning)"
        ax.text(x + 0.24, y, label, ha="left", va="center", fontsize=6.5, family=FONT, color=TEXT_DARK)
    return fig


def figure_to_svg(fig) -> bytes:
    """The figure as SVG with glyphs as paths (no font embedding problems in svglib/reportlab)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    previous = fig.canvas
    buf = io.BytesIO()
    try:
        with matplotlib.rc_context({**_rc(), "svg.fonttype": "path"}):
            FigureCanvasSVG(fig).print_figure(buf, format="svg", metadata={"Date": None})
    finally:
        fig.set_canvas(previous)  # a Qt canvas showing the same figure keeps working
    return buf.getvalue()


def figure_to_png(fig, path=None, *, dpi: int = 200) -> bytes:
    """PNG bytes (and the file, if `path` is given) via the Agg canvas, keeping the figure's canvas."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    previous = fig.canvas
    buf = io.BytesIO()
    try:
        with matplotlib.rc_context(_rc()):
            FigureCanvasAgg(fig).print_figure(buf, format="png", dpi=dpi)
    finally:
        fig.set_canvas(previous)
    data = buf.getvalue()
    if path is not None:
        from pathlib import Path

        Path(path).write_bytes(data)
    return data
