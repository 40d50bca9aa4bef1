"""The main window: welcome screen, step navigator, pages, menus, year switcher, banners, undo.

This module is the window's shell: its widgets, signals and the state shown in banners and title. Its parts
are mixins in this package: menus and toolbar (window_menus.py), the step statuses and RSA-kontroll on a
worker (window_status.py), the pages and navigation (window_pages.py), file actions (window_files.py), the
analysis years and the dialogs it opens (window_analysis.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rsa_desktop import APP_NAME
from rsa_desktop.domain.kinds import SECURITY_CLASSES
from rsa_desktop.ui.app import settings
from rsa_desktop.ui.app.crash_notice import CrashNotice
from rsa_desktop.ui.app.session import DocumentSession
from rsa_desktop.ui.app.welcome import SetupPage, WelcomePage
from rsa_desktop.ui.app.window_analysis import AnalysisMixin
from rsa_desktop.ui.app.window_files import FilesMixin
from rsa_desktop.ui.app.window_menus import MenusMixin
from rsa_desktop.ui.app.window_pages import PAGE_KEYS, Pages, PagesMixin, is_step_page
from rsa_desktop.ui.app.window_status import StatusMixin
from rsa_desktop.ui.commands import workers
from rsa_desktop.ui.steps import completeness
from rsa_desktop.ui.steps.step_titles import step_title


class MainWindow(PagesMixin, StatusMixin, MenusMixin, FilesMixin, AnalysisMixin, QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        from rsa_desktop.ui.app import gc_guard, input_guard
        input_guard.install()  # wheel and undo rules for every widget of the program (ui/app/input_guard.py)
        gc_guard.install()  # Qt wrappers are freed on the GUI thread, never on a worker's (ui/app/gc_guard.py)
        self.session = DocumentSession(self)
        self.pages = Pages(self._build_page)  # built on first use: ten pages cost start-up time
        self.warm_pages = True  # build the others one by one when the window is idle (after the first statuses)
        self.statuses: dict[str, completeness.StepStatus] = {}
        self.findings: list = []  # RSA-kontroll of the current analysis (services/review.py)
        # RSA-kontroll and the step statuses after a change: a burst of edits restarts the timer (one
        # recomputation), the file is read once on the GUI thread and the checks run on a worker thread;
        # a result is shown only when no change came after the read it was computed from.
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(30)
        self._status_timer.timeout.connect(self._start_status_job)
        self._status_gen = 0  # counts changes of the data
        self._status_shown = 0  # the change count the shown statuses were computed for
        self._status_job = workers.Job(self)
        self.session.add_reader(self._status_job)  # the file is not closed while it reads
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(QSize(1000, 640))

        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.crash_notice = CrashNotice(central)  # ui/app/crash_notice.py: after an abnormal end only
        lay.addWidget(self.crash_notice)
        self.classification_banner = QLabel(central)
        self.classification_banner.setObjectName("classificationBanner")
        self.classification_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.classification_banner.setWordWrap(True)
        self.classification_banner.hide()
        lay.addWidget(self.classification_banner)
        self.readonly_banner = QFrame(central)
        self.readonly_banner.setObjectName("readonlyBanner")
        self.readonly_banner.setStyleSheet("#readonlyBanner { background: #fff4ce; border-bottom: 1px solid #e0c060; }")
        rb = QHBoxLayout(self.readonly_banner)
        rb.setContentsMargins(10, 4, 10, 4)
        self.readonly_label = QLabel(self.readonly_banner)
        self.readonly_label.setWordWrap(True)
        rb.addWidget(self.readonly_label, 1)
        self.reopen_button = QPushButton(self.tr("Återöppna som utkast"), self.readonly_banner)
        self.reopen_button.clicked.connect(self.reopen_analysis)
        rb.addWidget(self.reopen_button)
        self.unarchive_button = QPushButton(self.tr("Avarkivera"), self.readonly_banner)
        self.unarchive_button.setToolTip(self.tr("Gör den arkiverade analysen redigerbar igen (kan ångras)"))
        self.unarchive_button.clicked.connect(lambda: self.unarchive_analysis())
        rb.addWidget(self.unarchive_button)
        self.readonly_banner.hide()
        lay.addWidget(self.readonly_banner)

        self.stack = QStackedWidget(central)
        lay.addWidget(self.stack, 1)
        self.welcome = WelcomePage(self.stack)
        self.welcome.newRequested.connect(lambda: self.new_file())
        self.welcome.openRequested.connect(lambda: self.open_file())
        self.welcome.demoRequested.connect(lambda: self.open_demo())
        self.welcome.recentRequested.connect(self.open_path)
        self.stack.addWidget(self.welcome)
        self.setup = SetupPage(self.stack)
        self.setup.createRequested.connect(self.create_analysis)
        self.stack.addWidget(self.setup)

        self.workspace = QSplitter(Qt.Orientation.Horizontal, self.stack)
        self.navigator = QListWidget(self.workspace)
        self.navigator.setAccessibleName(self.tr("Steg i analysen"))
        self.navigator.setIconSize(QSize(16, 16))
        self.navigator.setMinimumWidth(210)
        self.navigator.setMaximumWidth(260)
        self.navigator.setSpacing(1)
        # At 1024 px and narrower a long step name wraps instead of being cut behind a sideways scroll bar.
        self.navigator.setWordWrap(True)
        self.navigator.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.navigator.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigator.setStyleSheet("QListWidget { font-size: 10.5pt; } QListWidget::item { padding: 5px 4px; }")
        self.page_stack = QStackedWidget(self.workspace)
        for i, key in enumerate(PAGE_KEYS):
            text = step_title(key) if key == "oversikt" else f"{i}. {step_title(key)}"
            item = QListWidgetItem(text, self.navigator)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.page_stack.addWidget(QWidget(self.page_stack))  # a placeholder until the page is first needed
        self.pages["oversikt"]  # the first page shown
        self.navigator.currentRowChanged.connect(self._show_row)
        self.workspace.addWidget(self.navigator)
        self.workspace.addWidget(self.page_stack)
        self.workspace.setStretchFactor(1, 1)
        self.workspace.setChildrenCollapsible(False)
        self.stack.addWidget(self.workspace)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.statusBar().showMessage(self.tr("Klar"), 2000)
        self.checking_label = QLabel(self.tr("RSA-kontroll: kontrollerar…"), self)
        self.checking_label.setAccessibleName(self.tr("RSA-kontrollen räknas om"))
        self.checking_label.hide()
        self.statusBar().addPermanentWidget(self.checking_label)

        self.session.documentChanged.connect(self._on_document_changed)
        self.session.analysisChanged.connect(self._on_analysis_changed)
        self.session.changed.connect(self._on_data_changed)
        self.session.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.session.undo_group.cleanChanged.connect(self._update_title)  # undo per analysis year (QUndoGroup)
        self.session.undo_group.indexChanged.connect(self._update_title)
        self._on_document_changed()

    # -- state --------------------------------------------------------------------------------------

    def _on_document_changed(self) -> None:
        s = self.session
        has_doc = s.is_open
        for a in (self.save_action, self.copy_action, self.close_action, self.new_year_action,
                  self.restore_backup_action, self.audit_action):
            a.setEnabled(has_doc)
        self.restore_backup_action.setEnabled(has_doc and not s.doc.readonly)
        self.catalogue_action.setEnabled(has_doc)
        self.protect_action.setEnabled(has_doc and not s.doc.readonly)
        self.protect_action.setText(self.tr("Byt eller ta bort &lösenfras…") if has_doc and s.doc.encrypted
                                    else self.tr("Skydda med &lösenfras…"))
        self.year_toolbar.setVisible(has_doc)
        if not has_doc:
            self.welcome.refresh()
            self.stack.setCurrentWidget(self.welcome)
        self._update_title()

    def _on_analysis_changed(self) -> None:
        s = self.session
        if s.is_open and s.analysis_id is None:
            self.setup.prefill(s.organisation())
            self.stack.setCurrentWidget(self.setup)
        elif s.is_open:
            self.stack.setCurrentWidget(self.workspace)
            if self.navigator.currentRow() < 0:
                self.navigator.setCurrentRow(0)
        self._fill_years()
        self._apply_analysis_state()
        self._status_changed()

    def _on_data_changed(self, kind: str) -> None:
        if kind in ("analysis", "organisation", ""):
            self._fill_years()
            self._apply_analysis_state()
        self._status_changed()

    def _fill_years(self) -> None:
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        if self.session.svc:
            for a in self.session.svc.analyses():
                from rsa_desktop.ui.views.yearly import year_text
                self.year_combo.addItem(year_text(a), a.id)
            self.year_combo.setCurrentIndex(max(self.year_combo.findData(self.session.analysis_id), 0))
        self.year_combo.setEnabled(self.year_combo.count() > 1)
        self.year_combo.blockSignals(False)

    def _apply_analysis_state(self) -> None:
        a = self.session.analysis()
        ro = self.session.read_only()
        file_ro = bool(self.session.doc and self.session.doc.readonly)
        archived = a is not None and bool(a.get("archived"))
        self.readonly_banner.setVisible(file_ro or archived or (a is not None and a.status == "faststalld"))
        self.reopen_button.setVisible(not file_ro and not archived)
        self.unarchive_button.setVisible(not file_ro and archived)
        if file_ro:
            self.readonly_label.setText(self.tr(
                "<b>Filen är öppen skrivskyddad.</b> Du kan läsa analysen men inte ändra den. "
                "Vill du ändra något: stäng filen och öppna den igen när ingen annan har den öppen."))
        elif archived:
            self.readonly_label.setText(self.tr(
                "<b>Arkiverad: en senare årsanalys bygger på den.</b> Analysen för {0} visas skrivskyddad. "
                "Ändringar görs i den nya analysen; avarkivera bara om den här verkligen ska ändras.").format(a.year))
        elif a is not None and a.status == "faststalld":
            when = a.adopted_date.isoformat() if a.adopted_date else ""
            decision = f" ({a.adopted_decision})" if a.adopted_decision else ""
            self.readonly_label.setText(self.tr(
                "<b>Analysen för {0} är fastställd</b> {1}{2} och visas skrivskyddad. "
                "Vill du ändra något: återöppna den som utkast.").format(a.year, when, decision))
        self.reopen_action.setEnabled(a is not None and a.status == "faststalld" and not file_ro)
        self.new_year_action.setEnabled(self.session.is_open and not file_ro)
        self.carry_action.setEnabled(self.session.is_open and not file_ro and a is not None)
        self.template_action.setEnabled(a is not None and not ro)
        self.import_action.setEnabled(self.session.is_open and not file_ro and a is not None)
        self.followup_action.setEnabled(self.previous_analysis() is not None)
        for _key, page in self.pages.built():
            if is_step_page(page):
                page.set_read_only(ro)
        for act in (self.add_item_action, self.duplicate_action, self.delete_action):
            act.setEnabled(not ro)
        self._update_classification(a)
        self._update_title()

    def _update_classification(self, a) -> None:
        if a is None or not (a.secrecy_marking or a.security_class):
            self.classification_banner.hide()
            return
        parts = []
        if a.security_class:
            label = dict(SECURITY_CLASSES).get(a.security_class, a.security_class)
            parts.append(self.tr("SÄKERHETSSKYDDSKLASS: {0}").format(label.upper()))
        if a.secrecy_marking:
            parts.append(self.tr("SEKRETESS: {0}").format(a.secrecy_marking))
        colour = "#b3261e" if a.security_class else "#c25e00"
        self.classification_banner.setText("   ·   ".join(parts))
        self.classification_banner.setAccessibleName(self.tr("Klassificering"))
        self.classification_banner.setStyleSheet(
            f"#classificationBanner {{ background: {colour}; color: white; font-weight: 700; padding: 4px; }}")
        self.classification_banner.show()

    def _update_title(self, *_args) -> None:
        s = self.session
        if not s.is_open:
            self.setWindowTitle(APP_NAME)
            return
        a = s.analysis()
        year = self.tr(" – analys {0}").format(a.year) if a else ""
        self.setWindowTitle(f"{s.path.name}{year} – {APP_NAME}")  # no "*": every change is already in the file

    # -- window ---------------------------------------------------------------------------------------

    def restore_geometry(self) -> None:
        g, st = settings.geometry()
        if g is not None:
            self.restoreGeometry(g)
        if st is not None:
            self.restoreState(st)

    def closeEvent(self, event) -> None:
        settings.save_geometry(self.saveGeometry(), self.saveState())
        self.session.close()
        super().closeEvent(event)
