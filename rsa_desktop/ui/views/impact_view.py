"""Acceptabel avbrottstid from the impact over time (services/impact.py), below the function's
"Konsekvens över tid" grid.

Shows the proposal ("Förslag: 1 dygn – sista tidshorisont innan konsekvensen blir oacceptabel") with
"Använd förslaget", and "Ange annan tid…", which requires a motivation. Both go through
`confirm_mtd` as one undoable command.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.services import impact as impact_svc
from rsa_desktop.ui.commands import ops, undo
from rsa_desktop.ui.widgets import hints


def _t(text: str) -> str:
    return QCoreApplication.translate("impact_view", text)


class ConfirmMtdCommand(undo.ServiceCommand):
    """Set a function's acceptabel avbrottstid (and its motivation) through confirm_mtd."""

    notify_kind = "function"

    def __init__(self, session, function_id: int, minutes, motivation: str = "", *, accept: bool = False):
        super().__init__(session)
        self.function_id, self.minutes, self.motivation = function_id, minutes, motivation
        self.change = None
        name = session.short_name("function", function_id)
        self.setText(_t("Använd föreslagen avbrottstid för {0}").format(name) if accept
                     else _t("Ändra acceptabel avbrottstid för {0}").format(name))

    def do(self) -> bool:
        self.change = impact_svc.confirm_mtd(self.svc, self.function_id, self.minutes, self.motivation)
        return self.change.changed

    def _redo(self) -> None:
        self.svc.update("function", self.function_id, **dict(self.change.new))

    def _undo(self) -> None:
        self.svc.update("function", self.function_id, **dict(self.change.old))


class ImpactProposalPanel(QGroupBox):
    """The proposal, the stored value, and the two ways to set it."""

    def __init__(self, session, parent=None):
        super().__init__(_t("Acceptabel avbrottstid utifrån konsekvens över tid"), parent)
        self.session = session
        self.function_id: int | None = None
        self.proposal: impact_svc.Proposal | None = None
        self._read_only = False
        lay = QVBoxLayout(self)
        self.proposal_label = QLabel(self)
        self.proposal_label.setWordWrap(True)
        self.proposal_label.setTextFormat(Qt.TextFormat.RichText)
        self.proposal_label.setAccessibleName(_t("Förslag på acceptabel avbrottstid"))
        lay.addWidget(self.proposal_label)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        hints.style_hint(self.reason)
        lay.addWidget(self.reason)
        self.current_label = QLabel(self)
        self.current_label.setWordWrap(True)
        self.current_label.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.current_label)
        row = QHBoxLayout()
        self.accept_button = QPushButton(_t("Använd förslaget"), self)
        self.accept_button.setToolTip(_t("Sätt acceptabel avbrottstid till förslaget (kan ångras med Ctrl+Z)"))
        self.accept_button.clicked.connect(self.accept_proposal)
        row.addWidget(self.accept_button)
        self.override_button = QPushButton(_t("Ange annan tid…"), self)
        self.override_button.setToolTip(_t("Sätt en annan acceptabel avbrottstid än förslaget; kräver en motivering"))
        self.override_button.clicked.connect(self.show_override)
        row.addWidget(self.override_button)
        row.addStretch(1)
        lay.addLayout(row)

        self.override_box = QWidget(self)
        ol = QVBoxLayout(self.override_box)
        ol.setContentsMargins(0, 4, 0, 0)
        r1 = QHBoxLayout()
        lab = QLabel(_t("Acceptabel avbrottstid:"), self.override_box)
        r1.addWidget(lab)
        self.minutes_edit = QLineEdit(self.override_box)
        self.minutes_edit.setPlaceholderText(_t("t.ex. 2 dygn eller 12 h"))
        self.minutes_edit.setMaximumWidth(160)
        lab.setBuddy(self.minutes_edit)
        r1.addWidget(self.minutes_edit)
        r1.addStretch(1)
        ol.addLayout(r1)
        mlab = QLabel(_t("Motivering (krävs när tiden avviker från förslaget):"), self.override_box)
        ol.addWidget(mlab)
        self.motivation_edit = QPlainTextEdit(self.override_box)
        self.motivation_edit.setAccessibleName(_t("Motivering av avbrottstid"))
        self.motivation_edit.setTabChangesFocus(True)
        self.motivation_edit.setFixedHeight(64)
        mlab.setBuddy(self.motivation_edit)
        ol.addWidget(self.motivation_edit)
        r2 = QHBoxLayout()
        self.save_button = QPushButton(_t("Spara avbrottstid"), self.override_box)
        self.save_button.clicked.connect(self.save_override)
        r2.addWidget(self.save_button)
        self.cancel_button = QPushButton(_t("Avbryt"), self.override_box)
        self.cancel_button.clicked.connect(self.hide_override)
        r2.addWidget(self.cancel_button)
        r2.addStretch(1)
        ol.addLayout(r2)
        self.override_box.hide()
        lay.addWidget(self.override_box)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        lay.addWidget(self.error)

    # -- state ------------------------------------------------------------------------------------------

    def set_item(self, function_id: int | None) -> None:
        if function_id != self.function_id:
            self.hide_override()
        self.function_id = function_id
        self.refresh()

    def set_read_only(self, ro: bool) -> None:
        self._read_only = ro
        self._update_enabled()

    def _update_enabled(self) -> None:
        active = self.function_id is not None and not self._read_only
        stored = self._stored()
        has_proposal = self.proposal is not None and self.proposal.minutes is not None
        self.accept_button.setEnabled(active and has_proposal and (
            stored is None or stored.get("max_tolerable_downtime") != self.proposal.minutes
            or bool((stored.get("mtd_motivation") or "").strip())))
        self.override_button.setEnabled(active)
        self.save_button.setEnabled(active)

    def _stored(self):
        if self.function_id is None or not self.session.svc:
            return None
        try:
            return self.session.svc.get("function", self.function_id)
        except Exception:  # noqa: BLE001 - deleted under us
            return None

    def refresh(self) -> None:
        rec = self._stored()
        scales = self.session.scales()
        if rec is None or scales is None:
            self.proposal = None
            self.proposal_label.setText("")
            self.reason.setText("")
            self.current_label.setText("")
            self._update_enabled()
            return
        self.proposal = impact_svc.propose_mtd(scales, self.session.svc.impacts(rec.id))
        p = self.proposal
        if p.minutes is not None:
            why = (_t("sista tidshorisont innan konsekvensen blir oacceptabel") if p.reaches_unacceptable
                   else _t("konsekvensen blir inte oacceptabel inom de bedömda tidshorisonterna"))
            self.proposal_label.setText(_t("<b>Förslag: {0}</b> – {1}").format(html.escape(p.horizon_label),
                                                                              html.escape(why)))
        else:
            self.proposal_label.setText(_t("<b>Inget förslag</b>"))
        self.reason.setText(p.reason)
        value = rec.get("max_tolerable_downtime")
        motivation = (rec.get("mtd_motivation") or "").strip()
        if value is None:
            cur = _t("Ingen acceptabel avbrottstid är satt ännu.")
        elif p.minutes is not None and value == p.minutes:
            cur = _t("Satt: <b>{0}</b>, samma som förslaget.").format(html.escape(format_duration(value)))
        elif p.minutes is None:  # nothing to deviate from: no "avviker" next to "Inget förslag"
            cur = _t("Satt: <b>{0}</b>.").format(html.escape(format_duration(value)))
            if motivation:
                cur += " " + _t("Motivering: {0}").format(html.escape(motivation))
        else:
            cur = _t("Satt: <b>{0}</b>, avviker från förslaget.").format(html.escape(format_duration(value)))
            cur += " " + (_t("Motivering: {0}").format(html.escape(motivation)) if motivation
                          else "<span style='color:#b3261e'>" + _t("Motivering saknas.") + "</span>")
        self.current_label.setText(cur)
        self._update_enabled()

    # -- actions -----------------------------------------------------------------------------------------

    def show_override(self) -> None:
        rec = self._stored()
        if rec is None:
            return
        self.minutes_edit.setText(format_duration(rec.get("max_tolerable_downtime")))
        self.motivation_edit.setPlainText(rec.get("mtd_motivation") or "")
        self.override_box.show()
        self.minutes_edit.setFocus()
        self.minutes_edit.selectAll()

    def hide_override(self) -> None:
        self.override_box.hide()
        self.error.hide()

    def _run(self, cmd) -> bool:
        def show(exc: BaseException) -> None:
            self.error.setText(ops.error_text(exc))
            self.error.show()

        if not ops.run_command(self, self.session, cmd, on_error=show).ok:
            return False
        self.error.hide()
        return True

    def accept_proposal(self) -> bool:
        if self.function_id is None or self.proposal is None or self.proposal.minutes is None:
            return False
        ok = self._run(ConfirmMtdCommand(self.session, self.function_id, self.proposal.minutes, "", accept=True))
        if ok:
            self.hide_override()
        self.refresh()
        return ok

    def save_override(self) -> bool:
        if self.function_id is None:
            return False
        text = self.minutes_edit.text().strip() or None
        ok = self._run(ConfirmMtdCommand(self.session, self.function_id, text,
                                         self.motivation_edit.toPlainText().strip()))
        if ok:
            self.override_box.hide()
        self.refresh()
        return ok
