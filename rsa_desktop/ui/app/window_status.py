"""The step statuses and RSA-kontroll in the main window, recomputed on a worker after each change."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from rsa_desktop.ui.app.window_pages import is_step_page
from rsa_desktop.ui.commands import workers
from rsa_desktop.ui.steps import completeness, findings

STATE_TIPS = {"klar": "Klart", "paborjad": "Påbörjat", "ej_paborjad": "Inte påbörjat"}


def _status_icon(state: str) -> QIcon:
    pm = QPixmap(16, 16)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if state == "klar":
        p.setBrush(QColor("#2e7d32"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(1, 1, 14, 14)
        p.setPen(QPen(QColor("white"), 2))
        p.drawPolyline([QPoint(4, 8), QPoint(7, 11), QPoint(12, 5)])
    elif state == "paborjad":
        p.setPen(QPen(QColor("#b26a00"), 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(2, 2, 12, 12)
        p.setBrush(QColor("#b26a00"))
        p.drawPie(2, 2, 12, 12, 90 * 16, 180 * 16)
    elif state == "ej_paborjad":
        p.setPen(QPen(QColor("#9e9e9e"), 2))
        p.drawEllipse(2, 2, 12, 12)
    p.end()
    return QIcon(pm)


class StatusMixin:
    """The navigator's status icons and the findings on the step pages.

    A burst of edits restarts the timer (one recomputation); the file is read once on the GUI thread (or
    by the worker with a service of its own) and the checks run on a worker thread; a result is shown only
    when no change came after the read it was computed from. Uses the timer, the change counters and the
    job that `MainWindow.__init__` creates."""

    def status_pending(self) -> bool:
        """True while the statuses and RSA-kontroll shown are older than the data (a recomputation is queued
        or running): what is shown is then marked "kontrollerar…"."""
        return self._status_timer.isActive() or self._status_job.running or self._status_shown != self._status_gen

    def _status_changed(self) -> None:
        self._status_gen += 1
        self._set_checking(True)
        self._status_timer.start()  # restarted by every change of a burst

    _checking_header = None  # (findings panel, its header before "kontrollerar…")

    def _set_checking(self, on: bool) -> None:
        self.checking_label.setVisible(on and self.session.is_open)
        checking = "<b>" + self.tr("RSA-kontroll:") + "</b> " + self.tr("kontrollerar…")
        if self._checking_header is not None:  # unchanged findings are not laid out again: put the header back
            panel, text = self._checking_header
            self._checking_header = None
            try:
                if panel.header.text() == checking:
                    panel.header.setText(text)
            except RuntimeError:  # the page is gone
                pass
        if on:
            page = self.pages.get(self.current_key()) if self.pages.is_built(self.current_key()) else None
            panel = getattr(page, "findings_panel", None)
            if panel is not None:
                self._checking_header = (panel, panel.header.text())
                panel.header.setText(checking)

    def _start_status_job(self) -> None:
        if self._status_job.running:
            return  # its result is out of date when it comes; _status_done starts the next one
        if workers.busy():  # an export or import holds the file (and the session's batch): check after it
            self._status_timer.start(200)
            return
        self._status_timer.setInterval(30)
        s = self.session
        if not s.svc or s.analysis_id is None:
            self._status_shown = self._status_gen
            self._set_checking(False)
            return
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.services.source import ReviewSource, read_source, reads_on_any_thread
        gen, aid = self._status_gen, s.analysis_id
        if reads_on_any_thread(s.svc):
            # The one read of the file on the worker too, with a service of its own (a service's batch is
            # not shared between threads); the session waits for it before it closes the file.
            doc = s.doc
            work = lambda: completeness.assess_all(ReviewSource(RsaService(doc), aid), aid)  # noqa: E731
        else:  # one in-memory connection for everyone (a protected file): read it here
            source = read_source(s.svc, aid)
            work = lambda: completeness.assess_all(source, aid)  # noqa: E731
        self._status_job.start(work, lambda result: self._status_done(gen, result),
                               lambda exc: self._status_failed(gen, exc))

    def _status_done(self, gen: int, result) -> None:
        if gen != self._status_gen:  # a change came after the read: never show this as current
            if self._status_shown != self._status_gen and not self._status_timer.isActive():
                self._start_status_job()
            return
        self._apply_status(result)
        self._status_shown = gen
        self._set_checking(False)
        if self.warm_pages:
            QTimer.singleShot(0, self._warm_one)

    def _status_failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._status_gen:  # e.g. the file was closed or changed under the read: try the newer state
            if self._status_shown != self._status_gen and not self._status_timer.isActive():
                self._start_status_job()
            return
        self._status_shown = self._status_gen
        self._set_checking(False)
        self._background_failed(exc)

    def refresh_status(self) -> None:
        """Compute and show the statuses now, on this thread (a recomputation under way is superseded)."""
        self._status_timer.stop()
        s = self.session
        if not s.svc or s.analysis_id is None:
            return
        from rsa_desktop.services.source import read_source
        result = completeness.assess_all(read_source(s.svc, s.analysis_id), s.analysis_id)
        self._status_gen += 1  # a result still on its way is older than this one
        self._apply_status(result)
        self._status_shown = self._status_gen
        self._set_checking(False)

    def _apply_status(self, result) -> None:
        self.statuses, snap, self.findings = result.statuses, result.snapshot, result.findings
        self.session.cached("gap_findings", lambda: result.gaps)  # the gap line and tab use the same gaps
        for row in range(self.navigator.count()):
            item = self.navigator.item(row)
            key = item.data(Qt.ItemDataRole.UserRole)
            st = self.statuses.get(key)
            if st is None:
                continue
            item.setIcon(_status_icon(st.state))
            tip = self.tr(STATE_TIPS[st.state])
            if st.findings and st.started:
                tip += " – " + findings.count_text(st.findings)
            item.setToolTip(tip)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, tip)
        for key, page in self.pages.built():
            if is_step_page(page):
                page.set_findings(self.statuses[key].findings)
        self.pages["oversikt"].set_data(self.statuses, snap)
        if self.pages.is_built("rapport"):
            self.pages["rapport"].set_statuses(self.statuses)

    def go_to_finding(self, finding) -> None:
        """"Gå till" on an RSA-kontroll finding: its page, its item selected, its field focused."""
        findings.go_to_finding(self, finding)
