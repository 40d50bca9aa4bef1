"""Arkiv → Importera från Excel…: read and plan in a worker, preview, then apply as one undoable step.

The workbook is read (with the defences of services/xlsx_import.read_workbook) and planned against the
shown analysis in a worker. The preview has two tabs: "Ändringar" (objekt, fält, före, efter) and
"Problem" (blad, rad, kolumn, förklaring). "Läs in" is enabled only when the plan has no errors; with
errors, "Läs in bara giltiga rader" is a separate, explicit button. "Läs in som nytt år…" creates a new
analysis from the workbook (import_as_new), undoable like any new year.

Applying is one `undo.ImportCommand` whose undo calls `undo_import` with the tombstone
`apply_import` returned. Refused and hostile files show their Swedish message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
)

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.ui.commands import ops, undo, workers
from rsa_desktop.ui.widgets.table_model import ReadOnlyRowsMixin


def _t(text: str) -> str:
    return QCoreApplication.translate("import", text)


def _show(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _t("ja") if value else _t("nej")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _kind_label(kind: str) -> str:
    spec = KINDS.get(kind)
    return QCoreApplication.translate("kinds", spec.label) if spec else kind


class _RowsModel(ReadOnlyRowsMixin, QAbstractTableModel):
    """A read-only table of plain rows (tuples of text), with a tooltip and an optional colour per row."""

    HEADERS: tuple[str, ...] = ()
    TR_CONTEXT = "import"
    ROW_NUMBERS = True

    def __init__(self, rows: list[tuple[str, ...]], colours: list[str | None] | None = None, parent=None):
        super().__init__(parent)
        self.rows = rows
        self.colours = colours or [None] * len(rows)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or not (
                0 <= index.column() < len(self.HEADERS)):
            return None
        text = self.rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if role == Qt.ItemDataRole.ToolTipRole and len(text) < 40:
                return None
            return text
        if role == Qt.ItemDataRole.BackgroundRole and self.colours[index.row()]:
            return QBrush(QColor(self.colours[index.row()]))
        return None



class ChangesModel(_RowsModel):
    HEADERS = ("Objekt", "Fält", "Före", "Efter")

    @classmethod
    def from_plan(cls, plan, parent=None) -> ChangesModel:
        rows, colours = [], []
        bad = plan.bad_rows
        for c in [*plan.changes, *plan.kept]:
            label = _kind_label(c.kind)
            if c.action == "ny":
                obj = _t("Ny {0}").format(label.lower()) if c.kind != "analysis" else label
                rows.append((obj, c.field or _t("(ny rad)"), "", _show(c.new)))
            elif c.action == "ta bort":
                rows.append((f"{label} {c.hid}".strip(), _t("(tas bort)"), _show(c.old), ""))
            elif c.action == "behålls":  # gone from the workbook, kept without "Ta bort det som saknas"
                rows.append((f"{label} {c.hid}".strip(), _t("(saknas i arbetsboken – behålls)"), _show(c.old),
                             _show(c.old)))
                colours.append("#eeeeee")
                continue
            elif c.action == "koppla":
                rows.append((f"{label} {c.hid}".strip(), c.field, "", _t("+ {0}").format(_show(c.new))))
            elif c.action == "koppla bort":
                rows.append((f"{label} {c.hid}".strip(), c.field, _t("− {0}").format(_show(c.old)), ""))
            else:  # labels, never codes: "Hög", not "hog"
                obj = f"{label} {c.hid}".strip() if c.kind != "analysis" else _t("Analysen {0}").format(c.hid)
                rows.append((obj, c.field, c.shown_old, c.shown_new))
            colours.append("#fde0dc" if (c.sheet, c.row) in bad else None)
        return cls(rows, colours, parent)


class ProblemsModel(_RowsModel):
    HEADERS = ("Blad", "Rad", "Kolumn", "Förklaring")

    @classmethod
    def from_plan(cls, plan, parent=None) -> ProblemsModel:
        rows, colours = [], []
        for p in sorted(plan.problems, key=lambda p: (p.severity != "fel", p.sheet, p.row or 0)):
            column = p.column + (f" ({p.heading})" if p.heading and p.column else p.heading if p.heading else "")
            message = p.message if p.severity == "fel" else _t("Varning: {0}").format(p.message)
            rows.append((p.sheet, str(p.row) if p.row is not None else "", column, message))
            colours.append("#fde0dc" if p.severity == "fel" else "#fff4ce")
        return cls(rows, colours, parent)


def _table(model, parent) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setAlternatingRowColors(model.rowCount() > 0 and not any(getattr(model, "colours", [])))
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    view.resizeColumnsToContents()
    for col in range(model.columnCount() - 1):
        view.setColumnWidth(col, min(view.columnWidth(col), 260))
    return view


class ImportPreviewDialog(QDialog):
    """What the import would change and what is wrong in the workbook; the user decides."""

    applied = Signal(object)  # the ImportCommand, once the import is on the undo stack
    createdNew = Signal(int)  # the new analysis id after "Läs in som nytt år…"

    def __init__(self, window, parsed, plan, parent=None):
        super().__init__(parent or window)
        self.window_ = window
        self.session = window.session
        self.parsed, self.plan = parsed, plan
        name = Path(parsed.path).name
        self.setWindowTitle(_t("Importera från Excel – {0}").format(name))
        self.resize(900, 560)
        lay = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.summary)
        # The GUI's --delete-missing: rows deleted in Excel are kept unless this is ticked.
        self.delete_missing = QCheckBox(_t("Ta bort det som saknas i arbetsboken ({0})").format(len(plan.missing)),
                                        self)
        self.delete_missing.setToolTip(_t("Objekt, kopplingar och rader som finns i analysen men har tagits bort i "
                                          "Excel tas bort ur analysen när du läser in"))
        self.delete_missing.setChecked(plan.delete_missing)
        self.delete_missing.setVisible(bool(plan.missing))
        self.delete_missing.toggled.connect(self._set_delete_missing)
        lay.addWidget(self.delete_missing)
        self.tabs = QTabWidget(self)
        self.changes_model = ChangesModel.from_plan(plan, self)
        self.problems_model = ProblemsModel.from_plan(plan, self)
        self.changes_view = _table(self.changes_model, self.tabs)
        self.changes_view.setAccessibleName(_t("Ändringar"))
        self.problems_view = _table(self.problems_model, self.tabs)
        self.problems_view.setAccessibleName(_t("Problem"))
        self.tabs.addTab(self.changes_view, "")
        self.tabs.addTab(self.problems_view, _t("Problem ({0})").format(len(plan.problems)))
        if plan.errors:
            self.tabs.setCurrentWidget(self.problems_view)
        lay.addWidget(self.tabs, 1)
        self._describe()

        row = QHBoxLayout()
        self.new_year_button = QPushButton(_t("Läs in som nytt år…"), self)
        self.new_year_button.setToolTip(_t("Skapa en ny analys i filen från arbetsboken, med dess ID och skalor"))
        self.new_year_button.clicked.connect(lambda: self.import_as_new())
        row.addWidget(self.new_year_button)
        row.addStretch(1)
        self.valid_button = QPushButton(_t("Läs in bara giltiga rader"), self)
        self.valid_button.setToolTip(_t("Rader med fel hoppas över helt; övriga ändringar läses in"))
        self.valid_button.clicked.connect(lambda: self.apply(only_valid=True))
        self.valid_button.setVisible(bool(plan.errors) and not plan.blocking)
        row.addWidget(self.valid_button)
        self.apply_button = QPushButton(_t("Läs in"), self)
        self.apply_button.setEnabled(plan.valid and bool(plan.changes))
        self.apply_button.setDefault(plan.valid and bool(plan.changes))
        self.apply_button.clicked.connect(lambda: self.apply(only_valid=False))
        row.addWidget(self.apply_button)
        self.cancel_button = QPushButton(_t("Avbryt"), self)
        self.cancel_button.clicked.connect(self.reject)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        for b in (self.new_year_button, self.valid_button, self.cancel_button):
            b.setAutoDefault(False)  # Enter never starts an import the user did not choose
        self.tabs.currentWidget().setFocus()
        ro_file = bool(self.session.doc and self.session.doc.readonly)
        if ro_file:
            for b in (self.apply_button, self.valid_button, self.new_year_button):
                b.setEnabled(False)

    def _describe(self) -> None:
        """The summary above the tabs, for the plan as it is now (with or without deleting what is missing)."""
        plan = self.plan
        name = Path(self.parsed.path).name
        a = self.session.analysis()
        errors_, warnings_ = len(plan.errors), len(plan.warnings)
        lines = [_t("<b>{0}</b> läses in i analysen för {1}.").format(name, a.year if a else "")]
        lines.append(_t("{0} ändringar, {1} fel, {2} varningar.").format(len(plan.changes), errors_, warnings_))
        if plan.blocking:
            lines.append(_t("Arbetsboken kan inte läsas in i den här analysen: se fliken Problem."))
        elif errors_:
            lines.append(_t("Rätta felen i Excel och försök igen, eller läs bara in de giltiga raderna (rader med fel "
                            "hoppas över helt)."))
        elif not plan.changes:
            lines.append(_t("Arbetsboken är likadan som analysen: det finns inget att läsa in."))
        kept = plan.kept
        if kept:
            lines.append(_t("{0} rader finns i analysen men saknas i arbetsboken. De behålls; kryssa i ”Ta bort det "
                            "som saknas i arbetsboken” för att ta bort dem.").format(len(kept)))
        elif plan.delete_missing and plan.missing:
            lines.append(_t("{0} rader som saknas i arbetsboken tas bort ur analysen.").format(len(plan.missing)))
        else:
            lines.append(_t("Rader som saknas i arbetsboken tas inte bort."))
        lines.append(_t("En säkerhetskopia görs före importen, och importen kan ångras med Ctrl+Z."))
        self.summary.setText("<br>".join(lines))
        self.tabs.setTabText(self.tabs.indexOf(self.changes_view), _t("Ändringar ({0})").format(len(plan.changes)))

    def _set_delete_missing(self, on: bool) -> None:
        self.plan = self.plan.with_delete_missing(on)
        self.changes_model = ChangesModel.from_plan(self.plan, self)
        self.changes_view.setModel(self.changes_model)
        self._describe()
        if hasattr(self, "apply_button"):
            self._buttons(True)
            self.apply_button.setDefault(self.plan.valid and bool(self.plan.changes))
            ro_file = bool(self.session.doc and self.session.doc.readonly)
            if ro_file:
                for b in (self.apply_button, self.valid_button, self.new_year_button):
                    b.setEnabled(False)

    def _buttons(self, on: bool) -> None:
        for b in (self.apply_button, self.valid_button, self.new_year_button, self.cancel_button):
            b.setEnabled(on)
        if on:
            self.apply_button.setEnabled(self.plan.valid and bool(self.plan.changes))

    def _failed(self, exc) -> None:
        from rsa_desktop.services.xlsx_import import ImportRefusedError

        self._buttons(True)
        ops.report_worker_failure(self, exc, title=_t("Importen gjordes inte"), expected=(ImportRefusedError,))

    def apply(self, only_valid: bool = False) -> None:
        """Läs in (or only the valid rows) in a worker; then one command on the analysis' undo stack."""
        s = self.session
        doc, aid, plan = s.doc, self.plan.analysis_id, self.plan
        name = Path(self.parsed.path).name
        self._buttons(False)

        def work():
            from rsa_desktop.services.rsa import RsaService
            from rsa_desktop.services.xlsx_import import apply_import

            return apply_import(RsaService(doc), aid, plan, only_valid)

        def done(result) -> None:
            cmd = undo.ImportCommand(s, aid, plan, only_valid, performed=result, source_name=name)
            undo.execute(s, cmd)
            msg = _t("Läste in {0} ändringar från {1}.").format(result.applied, name)
            if result.skipped_rows:
                msg += " " + _t("{0} rader med fel hoppades över.").format(result.skipped_rows)
            self.window_.statusBar().showMessage(msg + " " + _t("Ångra med Ctrl+Z."), 8000)
            self.applied.emit(cmd)
            self.accept()

        workers.run_in_background(self, _t("Läser in {0}…").format(name), work, done, self._failed)

    def ask_year(self) -> int | None:
        taken = {a.year for a in self.session.svc.analyses()}
        year = self.parsed.year or (max(taken) + 1 if taken else dt.date.today().year)
        while year in taken:
            year += 1
        value, ok = QInputDialog.getInt(self, _t("Läs in som nytt år"), _t("Vilket år gäller analysen?"), year,
                                        2000, 2200)
        return value if ok else None

    def import_as_new(self, year: int | None = None, only_valid: bool | None = None) -> None:
        """A new analysis from the workbook; with errors, only the valid rows after an explicit question."""
        if year is None:
            year = self.ask_year()
            if year is None:
                return
        s = self.session
        doc, parsed = s.doc, self.parsed
        name = Path(parsed.path).name
        self._buttons(False)

        def work():
            from rsa_desktop.services.rsa import RsaService
            from rsa_desktop.services.xlsx_import import import_as_new

            return import_as_new(RsaService(doc), parsed, year, only_valid=bool(only_valid))

        def done(result) -> None:
            cmd = undo.ImportAsNewCommand(s, result.analysis, source_name=name)
            undo.execute(s, cmd)
            s.set_analysis(cmd.analysis_id)
            self.window_.statusBar().showMessage(
                _t("Analysen för {0} är inläst från {1}. Ångra med Ctrl+Z.").format(year, name), 8000)
            self.createdNew.emit(cmd.analysis_id)
            self.accept()

        def failed(exc) -> None:
            from rsa_desktop.services.xlsx_import import ImportRefusedError

            plan = getattr(exc, "plan", None)
            if (isinstance(exc, ImportRefusedError) and plan is not None and plan.errors and not plan.blocking
                    and only_valid is None):
                self._buttons(True)
                answer = QMessageBox.question(
                    self, _t("Läs in som nytt år"),
                    _t("Arbetsboken har {0} fel. Vill du läsa in bara de giltiga raderna? Rader med fel hoppas "
                       "över.").format(len(plan.errors)))
                if answer == QMessageBox.StandardButton.Yes:
                    self.import_as_new(year, only_valid=True)
                return
            self._failed(exc)

        workers.run_in_background(self, _t("Läser in {0} som ett nytt år…").format(name), work, done, failed)


def start_import(window, path: str | Path | None = None, on_ready=None) -> bool:
    """Choose a workbook; read and plan it in a worker; show the preview (non-blocking).

    `on_ready(dialog)` is called with the preview (for tests). Returns False when nothing was started."""
    s = window.session
    if s.svc is None or s.analysis_id is None:
        return False
    if path is None:
        start = str(s.path.parent) if s.path else ""
        name, _ = QFileDialog.getOpenFileName(window, _t("Importera från Excel"), start,
                                              _t("Excelarbetsbok (*.xlsx)"))
        if not name:
            return False
        path = name
    path = Path(path)
    doc, aid = s.doc, s.analysis_id

    def work():
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.services.xlsx_import import plan_import, read_workbook

        parsed = read_workbook(path)
        return parsed, plan_import(RsaService(doc), aid, parsed)

    def done(result) -> None:
        if s.doc is not doc or s.analysis_id != aid:  # the file or the year changed meanwhile
            return
        parsed, plan = result
        dlg = ImportPreviewDialog(window, parsed, plan)
        window.import_dialog = dlg
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.show()
        if on_ready:
            on_ready(dlg)

    def failed(exc) -> None:
        from rsa_desktop.services.xlsx_import import ImportRefusedError, WorkbookError

        # The reader's and the planner's refusals; a bare ValueError is a bug (crash dialog), not the file's fault.
        ops.report_worker_failure(window, exc, title=_t("Arbetsboken kan inte läsas in"),
                                  expected=(WorkbookError, ImportRefusedError, OSError))

    workers.run_in_background(window, _t("Läser {0}…").format(path.name), work, done, failed)
    return True


__all__ = ["start_import", "ImportPreviewDialog", "ChangesModel", "ProblemsModel"]
