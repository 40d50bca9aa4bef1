"""Ändringslogg: the audit trail of the analysis (services/audit.py) in a table, filterable, exportable to CSV.

Opened from Analys → Ändringslogg… and from the "Historik" link in an item's detail form (then filtered
on that item).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QDate, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.ui.widgets import fmt

COLUMNS = ("Tid", "Användare", "Typ", "Objekt", "Händelse", "Fält", "Före", "Efter")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _t(text: str) -> str:
    return QCoreApplication.translate("audit", text)


def local_time(at: str) -> str:
    """The stored UTC time as local "YYYY-MM-DD HH:MM:SS"."""
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return at
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M:%S")


def show_value(kind: str, field_label: str, value: Any) -> str:
    """A logged value as the forms show it (durations, choices, Ja/Nej), else as text."""
    if value is None or value == "":
        return ""
    spec = KINDS.get(kind)
    f = next((x for x in spec.fields if x.label == field_label), None) if spec else None
    if f is not None:
        try:
            return fmt.display(f, value)
        except (TypeError, ValueError, AttributeError):
            pass
    if isinstance(value, bool):
        return fmt.YES if value else fmt.NO
    if field_label == "Skalor" and isinstance(value, dict):
        # The whole scales are kept for reading back; the log shows what changed, in words (on the "after" side).
        return "; ".join(str(v) for v in value.get("ändringar", ()))
    if isinstance(value, dict):  # a link: {"till": "Å12", "tolerans": …}
        return ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):  # a scale change in words: one line per change, which may contain commas
        return ("; " if field_label == "Skalor" else ", ").join(str(v) for v in value)
    if field_label == "Skalor" and isinstance(value, str):
        return _t("version {0}").format(value[:8])  # files from before scale changes were logged in words
    return str(value)


def entry_date(entry) -> dt.date | None:
    """The local date of a logged change (the filter's "Från"/"Till" are local dates, like the Tid column)."""
    try:
        when = dt.datetime.fromisoformat(entry.at)
    except ValueError:
        return None
    return (when.astimezone() if when.tzinfo is not None else when).date()


def row_values(entry) -> list[str]:
    kind = QCoreApplication.translate("kinds", KINDS[entry.kind].label) if entry.kind in KINDS else entry.kind
    return [local_time(entry.at), entry.user, kind, entry.item, entry.action, entry.field,
            show_value(entry.kind, entry.field, entry.old), show_value(entry.kind, entry.field, entry.new)]


def csv_cell(text: str) -> str:
    """A cell Excel will not run as a formula: text starting with = + - @ (or tab/CR) gets an apostrophe."""
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(path: str | Path, entries) -> Path:
    """UTF-8 with BOM (so Excel shows å ä ö), semicolon-separated as Swedish Excel expects."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        w.writerow([_t(c) for c in COLUMNS])
        for e in entries:
            w.writerow([csv_cell(v) for v in row_values(e)])
    return path


def choose_csv_path(parent: QWidget | None, start: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, _t("Exportera ändringsloggen"), start,
                                          _t("CSV-filer (*.csv);;Alla filer (*)"))
    if path and not path.lower().endswith(".csv"):
        path += ".csv"
    return path or None


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list = []
        self._rows: list[list[str]] = []

    def set_entries(self, entries) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self._rows = [row_values(e) for e in self.entries]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (0 <= index.column() < len(COLUMNS)):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._rows[index.row()][index.column()]
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) > 40 else None
            return text.replace("\n", " ")
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return _t(COLUMNS[section])
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class AuditDialog(QDialog):
    """The analysis' changes, newest first. `kind`/`item_id`: the selected item ("Bara valt objekt")."""

    def __init__(self, session, parent: QWidget | None = None, kind: str | None = None, item_id: int | None = None,
                 item_label: str = "", only_item: bool = False):
        super().__init__(parent)
        self.session = session
        self.kind, self.item_id = kind, item_id
        self.setWindowTitle(_t("Ändringslogg"))
        self.resize(980, 560)
        lay = QVBoxLayout(self)
        a = session.analysis()
        intro = QLabel(_t("Alla ändringar i analysen {0}: när, av vem (datorns användarnamn), vad och värdet före och "
                          "efter. Loggen kan inte ändras i programmet.").format(a.year if a else ""), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        # The hash chain (services/audit.py): say plainly when the trail was changed outside the program.
        self.chain_warning = QLabel(self)
        self.chain_warning.setWordWrap(True)
        self.chain_warning.setStyleSheet("color: #a00000; font-weight: bold;")
        self.chain_warning.setVisible(False)
        lay.addWidget(self.chain_warning)
        bar = QHBoxLayout()
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(_t("Filtrera på objekt, fält, användare eller värde…"))
        self.filter_edit.setAccessibleName(_t("Filtrera ändringsloggen"))
        self.filter_edit.setClearButtonEnabled(True)
        bar.addWidget(self.filter_edit, 1)
        self.kind_combo = QComboBox(self)  # filled in reload() with the types the log holds
        self.kind_combo.setAccessibleName(_t("Typ"))
        self.kind_combo.setToolTip(_t("Visa bara ändringar av en typ av objekt"))
        self.kind_combo.addItem(_t("Alla typer"), "")
        bar.addWidget(self.kind_combo)
        self.from_date, self.to_date = QDateEdit(self), QDateEdit(self)
        for edit, text in ((self.from_date, _t("Från")), (self.to_date, _t("Till"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(_t("{0} datum").format(text))
            edit.setToolTip(_t("Visa ändringar {0} och med detta datum").format(
                _t("från") if edit is self.from_date else _t("till")))
            lbl = QLabel(text + ":", self)
            lbl.setBuddy(edit)
            bar.addWidget(lbl)
            bar.addWidget(edit)
        label = item_label or (session.label_of(kind, item_id) if kind and item_id is not None else "")
        self.only_item = QCheckBox(_t("Bara valt objekt") + (f" ({label})" if label else ""), self)
        self.only_item.setEnabled(kind is not None and item_id is not None)
        self.only_item.setChecked(only_item and self.only_item.isEnabled())
        if not self.only_item.isEnabled():
            self.only_item.setToolTip(_t("Markera ett objekt i ett steg först."))
        bar.addWidget(self.only_item)
        lay.addLayout(bar)
        self.model = AuditTableModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(_t("Ändringar"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        lay.addWidget(self.view, 1)
        self.detail = QLabel(self)  # the selected change in full (a scale change is many lines in words)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        lay.addWidget(self.detail)
        self.count_label = QLabel(self)
        lay.addWidget(self.count_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = QPushButton(_t("Exportera…"), self)
        self.export_button.setToolTip(_t("Spara de visade raderna som CSV (öppnas i Excel)"))
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(lambda: self.export())
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.reload)
        self.filter_edit.textChanged.connect(lambda _t_: self._timer.start())
        self.only_item.toggled.connect(lambda _on: self.reload())
        self.view.selectionModel().currentRowChanged.connect(lambda current, _prev: self._show_detail(current.row()))
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.from_date.dateChanged.connect(lambda _d: self.reload())
        self.to_date.dateChanged.connect(lambda _d: self.reload())
        self._init_dates()  # and the first reload
        for col, width in enumerate((140, 90, 90, 200, 80, 150, 130)):
            header.resizeSection(col, width)

    def _show_detail(self, row: int) -> None:
        if not 0 <= row < len(self.model.entries):
            self.detail.hide()
            return
        entry = self.model.entries[row]
        v = row_values(entry)
        parts = [f"<b>{html.escape(v[3])}</b> – {html.escape(v[4])}" + (f" ({html.escape(v[5])})" if v[5] else "")]
        if v[6]:
            parts.append(html.escape(_t("Före: {0}").format(v[6])))
        if v[7]:
            words = entry.new.get("ändringar") if isinstance(entry.new, dict) else entry.new
            lines = [str(x) for x in words] if v[5] == "Skalor" and isinstance(words, list) else [v[7]]
            parts.append((html.escape(_t("Efter:")) + " " if v[6] else "") + "<br>".join(html.escape(x) for x in lines))
        self.detail.setText("<br>".join(parts))
        self.detail.show()

    def _init_dates(self) -> None:
        """The date range spans the whole log: from its first change to today."""
        svc = self.session.svc
        everything = svc.audit_trail(analysis_id=self.session.analysis_id) if svc is not None else []
        dates = [d for d in (entry_date(x) for x in everything) if d is not None]
        today = dt.date.today()
        first = min(dates + [today])
        last = max(dates + [today])
        for edit in (self.from_date, self.to_date):
            edit.blockSignals(True)
            edit.setDateRange(QDate(first.year, first.month, first.day).addYears(-1), QDate(last.year, 12, 31))
            edit.blockSignals(False)
        self.set_dates(first, last)

    def set_dates(self, first: dt.date, last: dt.date) -> None:
        for edit, d in ((self.from_date, first), (self.to_date, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(d.year, d.month, d.day))
            edit.blockSignals(False)
        self.reload()

    def set_kind(self, kind: str) -> None:
        """Choose a type in the filter ("" = all types)."""
        i = self.kind_combo.findData(kind)
        if i >= 0:
            self.kind_combo.setCurrentIndex(i)

    def _fill_kinds(self, entries) -> None:
        chosen = self.kind_combo.currentData() or ""
        kinds = sorted({x.kind for x in entries if x.kind}, key=lambda k: list(KINDS).index(k) if k in KINDS else 99)
        wanted = [""] + kinds + ([chosen] if chosen and chosen not in kinds else [])
        if [self.kind_combo.itemData(i) for i in range(self.kind_combo.count())] == wanted:
            return
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for k in wanted:
            name = (QCoreApplication.translate("kinds", KINDS[k].label) if k in KINDS else k) if k else _t("Alla typer")
            self.kind_combo.addItem(name, k)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(chosen), 0))
        self.kind_combo.blockSignals(False)

    def reload(self) -> None:
        svc = self.session.svc
        if svc is None:
            self.model.set_entries([])
            return
        breaks = svc.audit_chain_breaks()
        if len(breaks) == 1:
            warning = _t("Varning: ändringsloggen har ändrats utanför programmet vid post {0}. Posterna från och "
                         "med den går inte att lita på.").format(breaks[0].entry_id)
        elif breaks:
            warning = _t("Varning: ändringsloggen har ändrats utanför programmet på {0} ställen, första vid post "
                         "{1}. Posterna från och med den går inte att lita på.").format(len(breaks),
                                                                                      breaks[0].entry_id)
        self.chain_warning.setText(warning if breaks else "")
        self.chain_warning.setVisible(bool(breaks))
        only = self.only_item.isChecked()
        entries = svc.audit_trail(analysis_id=self.session.analysis_id, kind=self.kind if only else None,
                                  item_id=self.item_id if only else None, text=self.filter_edit.text())
        self._fill_kinds(entries)
        kind = self.kind_combo.currentData() or ""
        first, last = self.from_date.date().toPython(), self.to_date.date().toPython()
        shown = [x for x in entries if (not kind or x.kind == kind)
                 and (entry_date(x) is None or first <= entry_date(x) <= last)]
        self.model.set_entries(shown)
        self.detail.hide()
        if len(shown) != len(entries):
            text = _t("{0} av {1} ändringar (filtrerat på typ eller datum)").format(len(shown), len(entries))
        else:
            text = _t("{0} ändringar").format(len(shown)) if len(shown) != 1 else _t("1 ändring")
        self.count_label.setText(text)

    def export(self, path: str | Path | None = None) -> Path | None:
        if path is None:
            start = ""
            if self.session.path:
                start = str(self.session.path.with_name(self.session.path.stem + " ändringslogg.csv"))
            path = choose_csv_path(self, start)
            if not path:
                return None
        try:
            out = write_csv(path, self.model.entries)
        except OSError as exc:
            QMessageBox.warning(self, _t("Exportera"), _t("Filen kunde inte sparas: {0}").format(exc.strerror or exc))
            return None
        return out


def open_audit(session, parent: QWidget | None, kind: str | None = None, item_id: int | None = None,
               only_item: bool = False) -> AuditDialog:
    """Not modal, so the user can keep working; deleted when closed."""
    dlg = AuditDialog(session, parent, kind, item_id, only_item=only_item)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg
