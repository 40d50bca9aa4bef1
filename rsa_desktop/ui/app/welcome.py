"""The start screen (no file open) and the first-analysis form (a file without an analysis)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCommandLinkButton,
    QCompleter,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop import APP_NAME, __version__
from rsa_desktop.domain.kinds import ORG_TYPES
from rsa_desktop.services import organisations
from rsa_desktop.ui.app import i18n, settings
from rsa_desktop.ui.dialogs.templates_ui import TemplatePicker
from rsa_desktop.ui.widgets import hints


class WelcomePage(QWidget):
    newRequested = Signal()
    openRequested = Signal()
    demoRequested = Signal()
    recentRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        col = QVBoxLayout()
        outer.addLayout(col, 3)
        outer.addStretch(1)
        col.addStretch(1)
        title = QLabel(self.tr("Välkommen till {0}").format(APP_NAME), self)
        title.setStyleSheet("font-size: 20pt; font-weight: 600;")
        col.addWidget(title)
        intro = QLabel(self.tr(
            "Programmet leder er steg för steg genom årets risk- och sårbarhetsanalys: från uppdrag och "
            "samhällsviktig verksamhet till beroenden, risker, åtgärder och kontinuitetsplaner. "
            "Allt sparas i en fil på den här datorn – inget skickas någonstans."), self)
        intro.setWordWrap(True)
        col.addWidget(intro)
        row = QHBoxLayout()
        self.new_button = QCommandLinkButton(self.tr("Ny analys"), self.tr("Skapa en ny analysfil och börja med steg 1."), self)
        self.new_button.clicked.connect(self.newRequested)
        self.open_button = QCommandLinkButton(self.tr("Öppna…"), self.tr("Öppna en befintlig analysfil (.rsa)."), self)
        self.open_button.clicked.connect(self.openRequested)
        self.demo_button = QCommandLinkButton(
            self.tr("Öppna exempel"),
            self.tr("Se en ifylld analys för Överförmyndarförvaltningen. Exemplet skrivs till en egen fil."), self)
        self.demo_button.clicked.connect(self.demoRequested)
        for b in (self.new_button, self.open_button, self.demo_button):
            row.addWidget(b)
        col.addLayout(row)
        box = QGroupBox(self.tr("Senaste filer"), self)
        bl = QVBoxLayout(box)
        self.recent = QListWidget(box)
        self.recent.setAccessibleName(self.tr("Senaste filer"))
        self.recent.itemActivated.connect(lambda item: self.recentRequested.emit(item.data(Qt.ItemDataRole.UserRole)))
        bl.addWidget(self.recent)
        self.no_recent = QLabel(self.tr("Inga filer har öppnats ännu."), box)
        hints.style_hint(self.no_recent)
        bl.addWidget(self.no_recent)
        col.addWidget(box, 2)
        foot = QLabel(self.tr("Version {0}. Arbetar helt utan nätverk.").format(__version__), self)
        hints.style_hint(foot)
        col.addWidget(foot)
        col.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        for p in settings.recent_files():
            item = QListWidgetItem(f"{Path(p).name}  —  {Path(p).parent}")
            item.setData(Qt.ItemDataRole.UserRole, p)
            item.setToolTip(p)
            self.recent.addItem(item)
        has = self.recent.count() > 0
        self.recent.setVisible(has)
        self.no_recent.setVisible(not has)


class SetupPage(QWidget):
    """A file without an analysis yet: name the organisation and the year."""

    createRequested = Signal(str, str, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        col = QVBoxLayout()
        outer.addLayout(col, 2)
        outer.addStretch(1)
        col.addStretch(1)
        title = QLabel(self.tr("Skapa analysen"), self)
        title.setStyleSheet("font-size: 18pt; font-weight: 600;")
        col.addWidget(title)
        text = QLabel(self.tr("Filen innehåller ingen analys ännu. Ange vilken förvaltning eller vilket bolag analysen "
                              "gäller och för vilket år. Har ni inte gjort en RSA förut kan ni börja från en mall "
                              "med typiska verksamheter för er typ av förvaltning, eller börja utan mall och lägga till från en "
                              "mall senare (Analys → Lägg till från mall). Allt kan ändras senare."), self)
        text.setWordWrap(True)
        col.addWidget(text)
        frame = QFrame(self)
        form = QFormLayout(frame)
        self.name = QComboBox(frame)
        self.name.setEditable(True)
        self.name.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.org_choices = organisations.choices()  # förvaltningar and bolag by their own names
        self.name.addItems([""] + [c.name for c in self.org_choices])
        self.name.setAccessibleName(self.tr("Förvaltning eller bolag"))
        self.name.lineEdit().setPlaceholderText(self.tr("Skriv en del av förvaltningens, nämndens eller bolagets namn"))
        # The completer searches every name of an organisation (nämnd, other spellings) and puts in its own name.
        search = QStandardItemModel(self.name)
        for c in self.org_choices:
            others = ", ".join(dict.fromkeys(x for x in (c.committee, *c.also_known_as) if x))
            item = QStandardItem(f"{c.name} – {others}" if others else c.name)
            item.setData(c.name, Qt.ItemDataRole.UserRole)
            search.appendRow(item)
        completer = QCompleter(search, self.name)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._org_chosen)
        self.name.setCompleter(completer)
        self.name.activated.connect(lambda _i: self._org_chosen(self.name.currentText()))
        self.org_type = QComboBox(frame)
        for code, label in ORG_TYPES:
            self.org_type.addItem(i18n.tr(label, "kinds"), code)
        self.org_type.setAccessibleName(self.tr("Typ av organisation"))
        self.year = QSpinBox(frame)
        self.year.setRange(2000, 2200)
        self.year.setValue(dt.date.today().year)
        self.year.setAccessibleName(self.tr("Analysår"))
        form.addRow(self.tr("Förvaltning eller bolag:"), self.name)
        # What will be stored, before it is: a nämnd's name or an alias is saved as the förvaltning's own name
        self.stored_as = QLabel(frame)
        self.stored_as.setStyleSheet("color: #444;")
        self.stored_as.setMinimumHeight(self.stored_as.fontMetrics().lineSpacing())  # no jump when it fills
        form.addRow("", self.stored_as)
        self.name.editTextChanged.connect(self._show_stored_as)
        form.addRow(self.tr("Typ:"), self.org_type)
        form.addRow(self.tr("Analysår:"), self.year)
        col.addWidget(frame)
        self.template = TemplatePicker(self)  # “Börja från en mall”
        col.addWidget(self.template, 3)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.hide()
        col.addWidget(self.error)
        self.create_button = QPushButton(self.tr("Skapa analys"), self)
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._create)
        col.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        col.addStretch(2)

    def _show_stored_as(self, text: str) -> None:
        values = organisations.organisation_values(text.split(" – ")[0], "")
        if organisations.lookup(values["name"]) is None:
            self.stored_as.setText(self.tr("Finns inte i stadens organisationskatalog: sparas som du skrivit det.")
                                   if values["name"] else "")
        elif values.get("committee"):
            self.stored_as.setText(self.tr("Sparas som {0}, nämnd: {1}.").format(values["name"], values["committee"]))
        else:
            self.stored_as.setText(self.tr("Sparas som {0}.").format(values["name"]))

    def _org_chosen(self, text: str) -> None:
        """A completion ("Arbetsmarknadsförvaltningen – Arbetsmarknadsnämnden, …") becomes the own name and type."""
        choice = organisations.lookup(text.split(" – ")[0])
        if choice is None:
            return
        self.name.setEditText(choice.name)
        self.org_type.setCurrentIndex(max(self.org_type.findData(choice.org_type), 0))
        # the completer writes the whole completion into the field after this signal: put the own name back
        QTimer.singleShot(0, lambda: self.name.currentText() == text and self.name.setEditText(choice.name))

    def prefill(self, org) -> None:
        if org is not None:
            self.name.setEditText(org.name)
            self.org_type.setCurrentIndex(max(self.org_type.findData(org.org_type), 0))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _create(self) -> None:
        name = self.name.currentText().split(" – ")[0].strip()  # a completion's "own name – other names"
        known = organisations.lookup(name)
        if known is not None and name != known.name:  # a nämnd's name or an alias: store the förvaltning's own
            self._org_chosen(name)
            name = known.name
        if not name:
            self.show_error(self.tr("Ange förvaltningens eller bolagets namn."))
            return
        self.show_error("")
        self.createRequested.emit(name, self.org_type.currentData(), self.year.value())
