"""Beroendekarta: the dependency map (services/depmap.py) painted in a QGraphicsView.

Functions (left column, rounded rectangles, blue) and dependencies (pills, grey) at the layout's
positions; arrows mean "behöver" (needs). Shared dependencies carry a purple badge with the number of
functions they serve; borders and arrows are coloured by the worst continuity gap that involves them.
Zoom with Ctrl+wheel, + / − / 0 or the buttons. Click a node to select it (details below the map),
double-click or Enter to open the item; the arrow keys move between nodes.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain import severity as sev_vocab
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.services.depmap import DependencyGraph, Node, build_graph
from rsa_desktop.ui.views.gap_view import SEVERITY_COLOURS, SEVERITY_TEXT, findings, item_target
from rsa_desktop.ui.widgets import hints
from rsa_desktop.ui.widgets.lazy import RefreshWhenVisible

COL_SPACING = 400.0
NODE_W = 250.0
NODE_H = 48.0  # the smallest node: ID line and one line of name
ROW_GAP = 26.0  # between nodes in a column
MIN_ZOOM, MAX_ZOOM = 0.2, 4.0  # manual zoom range; Anpassa may go below MIN_ZOOM (fit_zoom)
MAX_LABEL_LINES = 5  # longer names wrap to this many lines; the rest is in the tooltip and the details
LABEL_POINT_SIZE = 9.0
FUNCTION_FILL, FUNCTION_BORDER = "#e3f0fc", "#1565c0"
DEPENDENCY_FILL, DEPENDENCY_BORDER = "#f1f1f1", "#616161"
SHARED_COLOUR = "#6a1b9a"
SELECTED_COLOUR = "#0b57d0"


def _t(text: str) -> str:
    return QCoreApplication.translate("depmap_view", text)


def _serves_text(count: int) -> str:
    return _t("betjänar 1 verksamhet") if count == 1 else _t("betjänar {0} verksamheter").format(count)


def _label_font(bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(LABEL_POINT_SIZE)
    f.setBold(bold)
    return f


def wrap_label(text: str, font: QFont, width: float, max_lines: int = MAX_LABEL_LINES) -> list[str]:
    """The name in lines that fit `width` (at word boundaries, inside a word only when it is too long
    for a line); the last line is elided when even `max_lines` are not enough."""
    text = " ".join(text.split())
    if not text:
        return []
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    lines: list[tuple[int, int]] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines.append((line.textStart(), line.textLength()))
    layout.endLayout()
    out = [text[a:a + n].strip() for a, n in lines[:max_lines]]
    if len(lines) > max_lines:
        rest = text[lines[max_lines - 1][0]:]
        out[-1] = QFontMetricsF(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return out


def label_width() -> float:
    """Width of the name inside a node (the node minus its padding, see NodeItem.text_rect)."""
    return NODE_W - 24


class NodeItem(QGraphicsItem):
    def __init__(self, node: Node, height: float = NODE_H):
        super().__init__()
        self.node = node
        self.height = height
        self.lines = wrap_label(node.label, _label_font(), label_width())
        self.selected = False
        self.setAcceptHoverEvents(True)
        self.setToolTip(self._tooltip())
        self.setZValue(2)

    def _tooltip(self) -> str:
        n = self.node
        lines = [f"<b>{html.escape(n.id)} {html.escape(n.label)}</b>"]
        if n.kind == "function":
            lines.append(_t("Samhällsviktig verksamhet") if n.critical else _t("Verksamhet"))
        else:
            bits = [n.dep_type] if n.dep_type else []
            if n.provider_org:
                bits.append(_t("levereras av {0}").format(n.provider_org))
            bits.append(_serves_text(n.functions_served))
            lines.append(html.escape(", ".join(bits)))
            if n.shared:
                lines.append(_t("Delat beroende"))
        if n.severity:
            lines.append(_t("Värsta kontinuitetsgap: {0}").format(_t(SEVERITY_TEXT[n.severity]).lower()))
        return "<br>".join(lines)

    def boundingRect(self) -> QRectF:
        return QRectF(-NODE_W / 2 - 6, -self.height / 2 - 10, NODE_W + 16, self.height + 16)

    def shape_rect(self) -> QRectF:
        return QRectF(-NODE_W / 2, -self.height / 2, NODE_W, self.height)

    @staticmethod
    def height_for(lines: int) -> float:
        """A node's height for a name of `lines` lines (at least NODE_H)."""
        line_h = QFontMetricsF(_label_font()).lineSpacing()
        return max(NODE_H, 8 + QFontMetricsF(_label_font(True)).lineSpacing() + 2 + lines * line_h + 6)

    def paint(self, p: QPainter, _option, _widget=None) -> None:
        n = self.node
        r = self.shape_rect()
        is_fn = n.kind == "function"
        radius = 6 if is_fn else min(NODE_H / 2, r.height() / 2)
        if self.selected:
            p.setPen(QPen(QColor(SELECTED_COLOUR), 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r.adjusted(-5, -5, 5, 5), radius + 4, radius + 4)
        border = QColor(SEVERITY_COLOURS[n.severity]) if n.severity else QColor(
            FUNCTION_BORDER if is_fn else DEPENDENCY_BORDER)
        width = 3.0 if n.severity else (2.0 if is_fn and n.critical else 1.2)
        p.setBrush(QColor(FUNCTION_FILL if is_fn else DEPENDENCY_FILL))
        p.setPen(QPen(border, width))
        p.drawRoundedRect(r, radius, radius)
        if n.shared:
            p.setPen(QPen(QColor(SHARED_COLOUR), 1.5, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r.adjusted(3.5, 3.5, -3.5, -3.5), max(radius - 3, 2), max(radius - 3, 2))
            badge = QRectF(r.right() - 30, r.top() - 9, 30, 17)
            p.setBrush(QColor(SHARED_COLOUR))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRoundedRect(badge, 8, 8)
            f = QFont(p.font())
            f.setPointSizeF(max(f.pointSizeF() - 2, 6))
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor("white"))
            p.drawText(badge, Qt.AlignmentFlag.AlignCenter, f"×{n.functions_served}")
        if n.severity:
            size = 12
            c = QPointF(r.left() + (3 if not is_fn else 0), r.center().y())  # on the left edge
            p.setBrush(QColor(SEVERITY_COLOURS[n.severity]))
            p.setPen(QPen(QColor("white"), 1))
            if n.severity == sev_vocab.HIGH:
                p.drawPolygon(QPolygonF([c + QPointF(0, -size / 2), c + QPointF(size / 2, size / 2),
                                         c + QPointF(-size / 2, size / 2)]))
            elif n.severity == "medel":
                p.drawPolygon(QPolygonF([c + QPointF(0, -size / 2), c + QPointF(size / 2, 0), c + QPointF(0, size / 2),
                                         c + QPointF(-size / 2, 0)]))
            else:
                p.drawEllipse(c, size / 2.5, size / 2.5)
        base = _label_font()
        bold = _label_font(True)
        # the same inset for both kinds, so the wrapped lines (label_width) fit exactly
        text_rect = r.adjusted(14, 4, -10, -4)
        p.setPen(QColor("#1b1b1b"))
        p.setFont(bold)
        head = n.id + ("  " + _t("(hemlig)") if n.secret else "")
        p.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, head)
        p.setFont(base)
        line_h = QFontMetricsF(base).lineSpacing()
        y = text_rect.top() + QFontMetricsF(bold).lineSpacing() + 2
        for line in self.lines:
            p.drawText(QRectF(text_rect.left(), y, text_rect.width() + 2, line_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
            y += line_h
        sub = n.dep_type if not is_fn else ("" if not n.critical else _t("samhällsviktig"))
        if sub:
            small = QFont(base)
            small.setPointSizeF(7.5)
            p.setFont(small)
            p.setPen(QColor("#555555"))
            room = text_rect.width() - QFontMetricsF(bold).horizontalAdvance(head) - 12  # all beside the ID
            p.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                       QFontMetricsF(small).elidedText(sub, Qt.TextElideMode.ElideRight, room))


class DepMapGraphicsView(QGraphicsView):
    """The zoomable, focusable canvas. Emits the node's id on selection and on activation."""

    nodeSelected = Signal(str)
    nodeActivated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(_t("Beroendekarta"))
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.items_by_id: dict[str, NodeItem] = {}
        self.selected: str | None = None
        self.zoom = 1.0
        self.node_h = NODE_H
        self.row_spacing = NODE_H + ROW_GAP

    # -- content --------------------------------------------------------------------------------------

    def set_graph(self, graph: DependencyGraph | None) -> None:
        scene = self.scene()
        scene.clear()
        self.items_by_id.clear()
        if graph is None:
            return
        # every node as tall as the longest name needs, so all names are whole and rows stay aligned
        longest = max((len(wrap_label(n.label, _label_font(), label_width())) for n in graph.nodes), default=1)
        self.node_h = NodeItem.height_for(max(longest, 1))
        self.row_spacing = self.node_h + ROW_GAP
        for n in graph.nodes:
            item = NodeItem(n, self.node_h)
            item.setPos(self.node_pos(n))
            scene.addItem(item)
            self.items_by_id[n.id] = item
        for e in graph.edges:
            a, b = self.items_by_id.get(e.source), self.items_by_id.get(e.target)
            if a is None or b is None:
                continue
            # arrows mean "behöver": function → dependency, dependency → the dependency it needs
            frm, to = (b, a) if e.kind == "serves" else (a, b)
            self._add_edge(frm.pos(), to.pos(), e)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-30, -30, 30, 30))
        if self.selected in self.items_by_id:
            self.items_by_id[self.selected].selected = True
        else:
            self.selected = None
        desc = ", ".join(f"{n.id} {n.label}" for n in graph.nodes)
        self.setAccessibleDescription(desc)

    def node_pos(self, n: Node) -> QPointF:
        return QPointF(n.x * COL_SPACING, n.y * self.row_spacing)

    def _add_edge(self, a: QPointF, b: QPointF, e) -> None:
        # a dependency's level is its fewest steps from a function (services/depmap.py), so a
        # "depends_on" arrow can also stay in its column or point back to a lower level
        forward = b.x() > a.x() + 1
        backward = b.x() < a.x() - 1
        if forward:
            start, end = QPointF(a.x() + NODE_W / 2, a.y()), QPointF(b.x() - NODE_W / 2 - 2, b.y())
            dx = (end.x() - start.x()) / 2
            c1, c2 = QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y())
        elif backward:  # from the left side to the lower level's right side
            start, end = QPointF(a.x() - NODE_W / 2, a.y()), QPointF(b.x() + NODE_W / 2 + 2, b.y())
            dx = (end.x() - start.x()) / 2
            c1, c2 = QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y())
        else:  # same column: loop out to the right
            start, end = QPointF(a.x() + NODE_W / 2, a.y()), QPointF(b.x() + NODE_W / 2 + 2, b.y())
            c1, c2 = QPointF(start.x() + 60, start.y()), QPointF(end.x() + 60, end.y())
        path = QPainterPath(start)
        path.cubicTo(c1, c2, end)
        colour = QColor(SEVERITY_COLOURS[e.severity]) if e.severity else QColor("#9e9e9e")
        item = QGraphicsPathItem(path)
        pen = QPen(colour, 2.6 if e.severity else 1.3)
        if e.kind == "depends_on":
            pen.setStyle(Qt.PenStyle.DashLine)
        item.setPen(pen)
        item.setZValue(1)
        tip = [f"{e.target} → {e.source}" if e.kind == "serves" else f"{e.source} → {e.target}"]
        if e.kind == "serves":
            tip.append(_t("Tolerans: {0}").format(format_duration(e.tolerance) if e.tolerance is not None
                                                  else _t("ej angiven")))
        if e.severity:
            tip.append(_t("Kontinuitetsgap: {0}").format(_t(SEVERITY_TEXT[e.severity]).lower()))
        item.setToolTip("\n".join(tip))
        self.scene().addItem(item)
        # arrow head
        direction = end - c2
        length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 0.001)
        ux, uy = direction.x() / length, direction.y() / length
        head = QPolygonF([end, end - QPointF(ux * 10 - uy * 5, uy * 10 + ux * 5),
                          end - QPointF(ux * 10 + uy * 5, uy * 10 - ux * 5)])
        hp = QPainterPath()
        hp.addPolygon(head)
        hp.closeSubpath()
        head_item = QGraphicsPathItem(hp)
        head_item.setBrush(colour)
        head_item.setPen(QPen(colour, 1))
        head_item.setZValue(1)
        self.scene().addItem(head_item)

    # -- selection --------------------------------------------------------------------------------------

    def select_node(self, node_id: str | None, *, ensure_visible: bool = True) -> None:
        for nid, item in self.items_by_id.items():
            if item.selected != (nid == node_id):
                item.selected = nid == node_id
                item.update()
        self.selected = node_id if node_id in self.items_by_id else None
        if self.selected and ensure_visible:
            self.ensureVisible(self.items_by_id[self.selected], 40, 40)
        self.nodeSelected.emit(self.selected or "")

    def node_at(self, view_pos) -> str | None:
        for item in self.items(view_pos):
            if isinstance(item, NodeItem):
                return item.node.id
        return None

    def mousePressEvent(self, event) -> None:
        nid = self.node_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and nid is not None:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.select_node(nid, ensure_visible=False)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        nid = self.node_at(event.position().toPoint())
        if nid is not None:
            self.select_node(nid, ensure_visible=False)
            self.nodeActivated.emit(nid)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # -- zoom and keys ------------------------------------------------------------------------------------

    def set_zoom(self, factor: float) -> None:
        # zooming out stops at 20 % or at the whole map, whichever is smaller: a tall map (the demo's
        # 31 rows) needs less than 20 % to be seen whole, and Anpassa / 0 must show it whole
        factor = min(max(factor, min(MIN_ZOOM, self.fit_zoom())), MAX_ZOOM)
        self.resetTransform()
        self.scale(factor, factor)
        self.zoom = factor

    def zoom_by(self, step: float) -> None:
        self.set_zoom(self.zoom * step)

    def fit_zoom(self) -> float:
        """The largest zoom (at most 100 %) at which the whole scene fits in the viewport."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return 1.0
        # the viewport without scroll bars: once the map fits, the bars go and the room is there
        w = self.viewport().width() + (self.verticalScrollBar().width() if self.verticalScrollBar().isVisible() else 0)
        h = self.viewport().height() + (self.horizontalScrollBar().height()
                                        if self.horizontalScrollBar().isVisible() else 0)
        whole = min((w - 4) / rect.width(), (h - 4) / rect.height())
        return max(min(whole, 1.0), 0.01)

    def fit(self) -> None:
        """The whole map, however small, centred (the 0 key and the Anpassa button)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.set_zoom(self.fit_zoom())
        self.centerOn(rect.center())

    def fit_width(self) -> None:
        """The map's width in the view, text still readable; a tall map scrolls (the start view)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        avail = max(self.viewport().width() - 4, 100)
        whole = min(avail / rect.width(), max(self.viewport().height() - 4, 100) / rect.height())
        self.set_zoom(whole if whole >= 0.75 else min(max(avail / rect.width(), 0.6), 1.0))
        self.centerOn(rect.center().x(), rect.top() + self.viewport().height() / 2 / self.zoom)

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.2)
            return
        if key == Qt.Key.Key_Minus:
            self.zoom_by(1 / 1.2)
            return
        if key == Qt.Key.Key_0:
            self.fit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected:
            self.nodeActivated.emit(self.selected)
            return
        moves = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if key in moves and self.items_by_id:
            self.select_node(self._neighbour(*moves[key]))
            return
        super().keyPressEvent(event)

    def _neighbour(self, dx: int, dy: int) -> str:
        """The nearest node in a direction (or the first node when none is selected)."""
        if self.selected is None:
            return min(self.items_by_id, key=lambda i: (self.items_by_id[i].pos().x(), self.items_by_id[i].pos().y()))
        here = self.items_by_id[self.selected].pos()
        best, best_d = self.selected, float("inf")
        for nid, item in self.items_by_id.items():
            d = item.pos() - here
            along = d.x() * dx + d.y() * dy
            if nid == self.selected or along <= 1:
                continue
            across = abs(d.x() * dy) + abs(d.y() * dx)
            score = along + 2.5 * across
            if score < best_d:
                best, best_d = nid, score
        return best

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if self.selected is None and self.items_by_id and event.reason() in (Qt.FocusReason.TabFocusReason,
                                                                           Qt.FocusReason.BacktabFocusReason):
            self.select_node(self._neighbour(0, 0))


class DepMapView(RefreshWhenVisible, QWidget):
    """The "Beroendekarta" tab: toolbar, map, the selected node's details, legend."""

    navigate = Signal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("beroendekarta")
        self.session = session
        self._dirty = True
        self.graph: DependencyGraph | None = None
        self._fitted = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 6, 4, 4)
        bar = QHBoxLayout()
        self.critical_only = QCheckBox(self.tr("Bara samhällsviktiga verksamheter"), self)
        self.critical_only.setToolTip(self.tr("Visa bara samhällsviktiga verksamheter och de beroenden de når"))
        self.critical_only.toggled.connect(lambda _on: self.refresh(refit=True))
        bar.addWidget(self.critical_only)
        bar.addStretch(1)
        self.zoom_out = QPushButton(self.tr("−"), self)
        self.zoom_out.setAccessibleName(self.tr("Zooma ut"))
        self.zoom_out.setToolTip(self.tr("Zooma ut (−, Ctrl+hjul)"))
        self.zoom_in = QPushButton(self.tr("+"), self)
        self.zoom_in.setAccessibleName(self.tr("Zooma in"))
        self.zoom_in.setToolTip(self.tr("Zooma in (+, Ctrl+hjul)"))
        self.fit_button = QPushButton(self.tr("Anpassa"), self)
        self.fit_button.setToolTip(self.tr("Visa hela kartan (0)"))
        for b in (self.zoom_out, self.zoom_in):
            b.setFixedWidth(34)
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_in)
        bar.addWidget(self.fit_button)
        outer.addLayout(bar)

        self.view = DepMapGraphicsView(self)
        self.view.nodeSelected.connect(self._show_node)
        self.view.nodeActivated.connect(self.open_node)
        self.zoom_in.clicked.connect(lambda: self.view.zoom_by(1.2))
        self.zoom_out.clicked.connect(lambda: self.view.zoom_by(1 / 1.2))
        self.fit_button.clicked.connect(self.view.fit)
        outer.addWidget(self.view, 1)

        info = QHBoxLayout()
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.info.linkActivated.connect(self.navigate.emit)
        # two lines reserved: a long name's details are not cut, and the map does not jump on selection
        self.info.setMinimumHeight(int(2 * self.info.fontMetrics().lineSpacing() + 4))
        info.addWidget(self.info, 1)
        self.open_button = QPushButton(self.tr("Öppna"), self)
        self.open_button.setToolTip(self.tr("Gå till den markerade posten (Enter)"))
        self.open_button.clicked.connect(lambda: self.view.selected and self.open_node(self.view.selected))
        info.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(info)
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setText(self._legend_html())
        outer.addWidget(self.legend)

        session.changed.connect(self._on_changed)
        session.analysisChanged.connect(self._on_analysis_changed)
        session.documentChanged.connect(self._on_analysis_changed)
        self._show_node("")

    @staticmethod
    def _legend_html() -> str:
        sev = " ".join(f"<span style='color:{SEVERITY_COLOURS[s]}; font-weight:700'>&#9632;</span> "
                       f"{html.escape(_t(SEVERITY_TEXT[s]))}" for s in SEVERITY_COLOURS)
        return (f"<span style='{hints.hint_css()}'>"
                + f"<span style='background:{FUNCTION_FILL}; border:1px solid {FUNCTION_BORDER}'>&nbsp;V&nbsp;</span> "
                + html.escape(_t("verksamhet")) + " &nbsp; "
                + f"<span style='background:{DEPENDENCY_FILL}'>&nbsp;B&nbsp;</span> " + html.escape(_t("beroende"))
                + " &nbsp; " + f"<span style='color:{SHARED_COLOUR}; font-weight:700'>×n</span> "
                + html.escape(_t("delat beroende (antal verksamheter)")) + " &nbsp; "
                + html.escape(_t("Pil: behöver; streckad: beroende av ett annat beroende.")) + " &nbsp; "
                + html.escape(_t("Gap:")) + " " + sev + "</span>")

    # -- refresh -------------------------------------------------------------------------------------


    def _on_analysis_changed(self) -> None:
        self.view.selected = None
        self._fitted = False
        self._on_changed("")


    def refresh(self, refit: bool = False) -> None:
        self._dirty = False
        s = self.session
        if not s.svc or s.analysis_id is None:
            self.graph = None
        else:
            self.graph = build_graph(s.svc, s.analysis_id, findings=findings(s),
                                     critical_only=self.critical_only.isChecked())
        self.view.set_graph(self.graph)
        if refit or not self._fitted:
            self.view.fit_width()
            self._fitted = self.isVisible()
        self._show_node(self.view.selected or "")

    # -- the selected node -----------------------------------------------------------------------------

    def select(self, node_id: str) -> None:
        self.view.select_node(node_id)

    def _show_node(self, node_id: str) -> None:
        if not node_id or self.graph is None:
            if self.graph is not None and not self.graph.nodes:
                text = self.tr("Kartan visas när det finns verksamheter och beroenden som är kopplade till varandra.")
            else:
                text = self.tr("Klicka på en ruta för att se detaljer, dubbelklicka eller tryck Enter för att öppna "
                               "den. Piltangenterna flyttar mellan rutorna.")
            self.info.setText(f"<span style='{hints.hint_css(self.info)}'>{html.escape(text)}</span>")
            self.open_button.setEnabled(False)
            return
        n = self.graph.node(node_id)
        parts = [f"<b>{html.escape(n.id)} {html.escape(n.label)}</b>"]
        if n.kind == "function":
            parts.append(html.escape(self.tr("samhällsviktig verksamhet") if n.critical else self.tr("verksamhet")))
            deps = [e.source for e in self.graph.edges if e.kind == "serves" and e.target == n.id]
            parts.append(html.escape(self.tr("behöver {0} beroenden direkt").format(len(deps))))
        else:
            if n.dep_type:
                parts.append(html.escape(n.dep_type))
            if n.provider_org:
                parts.append(html.escape(self.tr("levereras av {0}").format(n.provider_org)))
            parts.append(html.escape(_serves_text(n.functions_served)))
            if n.shared:
                parts.append(f"<span style='color:{SHARED_COLOUR}; font-weight:600'>"
                             f"{html.escape(self.tr('delat beroende'))}</span>")
        related = [f for f in self.graph.findings if n.id in (f.items[:1] if f.dependency_id is None
                                                              else (f.items[0], f.items[-1]))]
        if related:
            worst = n.severity or related[0].severity
            parts.append(f"<span style='color:{SEVERITY_COLOURS.get(worst, '#000')}; font-weight:600'>"
                         + html.escape(self.tr("{0} kontinuitetsgap, värsta: {1}").format(
                             len(related), self.tr(SEVERITY_TEXT.get(worst, worst)).lower()))
                         + "</span> – <a href='beroenden/kontinuitetsgap'>" + html.escape(self.tr("Visa gapen"))
                         + "</a>")
        self.info.setText(" · ".join(parts))
        self.open_button.setEnabled(True)

    def open_node(self, node_id: str) -> None:
        if self.graph is None or not node_id:
            return
        n = self.graph.node(node_id)
        self.navigate.emit(item_target(n.kind, n.db_id))
