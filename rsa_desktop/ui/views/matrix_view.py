"""The Riskmatris tab on the Risker step (BRIEF §4): placement controls, the chosen cell's risks, legend,
unplaced risks, and the cell filter on the step's risk table.

The grid is painted by `ui.views.matrix_canvas.MatrixCanvas` from `services.matrix.MatrixData` (the same data
the PDF and Excel use). Clicking a cell (or Enter on the keyboard-focused cell) filters the risk table to
the cell's risks and lists them with titles. A selector places risks by their overall consequence or by one
consequence dimension; "Visa restrisk" places them by their residual rating with arrows from where they
are now; "Visa förra årets placering" draws last year's position (risks matched through their
carried-from record, else by ID, as Uppföljning pairs them) as hollow
markers with arrows. Risks that cannot be placed are listed with "Gå till".
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.services.matrix import MatrixData, RiskPoint, matrix_data, previous_positions
from rsa_desktop.ui.views.matrix_canvas import PREVIOUS_COLOUR, RESIDUAL_COLOUR, MatrixCanvas
from rsa_desktop.ui.widgets import hints
from rsa_desktop.ui.widgets.lazy import RefreshWhenVisible

RISK_ID_ROLE = Qt.ItemDataRole.UserRole + 11


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
                                               "(samma risk: förd vidare, annars samma ID), med pilar till årets placering"))
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
        return list(self.data.unplaced_at(self.canvas.show_residual))

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
