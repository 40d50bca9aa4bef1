"""Small dialogs: confirmations, new analysis, new year, glossary, about; file choosers.

Module-level functions (`confirm`, `choose_open_path` ...) are the only places that block on a
modal dialog, so tests can replace them.
"""

from __future__ import annotations

import datetime as dt

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt, qVersion
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop import APP_NAME, __version__
from rsa_desktop.domain.kinds import ORG_TYPES
from rsa_desktop.services import catalogues
from rsa_desktop.ui.widgets import hints
from rsa_desktop.ui.widgets.table_model import change_filter

FILE_FILTER = "RSA-filer (*.rsa);;Alla filer (*)"


def _t(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


def confirm(parent: QWidget | None, title: str, text: str, informative: str = "") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    if informative:
        box.setInformativeText(informative)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_open_readonly(parent: QWidget | None, message: str) -> bool:
    """The file is open in another program: offer to open it read-only. True = open read-only."""
    box = QMessageBox(QMessageBox.Icon.Warning, _t("Filen är redan öppen"), message, QMessageBox.StandardButton.Cancel,
                      parent)
    box.setInformativeText(_t("Skrivskyddad kan du läsa analysen men inte ändra den. Ändringar görs av den som har "
                              "filen öppen."))
    ro = box.addButton(_t("Öppna skrivskyddad"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(ro)
    box.exec()
    return box.clickedButton() is ro


def choose_open_path(parent: QWidget | None, start: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, _t("Öppna analysfil"), start, _t(FILE_FILTER))
    return path or None


def choose_save_path(parent: QWidget | None, title: str, start: str = "") -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, start, _t(FILE_FILTER))
    if path and not path.lower().endswith(".rsa"):
        path += ".rsa"
    return path or None


class NewAnalysisDialog(QDialog):
    """Organisation and first analysis year for a new (or empty) file."""

    def __init__(self, parent: QWidget | None = None, org_name: str = "", org_type: str = "facknamnd"):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Ny analys"))
        lay = QVBoxLayout(self)
        intro = QLabel(self.tr("Ange vilken förvaltning eller vilket bolag analysen gäller och för vilket år."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.name = QComboBox(self)
        self.name.setEditable(True)
        self.name.addItems([""] + catalogues.labels("city_organisations"))
        self.name.setEditText(org_name)
        self.name.setAccessibleName(self.tr("Förvaltning eller bolag"))
        self.org_type = QComboBox(self)
        for code, label in ORG_TYPES:
            self.org_type.addItem(QCoreApplication.translate("kinds", label), code)
        self.org_type.setCurrentIndex(max(self.org_type.findData(org_type), 0))
        self.org_type.setAccessibleName(self.tr("Typ"))
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2200)
        self.year.setValue(dt.date.today().year)
        self.year.setAccessibleName(self.tr("Analysår"))
        form.addRow(self.tr("Förvaltning eller bolag:"), self.name)
        form.addRow(self.tr("Typ:"), self.org_type)
        form.addRow(self.tr("Analysår:"), self.year)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _accept(self):
        if not self.name.currentText().strip():
            QMessageBox.information(self, self.windowTitle(), self.tr("Ange förvaltningens eller bolagets namn."))
            return
        self.accept()

    def values(self) -> tuple[str, str, int]:
        return self.name.currentText().strip(), self.org_type.currentData(), self.year.value()


class GlossaryFilter(QSortFilterProxyModel):
    """Matches the search text in the term or in its definition."""

    needle = ""

    def set_needle(self, text: str) -> None:
        change_filter(self, lambda: setattr(self, "needle", text.strip().casefold()))

    def filterAcceptsRow(self, row: int, parent) -> bool:
        if not self.needle:
            return True
        idx = self.sourceModel().index(row, 0, parent)
        return (self.needle in (idx.data() or "").casefold()
                or self.needle in (idx.data(Qt.ItemDataRole.UserRole) or "").casefold())


class GlossaryDialog(QDialog):
    """Ordlista: searchable terms from resources/catalogues/glossary.json."""

    def __init__(self, parent: QWidget | None = None, search: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Ordlista"))
        self.resize(760, 520)
        lay = QVBoxLayout(self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Sök ord eller förklaring…"))
        self.search.setAccessibleName(self.tr("Sök i ordlistan"))
        self.search.setClearButtonEnabled(True)
        lay.addWidget(self.search)
        self.model = QStandardItemModel(self)
        for item in catalogues.load("glossary"):
            term = str(item.get("term") or item.get("label") or "")
            if not term:
                continue
            row = QStandardItem(term)
            row.setData(str(item.get("definition") or item.get("description") or ""), Qt.ItemDataRole.UserRole)
            row.setData(str(item.get("source") or ""), Qt.ItemDataRole.UserRole + 1)
            row.setData(str(item.get("note") or ""), Qt.ItemDataRole.UserRole + 2)
            row.setEditable(False)
            self.model.appendRow(row)
        self.model.sort(0)
        self.proxy = GlossaryFilter(self)
        self.proxy.setSourceModel(self.model)
        split = QSplitter(self)
        self.list = QListView(split)
        self.list.setModel(self.proxy)
        self.list.setAccessibleName(self.tr("Ord"))
        self.text = QTextBrowser(split)
        self.text.setAccessibleName(self.tr("Förklaring"))
        split.setStretchFactor(1, 2)
        lay.addWidget(split, 1)
        self.search.textChanged.connect(self.proxy.set_needle)
        self.list.selectionModel().currentChanged.connect(self._show)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        if search:
            self.search.setText(search)
        if self.proxy.rowCount():
            rows = [self.proxy.index(r, 0) for r in range(self.proxy.rowCount())]
            needle = search.strip().casefold()
            best = next((i for i in rows if needle and needle in (i.data() or "").casefold()), rows[0])
            self.list.setCurrentIndex(best)  # the word itself before words that mention it
        elif not self.model.rowCount():
            self.text.setPlainText(self.tr("Ordlistan saknas i den här installationen (resources/catalogues/glossary.json)."))

    def _show(self, current, _previous=None):
        if not current.isValid():
            self.text.clear()
            return
        term = current.data()
        definition = current.data(Qt.ItemDataRole.UserRole)
        source = current.data(Qt.ItemDataRole.UserRole + 1) or ""
        note = current.data(Qt.ItemDataRole.UserRole + 2) or ""
        extra = f"<p><i>{_escape(note)}</i></p>" if note else ""
        if source:
            extra += f"<p style='{hints.hint_css()}'>{_escape(self.tr('Källa: {0}').format(source))}</p>"
        self.text.setHtml(f"<h3>{_escape(term)}</h3><p>{_escape(definition)}</p>{extra}")


def open_glossary(parent: QWidget | None, search: str = "") -> GlossaryDialog:
    """The glossary, not modal, filtered on `search` (e.g. "VoR" from step 1's guidance)."""
    dlg = GlossaryDialog(parent, search)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    return dlg


def _escape(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def about_text() -> str:
    return _t(
        "<h3>{app} {version}</h3>"
        "<p>Stöd för risk- och sårbarhetsanalys (RSA) för förvaltningar och bolag i Stockholms stad. "
        "Programmet arbetar helt utan nätverk: inga molntjänster, ingen telemetri, inga uppdateringskontroller.</p>"
        "<p><b>Licenser</b><br>RSA Desktop: proprietär, Stockholms stad.<br>"
        "Qt {qt} och PySide6 {pyside}: LGPL v3.<br>SQLAlchemy och SQLModel: MIT.<br>"
        "openpyxl: MIT. reportlab: BSD. matplotlib: PSF-baserad licens.<br>"
        "Qt:s svenska översättning: LGPL v3.</p>").format(
        app=APP_NAME, version=__version__, qt=qVersion(), pyside=pyside_version)


def show_about(parent: QWidget | None) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, _t("Om {0}").format(APP_NAME), about_text(),
                      QMessageBox.StandardButton.Ok, parent)
    licences = box.addButton(_t("Licenser…"), QMessageBox.ButtonRole.ActionRole)
    box.exec()
    if box.clickedButton() is licences:
        show_licences(parent)


def show_licences(parent: QWidget | None) -> QDialog:
    """Om → Licenser…: the third-party licence notices of resources/licenses/, read-only."""
    from PySide6.QtGui import QFontDatabase

    from rsa_desktop import paths

    folder = paths.resource("licenses")
    files = sorted(folder.glob("*.txt"), key=lambda p: (p.name != "README.txt", p.name.lower()))
    dlg = QDialog(parent)
    dlg.setWindowTitle(_t("Licenser för komponenter från tredje part"))
    pick = QComboBox(dlg)
    pick.addItems([p.name for p in files])
    view = QTextBrowser(dlg)  # read-only
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

    def load(index: int) -> None:
        view.setPlainText(files[index].read_text(encoding="utf-8", errors="replace") if files else
                          _t("Licensfilerna saknas i {0}.").format(folder))

    pick.currentIndexChanged.connect(load)
    load(0)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.reject)
    layout = QVBoxLayout(dlg)
    for widget in (pick, view, buttons):
        layout.addWidget(widget)
    dlg.resize(820, 640)
    dlg.exec()
    return dlg


def ask_passphrase(parent: QWidget | None, name: str, wrong: bool = False) -> str | None:
    """The passphrase of a protected file; None if the user cancels."""
    from PySide6.QtWidgets import QInputDialog

    text = (_t("Fel lösenfras. Försök igen.") + "\n\n" if wrong else "") + \
        _t("”{0}” är skyddad med lösenfras. Ange lösenfrasen:").format(name)
    value, ok = QInputDialog.getText(parent, _t("Lösenfras"), text, QLineEdit.EchoMode.Password)
    return value if ok else None


class NewPassphraseDialog(QDialog):
    """Choose a passphrase (twice), or remove the protection."""

    def __init__(self, parent: QWidget | None = None, *, protected: bool = False):
        super().__init__(parent)
        self.setWindowTitle(_t("Byt lösenfras") if protected else _t("Skydda med lösenfras"))
        lay = QVBoxLayout(self)
        info = QLabel(_t("Filen krypteras (AES-256) och går bara att öppna med lösenfrasen. Säkerhetskopior och kopior "
                         "krypteras också. Om lösenfrasen glöms bort går filen inte att öppna – det finns ingen "
                         "bakdörr. Exporter (Excel, PDF) blir inte krypterade."), self)
        info.setWordWrap(True)
        lay.addWidget(info)
        form = QFormLayout()
        self.first = QLineEdit(self)
        self.second = QLineEdit(self)
        for w, label in ((self.first, _t("Ny lösenfras")), (self.second, _t("Upprepa lösenfrasen"))):
            w.setEchoMode(QLineEdit.EchoMode.Password)
            w.setAccessibleName(label)
            form.addRow(label, w)
        lay.addLayout(form)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.remove_button = None
        if protected:
            self.remove_button = buttons.addButton(_t("Ta bort skyddet"), QDialogButtonBox.ButtonRole.DestructiveRole)
            self.remove_button.clicked.connect(self._remove)
        lay.addWidget(buttons)
        self.result_passphrase: str | None = None
        self.remove = False

    def _accept(self) -> None:
        first, second = self.first.text(), self.second.text()
        if len(first) < 8:
            self.error.setText(_t("Lösenfrasen måste vara minst 8 tecken lång."))
            return
        if first != second:
            self.error.setText(_t("De två lösenfraserna är inte lika."))
            return
        self.result_passphrase = first
        self.accept()

    def _remove(self) -> None:
        # Decrypting is immediate and affects what is on disk: ask first, and say what happens to the backups
        # (storage/backups.change_protection: existing ones keep their protection, new ones are plain).
        if not confirm(self, _t("Ta bort skyddet"), _t("Vill du ta bort lösenfrasskyddet från filen?"),
                       _t("Filen sparas då okrypterad och kan öppnas av den som kommer åt den, utan lösenfras. "
                          "Säkerhetskopior som tas från och med nu blir också okrypterade. Säkerhetskopior som redan "
                          "finns förblir krypterade och kräver den nuvarande lösenfrasen för att återställas.")):
            return
        self.remove = True
        self.accept()
