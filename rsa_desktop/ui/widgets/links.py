"""Linking without leaving the page: which functions a dependency serves (with tolerance), which
functions/dependencies a risk hits, which items an action treats ... One panel class for every link."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.kinds import KINDS, LINKS, FieldSpec
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.ui.app import i18n
from rsa_desktop.ui.commands import ops, undo
from rsa_desktop.ui.widgets import fmt, hints

OTHER_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class LinkTableModel(QAbstractTableModel):
    """Rows: the items linked to the current one; columns: the item, then the link's own fields."""

    attrEdited = Signal(int, str, object)  # other id, field name, new value (text)

    def __init__(self, fields: tuple[FieldSpec, ...], parent=None):
        super().__init__(parent)
        self.fields = fields
        self.rows: list[tuple[int, str, dict]] = []
        self.editable = True

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 1 + len(self.fields)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        other_id, label, attrs = self.rows[index.row()]
        if role == OTHER_ID_ROLE:
            return other_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if index.column() == 0:
            return label
        spec = self.fields[index.column() - 1]
        text = fmt.display(spec, attrs.get(spec.name))
        if role == Qt.ItemDataRole.ToolTipRole:
            return i18n.field_help(spec) or None
        return text

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() == 0:
            return False
        other_id = self.rows[index.row()][0]
        self.attrEdited.emit(other_id, self.fields[index.column() - 1].name, value)
        return True

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return self.tr("Kopplad till")
        if 1 <= section <= len(self.fields):
            return i18n.field_label(self.fields[section - 1])
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if index.column() > 0 and self.editable:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def set_rows(self, rows: list[tuple[int, str, dict]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


class _LazyCombo(QComboBox):
    """A combo box that asks for its items only when they are about to be used (popup or focus)."""

    def __init__(self, fill, parent=None):
        super().__init__(parent)
        self._fill = fill

    def showPopup(self) -> None:
        self._fill()
        super().showPopup()

    def focusInEvent(self, event) -> None:
        self._fill()
        super().focusInEvent(event)


class LinkPanel(QGroupBox):
    """The links of one kind from the current item: list, add (with tolerance), edit, remove."""

    def __init__(self, session, link_name: str, side: str, title: str, hint: str = "", parent=None):
        super().__init__(title, parent)
        self.session = session
        self.spec = LINKS[link_name]
        self.link_name = link_name
        self.side = side  # "left": the current item is the link's left side
        self.other_kind = self.spec.right if side == "left" else self.spec.left
        self.item_id: int | None = None
        self._read_only = False
        other_plural = i18n.tr(KINDS[self.other_kind].plural, "kinds").lower()

        layout = QVBoxLayout(self)
        if hint:
            h = QLabel(hint, self)
            h.setWordWrap(True)
            hints.style_hint(h)
            layout.addWidget(h)
        self.model = LinkTableModel(self.spec.fields, self)
        self.model.attrEdited.connect(self._attr_edited)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(title)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setTabKeyNavigation(False)
        self.view.setMinimumHeight(70)
        self.view.setMaximumHeight(130)
        self.view.setWordWrap(False)
        layout.addWidget(self.view)

        row = QHBoxLayout()
        # The candidates (every item of the other kind not yet linked: hundreds in a large analysis) are put
        # in the combo box when it is used, not every time another item is selected.
        self._candidate_ids: list[int] = []
        self._candidates_filled = True
        self._combo = _LazyCombo(self._fill_candidates, self)
        self._combo.setAccessibleName(self.tr("Välj bland {0} att koppla").format(other_plural))
        self._combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._combo.setMinimumContentsLength(12)
        row.addWidget(self._combo, 1)
        self.attr_edits: dict[str, QLineEdit] = {}
        for f in self.spec.fields:
            if field_type(f).widget == "duration":  # a link's attributes are durations, typed in a line
                e = QLineEdit(self)
                e.setPlaceholderText(i18n.field_label(f) + self.tr(", t.ex. 4 h"))
                e.setAccessibleName(i18n.field_label(f))
                e.setToolTip(i18n.field_help(f))
                e.setMaximumWidth(150)
                e.returnPressed.connect(self.add_link)
                self.attr_edits[f.name] = e
                row.addWidget(e)
        self.add_button = QPushButton(self.tr("Koppla"), self)
        self.add_button.setAccessibleName(self.tr("Koppla vald {0}").format(
            i18n.tr(KINDS[self.other_kind].label, "kinds").lower()))
        self.add_button.clicked.connect(self.add_link)
        row.addWidget(self.add_button)
        self.remove_button = QPushButton(self.tr("Ta bort koppling"), self)
        self.remove_button.clicked.connect(self.remove_link)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        layout.addWidget(self.error)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_enabled())
        self._update_enabled()

    # -- state ------------------------------------------------------------------------------------

    def set_item(self, item_id: int | None) -> None:
        if item_id != self.item_id:
            self.error.hide()
        self.item_id = item_id
        self.refresh()

    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self.model.editable = not ro
        self._update_enabled()

    def _pair(self, other_id: int) -> tuple[int, int]:
        return (self.item_id, other_id) if self.side == "left" else (other_id, self.item_id)

    def linked(self) -> list[tuple[int, str, dict]]:
        if self.item_id is None or not self.session.svc:
            return []
        key = "left_id" if self.side == "left" else "right_id"
        rows = self.session.svc.links(self.link_name, **{key: self.item_id})
        out = []
        for r in rows:
            other = r.right_id if self.side == "left" else r.left_id
            out.append((other, self.session.label_of(self.other_kind, other), dict(r.attrs)))
        out.sort(key=lambda t: fmt.hid_key(t[1].split(" ")[0]))
        return out

    @property
    def candidates(self) -> QComboBox:
        """The combo box of items that can be linked, filled."""
        self._fill_candidates()
        return self._combo

    def _fill_candidates(self) -> None:
        if self._candidates_filled:
            return
        self._candidates_filled = True
        combo = self._combo
        combo.blockSignals(True)
        combo.clear()
        labels = {rec.id: rec.label for rec in self.session.items(self.other_kind)}
        for rid in self._candidate_ids:
            combo.addItem(labels.get(rid, ""), rid)
        combo.blockSignals(False)

    def refresh(self) -> None:
        rows = self.linked()
        self.model.set_rows(rows)
        linked_ids = {r[0] for r in rows}
        ids = []
        if self.item_id is not None:
            ids = [rec.id for rec in self.session.items(self.other_kind)
                   if rec.id not in linked_ids and not (self.spec.left == self.spec.right and rec.id == self.item_id)]
        self._candidate_ids = ids
        self._candidates_filled = False
        self._combo.clear()
        if ids:  # what a closed combo shows: the first candidate, as before
            self._combo.addItem(next((r.label for r in self.session.items(self.other_kind) if r.id == ids[0]), ""),
                                ids[0])
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._update_enabled()

    def _update_enabled(self) -> None:
        active = self.item_id is not None and not self._read_only
        has = bool(self._candidate_ids) if not self._candidates_filled else self._combo.count() > 0
        self._combo.setEnabled(active and has)
        self.add_button.setEnabled(active and has)
        for e in self.attr_edits.values():
            e.setEnabled(active and has)
        self.remove_button.setEnabled(active and self.view.selectionModel().hasSelection())

    # -- actions ----------------------------------------------------------------------------------

    def _run(self, command) -> bool:
        def invalid(exc) -> None:
            self.error.setText(ops.error_text(exc))
            self.error.show()

        if not ops.run_command(self, self.session, command, on_error=invalid).ok:
            return False
        self.error.hide()
        return True

    def link_to(self, other_id: int, **attrs) -> bool:
        left, right = self._pair(other_id)
        return self._run(undo.LinkCommand(self.session, self.link_name, left, right, attrs))

    def add_link(self) -> None:
        combo = self.candidates
        if self.item_id is None or combo.currentIndex() < 0:
            return
        other_id = combo.currentData()
        attrs = {name: e.text().strip() for name, e in self.attr_edits.items() if e.text().strip()}
        if self.link_to(other_id, **attrs):
            for e in self.attr_edits.values():
                e.clear()

    def remove_link(self) -> None:
        idx = self.view.currentIndex()
        if self.item_id is None or not idx.isValid():
            return
        other_id = self.model.data(idx.siblingAtColumn(0), OTHER_ID_ROLE)
        left, right = self._pair(other_id)
        self._run(undo.UnlinkCommand(self.session, self.link_name, left, right))

    def _attr_edited(self, other_id: int, field: str, value) -> None:
        left, right = self._pair(other_id)
        self._run(undo.LinkCommand(self.session, self.link_name, left, right, {field: value}))
        self.refresh()


class RatingGrid(QGroupBox):
    """Consequence per dimension (risk) or impact over time (function): one small combo box each."""

    def __init__(self, session, which: str, title: str, hint: str = "", parent=None):
        super().__init__(title, parent)
        self.session = session
        self.which = which  # "consequence" (risk) or "impact" (function)
        self.owner_id: int | None = None
        self._read_only = False
        self._keys: list[tuple[int, str]] = []
        self.combos: dict[int, QComboBox] = {}
        self._layout = QVBoxLayout(self)
        if hint:
            h = QLabel(hint, self)
            h.setWordWrap(True)
            hints.style_hint(h)
            self._layout.addWidget(h)
        self.grid_host = QWidget(self)
        self._layout.addWidget(self.grid_host)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self._layout.addWidget(self.summary)

    def _build(self) -> None:
        scales = self.session.scales()
        if scales is None:
            keys: list[tuple[int, str]] = []
        elif self.which == "consequence":
            keys = [(d.id, d.label) for d in scales.dimensions]
        else:
            keys = [(h.id, h.label) for h in scales.horizons]
        levels = [(lv.value, fmt.level_text(lv.value, lv.label)) for lv in (scales.consequence if scales else ())]
        signature = (keys, levels)
        if getattr(self, "_signature", None) == signature:
            return
        self._signature = signature
        self._keys = keys
        from PySide6.QtWidgets import QFormLayout
        index = self._layout.indexOf(self.grid_host)
        self._layout.removeWidget(self.grid_host)
        self.grid_host.hide()
        self.grid_host.deleteLater()
        self.combos.clear()
        self.grid_host = QWidget(self)
        self._layout.insertWidget(index, self.grid_host)
        form = QFormLayout(self.grid_host)
        form.setContentsMargins(0, 0, 0, 0)
        for key_id, label in keys:
            combo = QComboBox(self.grid_host)
            combo.addItem(self.tr("(ej bedömd)"), None)
            for value, text in levels:
                combo.addItem(text, value)
            combo.setAccessibleName(label)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.activated.connect(lambda _i, k=key_id, c=combo, lbl=label: self._edited(k, c, lbl))
            self.combos[key_id] = combo
            lab = QLabel(label, self.grid_host)
            lab.setWordWrap(True)
            lab.setBuddy(combo)
            lab.setMinimumWidth(120)
            lab.setMaximumWidth(200)
            form.addRow(lab, combo)

    def set_item(self, owner_id: int | None) -> None:
        self.owner_id = owner_id
        self.refresh()

    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self._apply_enabled()

    def _apply_enabled(self) -> None:
        for c in self.combos.values():
            c.setEnabled(self.owner_id is not None and not self._read_only)

    def values(self) -> dict[int, int]:
        svc = self.session.svc
        if self.owner_id is None or not svc:
            return {}
        return svc.consequences(self.owner_id) if self.which == "consequence" else svc.impacts(self.owner_id)

    def refresh(self) -> None:
        self._build()
        vals = self.values()
        for key_id, combo in self.combos.items():
            combo.blockSignals(True)
            v = vals.get(key_id)
            combo.setCurrentIndex(0 if v is None else max(combo.findData(v), 0))
            combo.blockSignals(False)
        self._apply_enabled()
        self._update_summary(vals)

    def _update_summary(self, vals: dict[int, int]) -> None:
        scales = self.session.scales()
        if self.which != "consequence" or scales is None or self.owner_id is None:
            self.summary.setVisible(False)
            return
        overall = scales.overall(vals)
        try:
            likelihood = self.session.svc.get("risk", self.owner_id).get("likelihood")
        except Exception:  # noqa: BLE001
            likelihood = None
        parts = [self.tr("Sammanvägd konsekvens: <b>{0}</b>").format(
            fmt.level_text(overall, scales.consequence_label(overall)) if overall else self.tr("ej bedömd"))]
        band = scales.band(likelihood, overall)
        if band:
            parts.append(self.tr("Risknivå: <span style='background:{0}; padding:2px 6px;'>&nbsp;{1}&nbsp;</span>")
                         .format(band.colour, band.label))
        self.summary.setText(" &nbsp; ".join(parts))
        self.summary.setVisible(True)

    def _edited(self, key_id: int, combo: QComboBox, label: str) -> None:
        if self.owner_id is None:
            return
        level = combo.currentData()
        result = ops.run_command(self, self.session, undo.RatingCommand(
            self.session, self.which, self.owner_id, key_id, level, label),
            on_error=lambda exc: self.summary.setText(str(exc)))
        if not result.ok and not isinstance(result.error, ValidationError):
            self.refresh()  # a known error was shown: put the combo back to what is stored

    def set_level(self, key_id: int, level: int | None) -> None:
        """Choose a level as the user would (used by keyboard users and tests)."""
        combo = self.combos[key_id]
        combo.setCurrentIndex(0 if level is None else max(combo.findData(level), 0))
        self._edited(key_id, combo, next(lbl for k, lbl in self._keys if k == key_id))
