"""Arkiv → Sammanställ inlämningar (KS)…: many submissions in, one workbook (and optionally a PDF) out.

The user adds files and folders (.rsa and .xlsx; a folder means every such file in it), chooses the
output workbook, optionally a PDF and a year. `services.consolidate.consolidate` and the writers in
`reports/consolidated.py` run in a worker, with the file being read shown in the progress dialog. The
summary lists how many submissions were read, the unusable ones with their reason, the organisations
that have not submitted, and where the output was written (the path is shown and can be copied; no
external program is started).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QStandardPaths, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.ui.commands import ops, workers
from rsa_desktop.ui.widgets.table_model import ReadOnlyRowsMixin


def _t(text: str) -> str:
    return QCoreApplication.translate("consolidate", text)


@dataclass(frozen=True)
class ConsolidationResult:
    consolidation: object  # services.consolidate.Consolidation
    xlsx: Path
    pdf: Path | None


class _Progress(QObject):
    """Progress from the worker, delivered in the GUI thread."""

    step = Signal(int, int, str)


class ErrorsModel(ReadOnlyRowsMixin, QAbstractTableModel):
    """The inputs that could not be used: Fil, Orsak (or submissions left out: Fil, Anmärkning)."""

    TR_CONTEXT = "consolidate"
    ROW_NUMBERS = True

    def __init__(self, rows: list[tuple[str, str]], headings=("Fil", "Orsak"), parent=None):
        super().__init__(parent)
        self.rows = rows
        self.HEADERS = tuple(headings)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or not (0 <= index.column() < 2):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.rows[index.row()][index.column()]
        return None



def _documents() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())


class ConsolidateDialog(QDialog):
    """Inputs, output, year; "Sammanställ" runs it in a worker and then shows the summary."""

    finished_with = Signal(object)  # ConsolidationResult

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_t("Sammanställ inlämningar till kommunstyrelsen"))
        self.resize(760, 560)
        self.result_: ConsolidationResult | None = None
        lay = QVBoxLayout(self)
        intro = QLabel(_t("Lägg till förvaltningarnas och bolagens inlämningar: analysfiler (.rsa) och "
                          "Excelarbetsböcker (.xlsx). En mapp betyder alla sådana filer i den. Filer som inte går att "
                          "använda listas med orsaken; de övriga sammanställs ändå."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)

        inputs = QGroupBox(_t("Inlämningar"), self)
        il = QHBoxLayout(inputs)
        self.inputs = QListWidget(inputs)
        self.inputs.setAccessibleName(_t("Inlämningar"))
        self.inputs.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        il.addWidget(self.inputs, 1)
        col = QVBoxLayout()
        self.add_files_button = QPushButton(_t("Lägg till filer…"), inputs)
        self.add_folder_button = QPushButton(_t("Lägg till mapp…"), inputs)
        self.remove_button = QPushButton(_t("Ta bort"), inputs)
        self.add_files_button.clicked.connect(lambda: self.add_files())
        self.add_folder_button.clicked.connect(lambda: self.add_folder())
        self.remove_button.clicked.connect(self.remove_selected)
        for b in (self.add_files_button, self.add_folder_button, self.remove_button):
            col.addWidget(b)
        col.addStretch(1)
        il.addLayout(col)
        lay.addWidget(inputs, 1)

        out = QGroupBox(_t("Resultat"), self)
        form = QFormLayout(out)
        row = QHBoxLayout()
        self.xlsx_edit = QLineEdit(str(_documents() / _t("Sammanställning RSA.xlsx")), out)
        self.xlsx_edit.setAccessibleName(_t("Arbetsbok"))
        b = QPushButton(_t("Välj…"), out)
        b.clicked.connect(self.choose_xlsx)
        row.addWidget(self.xlsx_edit, 1)
        row.addWidget(b)
        form.addRow(_t("Arbetsbok (.xlsx):"), row)
        row = QHBoxLayout()
        self.pdf_check = QCheckBox(_t("Även PDF:"), out)
        self.pdf_edit = QLineEdit(str(_documents() / _t("Sammanställning RSA.pdf")), out)
        self.pdf_edit.setAccessibleName(_t("PDF-rapport"))
        self.pdf_edit.setEnabled(False)
        self.pdf_check.toggled.connect(self.pdf_edit.setEnabled)
        b = QPushButton(_t("Välj…"), out)
        b.clicked.connect(self.choose_pdf)
        row.addWidget(self.pdf_check)
        row.addWidget(self.pdf_edit, 1)
        row.addWidget(b)
        form.addRow(_t("PDF-rapport:"), row)
        row = QHBoxLayout()
        self.year_check = QCheckBox(_t("Bara år:"), out)
        self.year_check.setToolTip(_t("Annars det år som de flesta inlämningarna gäller"))
        self.year = QSpinBox(out)
        self.year.setRange(2000, 2200)
        import datetime as dt
        self.year.setValue(dt.date.today().year)
        self.year.setEnabled(False)
        self.year.setAccessibleName(_t("År"))
        self.year_check.toggled.connect(self.year.setEnabled)
        row.addWidget(self.year_check)
        row.addWidget(self.year)
        row.addStretch(1)
        form.addRow(_t("År:"), row)
        # The city-level marking is the consolidator's decision, never copied from a submission.
        from rsa_desktop.domain.kinds import SECURITY_CLASSES

        self.public_check = QCheckBox(_t("Öppet utdrag (utan det som inlämningarnas öppna utdrag utelämnar)"), out)
        form.addRow(_t("Utdrag:"), self.public_check)
        self.class_combo = QComboBox(out)
        self.class_combo.addItem(_t("Ingen"), "")
        for code, label in SECURITY_CLASSES:
            self.class_combo.addItem(label, code)
        self.class_combo.setAccessibleName(_t("Säkerhetsskyddsklass"))
        form.addRow(_t("Säkerhetsskyddsklass:"), self.class_combo)
        self.secrecy_edit = QLineEdit(out)
        self.secrecy_edit.setAccessibleName(_t("Sekretessmarkering"))
        self.secrecy_edit.setPlaceholderText(_t("T.ex. ”Sekretess enligt 18 kap. 13 § OSL”, med datum och beslut"))
        form.addRow(_t("Sekretessmarkering:"), self.secrecy_edit)
        for w in (self.class_combo, self.secrecy_edit):
            self.public_check.toggled.connect(lambda on, w=w: w.setEnabled(not on))
        lay.addWidget(out)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.run_button = self.buttons.addButton(_t("Sammanställ"), QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.clicked.connect(lambda: self.run())
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.inputs.model().rowsInserted.connect(lambda *_: self._update())
        self.inputs.model().rowsRemoved.connect(lambda *_: self._update())
        self._update()

    # -- inputs ---------------------------------------------------------------------------------------

    def paths(self) -> list[str]:
        return [self.inputs.item(i).text() for i in range(self.inputs.count())]

    def add_paths(self, paths) -> None:
        have = set(self.paths())
        for p in paths:
            p = str(p)
            if p and p not in have:
                self.inputs.addItem(p)
                have.add(p)

    def add_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, _t("Lägg till inlämningar"), str(_documents()),
                                                _t("Inlämningar (*.rsa *.xlsx)"))
        self.add_paths(names)

    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _t("Lägg till en mapp med inlämningar"), str(_documents()))
        if folder:
            self.add_paths([folder])

    def remove_selected(self) -> None:
        for item in self.inputs.selectedItems():
            self.inputs.takeItem(self.inputs.row(item))

    def choose_xlsx(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, _t("Spara sammanställningen"), self.xlsx_edit.text(),
                                              _t("Excelarbetsbok (*.xlsx)"))
        if name:
            self.xlsx_edit.setText(str(Path(name).with_suffix(".xlsx")))

    def choose_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, _t("Spara PDF-rapporten"), self.pdf_edit.text(),
                                              _t("PDF-dokument (*.pdf)"))
        if name:
            self.pdf_edit.setText(str(Path(name).with_suffix(".pdf")))
            self.pdf_check.setChecked(True)

    def _update(self) -> None:
        self.run_button.setEnabled(self.inputs.count() > 0)
        self.remove_button.setEnabled(self.inputs.count() > 0)

    # -- running --------------------------------------------------------------------------------------

    def run(self) -> bool:
        inputs = self.paths()
        xlsx = Path(self.xlsx_edit.text().strip()) if self.xlsx_edit.text().strip() else None
        pdf = Path(self.pdf_edit.text().strip()) if self.pdf_check.isChecked() and self.pdf_edit.text().strip() \
            else None
        if not inputs or xlsx is None:
            QMessageBox.warning(self, _t("Sammanställ"), _t("Lägg till inlämningar och välj var arbetsboken ska "
                                                            "sparas."))
            return False
        if xlsx.suffix.lower() != ".xlsx":
            xlsx = xlsx.with_suffix(".xlsx")
        year = self.year.value() if self.year_check.isChecked() else None
        public = self.public_check.isChecked()
        security_class = "" if public else str(self.class_combo.currentData() or "")
        secrecy = "" if public else self.secrecy_edit.text().strip()
        progress = _Progress()
        state = {"dialog": None}

        def on_step(i: int, n: int, name: str) -> None:
            dlg: QProgressDialog | None = state["dialog"]
            if dlg is None:
                return
            if n:
                dlg.setMaximum(n + 1)
                dlg.setValue(i)
            dlg.setLabelText(_t("Läser {0} ({1} av {2})…").format(name, i + 1, n) if name
                             else _t("Skriver sammanställningen…"))

        progress.step.connect(on_step, Qt.ConnectionType.QueuedConnection)

        def work():
            from rsa_desktop.reports.consolidated import write_pdf, write_xlsx
            from rsa_desktop.services.consolidate import consolidate

            c = consolidate(inputs, year=year, progress=lambda i, n, p: progress.step.emit(i, n, Path(p).name),
                            public=public, security_class=security_class, secrecy=secrecy)
            progress.step.emit(0, 0, "")
            written = write_xlsx(c, xlsx)
            pdf_written = write_pdf(c, pdf) if pdf is not None else None
            return ConsolidationResult(c, Path(written), Path(pdf_written) if pdf_written else None)

        def done(result: ConsolidationResult) -> None:
            state["dialog"] = None
            self.run_button.setEnabled(True)
            self.result_ = result
            self.summary_dialog = SummaryDialog(result, self)
            self.summary_dialog.show()
            self.finished_with.emit(result)

        def failed(exc) -> None:
            from rsa_desktop.reports.atomic import ExportError

            state["dialog"] = None
            self.run_button.setEnabled(True)
            ops.report_worker_failure(self, exc, title=_t("Sammanställningen misslyckades"),
                                      expected=(ExportError, OSError))

        self.run_button.setEnabled(False)
        self._progress = progress  # kept alive until the worker is done
        state["dialog"] = workers.run_in_background(self, _t("Sammanställer {0} inlämningar…").format(len(inputs)),
                                                    work, done, failed)
        return True


class SummaryDialog(QDialog):
    """How many were read, what could not be used and why, who is missing, where the result is."""

    def __init__(self, result: ConsolidationResult, parent=None):
        super().__init__(parent)
        c = result.consolidation
        self.result_ = result
        self.setWindowTitle(_t("Sammanställningen är klar"))
        self.resize(760, 560)
        lay = QVBoxLayout(self)
        counts = c.counts()
        head = [_t("<b>Sammanställning för {0}</b>").format(c.year),
                _t("{0} inlämningar ingår ({1} lästa), {2} kunde inte användas.").format(
                    counts["submissions"], counts["listed"], counts["errors"]),
                _t("{0} samhällsviktiga verksamheter, {1} beroenden, {2} risker, {3} förvaltningsgemensamma "
                   "beroenden, {4} kontinuitetsgap, {5} försenade åtgärder.").format(
                    counts["functions"], counts["dependencies"], counts["risks"], counts["shared"],
                    counts["gaps"], counts["overdue"])]
        self.summary = QLabel("<br>".join(head), self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.summary)

        box = QGroupBox(_t("Kunde inte användas ({0})").format(len(c.errors)), self)
        bl = QVBoxLayout(box)
        self.errors_model = ErrorsModel([(e.path.name, e.reason) for e in c.errors], parent=self)
        self.errors_view = self._table(self.errors_model, box)
        self.errors_view.setAccessibleName(_t("Filer som inte kunde användas"))
        bl.addWidget(self.errors_view)
        lay.addWidget(box, 1)

        left_out = [(s.source.name, s.note) for s in c.submissions if not s.included]
        self.left_out_model = ErrorsModel(left_out, ("Fil", "Anmärkning"), parent=self)
        if left_out:
            box = QGroupBox(_t("Lästa men inte med i sammanställningen ({0})").format(len(left_out)), self)
            bl = QVBoxLayout(box)
            bl.addWidget(self._table(self.left_out_model, box))
            lay.addWidget(box)

        names = [m.name + (f" ({m.administration})" if m.administration and m.administration != m.name else "")
                 for m in c.missing]
        self.missing = QLabel(self)
        self.missing.setWordWrap(True)
        self.missing.setText(_t("<b>Saknas ({0}):</b> organisationer i stadens förteckning som inte har lämnat in "
                                "för {1}.").format(len(names), c.year) if names
                             else _t("<b>Alla organisationer i stadens förteckning har lämnat in.</b>"))
        lay.addWidget(self.missing)
        self.missing_list = QPlainTextEdit("\n".join(names), self)
        self.missing_list.setReadOnly(True)
        self.missing_list.setAccessibleName(_t("Organisationer som saknas"))
        self.missing_list.setMaximumHeight(110)
        self.missing_list.setVisible(bool(names))
        lay.addWidget(self.missing_list)

        out = QGroupBox(_t("Sparat"), self)
        ol = QFormLayout(out)
        self.path_edits: list[QLineEdit] = []
        for label, path in ((_t("Arbetsbok:"), result.xlsx), (_t("PDF-rapport:"), result.pdf)):
            if path is None:
                continue
            row = QHBoxLayout()
            edit = QLineEdit(str(path), out)
            edit.setReadOnly(True)
            edit.setAccessibleName(label.rstrip(":"))
            copy = QPushButton(_t("Kopiera sökvägen"), out)
            copy.clicked.connect(lambda _c=False, p=path: QGuiApplication.clipboard().setText(str(p)))
            folder = QPushButton(_t("Visa mappen"), out)
            folder.setToolTip(_t("Visar var filen finns (mappens sökväg markeras så att den kan kopieras)"))
            folder.clicked.connect(lambda _c=False, e=edit, p=path: self._show_folder(e, p))
            row.addWidget(edit, 1)
            row.addWidget(copy)
            row.addWidget(folder)
            ol.addRow(label, row)
            self.path_edits.append(edit)
        lay.addWidget(out)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    @staticmethod
    def _table(model, parent) -> QTableView:
        view = QTableView(parent)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        return view

    def _show_folder(self, edit: QLineEdit, path: Path) -> None:
        """Select the folder part of the path (no external program is started)."""
        folder = str(path.parent)
        edit.setFocus()
        edit.setSelection(0, len(folder))
        QGuiApplication.clipboard().setText(folder)
        self.setToolTip(folder)


__all__ = ["ConsolidateDialog", "SummaryDialog", "ErrorsModel", "ConsolidationResult"]
