"""“Börja från en mall”: pick a förvaltning type and tick which of its typical functions to keep.

Used by the first-analysis form (welcome.SetupPage) and by “Nytt analysår…”. The choice is applied by
undo.CreateAnalysisCommand together with the new analysis, as one undoable step.

In dialogs/ for its two dialogs (Nytt analysår, Lägg till från mall); `TemplatePicker` is also the widget on
the start screen's first-analysis form (app/welcome.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.services import templates as template_svc
from rsa_desktop.ui.commands import undo
from rsa_desktop.ui.widgets import hints


def _t(text: str) -> str:
    return QCoreApplication.translate("templates", text)


@dataclass(frozen=True)
class TemplateChoice:
    code: str
    label: str
    selected: tuple[int, ...]  # indexes into the template's functions


class TemplatePicker(QWidget):
    """A checkbox to opt in, the förvaltning type, and a checkbox list of its functions."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.templates = template_svc.templates()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox(_t("Börja från en mall"), self)
        self.enabled.setToolTip(_t("Lägg in typiska samhällsviktiga verksamheter och deras beroenden för er typ av "
                                   "förvaltning. Allt kan ändras eller tas bort efteråt."))
        lay.addWidget(self.enabled)
        self.body = QWidget(self)
        bl = QVBoxLayout(self.body)
        bl.setContentsMargins(18, 0, 0, 0)
        row = QHBoxLayout()
        label = QLabel(_t("Typ av förvaltning:"), self.body)
        self.combo = QComboBox(self.body)
        self.combo.setAccessibleName(_t("Mall: typ av förvaltning"))
        # First and preselected: no template (no förvaltning type is assumed, nothing is ticked for the user).
        self.combo.addItem(_t("Ingen mall passar – börja utan mall"), None)
        for t in self.templates:
            self.combo.addItem(str(t.get("label", t.get("code", ""))), t.get("code"))
        label.setBuddy(self.combo)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        bl.addLayout(row)
        self.description = QLabel(self.body)
        self.description.setWordWrap(True)
        self.description.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # under the combo
        hints.style_hint(self.description)
        bl.addWidget(self.description)
        hint = QLabel(_t("Bocka för de verksamheter ni vill ha med. Deras typiska beroenden följer med, kopplade."),
                      self.body)
        hint.setWordWrap(True)
        bl.addWidget(hint)
        self.hint = hint
        self.area = QScrollArea(self.body)  # one row per function: checkbox with name, description below
        self.area.setWidgetResizable(True)
        self.area.setMinimumHeight(160)
        self.area.setAccessibleName(_t("Verksamheter i mallen"))
        self.rows_host = QWidget(self.area)
        self.rows = QVBoxLayout(self.rows_host)
        self.rows.setContentsMargins(6, 4, 6, 4)
        self.area.setWidget(self.rows_host)
        self.checks: list[QCheckBox] = []
        bl.addWidget(self.area, 1)
        buttons = QHBoxLayout()
        self.all_button = QPushButton(_t("Markera alla"), self.body)
        self.none_button = QPushButton(_t("Avmarkera alla"), self.body)
        self.all_button.clicked.connect(lambda: self._check_all(True))
        self.none_button.clicked.connect(lambda: self._check_all(False))
        buttons.addWidget(self.all_button)
        buttons.addWidget(self.none_button)
        buttons.addStretch(1)
        bl.addLayout(buttons)
        lay.addWidget(self.body, 1)
        self.combo.currentIndexChanged.connect(self._fill)
        self.enabled.toggled.connect(self.body.setVisible)
        self.body.setVisible(False)
        self.enabled.setEnabled(bool(self.templates))
        self._fill()

    def template(self) -> dict | None:
        i = self.combo.currentIndex() - 1  # entry 0 is "Ingen mall passar"
        return self.templates[i] if 0 <= i < len(self.templates) else None

    def set_template(self, code: str) -> bool:
        i = self.combo.findData(code)
        if i >= 0:
            self.combo.setCurrentIndex(i)
        return i >= 0

    def _fill(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget():
                item.widget().hide()  # not drawn over the new rows until it is deleted
                item.widget().deleteLater()
        self.checks = []
        t = self.template()
        # without a template there is nothing to tick: no empty list and no Markera alla
        for w in (self.hint, self.area, self.all_button, self.none_button):
            w.setVisible(t is not None)
        if t is None:
            self.description.setText(_t("Börja med en tom analys och lägg till era egna verksamheter i steg 3. "
                                        "En mall kan läggas till senare: Analys → Lägg till från mall."))
            self.rows.addStretch(1)
            return
        self.description.setText(str(t.get("description", "")))
        for f in t.get("functions", []):
            critical = _t("samhällsviktig: ja") if f.get("is_critical") else _t("samhällsviktig: nej")
            box = QCheckBox(f"{f.get('name', '')}  ({critical})", self.rows_host)
            box.setChecked(False)  # the user ticks what fits; nothing is chosen on their behalf
            box.setToolTip(str(f.get("critical_motivation") or ""))
            desc = QLabel(str(f.get("description") or ""), self.rows_host)
            desc.setWordWrap(True)
            hints.style_hint(desc, "margin-left: 22px; margin-bottom: 4px;")
            box.setAccessibleDescription(desc.text())
            self.rows.addWidget(box)
            self.rows.addWidget(desc)
            self.checks.append(box)
        self.rows.addStretch(1)

    def _check_all(self, on: bool) -> None:
        for box in self.checks:
            box.setChecked(on)

    def set_checked(self, indexes) -> None:
        wanted = set(indexes)
        for i, box in enumerate(self.checks):
            box.setChecked(i in wanted)

    def item_text(self, i: int) -> str:
        """The row as shown: name, samhällsviktig ja/nej, description."""
        return self.checks[i].text() + "\n" + self.checks[i].accessibleDescription()

    def selected(self) -> tuple[int, ...]:
        return tuple(i for i, box in enumerate(self.checks) if box.isChecked())

    def choice(self) -> TemplateChoice | None:
        """None when no template is wanted (or nothing is ticked)."""
        t = self.template()
        if not self.enabled.isChecked() or t is None or not self.selected():
            return None
        return TemplateChoice(str(t.get("code")), str(t.get("label", "")), self.selected())


class NewYearDialog(QDialog):
    """“Nytt analysår…”: the year, and optionally a template to start from."""

    def __init__(self, parent: QWidget | None, existing: list[int]):
        super().__init__(parent)
        self.setWindowTitle(_t("Nytt analysår"))
        self.resize(560, 480)
        lay = QVBoxLayout(self)
        text = QLabel(_t("Varje år görs en ny analys. Den nya analysen får standardskalorna och börjar tom, eller med "
                         "verksamheterna ur en mall; tidigare år finns kvar i filen och kan väljas i årsväljaren. "
                         "Du kan ångra det med Ctrl+Z."), self)
        text.setWordWrap(True)
        lay.addWidget(text)
        self.carry_requested = False
        self.carry_button: QPushButton | None = None
        if existing:  # the usual yearly step: build on last year's analysis (ui/views/yearly.py)
            row = QHBoxLayout()
            hint = QLabel(_t("<b>Brukar ni bygga vidare på förra årets analys?</b> Då följer verksamheter, beroenden, "
                             "risker och öppna åtgärder med och markeras att granska."), self)
            hint.setWordWrap(True)
            row.addWidget(hint, 1)
            self.carry_button = QPushButton(_t("Ny årsanalys från föregående år…"), self)
            self.carry_button.clicked.connect(self._carry)
            row.addWidget(self.carry_button)
            lay.addLayout(row)
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2200)
        self.year.setValue(max(existing) + 1 if existing else dt.date.today().year)
        self.year.setAccessibleName(_t("År"))
        self.year.setMaximumWidth(120)
        form = QFormLayout()
        form.addRow(_t("År:"), self.year)
        lay.addLayout(form)
        self.picker = TemplatePicker(self)
        lay.addWidget(self.picker, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_t("Skapa"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _carry(self) -> None:
        self.carry_requested = True
        self.accept()


# What ask_new_year returns as the "template" when the user chose to build on a previous year instead.
CARRY_FORWARD = TemplateChoice("", "", ())


def ask_new_year(parent: QWidget | None, existing: list[int]) -> tuple[int, TemplateChoice | None] | None:
    dlg = NewYearDialog(parent, existing)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    if dlg.carry_requested:
        return dlg.year.value(), CARRY_FORWARD
    return dlg.year.value(), dlg.picker.choice()


class ApplyTemplateCommand(undo.ServiceCommand):
    """"Lägg till från mall" in an existing analysis: the chosen verksamheter and their beroenden in one
    transaction (services/templates.py shares beroenden that already exist); undo removes what it added."""

    def __init__(self, session, choice: TemplateChoice):
        super().__init__(session, _t("Lägg till från mallen {0}").format(choice.label.lower()))
        self.choice = choice
        self.applied = None
        self.tombs: list = []

    def do(self) -> bool:
        from rsa_desktop.services.templates import apply_template
        self.applied = apply_template(self.svc, self.session.analysis_id, self.choice.code, list(self.choice.selected))
        return bool(self.applied.function_ids or self.applied.dependency_ids)

    def _undo(self) -> None:
        with self.svc.batch():
            self.tombs = [self.svc.delete("function", i) for i in self.applied.function_ids]
            self.tombs += [self.svc.delete("dependency", i) for i in self.applied.dependency_ids]

    def _redo(self) -> None:
        with self.svc.batch():
            for tomb in reversed(self.tombs):  # beroenden first, then the verksamheter and their links
                self.svc.restore(tomb)


class AddFromTemplateDialog(QDialog):
    """Analys → Lägg till från mall: typical verksamheter for a förvaltning type, added to this analysis."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(_t("Lägg till från mall"))
        self.resize(620, 520)
        lay = QVBoxLayout(self)
        text = QLabel(_t("Välj en typ av förvaltning och bocka för de verksamheter ni vill lägga till. Deras typiska "
                         "beroenden följer med; beroenden som redan finns i analysen används igen. Kan ångras."), self)
        text.setWordWrap(True)
        lay.addWidget(text)
        self.picker = TemplatePicker(self)
        self.picker.enabled.setChecked(True)
        self.picker.enabled.hide()  # the dialog is the opt-in
        lay.addWidget(self.picker, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_t("Lägg till"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


def add_from_template(parent: QWidget | None, session, choice: TemplateChoice | None = None) -> bool:
    """Ask (unless `choice` is given) and add the template's verksamheter to the current analysis."""
    if session.svc is None or session.analysis_id is None:
        return False
    if choice is None:
        dlg = AddFromTemplateDialog(parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        choice = dlg.picker.choice()
        if choice is None:
            return False
    return undo.execute(session, ApplyTemplateCommand(session, choice))
