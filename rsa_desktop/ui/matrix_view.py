"""The interactive riskmatris on the Risker step (BRIEF §4).

Painted with QPainter from `services.matrix.MatrixData` (the same data the PDF and Excel use):
band-coloured cells with the risks' IDs and a count, axis labels with level value and label, a band
legend. Clicking a cell (or Enter on the keyboard-focused cell) filters the step's risk table to the
cell's risks and lists them with titles. A selector places risks by their overall consequence or by one
consequence dimension; "Visa restrisk" places them by their residual rating with arrows from where they
are now; "Visa förra årets placering" draws last year's position (risks matched through their
carried-from record, else by ID, as Uppföljning pairs them) as hollow
markers with arrows. Risks that cannot be placed are listed with "Gå till".
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QScrollArea, QSizePolicy, QToolTip, QVBoxLayout, QWidget)

from rsa_desktop.services.matrix import MatrixData, RiskPoint, matrix_data, previous_positions

RISK_ID_ROLE = Qt.ItemDataRole.UserRole + 11
RESIDUAL_COLOUR = "#0d3b66"
PREVIOUS_COLOUR = "#6a1b9a"
from rsa_desktop.ui import hints
from rsa_desktop.ui.lazy import RefreshWhenVisible


def _t(text: str) -> str:
    return QCoreApplication.translate("matrix_view", text)


# -- the painted matrix ------------------------------------------------------------------------------

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
        where = (p.residual_likelihood, p.residual_consequence) if self.show_residual else (p.likelihood, p.consequence)
        return where if None not in where else None

    def cell_points(self, likelihood: int, consequence: int) -> list[RiskPoint]:
        if self.data is None:
            return []
        try:
            hids = self.data.cell(likelihood, consequence).hids
        except KeyError:
            return []
        by_hid = {p.hid: p for p in self.data.points}
        return [by_hid[h] for h in hids if h in by_hid]

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
        content: dict[tuple[int, int], list[tuple[str, object, str]]] = {}
        for c in self.data.cells:
            for p in self.cell_points(c.likelihood, c.consequence):
                content.setdefault((c.likelihood, c.consequence), []).append(("solid", p.risk_id, p.hid))
        for p in self.data.points:
            here = self.position(p)
            if here is None:
                continue
            if self.show_residual and p.placed and (p.likelihood, p.consequence) != here:
                content.setdefault((p.likelihood, p.consequence), []).append(("residual", p.risk_id, p.hid))
            if self.previous and p.risk_id in self.previous:
                then = self.previous[p.risk_id]
                if then != here:
                    content.setdefault(then, []).append(("previous", p.risk_id, p.hid))
        valid = {(c.likelihood, c.consequence) for c in self.data.cells}
        for key, entries in content.items():
            if key not in valid:
                continue
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


# -- the risk table filter ------------------------------------------------------------------------------

class CellFilterBar(QFrame):
    """Shown above the risk table while it is filtered to a matrix cell."""

    cleared = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("cellFilterBar")
        self.setStyleSheet("#cellFilterBar { background: #e8f0fe; border: 1px solid #a8c7fa; border-radius: 3px; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 2, 4, 2)
        self.label = QLabel(self)
        lay.addWidget(self.label, 1)
        self.clear_button = QPushButton(self.tr("Visa alla risker"), self)
        self.clear_button.clicked.connect(self.cleared.emit)
        lay.addWidget(self.clear_button)
        self.hide()


# -- the page part ----------------------------------------------------------------------------------------

class MatrixView(RefreshWhenVisible, QWidget):
    """The "Riskmatris" tab: controls, the painted matrix, the chosen cell's risks, legend, unplaced risks.

    `section` is the step's risk `ItemSection`: a chosen cell filters its table; "Gå till" selects the risk
    there and `showRisk` asks the page to show the table."""

    showRisk = Signal(int)  # risk id

    def __init__(self, session, section=None, parent=None):
        super().__init__(parent)
        self.session = session
        self.section = section
        self._dirty = True
        self._building = False
        self.data: MatrixData | None = None
        self.previous_year: int | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 6, 4, 4)
        bar = QHBoxLayout()
        lab = QLabel(self.tr("Placera efter:"), self)
        bar.addWidget(lab)
        self.dimension_combo = QComboBox(self)
        self.dimension_combo.setAccessibleName(self.tr("Konsekvens som placerar riskerna"))
        self.dimension_combo.setToolTip(self.tr("Sammanvägd konsekvens, eller konsekvensen för ett skyddsvärde"))
        self.dimension_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.dimension_combo.currentIndexChanged.connect(lambda _i: self._rebuild())
        lab.setBuddy(self.dimension_combo)
        bar.addWidget(self.dimension_combo)
        bar.addSpacing(12)
        self.residual_check = QCheckBox(self.tr("Visa restrisk"), self)
        self.residual_check.setToolTip(self.tr("Placera riskerna efter bedömningen efter planerade åtgärder; "
                                               "pilar visar från nuvarande placering"))
        self.residual_check.toggled.connect(lambda _on: self._rebuild())
        bar.addWidget(self.residual_check)
        self.previous_check = QCheckBox(self.tr("Visa förra årets placering"), self)
        self.previous_check.setToolTip(self.tr("Ihåliga markeringar visar var riskerna låg förra året "
                                               "(samma titel), med pilar till årets placering"))
        self.previous_check.toggled.connect(lambda _on: self._rebuild())
        self.previous_check.hide()
        bar.addWidget(self.previous_check)
        bar.addStretch(1)
        outer.addLayout(bar)

        body = QHBoxLayout()
        outer.addLayout(body, 1)
        self.canvas = MatrixCanvas(self)
        self.canvas.cellActivated.connect(self._cell_chosen)
        self.canvas.selectionCleared.connect(self._cell_cleared)
        body.addWidget(self.canvas, 3)

        side = QWidget(self)
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        self.cell_box = QGroupBox(self.tr("Vald cell"), side)
        cl = QVBoxLayout(self.cell_box)
        self.cell_label = QLabel(self.tr("Klicka på en cell för att se dess risker. Risktabellen visar då "
                                         "bara dem."), self.cell_box)
        self.cell_label.setWordWrap(True)
        cl.addWidget(self.cell_label)
        self.cell_list = QListWidget(self.cell_box)
        self.cell_list.setAccessibleName(self.tr("Risker i vald cell"))
        self.cell_list.setMaximumHeight(130)
        self.cell_list.itemActivated.connect(lambda it: self.go_to_risk(it.data(RISK_ID_ROLE)))
        cl.addWidget(self.cell_list)
        row = QHBoxLayout()
        self.cell_goto = QPushButton(self.tr("Gå till risken"), self.cell_box)
        self.cell_goto.clicked.connect(self._go_to_selected_cell_risk)
        row.addWidget(self.cell_goto)
        self.clear_button = QPushButton(self.tr("Visa alla"), self.cell_box)
        self.clear_button.setToolTip(self.tr("Ta bort cellfiltret på risktabellen"))
        self.clear_button.clicked.connect(self.canvas.clear_selection)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        cl.addLayout(row)
        sl.addWidget(self.cell_box)

        self.legend_box = QGroupBox(self.tr("Förklaring"), side)
        ll = QVBoxLayout(self.legend_box)
        self.legend = QLabel(self.legend_box)
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        ll.addWidget(self.legend)
        sl.addWidget(self.legend_box)

        self.unplaced_box = QGroupBox(self.tr("Ej placerade"), side)
        ul = QVBoxLayout(self.unplaced_box)
        self.unplaced_hint = QLabel(self.unplaced_box)
        self.unplaced_hint.setWordWrap(True)
        hints.style_hint(self.unplaced_hint)
        ul.addWidget(self.unplaced_hint)
        self.unplaced_list = QListWidget(self.unplaced_box)
        self.unplaced_list.setAccessibleName(self.tr("Risker som inte kan placeras i matrisen"))
        self.unplaced_list.setMaximumHeight(140)
        self.unplaced_list.itemActivated.connect(lambda it: self.go_to_risk(it.data(RISK_ID_ROLE)))
        ul.addWidget(self.unplaced_list)
        self.unplaced_goto = QPushButton(self.tr("Gå till"), self.unplaced_box)
        self.unplaced_goto.clicked.connect(self._go_to_selected_unplaced)
        ul.addWidget(self.unplaced_goto, 0, Qt.AlignmentFlag.AlignLeft)
        sl.addWidget(self.unplaced_box)
        sl.addStretch(1)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(side)
        area.setMinimumWidth(300)
        area.setMaximumWidth(380)
        body.addWidget(area, 1)

        self.filter_bar = CellFilterBar(section) if section is not None else None
        if section is not None:
            section.layout().insertWidget(1, self.filter_bar)
            self.filter_bar.cleared.connect(self.canvas.clear_selection)
            proxy = section.proxy
            if hasattr(proxy, "idFilterChanged"):
                proxy.idFilterChanged.connect(self._on_id_filter_changed)

        session.changed.connect(self._on_changed)
        session.analysisChanged.connect(self._on_analysis_changed)
        self._update_cell_panel()

    # -- refresh ------------------------------------------------------------------------------------


    def _on_analysis_changed(self) -> None:
        self.canvas.selected = None
        self._apply_filter(None)
        self._on_changed("")


    def ensure_fresh(self) -> None:
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._dirty = False
        s = self.session
        scales = s.scales()
        self._building = True
        current = self.dimension_combo.currentData() or ""
        self.dimension_combo.clear()
        self.dimension_combo.addItem(self.tr("Sammanvägd konsekvens"), "")
        for d in (scales.dimensions if scales else ()):
            self.dimension_combo.addItem(d.label, d.code)
        self.dimension_combo.setCurrentIndex(max(self.dimension_combo.findData(current), 0))
        self.previous_year = None
        if s.svc and s.analysis_id is not None:
            from rsa_desktop.services.followup import previous_analysis
            prev = previous_analysis(s.svc, s.analysis_id)
            self.previous_year = prev.year if prev is not None else None
        self.previous_check.setVisible(self.previous_year is not None)
        if self.previous_year is not None:
            self.previous_check.setText(self.tr("Visa förra årets placering ({0})").format(self.previous_year))
        elif self.previous_check.isChecked():
            self.previous_check.setChecked(False)
        self._building = False
        self._rebuild()

    def _rebuild(self) -> None:
        if self._building:
            return
        s = self.session
        if not s.svc or s.analysis_id is None:
            self.data = None
            self.canvas.set_content(None)
            self._update_side()
            return
        dim = self.dimension_combo.currentData() or ""
        residual = self.residual_check.isChecked()
        try:
            self.data = matrix_data(s.svc, s.analysis_id, dimension=dim, residual=residual)
        except KeyError:
            self.data = matrix_data(s.svc, s.analysis_id, residual=residual)
        previous = None
        if self.previous_check.isChecked() and self.previous_year is not None:
            _year, previous = previous_positions(s.svc, s.analysis_id, dim)
        self.canvas.set_content(self.data, residual=residual, previous=previous)
        self._update_side()
        # a chosen cell keeps filtering the table, with the risks that are in it now
        if self.canvas.selected:
            self._cell_chosen(*self.canvas.selected)
        else:
            self._apply_filter(None)

    # -- what the matrix shows ------------------------------------------------------------------------

    def cell_risks(self, likelihood: int, consequence: int) -> list[str]:
        """The IDs in a cell as the matrix shows it now (for tests and screen readers)."""
        self.ensure_fresh()
        if self.data is None:
            return []
        try:
            return list(self.data.cell(likelihood, consequence).hids)
        except KeyError:
            return []

    def unplaced_reason(self, p: RiskPoint) -> str:
        if self.residual_check.isChecked() and (p.residual_likelihood is None or p.residual_consequence is None):
            return self.tr("restrisken är inte bedömd")
        if p.likelihood is None and p.consequence is None:
            return self.tr("sannolikhet och konsekvens saknas")
        if p.likelihood is None:
            return self.tr("sannolikhet saknas")
        if self.data and self.data.dimension_label:
            return self.tr("konsekvens för {0} saknas").format(self.data.dimension_label.lower())
        return self.tr("konsekvens saknas")

    def unplaced(self) -> list[RiskPoint]:
        self.ensure_fresh()
        if self.data is None:
            return []
        return [p for p in self.data.points if self.canvas.position(p) is None]

    def _update_side(self) -> None:
        scales = self.session.scales()
        parts = []
        if scales:
            for i, b in enumerate(sorted(scales.bands, key=lambda b: b.min_score)):
                nxt = sorted(scales.bands, key=lambda b: b.min_score)[i + 1:i + 2]
                span = (self.tr("poäng {0}–{1}").format(b.min_score, nxt[0].min_score - 1) if nxt
                        else self.tr("poäng {0}–").format(b.min_score))
                parts.append(f"<tr><td style='background:{b.colour}; border:1px solid #999'>&nbsp;&nbsp;&nbsp;&nbsp;"
                             f"</td><td>&nbsp;{html.escape(b.label)}</td>"
                             f"<td style='{hints.hint_css()}'>&nbsp;{html.escape(span)}</td></tr>")
        text = "<table cellspacing='2'>" + "".join(parts) + "</table>"
        text += f"<p style='{hints.hint_css()}'>" + html.escape(self.tr(
            "Poäng = sannolikhet × konsekvens. Siffran i cellens hörn är antalet risker.")) + "</p>"
        if self.residual_check.isChecked():
            text += (f"<p><span style='color:{RESIDUAL_COLOUR}'>&#9633; &rarr;</span> "
                     + html.escape(self.tr("Streckad ruta: nuvarande placering; pilen pekar på restrisken.")) + "</p>")
        if self.previous_check.isChecked() and self.previous_year is not None:
            text += (f"<p><span style='color:{PREVIOUS_COLOUR}'>&#9633; &rarr;</span> "
                     + html.escape(self.tr("Streckad ruta: placering {0}; pilen pekar på årets placering. "
                                           "Överförda risker följs från förra året, övriga matchas på ID.").format(
                                               self.previous_year)) + "</p>")
        self.legend.setText(text)

        self.unplaced_list.clear()
        missing = self.unplaced()
        for p in missing:
            it = QListWidgetItem(f"{p.hid} {p.title} – {self.unplaced_reason(p)}", self.unplaced_list)
            it.setData(RISK_ID_ROLE, p.risk_id)
            it.setToolTip(self.unplaced_reason(p))
        self.unplaced_box.setTitle(self.tr("Ej placerade ({0})").format(len(missing)))
        self.unplaced_hint.setText(self.tr("Risker som saknar bedömning syns inte i matrisen. Dubbelklicka eller "
                                           "välj Gå till för att bedöma dem.") if missing
                                   else self.tr("Alla risker är placerade."))
        self.unplaced_list.setVisible(bool(missing))
        self.unplaced_goto.setVisible(bool(missing))
        if missing and self.unplaced_list.currentRow() < 0:
            self.unplaced_list.setCurrentRow(0)
        self._update_cell_panel()

    def _update_cell_panel(self) -> None:
        sel = self.canvas.selected
        self.cell_list.clear()
        if sel is None or self.data is None:
            self.cell_label.setText(self.tr("Klicka på en cell (eller välj med piltangenterna och Enter) för att se "
                                            "dess risker. Risktabellen visar då bara dem."))
            self.cell_list.hide()
            self.cell_goto.hide()
            self.clear_button.hide()
            return
        lik, con = sel
        cell = self.data.cell(lik, con)
        points = self.canvas.cell_points(lik, con)
        n = len(points)
        self.cell_label.setText(self.tr("Sannolikhet {0}, konsekvens {1} – {2}: {3}").format(
            lik, con, cell.band or self.tr("utan färgband"),
            self.tr("1 risk") if n == 1 else self.tr("{0} risker").format(n)))
        for p in points:
            it = QListWidgetItem(f"{p.hid} {p.title}", self.cell_list)
            it.setData(RISK_ID_ROLE, p.risk_id)
        if points:
            self.cell_list.setCurrentRow(0)
        self.cell_list.setVisible(bool(points))
        self.cell_goto.setVisible(bool(points))
        self.clear_button.show()

    # -- cell filter ----------------------------------------------------------------------------------

    def _cell_chosen(self, likelihood: int, consequence: int) -> None:
        ids = [p.risk_id for p in self.canvas.cell_points(likelihood, consequence)]
        self._apply_filter(ids, (likelihood, consequence))
        self._update_cell_panel()

    def _cell_cleared(self) -> None:
        self._apply_filter(None)
        self._update_cell_panel()

    def _apply_filter(self, ids: list[int] | None, cell: tuple[int, int] | None = None) -> None:
        if self.section is None or not hasattr(self.section.proxy, "set_id_filter"):
            return
        self.section.proxy.set_id_filter(ids)
        if self.filter_bar is not None:
            if ids is None:
                self.filter_bar.hide()
            else:
                n = len(ids)
                self.filter_bar.label.setText(self.tr("Visar {0} i matriscellen sannolikhet {1}, konsekvens {2}.")
                                              .format(self.tr("1 risk") if n == 1 else self.tr("{0} risker").format(n),
                                                      *cell))
                self.filter_bar.show()

    def _on_id_filter_changed(self) -> None:
        """The table dropped the filter by itself (e.g. to show a new risk): forget the chosen cell."""
        if getattr(self.section.proxy, "id_filter", None) is None and self.canvas.selected is not None:
            self.canvas.selected = None
            self.canvas.update()
            if self.filter_bar is not None:
                self.filter_bar.hide()
            self._update_cell_panel()

    # -- navigation -------------------------------------------------------------------------------------

    def go_to_risk(self, risk_id: int | None) -> None:
        if risk_id is None:
            return
        self.showRisk.emit(risk_id)

    def _go_to_selected_cell_risk(self) -> None:
        it = self.cell_list.currentItem()
        if it is not None:
            self.go_to_risk(it.data(RISK_ID_ROLE))

    def _go_to_selected_unplaced(self) -> None:
        it = self.unplaced_list.currentItem()
        if it is not None:
            self.go_to_risk(it.data(RISK_ID_ROLE))
