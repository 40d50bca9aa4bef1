"""Översikt: progress per step, counts, the riskmatris thumbnail and actions that are due."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.actions import is_open
from rsa_desktop.ui.steps.completeness import STEP_KEYS, Snapshot, StepStatus, due_actions, risk_levels
from rsa_desktop.ui.steps.findings import count_text
from rsa_desktop.ui.steps.step_titles import step_title
from rsa_desktop.ui.views.matrix import RiskMatrixWidget
from rsa_desktop.ui.widgets import hints

STATE_TEXT = {"klar": "Klar", "paborjad": "Påbörjad", "ej_paborjad": "Ej påbörjad"}
STATE_COLOUR = {"klar": "#2e7d32", "paborjad": "#b26a00", "ej_paborjad": "#757575"}


def _t(text: str) -> str:
    return QCoreApplication.translate("overview", text)


def _gap_line_class():
    from rsa_desktop.ui.views.gap_view import GapSummaryLine

    class GapLine(GapSummaryLine):
        """Refreshed with the step statuses (set_data), whose gaps the main window computes off the GUI
        thread, instead of on every change: a change only marks it out of date."""

        def _on_changed(self, _kind: str = "") -> None:
            self._dirty = True

        def showEvent(self, event) -> None:
            QLabel.showEvent(self, event)

    return GapLine


def _GapLine(session, parent):  # noqa: N802 - a class made on first use (gap_view is imported lazily)
    return _gap_line_class()(session, parent)


class OverviewPage(QWidget):
    navigate = Signal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 6)
        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        outer.addWidget(self.title)
        top = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.setRange(0, len(STEP_KEYS) - 1)
        self.progress.setFormat(_t("%v av %m arbetssteg klara (steg 1–%m; steg 9 är rapporten)"))
        self.progress.setAccessibleName(_t("Steg klara"))
        top.addWidget(self.progress, 1)
        outer.addLayout(top)
        self.gap_line = _GapLine(session, self)  # high-severity continuity gaps, links to the tab
        self.gap_line.linkActivated.connect(self.navigate.emit)
        outer.addWidget(self.gap_line)
        self.review_line = QLabel(self)  # carried items "att granska" and the Uppföljning (ui/views/yearly.py)
        self.review_line.setTextFormat(Qt.TextFormat.RichText)
        self.review_line.setWordWrap(True)
        self.review_line.linkActivated.connect(self._review_link)
        self.review_line.hide()
        outer.addWidget(self.review_line)
        self._first_review: tuple[str, int] | None = None

        cols = QHBoxLayout()
        outer.addLayout(cols, 1)
        steps_box = QGroupBox(_t("Analysens steg"), self)
        self.grid = QGridLayout(steps_box)
        self.grid.setColumnStretch(2, 1)
        self.step_buttons: dict[str, QPushButton] = {}
        self.step_state: dict[str, QLabel] = {}
        self.step_summary: dict[str, QLabel] = {}
        for row, key in enumerate(STEP_KEYS):
            b = QPushButton(f"{row + 1}. {step_title(key)}", steps_box)
            b.setFlat(True)
            b.setStyleSheet("text-align: left; padding: 2px 4px;")
            b.setToolTip(_t("Gå till steget"))
            b.clicked.connect(lambda _c=False, k=key: self.navigate.emit(k))
            state = QLabel(steps_box)
            # Room for the longest state from the start, so a later layout pass can never clip it.
            bold = state.font()
            bold.setBold(True)
            state.setMinimumWidth(max(QFontMetrics(bold).horizontalAdvance(_t(t)) for t in STATE_TEXT.values()) + 8)
            summary = QLabel(steps_box)
            summary.setWordWrap(True)
            self.grid.addWidget(b, row, 0)
            self.grid.addWidget(state, row, 1)
            self.grid.addWidget(summary, row, 2)
            self.step_buttons[key], self.step_state[key], self.step_summary[key] = b, state, summary
        self.grid.setRowStretch(len(STEP_KEYS), 1)
        cols.addWidget(steps_box, 3)

        right = QVBoxLayout()
        from rsa_desktop.ui.views.calendar_view import DeadlinesBox
        self.deadlines = DeadlinesBox(self, link_missing=True)  # the next report dates (services/calendar.py)
        self.deadlines.navigate.connect(self.navigate.emit)
        right.addWidget(self.deadlines)
        matrix_box = QGroupBox(_t("Riskmatris"), self)
        ml = QVBoxLayout(matrix_box)
        self.matrix = RiskMatrixWidget(matrix_box, thumbnail=True)
        ml.addWidget(self.matrix)
        self.matrix_empty = QLabel(_t("Riskmatrisen visas här när risker har bedömts (steg 5)."), matrix_box)
        self.matrix_empty.setWordWrap(True)
        ml.addWidget(self.matrix_empty)
        right.addWidget(matrix_box, 3)
        due_box = QGroupBox(_t("Åtgärder att följa upp"), self)
        dl = QVBoxLayout(due_box)
        self.due = QLabel(due_box)
        self.due.setWordWrap(True)
        self.due.setTextFormat(Qt.TextFormat.RichText)
        self.due.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.due.setOpenExternalLinks(False)
        self.due.linkActivated.connect(lambda _l: self.navigate.emit("atgarder"))
        area = QScrollArea(due_box)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(self.due)
        dl.addWidget(area)
        right.addWidget(due_box, 2)
        cols.addLayout(right, 2)

    _pending = None  # (snap, today) given while the page was hidden: shown when it is

    def set_data(self, statuses: dict[str, StepStatus], snap: Snapshot | None, today: dt.date | None = None) -> None:
        org = snap.organisation if snap else None
        year = snap.analysis.year if snap else ""
        self.title.setText(_t("Översikt – {0}, analys {1}").format(org.name if org else "", year))
        done = sum(statuses[k].complete for k in STEP_KEYS if k != "rapport")
        self.progress.setValue(done)
        for key in STEP_KEYS:
            s = statuses[key]
            self.step_state[key].setText(_t(STATE_TEXT[s.state]))
            self.step_state[key].setStyleSheet(f"color: {STATE_COLOUR[s.state]}; font-weight: 600;")
            noted = (" – " + count_text(s.findings)) if s.findings and s.started else ""  # RSA-kontroll
            self.step_summary[key].setText(s.summary + noted)
        self.gap_line.refresh()  # the main window has put the gaps of the same read in the session's cache
        if not self.isVisible() and self._filled:
            # The matrix, the action list and the review line (tens of ms each on a large analysis): brought
            # up to date when the page is shown.
            self._pending = (snap, today)
            return
        self._pending = None
        self._show_data(snap, today)

    _filled = False

    def showEvent(self, event) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._show_data(*pending)
        super().showEvent(event)

    def _show_data(self, snap: Snapshot | None, today: dt.date | None) -> None:
        self._filled = True
        self._update_review_line()
        self.deadlines.set_analysis(snap.analysis if snap else None, today)
        if snap is None:
            return
        levels = risk_levels(snap)
        placed = [(r.hid, *levels[r.id]) for r in snap.risks]
        has = any(lik and con for _h, lik, con in placed)
        self.matrix.set_data(snap.scales, placed)
        self.matrix.setVisible(has)
        self.matrix_empty.setVisible(not has)
        overdue, soon = due_actions(snap.actions, today)
        lines = []
        for a in overdue:
            lines.append(f"<p><span style='color:#b3261e; font-weight:600'>{_t('Försenad')}</span> "
                         f"{a.deadline.isoformat()} – <a href='a'>{html.escape(a.label)}</a>"
                         f" <span style='{hints.hint_css()}'>({html.escape(a.owner or _t('ingen ansvarig'))})</span></p>")
        for a in soon:
            lines.append(f"<p><span style='color:#b26a00; font-weight:600'>{_t('Snart')}</span> "
                         f"{a.deadline.isoformat()} – <a href='a'>{html.escape(a.label)}</a>"
                         f" <span style='{hints.hint_css()}'>({html.escape(a.owner or _t('ingen ansvarig'))})</span></p>")
        open_actions = [a for a in snap.actions if is_open(a.status)]
        if not lines:
            lines.append(_t("Inga åtgärder är försenade eller ska vara klara inom 30 dagar.") if snap.actions
                         else _t("Inga åtgärder ännu (steg 7)."))
        lines.append(f"<p style='{hints.hint_css()}'>" + _t("{0} pågående eller planerade av {1} åtgärder.").format(
            len(open_actions), len(snap.actions)) + "</p>")
        self.due.setText("".join(lines))

    def _update_review_line(self) -> None:
        from rsa_desktop.ui.views import yearly

        pending = yearly.pending_reviews(self.session)
        self._first_review = pending[0] if pending else None
        parts = []
        if pending:
            parts.append("<span style='background:%s'>&nbsp;%s&nbsp;</span> <a href='granska'>%s</a>" % (
                yearly.REVIEW_BACKGROUND, html.escape(_t("{0} objekt att granska").format(len(pending))),
                html.escape(_t("Gå till nästa"))))
        window = self.window()
        prev = window.previous_analysis() if hasattr(window, "previous_analysis") else None
        if prev is not None:
            parts.append("<a href='uppfoljning'>%s</a>" % html.escape(
                _t("Uppföljning mot {0}").format(prev.year)))
        self.review_line.setText(" &nbsp;·&nbsp; ".join(parts))
        self.review_line.setVisible(bool(parts))

    def _review_link(self, link: str) -> None:
        if link == "granska" and self._first_review:
            kind, item_id = self._first_review
            self.navigate.emit(f"item:{kind}:{item_id}")
        elif link == "uppfoljning":
            self.navigate.emit("uppfoljning")
