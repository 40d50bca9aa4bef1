"""The main window's actions, menus and year toolbar (Arkiv, Redigera, Visa, Analys, Hjälp)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from rsa_desktop.ui.app import settings
from rsa_desktop.ui.app.window_pages import PAGE_KEYS
from rsa_desktop.ui.commands import undo
from rsa_desktop.ui.dialogs import common, templates_ui
from rsa_desktop.ui.steps.step_titles import step_title


class MenusMixin:
    """The menu bar and toolbar of `MainWindow`; the slots they call are the window's (the other parts)."""

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(lambda _c=False: slot())
        return a

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.new_action = self._action(self.tr("&Ny…"), self.new_file, K.New, self.tr("Skapa en ny analysfil"))
        self.open_action = self._action(self.tr("Ö&ppna…"), self.open_file, K.Open, self.tr("Öppna en analysfil"))
        self.demo_action = self._action(self.tr("Öppna &exempel"), self.open_demo, None,
                                        self.tr("Skriv exempelanalysen till en egen fil och öppna den"))
        # Not in the menu and no "*" in the title: every change is already in the file. Ctrl+S, pressed
        # out of habit, only says so.
        self.save_action = self._action(
            self.tr("&Spara"), self.save, K.Save,
            self.tr("Varje ändring sparas redan direkt i filen när du skriver; det finns inget att spara."))
        self.copy_action = self._action(self.tr("Spara &kopia som…"), self.save_copy, K.SaveAs,
                                        self.tr("Skriv en kopia av hela filen under ett annat namn"))
        self.close_action = self._action(self.tr("S&täng"), self.close_document, K.Close, self.tr("Stäng filen"))
        self.restore_backup_action = self._action(self.tr("Åte&rställ från säkerhetskopia…"), self.restore_from_backup,
                                                  None, self.tr("Gå tillbaka till en tidigare kopia av filen"))
        self.protect_action = self._action(self.tr("Skydda med &lösenfras…"), self.change_protection, None,
                                           self.tr("Kryptera filen så att den bara går att öppna med en lösenfras"))
        self.audit_action = self._action(self.tr("Ä&ndringslogg…"), self.show_audit, None,
                                         self.tr("Alla ändringar i analysen: när, av vem, före och efter"))
        self.quit_action = self._action(self.tr("&Avsluta"), self.close, QKeySequence("Ctrl+Q"),
                                        self.tr("Avsluta programmet"))
        stack = self.session.undo_group  # the active stack follows the year switcher
        self.undo_action = stack.createUndoAction(self, self.tr("Ångra"))
        self.undo_action.setShortcuts([QKeySequence(K.Undo)])
        self.redo_action = stack.createRedoAction(self, self.tr("Gör om"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        undo.label_undo_actions(stack, self.undo_action, self.redo_action)  # short toolbar text, full tip
        self.add_item_action = self._action(self.tr("&Lägg till i listan"), self.add_item, QKeySequence("Ctrl+Shift+N"),
                                            self.tr("Lägg till en ny rad i stegets lista"))
        self.duplicate_action = self._action(self.tr("&Duplicera"), self.duplicate_item, QKeySequence("Ctrl+D"),
                                             self.tr("Kopiera den markerade raden"))
        self.delete_action = self._action(self.tr("&Ta bort markerad…"), self.delete_item, QKeySequence("Ctrl+Delete"),
                                          self.tr("Ta bort den markerade raden"))
        self.filter_action = self._action(self.tr("&Filtrera listan"), self.focus_filter, K.Find,
                                          self.tr("Flytta markören till stegets filterruta"))
        self.template_action = self._action(self.tr("Lägg till från &mall…"),
                                            lambda: templates_ui.add_from_template(self, self.session), None,
                                            self.tr("Lägg till typiska verksamheter och beroenden ur en mall"))
        self.new_year_action = self._action(self.tr("&Nytt analysår…"), self.new_year, None,
                                            self.tr("Skapa analysen för ett nytt år i samma fil"))
        self.carry_action = self._action(self.tr("Ny årsanalys från &föregående år…"), self.carry_forward, None,
                                         self.tr("Bygg nästa års analys på en tidigare: allt följer med och "
                                                 "markeras att granska"))
        self.followup_action = self._action(self.tr("&Uppföljning mot föregående år…"), self.show_followup, None,
                                            self.tr("Vad som har ändrats sedan föregående års analys"))
        self.import_action = self._action(self.tr("&Importera från Excel…"), self.import_excel, None,
                                          self.tr("Läs in en ifylld Excelarbetsbok i analysen eller som ett nytt år"))
        self.consolidate_action = self._action(self.tr("Sa&mmanställ inlämningar (KS)…"), self.consolidate, None,
                                               self.tr("Sammanställ förvaltningarnas inlämningar till en "
                                                       "arbetsbok för kommunstyrelsen"))
        self.reopen_action = self._action(self.tr("&Återöppna som utkast"), self.reopen_analysis, None,
                                          self.tr("Gör en fastställd analys redigerbar igen"))
        self.scales_action = self._action(self.tr("S&kalor…"), self.show_scales, None, self.tr(
            "Sannolikhet, konsekvens, dimensioner, färggränser, förmåga, tidshorisonter; skalfiler"))
        self.catalogue_action = self._action(self.tr("Kata&loger…"), self.show_catalogues, None, self.tr(
            "Katalogversion; importera eller exportera ett katalogpaket från kommunstyrelsen"))
        self.glossary_action = self._action(self.tr("&Ordlista"), self.show_glossary, K.HelpContents,
                                            self.tr("Förklaringar av ord och begrepp"))
        self.about_action = self._action(self.tr("&Om RSA Desktop"), lambda: common.show_about(self))
        self.next_step_action = self._action(self.tr("&Nästa steg"), lambda: self._step(1), QKeySequence("Ctrl+PgDown"))
        self.prev_step_action = self._action(self.tr("&Föregående steg"), lambda: self._step(-1),
                                             QKeySequence("Ctrl+PgUp"))
        self.guidance_action = self._action(self.tr("Visa/dölj &vägledning"), self.toggle_guidance,
                                            QKeySequence("Ctrl+G"))
        self.step_actions: list[QAction] = []
        for i, key in enumerate(PAGE_KEYS):
            a = self._action((f"&{i}  " if i < 10 else "") + step_title(key), lambda k=key: self.go_to(k),
                             QKeySequence(f"Ctrl+{i}"))
            self.step_actions.append(a)
        self.addActions([self.undo_action, self.redo_action])

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu(self.tr("&Arkiv"))
        m.addActions([self.new_action, self.open_action])
        self.recent_menu = m.addMenu(self.tr("&Senaste"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        m.addAction(self.demo_action)
        m.addSeparator()
        m.addActions([self.copy_action, self.restore_backup_action, self.protect_action])
        self.addAction(self.save_action)
        m.addSeparator()
        m.addActions([self.import_action, self.consolidate_action])
        m.addSeparator()
        m.addActions([self.close_action, self.quit_action])
        m = mb.addMenu(self.tr("&Redigera"))
        m.addActions([self.undo_action, self.redo_action])
        m.addSeparator()
        m.addActions([self.add_item_action, self.duplicate_action, self.delete_action, self.filter_action])
        m = mb.addMenu(self.tr("&Visa"))
        m.addActions(self.step_actions)
        m.addSeparator()
        m.addActions([self.next_step_action, self.prev_step_action, self.guidance_action])
        m = mb.addMenu(self.tr("A&nalys"))
        m.addAction(self.template_action)
        m.addActions([self.new_year_action, self.carry_action, self.followup_action, self.reopen_action,
                      self.audit_action, self.scales_action, self.catalogue_action])
        m = mb.addMenu(self.tr("&Hjälp"))
        m.addActions([self.glossary_action, self.about_action])

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("Analysår"), self)
        tb.setObjectName("yearToolbar")
        tb.setMovable(False)
        self.addToolBar(tb)
        label = QLabel(self.tr(" Analysår: "), tb)
        tb.addWidget(label)
        self.year_combo = QComboBox(tb)
        self.year_combo.setAccessibleName(self.tr("Analysår"))
        self.year_combo.setMinimumContentsLength(14)
        self.year_combo.activated.connect(lambda i: self.session.set_analysis(self.year_combo.itemData(i)))
        label.setBuddy(self.year_combo)
        tb.addWidget(self.year_combo)
        tb.addAction(self.new_year_action)
        tb.addSeparator()
        tb.addAction(self.undo_action)
        tb.addAction(self.redo_action)
        self.year_toolbar = tb

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = settings.recent_files()
        for p in files:
            a = self.recent_menu.addAction(Path(p).name)
            a.setStatusTip(p)
            a.triggered.connect(lambda _c=False, path=p: self.open_path(path))
        if not files:
            a = self.recent_menu.addAction(self.tr("(inga filer)"))
            a.setEnabled(False)
