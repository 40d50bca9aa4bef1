"""Kontinuitetsgap: the automatic gap analysis (services/gaps.py) on the Kritiska beroenden step (BRIEF §6).

A table of findings (severity, headline, the items involved, whether an action exists), filterable by
severity; below it the chosen finding in full – explanation, the items as "Gå till" links, the suggested
action and "Skapa åtgärd", which creates the action linked to the function and dependencies through an
undoable command. `GapSummaryLine` is the one-line count on the Översikt page.
"""

from __future__ import annotations

import html

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain import severity as sev_vocab
from rsa_desktop.domain.ids import hid_prefix
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.services import gaps as gap_svc
from rsa_desktop.services.gaps import GapFinding
from rsa_desktop.ui.commands import ops, undo
from rsa_desktop.ui.widgets import hints
from rsa_desktop.ui.widgets.lazy import RefreshWhenVisible
from rsa_desktop.ui.widgets.table_model import ReadOnlyRowsMixin, change_filter

SEVERITY_COLOURS = {"hög": "#b3261e", "medel": "#c25e00", "låg": "#8a7400"}
SEVERITY_BACKGROUNDS = {"hög": "#fde7e9", "medel": "#fff0dc", "låg": "#fffbd6"}
SEVERITY_TEXT = {"hög": "Hög", "medel": "Medel", "låg": "Låg"}
FINDING_ROLE = Qt.ItemDataRole.UserRole + 21
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 22
_PREFIX_KIND = {spec.prefix: kind for kind, spec in KINDS.items() if spec.prefix}


def _t(text: str) -> str:
    return QCoreApplication.translate("gap_view", text)


def severity_icon(severity: str | None, size: int = 14) -> QIcon:
    """A filled shape per severity (shape as well as colour, for colour-blind readers)."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    if severity in SEVERITY_COLOURS:
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(SEVERITY_COLOURS[severity]))
        if severity == sev_vocab.HIGH:  # triangle
            from PySide6.QtCore import QPointF
            from PySide6.QtGui import QPolygonF
            p.drawPolygon(QPolygonF([QPointF(size / 2, 1), QPointF(size - 1, size - 1), QPointF(1, size - 1)]))
        elif severity == "medel":  # diamond
            from PySide6.QtCore import QPointF
            from PySide6.QtGui import QPolygonF
            p.drawPolygon(QPolygonF([QPointF(size / 2, 1), QPointF(size - 1, size / 2), QPointF(size / 2, size - 1),
                                     QPointF(1, size / 2)]))
        else:  # circle
            p.drawEllipse(2, 2, size - 4, size - 4)
        p.end()
    return QIcon(pm)


def findings(session) -> list[GapFinding]:
    """The analysis' gap findings, computed once per change (shared by the tab, the map and Översikt)."""
    if not session.svc or session.analysis_id is None:
        return []
    return session.cached("gap_findings", lambda: gap_svc.analyse_gaps(session.svc, session.analysis_id))


def resolve_hid(session, hid: str) -> tuple[str, int] | None:
    """`V1` → ("function", id) in the current analysis."""
    kind = _PREFIX_KIND.get(hid_prefix(hid))
    if kind is None or not session.svc or session.analysis_id is None:
        return None
    try:
        rec = session.svc.find_by_hid(kind, session.analysis_id, hid)
    except Exception:  # noqa: BLE001 - a kind that lives below another item
        return None
    return (kind, rec.id) if rec else None


def item_target(kind: str, item_id: int) -> str:
    """What `navigate` carries to open an item (MainWindow.go_to understands it)."""
    return f"item:{kind}:{item_id}"


def existing_actions(session, found: list[GapFinding]) -> dict[int, str]:
    """Finding index → the human ID of an action that already answers it (services/gaps.py owns the rule)."""
    if not session.svc or session.analysis_id is None or not found:
        return {}
    return {i: a.hid for i, a in gap_svc.actions_for_findings(session.svc, session.analysis_id, found).items()}


class CreateActionFromFindingCommand(undo.ServiceCommand):
    """"Skapa åtgärd" on a gap: the action and its links in one transaction; undo deletes them again."""

    notify_kind = "action"

    def __init__(self, session, finding: GapFinding):
        super().__init__(session)
        self.finding = finding
        self.record = None
        self.tomb = None

    def do(self) -> bool:
        self.record = gap_svc.create_action_from_finding(self.svc, self.session.analysis_id, self.finding)
        self.setText(_t("Skapa åtgärd {0} från kontinuitetsgap ({1})").format(self.record.hid, self.finding.chain))
        return True

    @property
    def item_id(self) -> int:
        return self.record.id

    def _undo(self) -> None:
        self.tomb = self.svc.delete("action", self.record.id)

    def _redo(self) -> None:
        if self.tomb is not None:
            self.svc.restore(self.tomb)


class GapTableModel(ReadOnlyRowsMixin, QAbstractTableModel):
    """One row per finding: severity, headline, items involved, the action created from it."""

    TR_CONTEXT = "gap_view"
    HEADERS = ("Allvarlighet", "Kontinuitetsgap", "Berör", "Åtgärd")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[GapFinding] = []
        self.actions: dict[int, str] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        f = self.rows[index.row()]
        col = index.column()
        if role == FINDING_ROLE:
            return index.row()
        if role == SEVERITY_ROLE:
            return f.severity
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == 0:
                return _t(SEVERITY_TEXT.get(f.severity, f.severity))
            if col == 1:
                return f.title
            if col == 2:
                return f.chain
            return self.actions.get(index.row(), "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 1:
                return f.explanation
            if col == 3:
                return (_t("Åtgärden {0} är redan planerad för det här gapet").format(self.actions[index.row()])
                        if index.row() in self.actions else _t("Ingen åtgärd ännu"))
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return severity_icon(f.severity)
        if role == Qt.ItemDataRole.BackgroundRole and col == 0:
            return QBrush(QColor(SEVERITY_BACKGROUNDS.get(f.severity, "#ffffff")))
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(QColor(SEVERITY_COLOURS.get(f.severity, "#000000")))
        return None


    def set_findings(self, rows: list[GapFinding], actions: dict[int, str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.actions = dict(actions)
        self.endResetModel()


class SeverityFilterModel(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.shown: set[str] = set(sev_vocab.SEVERITIES)

    def set_shown(self, severities) -> None:
        change_filter(self, lambda: setattr(self, "shown", set(severities)))

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        return self.sourceModel().index(source_row, 0, source_parent).data(SEVERITY_ROLE) in self.shown


class GapView(RefreshWhenVisible, QWidget):
    """The "Kontinuitetsgap" tab."""

    navigate = Signal(str)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("kontinuitetsgap")
        self.session = session
        self._dirty = True
        self._read_only = False
        self.findings: list[GapFinding] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 6, 4, 4)
        bar = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        bar.addWidget(self.summary, 1)
        bar.addWidget(QLabel(self.tr("Visa:"), self))
        self.severity_checks: dict[str, QCheckBox] = {}
        for sev in sev_vocab.SEVERITIES:
            cb = QCheckBox(self.tr(SEVERITY_TEXT[sev]), self)
            cb.setIcon(severity_icon(sev))
            cb.setChecked(True)
            cb.setAccessibleName(self.tr("Visa gap med allvarlighet {0}").format(sev))
            cb.toggled.connect(self._filter_changed)
            self.severity_checks[sev] = cb
            bar.addWidget(cb)
        outer.addLayout(bar)

        self.model = GapTableModel(self)
        self.proxy = SeverityFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName(self.tr("Kontinuitetsgap"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())

        self.detail = QWidget(self)
        dl = QVBoxLayout(self.detail)
        dl.setContentsMargins(8, 6, 8, 6)
        self.heading = QLabel(self.detail)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        dl.addWidget(self.heading)
        self.explanation = QLabel(self.detail)
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dl.addWidget(self.explanation)
        self.items_label = QLabel(self.detail)
        self.items_label.setTextFormat(Qt.TextFormat.RichText)
        self.items_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.items_label.linkActivated.connect(self._link)
        self.items_label.setAccessibleName(self.tr("Berörda poster"))
        dl.addWidget(self.items_label)
        self.suggestion = QLabel(self.detail)
        self.suggestion.setWordWrap(True)
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        dl.addWidget(self.suggestion)
        # The action row sits below the scrolling text, so "Skapa åtgärd" is never cut off (1366×768).
        host = QWidget(self)
        hl = QVBoxLayout(host)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.setSpacing(2)
        row_widget = QWidget(host)
        row = QHBoxLayout(row_widget)
        row.setContentsMargins(8, 2, 8, 4)
        self.create_button = QPushButton(self.tr("Skapa åtgärd"), row_widget)
        self.create_button.setToolTip(self.tr("Skapa den föreslagna åtgärden, kopplad till verksamheten och "
                                              "beroendena. Kan ångras med Ctrl+Z."))
        self.create_button.clicked.connect(self.create_action)
        row.addWidget(self.create_button)
        self.action_link = QLabel(row_widget)
        self.action_link.setTextFormat(Qt.TextFormat.RichText)
        self.action_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.action_link.linkActivated.connect(self._link)
        row.addWidget(self.action_link, 1)
        dl.addStretch(1)
        self.empty = QLabel(self.detail)
        self.empty.setWordWrap(True)
        hints.style_hint(self.empty, "padding: 8px;")
        dl.insertWidget(0, self.empty)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(self.detail)
        hl.addWidget(area, 1)
        hl.addWidget(row_widget)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.view)
        split.addWidget(host)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)

        session.changed.connect(self._on_changed)
        session.analysisChanged.connect(lambda: self._on_changed(""))
        session.documentChanged.connect(lambda: self._on_changed(""))

    # -- refresh --------------------------------------------------------------------------------------


    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self._show_current()

    def refresh(self) -> None:
        self._dirty = False
        keep = self.current_finding()
        self.findings = findings(self.session)
        self.model.set_findings(self.findings, existing_actions(self.session, self.findings))
        counts = gap_svc.summary(self.findings)
        for sev, cb in self.severity_checks.items():
            cb.setText(self.tr("{0} ({1})").format(self.tr(SEVERITY_TEXT[sev]), counts[sev]))
        if self.findings:
            self.summary.setText(self.tr("{0} kontinuitetsgap: {1} höga, {2} medel, {3} låga. Gapen räknas fram ur "
                                         "toleranser, förväntade avbrott, reserver och planer.")
                                 .format(len(self.findings), counts[sev_vocab.HIGH], counts[sev_vocab.MEDIUM], counts[sev_vocab.LOW]))
        else:
            self.summary.setText(self.tr("Inga kontinuitetsgap hittades för de samhällsviktiga verksamheterna."))
        row = 0
        if keep is not None:
            for i, f in enumerate(self.findings):
                if (f.rule, f.items, f.function_id, f.dependency_id) == (keep.rule, keep.items, keep.function_id,
                                                                         keep.dependency_id):
                    idx = self.proxy.mapFromSource(self.model.index(i, 0))
                    row = idx.row() if idx.isValid() else 0
                    break
        if self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(min(row, self.proxy.rowCount() - 1), 0))
        self._show_current()

    def _filter_changed(self) -> None:
        self.proxy.set_shown(s for s, cb in self.severity_checks.items() if cb.isChecked())
        if self.proxy.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        self._show_current()

    def set_severity_filter(self, severities) -> None:
        for sev, cb in self.severity_checks.items():
            cb.setChecked(sev in severities)

    # -- the chosen finding -------------------------------------------------------------------------------

    def current_row(self) -> int | None:
        idx = self.view.currentIndex()
        if not idx.isValid():
            return None
        return self.proxy.mapToSource(idx).row()

    def current_finding(self) -> GapFinding | None:
        row = self.current_row()
        return self.model.rows[row] if row is not None and row < len(self.model.rows) else None

    def select_row(self, source_row: int) -> None:
        idx = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if idx.isValid():
            self.view.setCurrentIndex(idx)

    def _show_current(self) -> None:
        f = self.current_finding()
        has = f is not None
        for w in (self.heading, self.explanation, self.items_label, self.suggestion, self.create_button,
                  self.action_link):
            w.setVisible(has)
        self.empty.setVisible(not has)
        if not has:
            self.empty.setText(self.tr("Välj ett gap i listan.") if self.proxy.rowCount()
                               else self.tr("Inga gap att visa med det valda filtret.") if self.findings
                               else self.tr("Inga kontinuitetsgap. Analysen utgår från samhällsviktiga verksamheter, "
                                            "deras beroenden (med tolerans), förväntade avbrott och reserver."))
            return
        colour = SEVERITY_COLOURS.get(f.severity, "#000")
        self.heading.setText(
            f"<span style='color:{colour}; font-weight:700'>{html.escape(self.tr(SEVERITY_TEXT[f.severity]))}"
            f"</span> &nbsp;<b style='font-size:12pt'>{html.escape(f.title)}</b>"
            f"<br><span style='{hints.hint_css()}'>{html.escape(f.rule_label)}</span>")
        self.explanation.setText(f.explanation)
        def link(hid: str) -> str:
            target = resolve_hid(self.session, hid)
            return f"<a href='{item_target(*target)}'>{html.escape(hid)}</a>" if target else html.escape(hid)

        n = len(f.functions) if len(f.functions) > 1 else 0  # several verksamheter: "V1, V2 → B1"
        parts = ([", ".join(link(h) for h in f.items[:n])] if n else []) + [link(h) for h in f.items[n:]]
        self.items_label.setText(self.tr("Berör (klicka för att gå till): ") + " &rarr; ".join(parts))
        self.suggestion.setText(self.tr("<b>Föreslagen åtgärd:</b> {0}").format(html.escape(f.suggested_action)))
        existing = self.model.actions.get(self.current_row())
        if existing:
            target = resolve_hid(self.session, existing)
            link = f"<a href='{item_target(*target)}'>{html.escape(existing)}</a>" if target else existing
            self.action_link.setText(self.tr("Åtgärden {0} är redan planerad för det här gapet.").format(link))
            self.create_button.setEnabled(False)
        else:
            self.action_link.setText("")
            self.create_button.setEnabled(not self._read_only)

    def _link(self, href: str) -> None:
        self.navigate.emit(href)

    # -- Skapa åtgärd -------------------------------------------------------------------------------------

    def create_action(self) -> int | None:
        f = self.current_finding()
        if f is None or self._read_only:
            return None
        cmd = CreateActionFromFindingCommand(self.session, f)
        res = ops.run_command(self, self.session, cmd,
                              on_error=lambda exc: self.action_link.setText(html.escape(str(exc))))
        if not res.value:
            return None
        self.refresh()
        return cmd.item_id


class GapSummaryLine(RefreshWhenVisible, QLabel):
    """Översikt: "3 kontinuitetsgap med hög allvarlighet – Visa" (links to the tab)."""

    TARGET = "beroenden/kontinuitetsgap"

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self._dirty = True
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setAccessibleName(self.tr("Kontinuitetsgap"))
        session.changed.connect(self._on_changed)
        session.analysisChanged.connect(lambda: self._on_changed(""))


    def refresh(self) -> None:
        self._dirty = False
        found = findings(self.session)
        high = sum(1 for f in found if f.severity == sev_vocab.HIGH)
        if not found:
            self.setText(html.escape(self.tr("Inga kontinuitetsgap hittades.")) if self.session.svc else "")
            return
        icon = f"<span style='color:{SEVERITY_COLOURS['hög']}; font-weight:700'>&#9650;</span> " if high else ""
        text = (self.tr("{0} kontinuitetsgap med hög allvarlighet").format(high) if high
                else self.tr("Inga kontinuitetsgap med hög allvarlighet ({0} övriga)").format(len(found)))
        self.setText(f"{icon}{html.escape(text)} – <a href='{self.TARGET}'>{html.escape(self.tr('Visa gapen'))}</a>")
