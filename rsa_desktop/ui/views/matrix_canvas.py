"""The painted riskmatris grid (BRIEF §4), chosen cell by mouse or keyboard; it knows nothing of the database.

Band-coloured cells, risk IDs and counts, hollow markers with arrows for the residual and last year's
place (what goes in each cell comes from services.matrix.cell_markers), axes.

Used by the Risker step's matrix (ui/views/matrix_view.py) and by Uppföljning (ui/views/followup_view.py).
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from rsa_desktop.services.matrix import MatrixData, RiskPoint, cell_markers

RESIDUAL_COLOUR = "#0d3b66"
PREVIOUS_COLOUR = "#6a1b9a"


class MatrixCanvas(QWidget):
    """The grid itself. Knows nothing about the database: `set_content` gives it everything to paint."""

    cellActivated = Signal(int, int)  # likelihood, consequence (clicked, or Enter on the focused cell)
    selectionCleared = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.data: MatrixData | None = None
        self.show_residual = False
        self.previous: dict[int, tuple[int, int]] | None = None
        self.selected: tuple[int, int] | None = None
        self.focus_cell: tuple[int, int] | None = None
        self._cell_rects: dict[tuple[int, int], QRectF] = {}
        self._chips: dict[int, QRectF] = {}  # risk id → where its ID is drawn
        self._ghosts: dict[tuple[str, int], QRectF] = {}  # ("residual"|"previous", risk id) → hollow marker
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(460, 380))
        self.setAccessibleName(self.tr("Riskmatris"))
        self.setToolTip("")

    def sizeHint(self) -> QSize:
        return QSize(700, 540)

    # -- content ------------------------------------------------------------------------------------

    def set_content(self, data: MatrixData | None, *, residual: bool = False,
                    previous: dict[int, tuple[int, int]] | None = None) -> None:
        self.data = data
        self.show_residual = residual
        self.previous = previous
        if data is None:
            self.selected = self.focus_cell = None
        else:
            valid = {(c.likelihood, c.consequence) for c in data.cells}
            if self.selected not in valid:
                self.selected = None
            if self.focus_cell not in valid:
                self.focus_cell = None
        self._update_accessible()
        self.update()

    def position(self, p: RiskPoint) -> tuple[int, int] | None:
        """Where the risk is drawn in the current mode."""
        return p.position(self.show_residual)

    def cell_points(self, likelihood: int, consequence: int) -> list[RiskPoint]:
        return self.data.cell_points(likelihood, consequence) if self.data is not None else []

    def _update_accessible(self) -> None:
        if self.data is None:
            self.setAccessibleDescription("")
            return
        parts = [f"S{c.likelihood} K{c.consequence}: {', '.join(c.hids)}" for c in self.data.cells if c.hids]
        self.setAccessibleDescription(self.tr("Risker per cell (sannolikhet, konsekvens): ") + "; ".join(parts))

    # -- geometry -----------------------------------------------------------------------------------

    def _levels(self):
        return [v for v, _ in self.data.likelihood_levels], [v for v, _ in self.data.consequence_levels]

    def grid_rect(self) -> QRectF:
        return QRectF(158, 10, max(self.width() - 158 - 12, 50), max(self.height() - 10 - 74, 50))

    def cell_rect(self, likelihood: int, consequence: int) -> QRectF:
        likes, cons = self._levels()
        g = self.grid_rect()
        w, h = g.width() / len(cons), g.height() / len(likes)
        row = len(likes) - 1 - likes.index(likelihood)
        col = cons.index(consequence)
        return QRectF(g.left() + col * w, g.top() + row * h, w, h)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        if self.data is None or not self.data.likelihood_levels or not self.data.consequence_levels:
            return None
        for c in self.data.cells:
            if self.cell_rect(c.likelihood, c.consequence).contains(pos):
                return c.likelihood, c.consequence
        return None

    def _layout_chips(self, fm: QFontMetricsF) -> None:
        """Place every risk ID (solid) and every earlier position (hollow) inside its cell."""
        self._chips.clear()
        self._ghosts.clear()
        if self.data is None:
            return
        content = cell_markers(self.data, residual=self.show_residual, previous=self.previous)
        for key, entries in content.items():
            rect = self.cell_rect(*key).adjusted(5, 5, -5, -5)
            x, y = rect.left(), rect.top() + fm.height() + 4  # first line: the count
            line_h = fm.height() + 6
            for kind, rid, hid in entries:
                w = fm.horizontalAdvance(hid) + 10
                if x + w > rect.right() and x > rect.left():
                    x, y = rect.left(), y + line_h
                chip = QRectF(x, y, w, fm.height() + 3)
                x += w + 4
                if kind == "solid":
                    self._chips[rid] = chip
                else:
                    self._ghosts[(kind, rid)] = chip

    # -- painting -----------------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        if self.data is None or not self.data.likelihood_levels or not self.data.consequence_levels:
            p.setPen(self.palette().text().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Ingen skala"))
            p.end()
            return
        base = QFont(self.font())
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() - 1, 7))
        bold = QFont(small)
        bold.setBold(True)
        fm = QFontMetricsF(bold)
        self._layout_chips(fm)
        ink = QColor("#1b1b1b")

        for c in self.data.cells:
            rect = self.cell_rect(c.likelihood, c.consequence)
            p.fillRect(rect, QColor(c.colour))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor("#ffffff"), 2))
            p.drawRect(rect)
            if c.hids:
                p.setFont(bold)
                p.setPen(ink)
                count = str(len(c.hids))
                badge = QRectF(rect.right() - fm.horizontalAdvance(count) - 14, rect.top() + 4,
                               fm.horizontalAdvance(count) + 10, fm.height() + 2)
                p.setBrush(QColor(255, 255, 255, 200))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRoundedRect(badge, 6, 6)
                p.setPen(ink)
                p.drawText(badge, Qt.AlignmentFlag.AlignCenter, count)

        # hollow markers (where risks were / are now) and their arrows, below the solid IDs
        p.setFont(bold)
        for (kind, rid), rect in self._ghosts.items():
            colour = QColor(RESIDUAL_COLOUR if kind == "residual" else PREVIOUS_COLOUR)
            p.setBrush(QColor(255, 255, 255, 150))
            p.setPen(QPen(colour, 1.6, Qt.PenStyle.DashLine))
            p.drawRoundedRect(rect, 5, 5)
            p.setPen(colour)
            hid = next((pt.hid for pt in self.data.points if pt.risk_id == rid), "")
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, hid)
        for (kind, rid), rect in self._ghosts.items():
            target = self._chips.get(rid)
            if target is not None:
                self._arrow(p, rect.center(), target.center(), QColor(RESIDUAL_COLOUR if kind == "residual"
                                                                      else PREVIOUS_COLOUR))
        for pt in self.data.points:
            rect = self._chips.get(pt.risk_id)
            if rect is None:
                continue
            if rect.bottom() > self.cell_rect(*self.position(pt)).bottom() - 2:
                continue  # does not fit; the count and the list still tell
            p.setBrush(QColor("#ffffff"))
            p.setPen(QPen(ink, 1))
            p.drawRoundedRect(rect, 5, 5)
            p.setPen(ink)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, pt.hid)

        # selection and keyboard focus
        if self.selected:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor("#0b57d0"), 3.5))
            p.drawRect(self.cell_rect(*self.selected).adjusted(2, 2, -2, -2))
        if self.hasFocus() and self.focus_cell:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(ink, 1.5, Qt.PenStyle.DotLine))
            p.drawRect(self.cell_rect(*self.focus_cell).adjusted(6, 6, -6, -6))

        # axes
        g = self.grid_rect()
        text_colour = self.palette().text().color()
        p.setFont(small)
        p.setPen(text_colour)
        likes, cons = self._levels()
        lik_labels = dict(self.data.likelihood_levels)
        con_labels = dict(self.data.consequence_levels)
        for lik in likes:
            r = self.cell_rect(lik, cons[0])
            p.drawText(QRectF(22, r.top(), g.left() - 28, r.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                       f"{lik} {lik_labels.get(lik, '')}")
        for con in cons:
            r = self.cell_rect(likes[0], con)
            p.drawText(QRectF(r.left() + 2, g.bottom() + 4, r.width() - 4, 42),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                       f"{con}\n{con_labels.get(con, '')}")
        axis = QFont(base)
        axis.setBold(True)
        p.setFont(axis)
        title = self.tr("Konsekvens")
        if self.data.dimension_label:
            title += f" – {self.data.dimension_label}"
        if self.show_residual:
            title += self.tr(" (efter åtgärder)")
        p.drawText(QRectF(g.left(), self.height() - 24, g.width(), 22), Qt.AlignmentFlag.AlignCenter, title)
        p.save()
        p.translate(12, g.center().y())
        p.rotate(-90)
        p.drawText(QRectF(-120, -10, 240, 20), Qt.AlignmentFlag.AlignCenter,
                   self.tr("Sannolikhet (efter åtgärder)") if self.show_residual else self.tr("Sannolikhet"))
        p.restore()
        p.end()

    @staticmethod
    def _arrow(p: QPainter, start: QPointF, end: QPointF, colour: QColor) -> None:
        dx, dy = end.x() - start.x(), end.y() - start.y()
        length = math.hypot(dx, dy)
        if length < 20:
            return
        ux, uy = dx / length, dy / length
        a = QPointF(start.x() + ux * 12, start.y() + uy * 10)
        b = QPointF(end.x() - ux * 14, end.y() - uy * 11)
        p.setPen(QPen(colour, 1.8))
        p.drawLine(a, b)
        head = QPolygonF([b + QPointF(ux * 8, uy * 8), b + QPointF(-uy * 5, ux * 5), b + QPointF(uy * 5, -ux * 5)])
        path = QPainterPath()
        path.addPolygon(head)
        p.fillPath(path, colour)

    # -- interaction --------------------------------------------------------------------------------

    def select_cell(self, likelihood: int, consequence: int) -> None:
        self.selected = self.focus_cell = (likelihood, consequence)
        self.update()
        self.cellActivated.emit(likelihood, consequence)

    def clear_selection(self) -> None:
        if self.selected is not None:
            self.selected = None
            self.update()
            self.selectionCleared.emit()

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton:
            if cell is None:
                self.clear_selection()
            elif cell == self.selected:
                self.focus_cell = cell
                self.clear_selection()  # a second click on the selected cell shows all risks again
            else:
                self.select_cell(*cell)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        tip = self.cell_tooltip(*cell) if cell else ""
        if tip != self.toolTip():
            self.setToolTip(tip)
            if not tip:
                QToolTip.hideText()
        super().mouseMoveEvent(event)

    def cell_tooltip(self, likelihood: int, consequence: int) -> str:
        if self.data is None:
            return ""
        cell = self.data.cell(likelihood, consequence)
        lik = dict(self.data.likelihood_levels).get(likelihood, "")
        con = dict(self.data.consequence_levels).get(consequence, "")
        lines = [f"<b>{html.escape(self.tr('Sannolikhet'))} {likelihood} {html.escape(lik)}, "
                 f"{html.escape(self.tr('konsekvens'))} {consequence} {html.escape(con)}</b>"]
        if cell.band:
            lines.append(html.escape(cell.band))
        for pt in self.cell_points(likelihood, consequence):
            lines.append(f"{html.escape(pt.hid)} {html.escape(pt.title)}")
        if not cell.hids:
            lines.append(html.escape(self.tr("Inga risker")))
        return "<br>".join(lines)

    def keyPressEvent(self, event) -> None:
        if self.data is None or not self.data.cells:
            return super().keyPressEvent(event)
        likes, cons = self._levels()
        lik, con = self.focus_cell or self.selected or (likes[len(likes) // 2], cons[len(cons) // 2])
        key = event.key()
        moves = {Qt.Key.Key_Up: (1, 0), Qt.Key.Key_Down: (-1, 0), Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)}
        if key in moves:
            dl, dc = moves[key]
            li = min(max(likes.index(lik) + dl, 0), len(likes) - 1)
            ci = min(max(cons.index(con) + dc, 0), len(cons) - 1)
            self.focus_cell = (likes[li], cons[ci])
            self.update()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.select_cell(lik, con)
            return
        if key == Qt.Key.Key_Escape and self.selected:
            self.clear_selection()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        if self.focus_cell is None and self.data is not None and self.data.cells:
            likes, cons = self._levels()
            self.focus_cell = self.selected or (likes[-1], cons[0])
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:
        self.update()
        super().focusOutEvent(event)
