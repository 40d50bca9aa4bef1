"""One item section for every kind: toolbar (add, duplicate, delete, filter), sortable table, detail form.

The section is generic over the field registry; what differs per kind (table columns, link panels,
rating grids, child lists) comes in a `SectionConfig`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.services.placeholders import NEW_TITLES, NOT_CHOSEN, scenario_values
from rsa_desktop.ui.app import i18n
from rsa_desktop.ui.commands import ops, undo
from rsa_desktop.ui.dialogs import common
from rsa_desktop.ui.widgets import hints
from rsa_desktop.ui.widgets.forms import ItemForm
from rsa_desktop.ui.widgets.lazy import RefreshWhenVisible
from rsa_desktop.ui.widgets.table_model import ID_ROLE, Column, ItemFilterModel, ItemTableModel, field_column

ADD_TEXTS = {
    "function": "Lägg till verksamhet", "dependency": "Lägg till beroende", "risk": "Lägg till risk",
    "vulnerability": "Lägg till sårbarhet", "capability": "Lägg till förmåga", "action": "Lägg till åtgärd",
    "continuity_plan": "Lägg till plan", "exercise": "Lägg till övning", "participant": "Lägg till deltagare",
    "fallback": "Lägg till reservrutin", "contact": "Lägg till kontakt",
}


SIZE_SAMPLE_ROWS = 100  # rows measured for the column widths (beside the visible ones)
_FOCUS_MARGIN = QStyle.PixelMetric.PM_FocusFrameHMargin  # looked up once: PySide's enum lookups are slow


@dataclass
class SectionConfig:
    kind: str
    columns: tuple[str, ...]  # field names ("hid" for the human ID)
    extra_columns: Callable[[object], list[Column]] | None = None  # session -> computed columns
    extras: Callable[[ItemSection], list[QWidget]] | None = None  # panels below the form
    compact: bool = False  # a child list inside another form
    form_fields: tuple[str, ...] | None = None
    empty_text: str = ""


class ItemSection(RefreshWhenVisible, QWidget):
    selectionChanged = Signal(object)  # Item | None

    def __init__(self, session, config: SectionConfig, owner: Callable[[], int | None] | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.config = config
        self.kind = config.kind
        self.spec = KINDS[config.kind]
        self._owner = owner or (lambda: session.analysis_id)
        self._dirty = True
        self._read_only = False
        self._current: Item | None = None

        # Names the registry does not (or no longer) know are skipped, so a renamed field cannot break a page.
        self.column_names = tuple(n for n in config.columns if n == "hid" or n in self.spec.field_names)
        columns = [field_column(self.kind, name, session) for name in self.column_names]
        if config.extra_columns:
            columns += config.extra_columns(session)
        self.model = ItemTableModel(self.kind, columns, self)
        self.proxy = ItemFilterModel(self)
        self.proxy.setSourceModel(self.model)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        label = i18n.kind_label(self.spec)
        self.add_button = QPushButton(self.tr(ADD_TEXTS.get(self.kind, "Lägg till")), self)
        self.add_button.setToolTip(self.tr("Lägg till en ny rad (Ctrl+N)") if not config.compact else "")
        self.add_button.clicked.connect(lambda: self.add_item())
        self.duplicate_button = QPushButton(self.tr("Duplicera"), self)
        self.duplicate_button.setAccessibleName(self.tr("Duplicera vald {0}").format(label.lower()))
        self.duplicate_button.clicked.connect(self.duplicate_current)
        self.delete_button = QPushButton(self.tr("Ta bort…"), self)
        self.delete_button.setAccessibleName(self.tr("Ta bort vald {0}").format(label.lower()))
        self.delete_button.clicked.connect(lambda: self.delete_current())
        bar.addWidget(self.add_button)
        bar.addWidget(self.duplicate_button)
        bar.addWidget(self.delete_button)
        bar.addStretch(1)
        self.count_label = QLabel(self)
        bar.addWidget(self.count_label)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filtrera…"))
        self.filter_edit.setAccessibleName(self.tr("Filtrera {0}").format(i18n.tr(self.spec.plural, "kinds").lower()))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(200)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        bar.addWidget(self.filter_edit)
        if config.compact:
            self.filter_edit.hide()
            self.duplicate_button.hide()
        outer.addLayout(bar)

        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName(i18n.tr(self.spec.plural, "kinds"))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        # sizeHintForColumn measures the visible rows and then this many in all (Qt's default is 1000): a
        # sample keeps a first visit of a long list fast; the ID column is made wide enough for the longest ID.
        self.view.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.viewport().installEventFilter(self)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._on_current_changed())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view, activated=self.delete_current,
                  context=Qt.ShortcutContext.WidgetShortcut)

        self.detail = QWidget(self)
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(8, 4, 8, 8)
        self.heading = QLabel(self.detail)
        self.heading.setObjectName("detailHeading")
        self.heading.setStyleSheet("font-weight: 600; font-size: 12pt;")
        self.heading.setWordWrap(True)
        head_row = QHBoxLayout()
        head_row.addWidget(self.heading, 1)
        self.history_link = QLabel(f"<a href='historik'>{self.tr('Historik')}</a>", self.detail)
        self.history_link.setToolTip(self.tr("Visa ändringsloggen för det här objektet"))
        self.history_link.setAccessibleName(self.tr("Historik"))
        self.history_link.linkActivated.connect(lambda _h: self.show_history())
        head_row.addWidget(self.history_link, 0, Qt.AlignmentFlag.AlignTop)
        detail_layout.addLayout(head_row)
        self.form = ItemForm(session, self.spec, config.form_fields, self.detail)
        self.form.edited.connect(self.edit_field)
        detail_layout.addWidget(self.form)
        self.extras: list[QWidget] = config.extras(self) if config.extras else []
        for w in self.extras:
            detail_layout.addWidget(w)
        detail_layout.addStretch(1)
        self.empty_label = QLabel(self.detail)
        self.empty_label.setWordWrap(True)
        hints.style_hint(self.empty_label, "padding: 12px;")
        self.empty_label.setText(self.tr(config.empty_text) if config.empty_text else self.tr(
            "Här finns inget ännu. Klicka på ”{0}” för att börja.").format(self.add_button.text()))
        detail_layout.insertWidget(0, self.empty_label)

        if config.compact:
            self.view.setMinimumHeight(90)
            self.view.setMaximumHeight(150)
            outer.addWidget(self.view)
            outer.addWidget(self.detail)
            self.heading.hide()
        else:
            self.scroll = QScrollArea(self)
            self.scroll.setWidgetResizable(True)
            self.scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.scroll.setWidget(self.detail)
            self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
            self.splitter.addWidget(self.view)
            self.splitter.addWidget(self.scroll)
            self.splitter.setStretchFactor(0, 1)
            self.splitter.setStretchFactor(1, 1)
            self.splitter.setChildrenCollapsible(False)
            self.splitter.setSizes([520, 580])
            self.view.setMinimumWidth(300)
            self.scroll.setMinimumWidth(380)
            outer.addWidget(self.splitter, 1)
        self.setTabOrder(self.filter_edit, self.view)

        session.changed.connect(self._on_changed)
        session.analysisChanged.connect(self._on_analysis_changed)
        session.documentChanged.connect(self._on_analysis_changed)

    # -- refresh ------------------------------------------------------------------------------------

    def owner_id(self) -> int | None:
        return self._owner()


    def _on_analysis_changed(self) -> None:
        self._current = None
        self._on_changed("")


    _updated_id: int | None = None  # the item whose values the running edit changes (edit_field)

    def _on_changed(self, kind: str = "") -> None:
        # An edit of one item's values in this list: refresh only its row, not the whole list and its panels.
        if (kind == self.kind and self._updated_id is not None and not self._dirty and self.isVisible()
                and self._refresh_row(self._updated_id)):
            return
        super()._on_changed(kind)

    def _refresh_row(self, item_id: int) -> bool:
        row = self.model.row_of(item_id)
        rec = self.session.svc.get_fast(self.kind, item_id) if row >= 0 and self.session.svc else None
        if rec is None:
            return False
        self.model.replace_record(row, rec)
        if self._current is not None and self._current.id == item_id:
            self._current = rec
            self._load_current(same_item=True)
        return True

    def refresh(self) -> None:
        self._dirty = False
        keep = self._current.id if self._current else None
        owner = self.owner_id()
        records = self.session.items(self.kind, owner) if owner is not None else []
        new_items = self.model.set_records(records)
        plural = i18n.tr(self.spec.plural, "kinds").lower()
        self.count_label.setText(self.tr("{0} st").format(len(records)) if records else "")
        self.count_label.setToolTip(plural)
        # Measuring the columns costs ~0.1 s for a long list: done again when items came or went, not after
        # every edit of a value (the short columns are capped at 110 px; the title column takes the rest).
        self.fit_columns(content_changed=new_items or len(records) <= SIZE_SAMPLE_ROWS)
        loads = self._loads
        if keep is not None and self.model.row_of(keep) >= 0:
            self.select_id(keep)
        elif self.proxy.rowCount() > 0:
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        else:
            self._current = None
        if self._loads == loads:  # the selection did not move (and so did not load the item): load it once here
            self._load_current()

    def fit_columns(self, content_changed: bool = True) -> None:
        """Short columns get what their content needs (capped); the title column takes the rest.

        The content widths (sizeHintForColumn asks the model for up to 1000 rows) are measured again
        only when the content changed, not when the view is merely resized."""
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        n = self.model.columnCount()
        if self.config.compact:
            self._fit_compact(n)
            return
        title_col = next((i for i, name in enumerate(self.column_names) if name == self.spec.title_field), n - 1)
        widths = None if content_changed else getattr(self, "_content_widths", None)
        if widths is None or len(widths) != n:
            widths = []
            for col in range(n):
                if col == title_col:
                    widths.append(0)
                    continue
                hint = self.view.sizeHintForColumn(col)
                width = min(max(hint, min(header.sectionSizeHint(col), 80), 40), 110)
                if self.column_names[col:col + 1] == ("hid",):
                    width = max(hint, 44, self._longest_hid_width())
                widths.append(width)
            self._content_widths = widths
        used = 0
        for col in range(n):
            if col == title_col:
                continue
            header.resizeSection(col, widths[col])
            used += widths[col]
        available = self.view.viewport().width()
        header.resizeSection(title_col, max(available - used, 120))

    def _fit_compact(self, n: int) -> None:
        """A child list in a narrow panel (the arbetsgrupp): the columns share the visible width by
        what their content needs, and long texts wrap, so every name and role can be read without
        scrolling sideways (issue 21)."""
        header = self.view.horizontalHeader()
        self.view.setWordWrap(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        available = max(self.view.viewport().width(), 60 * n)
        wanted = [max(self.view.sizeHintForColumn(c), header.sectionSizeHint(c), 40) for c in range(n)]
        total = sum(wanted) or 1
        if total <= available:  # all fits: the spare width goes to the first (title) column
            widths = list(wanted)
            widths[0] += available - total
        else:
            widths = [max(60, int(available * h / total)) for h in wanted]
            widths[0] = max(60, available - sum(widths[1:]))
        for c, w in enumerate(widths):
            header.resizeSection(c, w)
        self.view.resizeRowsToContents()

    def _longest_hid_width(self) -> int:
        """What the ID column needs for the longest ID (only a sample of the rows is measured)."""
        if self.model.rowCount() <= SIZE_SAMPLE_ROWS:
            return 0
        longest = max((str(r.get("hid") or "") for r in self.model.records), key=len, default="")
        margin = self.view.style().pixelMetric(_FOCUS_MARGIN, None, self.view)
        return self.view.fontMetrics().horizontalAdvance(longest) + 2 * (margin + 1) + 1 if longest else 0

    def eventFilter(self, obj, event) -> bool:
        if obj is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns(content_changed=False)
        if obj is self.view.viewport() and event.type() == QEvent.Type.ToolTip:
            tip = self.elided_cell_text(event.pos())
            if tip:  # a name cut to "Utbetalning av försörjningsstö…" can still be read whole
                QToolTip.showText(event.globalPos(), tip, self.view.viewport(),
                                  self.view.visualRect(self.view.indexAt(event.pos())))
                return True
        return super().eventFilter(obj, event)

    def elided_cell_text(self, pos) -> str:
        """The whole text of the cell at `pos` when the column is too narrow for it (and the cell has no
        tooltip of its own), else ""."""
        index = self.view.indexAt(pos)
        if not index.isValid() or index.data(Qt.ItemDataRole.ToolTipRole):
            return ""
        text = str(index.data() or "")
        margin = 2 * (self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.view) + 1)
        fits = self.view.fontMetrics().horizontalAdvance(text) + margin <= self.view.visualRect(index).width()
        return "" if fits or (self.view.wordWrap() and self.config.compact) else text

    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self.form.set_read_only(ro)
        for w in self.extras:
            if hasattr(w, "set_read_only"):
                w.set_read_only(ro)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_owner = self.owner_id() is not None
        self.add_button.setEnabled(has_owner and not self._read_only)
        has = self._current is not None
        self.duplicate_button.setEnabled(has and not self._read_only)
        self.delete_button.setEnabled(has and not self._read_only)

    # -- selection ----------------------------------------------------------------------------------

    def current(self) -> Item | None:
        return self._current

    def current_id(self) -> int | None:
        return self._current.id if self._current else None

    def select_id(self, item_id: int) -> bool:
        row = self.model.row_of(item_id)
        if row < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        if not idx.isValid():  # filtered away: show it anyway
            self.filter_edit.clear()
            if getattr(self.proxy, "id_filter", None) is not None:
                self.proxy.set_id_filter(None)  # e.g. a riskmatris cell filter
            idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.scrollTo(idx)
        return True

    def _on_current_changed(self) -> None:
        idx = self.view.currentIndex()
        if idx.isValid():
            item_id = idx.data(ID_ROLE)
            row = self.model.row_of(item_id)
            self._current = self.model.records[row] if row >= 0 else None
        else:
            self._current = None
        self._load_current()

    _loads = 0  # how many times an item was loaded into the form (refresh loads it once, not twice)

    def _load_current(self, same_item: bool = False) -> None:
        """Show the current item in the form and panels. `same_item`: the item shown is the same, only its
        values changed, so its link panels (the links and the other kind's items) stay as they are."""
        self._loads += 1
        rec = self._current
        if rec is not None:
            row = self.model.row_of(rec.id)
            rec = self.model.records[row] if row >= 0 else None
            self._current = rec
        self.heading.setText(rec.label if rec else "")
        self.form.setVisible(rec is not None)
        self.heading.setVisible(rec is not None and not self.config.compact)
        self.history_link.setVisible(rec is not None and not self.config.compact)
        self.empty_label.setVisible(rec is None)
        self.form.set_record(rec)
        for w in self.extras:
            w.setVisible(rec is not None)
            if same_item and getattr(w, "link_name", None) and getattr(w, "other_kind", None) != self.kind:
                continue
            if hasattr(w, "set_item"):
                w.set_item(rec.id if rec else None)
        self._update_buttons()
        self.selectionChanged.emit(rec)

    # -- edits --------------------------------------------------------------------------------------

    def _execute(self, command, field: str = "") -> bool:
        def invalid(exc) -> None:
            self.form.show_errors(exc)
            if field:
                self.form.revert_refused(field, exc)

        result = ops.run_command(self, self.session, command, on_error=invalid)
        if result.ok:
            return bool(result.value)
        if not isinstance(result.error, ValidationError):  # a known error was shown: show what is stored
            self._dirty = True
            self.refresh()
        return False

    def default_values(self) -> dict:
        values = {}
        for f in self.spec.fields:
            if not f.required or field_type(f).fixed_choices:
                continue
            if f.name == self.spec.title_field or field_type(f).free_text:
                values[f.name] = self.tr(NEW_TITLES.get(self.kind, "Ny"))
            elif field_type(f).suggested:
                values[f.name] = NOT_CHOSEN  # no silent first-in-list choice; RSA-kontroll asks for it
        if self.kind == "function":
            values["operation"] = "egen"
        return values

    def add_item(self, values: dict | None = None) -> int | None:
        owner = self.owner_id()
        if owner is None:
            return None
        data = {**self.default_values(), **(values or {})}
        cmd = undo.CreateCommand(self.session, self.kind, owner, data)
        if not self._execute(cmd):
            return None
        self.filter_edit.clear()
        self.refresh()
        self.select_id(cmd.item_id)
        if values is None:
            self.form.focus_field(self.spec.title_field)
        return cmd.item_id

    def duplicate_current(self) -> int | None:
        rec = self._current
        if rec is None:
            return None
        cmd = undo.CreateCommand(self.session, self.kind, self.owner_id(), duplicate_of=rec.id)
        if not self._execute(cmd):
            return None
        self.refresh()
        self.select_id(cmd.item_id)
        return cmd.item_id

    def delete_current(self, confirm: bool = True) -> bool:
        rec = self._current
        if rec is None or self._read_only:
            return False
        if confirm:
            preview = ops.run_op(self, lambda: self.session.svc.delete_preview(self.kind, rec.id).describe())
            if not preview.ok:
                return False
            lines = preview.value
            text = self.tr("Vill du ta bort {0}?").format(rec.label)
            if lines:
                info = self.tr("Följande tas också bort:") + "\n• " + "\n• ".join(lines)
            else:
                info = self.tr("Inga kopplingar eller underliggande uppgifter påverkas.")
            info += "\n\n" + self.tr("Du kan ångra borttagningen med Ctrl+Z.")
            if not common.confirm(self, self.tr("Ta bort"), text, info):
                return False
        row = self.view.currentIndex().row()
        ok = self._execute(undo.DeleteCommand(self.session, self.kind, rec.id))
        if ok:
            self._current = None
            self.refresh()
            if self.proxy.rowCount():
                self.view.setCurrentIndex(self.proxy.index(min(max(row, 0), self.proxy.rowCount() - 1), 0))
        return ok

    def show_history(self):
        """The Ändringslogg filtered on the current item."""
        from rsa_desktop.ui.views import audit_view
        if self._current is None:
            return None
        self.history_dialog = audit_view.open_audit(self.session, self.window(), self.kind, self._current.id,
                                                    only_item=True)
        return self.history_dialog

    def edit_field(self, name: str, value) -> bool:
        """Apply one field edit to the current item as an undoable command."""
        rec = self._current
        if rec is None:
            return False
        self.form.error_labels.get(name, self.form.general_error).hide()
        values = {name: value}
        if self.kind == "risk" and name == "scenario" and isinstance(value, str):
            values.update(scenario_values(rec.values, value))  # one undo step fills rubrik, beskrivning, kategori
        cmd = undo.UpdateCommand(self.session, self.kind, rec.id, values)
        self._updated_id = rec.id
        try:
            return self._execute(cmd, name)
        finally:
            self._updated_id = None
