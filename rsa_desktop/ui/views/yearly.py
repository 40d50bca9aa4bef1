"""The yearly cycle in the window: "Ny årsanalys från föregående år", archived years, "att granska" marks.

* `CarryForwardDialog` + `carry_forward()`: choose the source year and the new year; the copy
  (services/carry.py) runs in a worker on its own RsaService (so the window's service is never inside
  the worker's transaction); the result lands on the new year's undo stack as one
  `undo.CarryForwardCommand`, and the new year is shown.
* `attach_review(section)`: a "Granska" column in the step tables of carried kinds (hidden when the
  year has no marks) and a `ReviewBar` ("Markera som granskad", undoable) above the detail form.
* `pending_reviews(session)`: the marks in step order, for the Översikt's "N objekt att granska".

No single home in ui/: it is a dialog, a command and a bar on the step sections at once. It sits in views/
because what it shows is the analysis across years; the parts stay together as the one yearly feature.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.kinds import year_state
from rsa_desktop.ui.commands import ops, undo, workers
from rsa_desktop.ui.widgets.table_model import Column

# Kinds that carry_forward copies and marks "att granska", in step order.
REVIEW_KINDS = ("function", "dependency", "risk", "vulnerability", "capability", "action", "continuity_plan")
REVIEW_BACKGROUND = "#fff4ce"
REVIEW_FLAG = "\u2691"  # ⚑ in the "Granska" column of the step tables


def _t(text: str) -> str:
    return QCoreApplication.translate("yearly", text)


def year_text(analysis) -> str:
    """"2026 (arkiverad)": a year as every year list names it, with its real state (domain.kinds.year_state)."""
    state = year_state(analysis.status, bool(analysis.get("archived")))
    return f"{analysis.year} ({QCoreApplication.translate('kinds', state)})"


# -- Ny årsanalys från föregående år -----------------------------------------------------------------------

class CarryForwardDialog(QDialog):
    """The source year (default: the newest) and the new year (default: the source year + 1)."""

    def __init__(self, parent: QWidget | None, analyses, source_id: int | None = None, year: int | None = None):
        super().__init__(parent)
        self.setWindowTitle(_t("Ny årsanalys från föregående år"))
        self.analyses = sorted(analyses, key=lambda a: a.year)
        lay = QVBoxLayout(self)
        text = QLabel(_t("Den nya analysen bygger på en tidigare: texter, skalor, arbetsgrupp, verksamheter, "
                         "beroenden, risker, sårbarheter, förmåga, kontinuitetsplaner och öppna åtgärder följer med "
                         "med samma ID och kopplingar. Allt som följer med markeras <b>att granska</b>. Genomförda "
                         "åtgärder och övningar stannar i det tidigare året, som arkiveras (skrivskyddas).<br><br>"
                         "Du kan ångra alltihop med Ctrl+Z."), self)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(text)
        form = QFormLayout()
        self.source = QComboBox(self)
        self.source.setAccessibleName(_t("Bygg på analysen för"))
        for a in self.analyses:
            self.source.addItem(year_text(a), a.id)
        if source_id is not None and self.source.findData(source_id) >= 0:
            self.source.setCurrentIndex(self.source.findData(source_id))
        else:
            self.source.setCurrentIndex(self.source.count() - 1)
        self.year = QSpinBox(self)
        self.year.setRange(2000, 2200)
        self.year.setAccessibleName(_t("Nytt år"))
        self.year.setMaximumWidth(120)
        form.addRow(_t("Bygg på analysen för:"), self.source)
        form.addRow(_t("Nytt år:"), self.year)
        lay.addLayout(form)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_t("Skapa"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.source.currentIndexChanged.connect(lambda _i: self._suggest_year())
        self.year.valueChanged.connect(lambda _v: self._validate())
        self._suggest_year(year)
        self.resize(520, 300)

    def source_id(self) -> int | None:
        return self.source.currentData()

    def _source(self):
        return next((a for a in self.analyses if a.id == self.source_id()), None)

    def _suggest_year(self, year: int | None = None) -> None:
        src = self._source()
        taken = {a.year for a in self.analyses}
        if year is None and src is not None:
            year = src.year + 1
            while year in taken:
                year += 1
        if year is not None:
            self.year.setValue(year)
        self._validate()

    def problem(self) -> str:
        src = self._source()
        if src is None:
            return _t("Det finns ingen analys att bygga på.")
        y = self.year.value()
        if y <= src.year:
            return _t("Det nya året måste vara senare än {0}.").format(src.year)
        if any(a.year == y for a in self.analyses):
            return _t("Det finns redan en analys för {0}.").format(y)
        return ""

    def _validate(self) -> None:
        text = self.problem()
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.ok_button.setEnabled(not text)


def carry_forward(window, source_id: int | None = None, year: int | None = None, *, ask: bool = True,
                  on_done=None) -> bool:
    """Analys → Ny årsanalys från föregående år…: ask, copy in a worker, push one undoable command, show it.

    Returns False when nothing was started (cancelled, nothing to build on)."""
    s = window.session
    if s.svc is None or (s.doc is not None and s.doc.readonly):
        return False
    analyses = s.svc.analyses()
    if not analyses:
        return False
    if ask:
        dlg = CarryForwardDialog(window, analyses, source_id if source_id is not None else s.analysis_id, year)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        source_id, year = dlg.source_id(), dlg.year.value()
    if source_id is None:
        source_id = max(analyses, key=lambda a: a.year).id
    src = s.svc.analysis(source_id)
    if year is None:
        year = src.year + 1
    was_archived = bool(src.get("archived"))
    doc = s.doc

    def work():
        from rsa_desktop.services.carry import carry_forward as carry
        from rsa_desktop.services.rsa import RsaService

        return carry(RsaService(doc), source_id, year)  # its own service: the window's is not in the batch

    def done(rec) -> None:
        if s.doc is not doc:  # the file was closed meanwhile
            return
        cmd = undo.CarryForwardCommand(s, source_id, year, performed=rec, source_was_archived=was_archived)
        undo.execute(s, cmd)
        s.set_analysis(cmd.analysis_id)
        window.statusBar().showMessage(
            _t("Analysen för {0} är skapad från {1}. Det som följde med är markerat att granska. "
               "Ångra med Ctrl+Z.").format(year, src.year), 8000)
        if on_done:
            on_done(cmd.analysis_id)

    def failed(exc) -> None:
        ops.report_worker_failure(window, exc, on_error=lambda e: QMessageBox.warning(window, _t("Ny årsanalys"),
                                                                                     str(e)))

    workers.run_in_background(window, _t("Skapar analysen för {0} från {1}…").format(year, src.year), work, done,
                              failed)
    return True


def unarchive(window, ask: bool = True) -> bool:
    """"Avarkivera" in the archived year's banner: confirm, then one undoable step."""
    s = window.session
    a = s.analysis()
    if a is None or not a.get("archived"):
        return False
    if ask:
        from rsa_desktop.ui.dialogs import common

        later = [x.year for x in s.svc.analyses() if x.year > a.year]
        info = _t("Analysen för {0} bygger på den här. Ändringar här förs inte över dit.").format(later[0]) \
            if later else ""
        if not common.confirm(window, _t("Avarkivera"),
                               _t("Vill du göra analysen för {0} redigerbar igen?").format(a.year), info):
            return False
    return bool(ops.run_command(window, s, undo.SetArchivedCommand(s, a.id, False)).value)


# -- "att granska" marks ------------------------------------------------------------------------------------

def review_marks(session) -> set[tuple[str, int]]:
    """The shown year's marks, cached until the next change."""
    if session.svc is None or session.analysis_id is None:
        return set()
    aid = session.analysis_id
    return session.cached(("review_marks", aid), lambda: session.svc.review_marks(aid))


def carried_source_year(session) -> int | None:
    """The year the shown analysis was carried forward from (None if it was not)."""
    if session.svc is None or session.analysis_id is None:
        return None
    aid = session.analysis_id

    def compute():
        sources = {src for src, _ in session.svc.carried_from(aid).values()}
        years = {a.id: a.year for a in session.svc.analyses()}
        found = [years[x] for x in sources if x in years]
        return max(found) if found else None

    return session.cached(("carried_source_year", aid), compute)


def pending_reviews(session) -> list[tuple[str, int]]:
    """(kind, item id) of every item still "att granska", in step order and the items' own order."""
    marks = review_marks(session)
    if not marks:
        return []
    out = []
    for kind in REVIEW_KINDS:
        ids = {i for k, i in marks if k == kind}
        if ids:
            out += [(kind, r.id) for r in session.items(kind) if r.id in ids]
    return out


def review_column(session, kind: str) -> Column:
    def pending(r) -> bool:
        return (kind, r.id) in review_marks(session)

    # A narrow flag column (the step tables are already wide); the bar above the form says it in words.
    return Column(REVIEW_FLAG, lambda r: REVIEW_FLAG if pending(r) else "",
                  lambda r: 0 if pending(r) else 1,
                  tooltip=lambda r: _t("Överfört från föregående år: att granska") if pending(r) else "",
                  background=lambda r: REVIEW_BACKGROUND if pending(r) else None)


class ReviewBar(QFrame):
    """Above the detail form of an item carried from last year: "Att granska" and "Markera som granskad"."""

    def __init__(self, section, parent=None):
        super().__init__(parent)
        self.section = section
        self.session = section.session
        self.setObjectName("reviewBar")
        self.setStyleSheet(f"#reviewBar {{ background: {REVIEW_BACKGROUND}; border: 1px solid #e0c060; "
                           "border-radius: 4px; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        lay.addWidget(self.label, 1)
        self.button = QPushButton(_t("Markera som granskad"), self)
        self.button.setToolTip(_t("Uppgifterna är genomgångna och stämmer för i år (kan ångras med Ctrl+Z)"))
        self.button.clicked.connect(self.mark_reviewed)
        lay.addWidget(self.button)
        self.hide()

    def update_for(self, rec) -> None:
        pending = rec is not None and (self.section.kind, rec.id) in review_marks(self.session)
        self.setVisible(pending)
        if pending:
            year = carried_source_year(self.session)
            self.label.setText(_t("<b>Att granska:</b> överförd från analysen för {0}. Stämmer uppgifterna i år?")
                               .format(year) if year else _t("<b>Att granska.</b> Stämmer uppgifterna i år?"))
            self.button.setEnabled(not self.session.read_only())

    def mark_reviewed(self) -> bool:
        rec = self.section.current()
        s = self.session
        if rec is None or s.analysis_id is None:
            return False
        return bool(ops.run_command(self, s, undo.ReviewMarkCommand(s, s.analysis_id, self.section.kind,
                                                                         rec.id)).value)


def attach_review(section) -> None:
    """Give an item section of a carried kind its "Granska" column and review bar."""
    if section.kind not in REVIEW_KINDS or section.config.compact:
        return
    model = section.model
    model.beginResetModel()
    model.columns.append(review_column(section.session, section.kind))
    model.endResetModel()
    col = len(model.columns) - 1
    bar = ReviewBar(section, section.detail)
    section.detail.layout().insertWidget(1, bar)  # after the empty-list text, above the heading
    section.review_bar = bar

    def on_selection(rec) -> None:
        section.view.setColumnHidden(col, not review_marks(section.session))
        bar.update_for(rec)

    section.selectionChanged.connect(on_selection)
