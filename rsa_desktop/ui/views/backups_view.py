"""Arkiv → Återställ från säkerhetskopia…: the document's backups (storage/backups.py), newest first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.storage.backups import Backup, list_backups
from rsa_desktop.ui.widgets.table_model import ReadOnlyRowsMixin

REASONS = {"öppnad": "När filen öppnades", "stängd": "När filen stängdes",
           "före-återställning": "Före en återställning", "före-uppgradering": "Före en uppgradering"}


def _t(text: str) -> str:
    return QCoreApplication.translate("backups", text)


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB".replace(".", ",")
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


class BackupTableModel(ReadOnlyRowsMixin, QAbstractTableModel):
    TR_CONTEXT = "backups"
    HEADERS = ("Tidpunkt", "Anledning", "Storlek")

    def __init__(self, backups: list[Backup], parent=None):
        super().__init__(parent)
        self.backups = list(backups)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.backups)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.backups)):
            return None
        b = self.backups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (b.when.strftime("%Y-%m-%d %H:%M:%S"), _t(REASONS.get(b.reason, b.reason)),
                    size_text(b.size))[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(b.path)
        return None



class BackupDialog(QDialog):
    def __init__(self, document: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_t("Återställ från säkerhetskopia"))
        self.resize(560, 400)
        lay = QVBoxLayout(self)
        text = QLabel(_t("Programmet sparar en kopia av filen när den öppnas och när den stängs. Välj den kopia du "
                         "vill gå tillbaka till. Filen stängs, ersätts med kopian och öppnas igen; det nuvarande "
                         "innehållet sparas först som en egen säkerhetskopia, så inget går förlorat."), self)
        text.setWordWrap(True)
        lay.addWidget(text)
        self.model = BackupTableModel(list_backups(document), self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(_t("Säkerhetskopior"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _i: self.accept())
        lay.addWidget(self.view, 1)
        self.empty = QLabel(_t("Det finns inga säkerhetskopior av den här filen ännu."), self)
        self.empty.setVisible(not self.model.backups)
        lay.addWidget(self.empty)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.restore_button = self.buttons.addButton(_t("Återställ"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(self.model.backups))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        if self.model.backups:
            self.view.selectRow(0)

    def chosen(self) -> Backup | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.backups[rows[0].row()] if rows else None


def choose_backup(parent: QWidget | None, document: Path) -> Backup | None:
    dlg = BackupDialog(document, parent)
    return dlg.chosen() if dlg.exec() == QDialog.DialogCode.Accepted else None
