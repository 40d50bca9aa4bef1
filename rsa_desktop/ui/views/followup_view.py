"""Uppföljning mot föregående år: what changed since the previous year's analysis (services/followup.py).

A tree of what is new and removed (verksamheter, beroenden, risker, kopplingar), the risks that moved
in the matrix and the åtgärder's follow-up (genomförda, försenade, överförda och öppna …), each with
"Gå till" (double-click or the button): this year's item, or the previous year's for what was removed.
Beside it the riskmatris with only the moved risks, a hollow marker where each was last year and an
arrow to where it is now – painted by the Risker step's `MatrixCanvas`.

The view is pinned to the pair of years it was opened for, and recomputed when the data changes.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.actions import status_label
from rsa_desktop.ui.views.matrix_canvas import MatrixCanvas

TARGET_ROLE = Qt.ItemDataRole.UserRole + 21  # (kind, item id, analysis id) of the item to go to


def _t(text: str) -> str:
    return QCoreApplication.translate("followup", text)


def _status(code: str) -> str:
    return status_label(code).lower()


class FollowupModel(QAbstractItemModel):
    """Two levels: groups ("Nya verksamheter (2)") and their rows (text, change); read-only."""

    HEADINGS = ("Objekt", "Förändring")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[tuple[str, list[tuple[str, str, tuple[str, int, int] | None]]]] = []

    def set_groups(self, groups) -> None:
        self.beginResetModel()
        self.groups = [(title, list(entries)) for title, entries in groups if entries]
        self.endResetModel()

    def index(self, row, column, parent=QModelIndex()):
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index=QModelIndex()):
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent=QModelIndex()) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0 and 0 <= parent.row() < len(self.groups):
            return len(self.groups[parent.row()][1])
        return 0

    def columnCount(self, parent=QModelIndex()) -> int:
        return 2

    def entry(self, index):
        if not index.isValid() or index.internalId() == 0:
            return None
        g = index.internalId() - 1
        if not (0 <= g < len(self.groups)) or not (0 <= index.row() < len(self.groups[g][1])):
            return None
        return self.groups[g][1][index.row()]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == 0:
            if not (0 <= index.row() < len(self.groups)):
                return None
            title, entries = self.groups[index.row()]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return f"{title} ({len(entries)})" if index.column() == 0 else ""
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        e = self.entry(index)
        if e is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return e[index.column()] if index.column() < 2 else None
        if role == TARGET_ROLE:
            return e[2]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 2:
            return _t(self.HEADINGS[section])
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != 0:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags


class FollowupView(QWidget):
    goTo = Signal(str, int, int)  # kind, item id, analysis id

    def __init__(self, session, previous_id: int, current_id: int, parent=None):
        super().__init__(parent)
        self.session = session
        self.previous_id, self.current_id = previous_id, current_id
        self.comparison = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        lay.addWidget(self.title)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.model = FollowupModel(self)
        self.tree = QTreeView(left)
        self.tree.setModel(self.model)
        self.tree.setAccessibleName(_t("Förändringar sedan föregående år"))
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.activated.connect(lambda index: self.go_to(index))
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._update_button())
        ll.addWidget(self.tree, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.go_button = QPushButton(_t("Gå till"), left)
        self.go_button.setToolTip(_t("Visa objektet i sitt steg (dubbelklick gör samma sak)"))
        self.go_button.clicked.connect(lambda: self.go_to(self.tree.currentIndex()))
        row.addWidget(self.go_button)
        ll.addLayout(row)
        split.addWidget(left)
        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.matrix_caption = QLabel(right)
        self.matrix_caption.setWordWrap(True)
        rl.addWidget(self.matrix_caption)
        self.matrix = MatrixCanvas(right)
        self.matrix.setMinimumSize(380, 320)
        self.matrix.setAccessibleName(_t("Risker som har flyttats i riskmatrisen"))
        rl.addWidget(self.matrix, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        split.setSizes([620, 460])
        lay.addWidget(split, 1)
        self.refresh()

    # -- content ----------------------------------------------------------------------------------------

    def refresh(self) -> None:
        from rsa_desktop.services.followup import compare

        svc = self.session.svc
        ids = {a.id for a in svc.analyses()} if svc else set()
        self._groups = []
        if self.previous_id not in ids or self.current_id not in ids:
            self.comparison = None
            self.title.setText(_t("Uppföljning"))
            self.summary.setText(_t("Analyserna som jämfördes finns inte längre i filen."))
            self.matrix.set_content(None)
            self.model.set_groups([])
            self._update_button()
            return
        c = self.comparison = compare(svc, self.previous_id, self.current_id)
        self.title.setText(_t("Uppföljning: {0} jämfört med {1}").format(c.current_year, c.previous_year))
        lines = c.summary()
        if c.empty:
            lines.insert(0, _t("Inget har ändrats sedan {0}.").format(c.previous_year))
        self.summary.setText("\n".join(lines))
        self._fill(c)
        self.model.set_groups(self._groups)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), 330))
        self._fill_matrix(c)
        self._update_button()

    def _group(self, title: str, entries: list[tuple[str, str, tuple[str, int, int] | None]]) -> None:
        self._groups.append((title, entries))

    def _fill(self, c) -> None:
        prev, cur = self.previous_id, self.current_id
        svc = self.session.svc
        names = {"function": (_t("Nya verksamheter"), _t("Borttagna verksamheter")),
                 "dependency": (_t("Nya beroenden"), _t("Borttagna beroenden")),
                 "risk": (_t("Nya risker"), _t("Borttagna risker"))}
        for kind, (new_title, removed_title) in names.items():
            self._group(new_title, [(f"{r.hid} {r.title}", _t("ny {0}").format(c.current_year),
                                     (kind, r.current_id, cur)) for r in c.new[kind]])
            self._group(removed_title, [(f"{r.hid} {r.title}", _t("fanns {0}").format(c.previous_year),
                                         (kind, r.previous_id, prev)) for r in c.removed[kind]])

        def link_entries(links, aid, word):
            out = []
            for lr in links:
                f = svc.find_by_hid("function", aid, lr.function_hid)
                target = ("function", f.id, aid) if f is not None else None
                out.append((f"{lr.function_hid} – {lr.dependency_hid}", word, target))
            return out

        self._group(_t("Nya kopplingar verksamhet–beroende"), link_entries(c.new_links, cur, _t("ny koppling")))
        self._group(_t("Borttagna kopplingar verksamhet–beroende"),
                    link_entries(c.removed_links, prev, _t("fanns {0}").format(c.previous_year)))
        self._group(_t("Risker som har flyttats i riskmatrisen"), [
            (f"{m.hid} {m.title}", m.describe(), ("risk", m.current_id, cur)) for m in c.moved_risks])

        def action_entries(actions, detail):
            out = []
            for a in actions:
                target = ("action", a.current_id, cur) if a.current_id is not None else \
                    ("action", a.previous_id, prev) if a.previous_id is not None else None
                out.append((f"{a.hid} {a.title}", detail(a), target))
            return out

        def deadline(a) -> str:
            return _t("klart senast {0}").format(a.deadline.isoformat()) if a.deadline else _t("inget slutdatum")

        self._group(_t("Genomförda åtgärder sedan {0}").format(c.previous_year),
                    action_entries(c.actions_completed, lambda a: _t("genomförd")))
        def origin(a) -> str:  # an overdue action is listed here only, so say where it comes from
            return _t("överförd från {0}").format(c.previous_year) if a.previous_id is not None \
                else _t("ny {0}").format(c.current_year)

        self._group(_t("Försenade åtgärder"),
                    action_entries(c.actions_overdue, lambda a: _t("skulle vara klar {0}, {1}").format(
                        a.deadline.isoformat(), origin(a))))
        self._group(_t("Överförda och öppna åtgärder, i tid"),
                    action_entries(c.actions_carried_over, lambda a: f"{_status(a.current_status)}, {deadline(a)}"))
        self._group(_t("Avbrutna åtgärder"), action_entries(c.actions_cancelled, lambda a: _t("avbruten")))
        self._group(_t("Öppna åtgärder från {0} som saknas i år").format(c.previous_year),
                    action_entries(c.actions_dropped, lambda a: _status(a.previous_status)))
        self._group(_t("Nya åtgärder"), action_entries(c.actions_new, lambda a: _status(a.current_status)))

    def _fill_matrix(self, c) -> None:
        from rsa_desktop.services.matrix import matrix_data

        moved = {m.current_id: m for m in c.moved_risks}
        data = matrix_data(self.session.svc, self.current_id)
        points = tuple(p for p in data.points if p.risk_id in moved)
        hids = {p.hid for p in points}
        cells = tuple(replace(cell, hids=tuple(h for h in cell.hids if h in hids)) for cell in data.cells)
        data = replace(data, points=points, cells=cells)
        previous = {rid: (m.old_likelihood, m.old_consequence) for rid, m in moved.items()
                    if m.old_likelihood is not None and m.old_consequence is not None}
        self.matrix.set_content(data, previous=previous)
        self.matrix_caption.setText(
            _t("Streckad ruta: placering {0}; pilen pekar på placeringen {1}.").format(c.previous_year, c.current_year)
            if moved else _t("Ingen risk har flyttats i riskmatrisen sedan {0}.").format(c.previous_year))

    # -- navigation -------------------------------------------------------------------------------------

    def items(self) -> list[tuple[str, str, str]]:
        """(group, text, detail) of every row, for tests and accessibility checks."""
        m = self.model
        out = []
        for g in range(m.rowCount()):
            top = m.index(g, 0)
            for r in range(m.rowCount(top)):
                out.append((top.data(), m.index(r, 0, top).data(), m.index(r, 1, top).data()))
        return out

    def find(self, text_start: str) -> QModelIndex:
        m = self.model
        for g in range(m.rowCount()):
            top = m.index(g, 0)
            for r in range(m.rowCount(top)):
                if m.index(r, 0, top).data().startswith(text_start):
                    return m.index(r, 0, top)
        return QModelIndex()

    def _update_button(self) -> None:
        index = self.tree.currentIndex()
        self.go_button.setEnabled(index.isValid() and index.data(TARGET_ROLE) is not None)

    def go_to(self, index: QModelIndex | None) -> bool:
        target = index.data(TARGET_ROLE) if index is not None and index.isValid() else None
        if not target:
            return False
        kind, item_id, aid = target
        self.goTo.emit(kind, int(item_id), int(aid))
        return True


class FollowupDialog(QDialog):
    """Non-modal, so the user can go to an item and come back."""

    def __init__(self, window, previous_id: int, current_id: int):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(_t("Uppföljning mot föregående år"))
        self.resize(1300, 700)  # fits 1366×768 and gives the matrix room for its axis labels
        lay = QVBoxLayout(self)
        self.view = FollowupView(window.session, previous_id, current_id, self)
        self.view.goTo.connect(self._go_to)
        lay.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        lay.addWidget(buttons)
        window.session.changed.connect(self._on_changed)
        window.session.documentChanged.connect(self.close)
        self._connected = True

    def _on_changed(self, _kind: str) -> None:
        if self.isVisible() and self.window_.session.svc is not None:
            self.view.refresh()

    def _go_to(self, kind: str, item_id: int, analysis_id: int) -> None:
        s = self.window_.session
        if s.analysis_id != analysis_id:
            s.set_analysis(analysis_id)
        self.window_.open_item(kind, item_id)

    def closeEvent(self, event) -> None:
        s = self.window_.session
        if self._connected:
            self._connected = False
            s.changed.disconnect(self._on_changed)
            s.documentChanged.disconnect(self.close)
        super().closeEvent(event)


def open_followup(window) -> FollowupDialog | None:
    prev = window.previous_analysis()
    s = window.session
    if prev is None or s.analysis_id is None:
        return None
    old = getattr(window, "followup_dialog", None)
    if old is not None:
        old.close()
    dlg = FollowupDialog(window, prev.id, s.analysis_id)
    dlg.show()
    return dlg


__all__ = ["FollowupView", "FollowupDialog", "open_followup"]
