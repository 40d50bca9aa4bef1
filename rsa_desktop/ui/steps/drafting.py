"""Drafted text and scale confirmation on the step pages.

- "Föreslå text" beside the analysis' Sammanfattning: the draft from services/drafts.py in an editable
  dialog; "Använd" writes it as one undoable edit. Text the user wrote is only replaced by an explicit
  "Ersätt", never silently.
- "Skalor: Granska och bekräfta" on step 1: the analysis' scales read-only (a scale editor is a separate
  view) and a confirmation that RSA-kontroll's scales_unconfirmed finding waits for (undoable).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop.services import drafts
from rsa_desktop.ui.commands import ops, undo
from rsa_desktop.ui.widgets.fmt import level_text


def _t(text: str) -> str:
    return QCoreApplication.translate("drafting", text)


# -- Sammanfattning ---------------------------------------------------------------------------------

class SummaryDraftDialog(QDialog):
    """The suggested text, editable. With own text present the only way to write is "Ersätt"."""

    def __init__(self, draft: str, existing: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_t("Föreslagen sammanfattning"))
        self.resize(680, 520)
        self.has_own_text = bool(existing.strip())
        lay = QVBoxLayout(self)
        intro = QLabel(_t("Förslaget är skrivet ur det ni har fyllt i. Läs igenom det och ändra fritt innan du "
                          "använder det – det är ett utkast, inte en färdig text."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.current = None
        if self.has_own_text:
            warn = QLabel("<b>" + _t("Sammanfattningen innehåller redan er egen text.") + "</b> " + _t(
                "Förslaget skrivs inte in automatiskt. Väljer du Ersätt byts er text ut mot förslaget nedan "
                "(du kan ångra med Ctrl+Z)."), self)
            warn.setWordWrap(True)
            warn.setObjectName("ownTextWarning")
            warn.setStyleSheet("#ownTextWarning { background: #fff4ce; border: 1px solid #e0c060; padding: 6px; }")
            lay.addWidget(warn)
            lay.addWidget(QLabel(_t("Er nuvarande text:"), self))
            self.current = QPlainTextEdit(existing, self)
            self.current.setReadOnly(True)
            self.current.setMaximumHeight(110)
            self.current.setAccessibleName(_t("Nuvarande sammanfattning"))
            lay.addWidget(self.current)
            lay.addWidget(QLabel(_t("Förslag:"), self))
        self.editor = QPlainTextEdit(draft, self)
        self.editor.setAccessibleName(_t("Föreslagen text"))
        lay.addWidget(self.editor, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        if self.has_own_text:
            self.apply_button = self.buttons.addButton(_t("Ersätt"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.apply_button.setToolTip(_t("Byt ut er nuvarande sammanfattning mot förslaget"))
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        else:
            self.apply_button = self.buttons.addButton(_t("Använd"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.apply_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def text(self) -> str:
        return self.editor.toPlainText().strip()


def ask_summary(parent: QWidget | None, draft: str, existing: str) -> str | None:
    """The text to write, or None. (Tests replace this function.)"""
    dlg = SummaryDraftDialog(draft, existing, parent)
    return dlg.text() if dlg.exec() == QDialog.DialogCode.Accepted else None


def suggest_summary(session, parent: QWidget | None = None) -> bool:
    """Offer the drafted sammanfattning; write it (undoable) only if the user accepts."""
    a = session.analysis()
    if a is None or session.read_only():
        return False
    draft, _may_fill = drafts.offer_summary(session.svc, a.id)
    text = ask_summary(parent, draft, a.summary or "")
    if not text:
        return False
    cmd = undo.UpdateCommand(session, "analysis", a.id, {"summary": text})
    cmd.setText(_t("Föreslagen sammanfattning") if not (a.summary or "").strip() else _t("Ersätt sammanfattningen"))
    return bool(ops.run_command(parent, session, cmd, on_error=lambda exc: QMessageBox.warning(
        parent, _t("Sammanfattning"), str(exc))).value)


def attach_summary_button(group) -> QPushButton | None:
    """Put "Föreslå text" under the Sammanfattning field of a RecordFormGroup for the analysis."""
    editor = group.form.editors.get("summary")
    if editor is None:
        return None
    cell = editor.widget.parentWidget()
    row = QHBoxLayout()
    button = QPushButton(_t("Föreslå text"), cell)
    button.setToolTip(_t("Skriv ett utkast till sammanfattning ur det ni har fyllt i. Du ser och ändrar det innan "
                         "något skrivs in."))
    button.clicked.connect(lambda: suggest_summary(group.session, group.window()))
    row.addWidget(button)
    row.addStretch(1)
    cell.layout().insertLayout(1, row)

    original = group.set_read_only

    def set_read_only(ro: bool) -> None:
        original(ro)
        button.setEnabled(not ro)
    group.set_read_only = set_read_only
    return button


# -- Skalor ------------------------------------------------------------------------------------------

def scales_html(scales) -> str:
    def table(head: list[str], rows: list[list[str]]) -> str:
        th = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td valign='top'>{c}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table cellspacing='0' cellpadding='3' border='1' width='100%'><tr>{th}</tr>{body}</table>"

    e = html.escape
    parts = ["<h3>" + e(_t("Sannolikhet")) + "</h3>",
             table([_t("Nivå"), _t("Benämning"), _t("Frekvens"), _t("Beskrivning")],
                   [[str(l.value), e(l.label), e(l.frequency), e(l.description)] for l in scales.likelihood]),
             "<h3>" + e(_t("Konsekvens")) + "</h3>",
             table([_t("Nivå"), _t("Benämning"), _t("Beskrivning")],
                   [[str(l.value), e(l.label), e(l.description)] for l in scales.consequence]),
             "<h3>" + e(_t("Skyddsvärden (konsekvensdimensioner)")) + "</h3>",
             table([_t("Skyddsvärde"), _t("Beskrivning")], [[e(d.label), e(d.description)] for d in scales.dimensions]),
             "<h3>" + e(_t("Färgzoner i riskmatrisen")) + "</h3>",
             table([_t("Zon"), _t("Från poäng (sannolikhet × konsekvens)")],
                   [[f"<span style='background:{b.colour}'>&nbsp;&nbsp;&nbsp;</span> {e(b.label)}", str(b.min_score)]
                    for b in sorted(scales.bands, key=lambda b: b.min_score)])]
    if scales.horizons:
        parts += ["<h3>" + e(_t("Tidshorisonter för konsekvens över tid")) + "</h3>",
                  "<p>" + e(", ".join(h.label for h in scales.horizons)) + "</p>"]
    if scales.capability:
        parts += ["<h3>" + e(_t("Förmåga")) + "</h3>",
                  table([_t("Nivå"), _t("Benämning"), _t("Beskrivning")],
                        [[str(l.value), e(l.label), e(l.description)] for l in scales.capability])]
    agg = _t("högsta dimensionen") if scales.aggregation == "max" else _t("medelvärdet, avrundat uppåt")
    parts.append("<p>" + e(_t("Sammanvägd konsekvens: {0}. Oacceptabel från konsekvensnivå {1}.").format(
        agg, level_text(scales.unacceptable_level, scales.consequence_label(scales.unacceptable_level)))) + "</p>")
    return "".join(parts)


class ScalesDialog(QDialog):
    def __init__(self, scales, confirmed: bool, read_only: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_t("Skalor: Granska och bekräfta"))
        self.resize(760, 620)
        lay = QVBoxLayout(self)
        intro = QLabel(_t("Skalorna bestämmer hur sannolikhet och konsekvens bedöms och hur riskmatrisen färgas. "
                          "Granska att de passar er förvaltning och bekräfta dem. Ändras skalorna senare ber "
                          "RSA-kontrollen er bekräfta dem igen.") + " " + (
            _t("Skalorna är bekräftade.") if confirmed else _t("Skalorna är inte bekräftade.")), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName(_t("Analysens skalor"))
        self.browser.setHtml(scales_html(scales))
        lay.addWidget(self.browser, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.confirm_button = self.buttons.addButton(_t("Bekräfta skalorna"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setEnabled(not read_only and not confirmed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)


def review_scales(parent: QWidget | None, scales, confirmed: bool, read_only: bool) -> bool:
    """Show the scales; True when the user confirms them. (Tests replace this function.)"""
    return ScalesDialog(scales, confirmed, read_only, parent).exec() == QDialog.DialogCode.Accepted


class ScalesBox(QGroupBox):
    """On step 1: whether the scales are confirmed, and the button to review them."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(_t("Skalor"), parent)
        self.session = session
        lay = QHBoxLayout(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        lay.addWidget(self.status, 1)
        self.button = QPushButton(_t("Skalor: Granska och bekräfta"), self)
        self.button.setToolTip(_t("Visa analysens skalor för sannolikhet, konsekvens och riskmatrisens färger och "
                                  "bekräfta att de gäller för årets analys"))
        self.button.clicked.connect(self.review)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        session.changed.connect(lambda _k: self.refresh())
        session.analysisChanged.connect(self.refresh)
        self.refresh()

    def confirmed(self) -> bool:
        a = self.session.analysis()
        scales = self.session.scales()
        return bool(a is not None and scales is not None and a.scales_confirmed == scales.fingerprint)

    def refresh(self) -> None:
        a = self.session.analysis()
        self.button.setEnabled(a is not None)
        if a is None:
            self.status.clear()
            return
        self.status.setText(_t("Skalorna är granskade och bekräftade för årets analys.") if self.confirmed() else
                            _t("Skalorna är inte bekräftade. Granska dem innan ni bedömer riskerna."))

    def review(self) -> bool:
        a = self.session.analysis()
        scales = self.session.scales()
        if a is None or scales is None:
            return False
        if not review_scales(self.window(), scales, self.confirmed(), self.session.read_only()):
            return False
        return bool(ops.run_command(self, self.session, undo.ConfirmScalesCommand(self.session, a.id)).value)
