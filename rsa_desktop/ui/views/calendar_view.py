"""The reporting calendar in the window (Översikt and the Rapport step): the next deadlines and the
catalogue version in use. The dates come from services/calendar.py."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from rsa_desktop.services import calendar, catalogues
from rsa_desktop.ui.widgets import hints


def _t(text: str) -> str:
    return QCoreApplication.translate("calendar", text)


def _when(days: int) -> str:
    if days == 0:
        return _t("i dag")
    if days == 1:
        return _t("i morgon")
    if days < 0:
        return _t("för {0} dagar sedan").format(-days)
    return _t("om {0} dagar").format(days)


def deadlines_html(analysis, today: dt.date | None = None, *, link_missing: bool = False) -> str:
    """The next deadlines, soonest first; the city's deadline says where to set it while it is missing."""
    today = today or dt.date.today()
    rows = []
    missing = None
    for d in sorted(calendar.deadlines(analysis, today), key=lambda d: (d.date is None, d.date or today)):
        if d.date is None:
            missing = d
            continue
        days = d.days_left(today)
        colour = "#b3261e" if days is not None and days < 0 else ("#b26a00" if days is not None and days <= 60
                                                                   else "#1f1f1f")
        note = f" ({html.escape(d.note)})" if d.note else ""
        rows.append(f"<tr><td style='padding-right:8px; white-space:nowrap'><b style='color:{colour}'>"
                    f"{html.escape(calendar.format_date(d.date))}</b></td>"
                    f"<td>{html.escape(d.label)}{note} – {html.escape(_when(days))}</td></tr>")
    parts = ["<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"]
    if missing is not None:
        where = (f" <a href='rapport'>{html.escape(_t('Ange datumet'))}</a>" if link_missing
                 else " " + html.escape(_t("Ange datumet nedan.")))
        parts.append("<p style='margin-top:4px'>" + html.escape(_t("{0}: inte angiven.").format(missing.label))
                     + where + "</p>")
    parts.append(f"<p style='{hints.hint_css()} margin-top:4px'>" + html.escape(
        _t("Katalogversion {0}").format(catalogues.active_set().title)) + "</p>")
    return "".join(parts)


class DeadlinesBox(QGroupBox):
    """"Redovisningskalender": the city's deadline, RSA to länsstyrelsen, the yearly indicators."""

    navigate = Signal(str)

    def __init__(self, parent=None, *, link_missing: bool = False):
        super().__init__(_t("Redovisningskalender"), parent)
        self.setObjectName("deadlinesBox")
        self.link_missing = link_missing
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setAccessibleName(_t("Redovisningskalender"))
        self.label.linkActivated.connect(self.navigate.emit)
        lay.addWidget(self.label)

    def set_analysis(self, analysis, today: dt.date | None = None) -> None:
        if analysis is None:
            self.label.setText("")
            return
        self.label.setText(deadlines_html(analysis, today, link_missing=self.link_missing))
