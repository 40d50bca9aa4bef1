"""The main window's file actions: open, new, close, save (a no-op: every change is in the file),
save a copy, the demo, restore from a backup, passphrase protection."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox

from rsa_desktop import paths
from rsa_desktop.storage import crypto
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import FileLockedError
from rsa_desktop.ui.app import settings
from rsa_desktop.ui.commands import ops, workers
from rsa_desktop.ui.dialogs import common


class FilesMixin:
    """Arkiv's file actions; the long ones (a copy, the demo) run in a worker."""

    def open_path(self, path: str | Path) -> bool:
        path = Path(path)
        if self.session.is_open and self.session.path.resolve() == path.resolve():
            return True
        passphrase = None
        try:
            while True:
                try:
                    try:
                        doc = Document.open(path, passphrase=passphrase)
                    except FileLockedError as exc:  # another program has it: offer to read it
                        if not common.ask_open_readonly(self, str(exc)):
                            return False
                        doc = Document.open(path, readonly=True, passphrase=passphrase)
                    break
                except (crypto.PassphraseRequiredError, crypto.WrongPassphraseError) as exc:
                    passphrase = common.ask_passphrase(self, path.name,
                                                        wrong=isinstance(exc, crypto.WrongPassphraseError))
                    if passphrase is None:
                        return False
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc, title=self.tr("Filen kunde inte öppnas")):
                raise
            if not path.exists():
                settings.remove_recent_file(path)
                self.welcome.refresh()
            return False
        self.session.set_document(doc)
        self.session.passphrase = passphrase
        settings.add_recent_file(path)
        if doc.migrated_from is not None and doc.backup_path:
            self.statusBar().showMessage(self.tr("Filen uppgraderades till det nya formatet. Originalet finns kvar i {0}.")
                                         .format(doc.backup_path.name), 10000)
        else:
            self.statusBar().showMessage(self.tr("Öppnade {0}").format(path.name), 4000)
        return True

    def open_file(self) -> None:
        start = str(self.session.path.parent) if self.session.is_open else ""
        path = common.choose_open_path(self, start)
        if path:
            self.open_path(path)

    def new_file(self, path: str | Path | None = None) -> bool:
        if path is None:
            # The default document lives in the user data folder; any other place can be chosen.
            start = paths.default_document_path()
            if start.exists():
                start = start.with_name(f"analys {dt.date.today().year + 1}.rsa")
            path = common.choose_save_path(self, self.tr("Ny analysfil"), str(start))
            if not path:
                return False
        path = Path(path)
        if self.session.is_open and self.session.path.resolve() == path.resolve():
            QMessageBox.warning(self, self.tr("Ny analysfil"), self.tr("Filen är redan öppen. Välj ett annat namn."))
            return False
        from rsa_desktop.storage.database import discard_orphan_journals, orphan_notice
        try:
            removed = discard_orphan_journals(path)
            doc = Document.create(path, overwrite=path.exists())
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc, title=self.tr("Filen kunde inte skapas")):
                raise
            return False
        self.session.set_document(doc)
        settings.add_recent_file(path)
        if removed:
            self.statusBar().showMessage(orphan_notice(removed), 12000)
        return True

    def close_document(self) -> None:
        self.session.close()
        settings.forget_last_file()

    def save(self) -> None:
        self.session.set_clean()
        self._update_title()
        self.statusBar().showMessage(self.tr("Allt är redan sparat: varje ändring skrivs till filen när du gör den."), 4000)

    def save_copy(self, dest: str | Path | None = None, on_done=None) -> None:
        if not self.session.is_open:
            return
        if dest is None:
            start = str(self.session.path.with_name(self.session.path.stem + " kopia.rsa"))
            dest = common.choose_save_path(self, self.tr("Spara kopia som"), start)
            if not dest:
                return
        doc = self.session.doc

        def done(path):
            self.statusBar().showMessage(self.tr("En kopia sparades: {0}").format(path), 6000)
            if on_done:
                on_done(path)

        workers.run_in_background(self, self.tr("Sparar en kopia…"), lambda: doc.save_copy(dest), done,
                                  self._background_failed)

    def open_demo(self, path: str | Path | None = None, on_done=None) -> None:
        """Write the demo analysis to its own new file (never over the user's data) and open it."""
        if path is None:
            folder = Path(tempfile.mkdtemp(prefix="rsa-exempel-"))
            path = folder / self.tr("Exempel Överförmyndarförvaltningen.rsa")
        path = Path(path)

        def write():
            from rsa_desktop.services.demo import write_demo
            return write_demo(path)

        def done(result):
            self.open_path(result)
            if on_done:
                on_done(result)

        workers.run_in_background(self, self.tr("Skriver exempelanalysen…"), write, done, self._background_failed)

    def _background_failed(self, exc: BaseException) -> None:
        ops.report_worker_failure(self, exc)

    def restore_from_backup(self) -> bool:
        """Choose a backup; close the file, replace it with the backup, open it again."""
        from rsa_desktop.storage.backups import restore_backup
        from rsa_desktop.ui.views import backups_view
        s = self.session
        if not s.is_open or s.doc.readonly:
            return False
        path = s.path
        s.wait_for_backup()  # the one made on open is listed too
        chosen = backups_view.choose_backup(self, path)
        if chosen is None:
            return False
        if not common.confirm(self, self.tr("Återställ från säkerhetskopia"),
                               self.tr("Vill du ersätta filen med kopian från {0}?").format(
                                   chosen.when.strftime("%Y-%m-%d %H:%M")),
                               self.tr("Det nuvarande innehållet sparas först som en säkerhetskopia. "
                                       "Ångra-historiken töms.")):
            return False
        # Closing and restoring make new backups, which may prune the oldest: work from a copy of the chosen one.
        hold = Path(tempfile.mkdtemp(prefix="rsa-återställ-")) / chosen.path.name
        shutil.copy2(chosen.path, hold)
        passphrase = s.passphrase
        s.close()
        try:
            restore_backup(hold, path, passphrase=passphrase)
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc, title=self.tr("Filen kunde inte återställas")):
                raise
        finally:
            shutil.rmtree(hold.parent, ignore_errors=True)
        if self.open_path(path):
            self.statusBar().showMessage(self.tr("Filen är återställd från kopian {0}.").format(
                chosen.when.strftime("%Y-%m-%d %H:%M")), 8000)
            return True
        return False

    def change_protection(self, new: str | None = None, remove: bool = False, ask: bool = True) -> bool:
        """Arkiv → Skydda med lösenfras…: encrypt the open file, change its passphrase or remove the protection.

        The file is closed, rewritten (with its backups) and opened again.
        """
        from rsa_desktop.storage.backups import change_protection

        s = self.session
        if not s.is_open or s.doc.readonly:
            return False
        if ask:
            dialog = common.NewPassphraseDialog(self, protected=s.doc.encrypted)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            new, remove = dialog.result_passphrase, dialog.remove
        path, current = s.path, s.passphrase
        year = s.analysis().year if s.analysis() else None
        s.close()
        try:
            change_protection(path, current=current, new=None if remove else new)
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc, title=self.tr("Skyddet kunde inte ändras")):
                raise
            new = current
        try:
            doc = Document.open(path, passphrase=None if remove else new)
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc):
                raise
            return False
        s.set_document(doc)
        s.passphrase = None if remove else new
        if year is not None and s.svc.analysis_for_year(year):
            s.set_analysis(s.svc.analysis_for_year(year).id)
        self.statusBar().showMessage(self.tr("Skyddet är borttaget.") if remove
                                     else self.tr("Filen är skyddad med lösenfras."), 6000)
        return True
