"""Analys → Kataloger…: which catalogues the file uses; import (preview first, undoable) and export of a
catalogue package, and going back to the program's catalogues. The work is services/catalogue_update.py."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from rsa_desktop.services import catalogue_update as cu
from rsa_desktop.services import catalogues
from rsa_desktop.services.catalogues import CatalogueError, CatalogueSet
from rsa_desktop.ui.commands import ops
from rsa_desktop.ui.commands.undo import ServiceCommand
from rsa_desktop.ui.widgets import hints

PACKAGE_FILTER = "Katalogpaket (*.json);;Alla filer (*)"


def _t(text: str) -> str:
    return QCoreApplication.translate("catalogues", text)


class ImportCataloguesCommand(ServiceCommand):
    """Use a catalogue package (or the program's catalogues again): undo puts back every editable year, the
    organisation's values and the stored package exactly as they were."""

    def __init__(self, session, package: CatalogueSet):
        text = (_t("Återgå till programmets kataloger") if package.builtin
                else _t("Läs in katalogpaket {0}").format(package.version))
        super().__init__(session, text)
        self.package = package
        self.stack_analysis_id = session.analysis_id
        self.before = self.after = None

    def _state(self):
        svc = self.svc
        tombs = tuple(svc.delete_preview("analysis", a.id) for a in svc.analyses() if not a.archived)
        org = svc.organisation()
        committee = {"committee": org.committee} if org else {}  # the one catalogue field outside the years
        return tombs, committee, cu.package_state(svc)

    def do(self) -> bool:
        from rsa_desktop.storage.backups import make_backup

        self.before = self._state()
        make_backup(self.session.doc, "före-katalogpaket")
        cu.import_package(self.svc, self.package)
        self.after = self._state()
        return self.before != self.after

    def _put(self, state) -> None:
        tombs, committee, package = state
        svc = self.svc
        with svc.batch():  # one transaction: no year is ever missing on disk
            for tomb in tombs:
                svc.delete("analysis", tomb.id)
                svc.restore(tomb)
            if committee and svc.organisation() is not None:
                svc.set_organisation(**committee)
            cu.restore_package_state(svc, package)

    def _redo(self) -> None:
        self._put(self.after)

    def _undo(self) -> None:
        self._put(self.before)


class CatalogueDialog(QDialog):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(_t("Kataloger"))
        self.resize(760, 520)
        lay = QVBoxLayout(self)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        row = QHBoxLayout()
        self.import_button = QPushButton(_t("Importera katalogpaket…"), self)
        self.import_button.clicked.connect(lambda: self.choose_import())
        self.export_button = QPushButton(_t("Exportera katalogpaket…"), self)
        self.export_button.clicked.connect(lambda: self.export_to())
        self.revert_button = QPushButton(_t("Återgå till programmets kataloger"), self)
        self.revert_button.clicked.connect(self.revert)
        for b in (self.import_button, self.export_button, self.revert_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        lay.addWidget(self.error)
        self.preview = QTextBrowser(self)
        self.preview.setAccessibleName(_t("Förhandsgranskning av katalogpaketet"))
        lay.addWidget(self.preview, 1)
        self.apply_row = QHBoxLayout()
        self.apply_button = QPushButton(_t("Läs in"), self)
        self.apply_button.clicked.connect(self.apply_import)
        self.cancel_button = QPushButton(_t("Avbryt inläsningen"), self)
        self.cancel_button.clicked.connect(self._cancel)
        self.apply_row.addStretch(1)
        self.apply_row.addWidget(self.cancel_button)
        self.apply_row.addWidget(self.apply_button)
        lay.addLayout(self.apply_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.pending: CatalogueSet | None = None
        self._load()

    @property
    def read_only(self) -> bool:
        return bool(self.session.doc is None or self.session.doc.readonly)

    def _load(self) -> None:
        current = catalogues.active_set()
        source = (_t("programmets egna kataloger") if current.builtin
                  else _t("ett katalogpaket som lästs in i filen"))
        text = _t("<b>Katalogversion {0}</b> – {1}.").format(html.escape(current.title), source)
        text += "<br>" + _t("Ett katalogpaket från kommunstyrelsen innehåller sektorer, beroendetyper, scenarier, "
                            "stadens organisationer, mallar, ordlista, redovisningskalender och rapportrubriker. "
                            "Värden som inte finns kvar markeras <i>att granska</i>; inget tas bort.")
        self.info.setText(text)
        self.revert_button.setEnabled(not current.builtin and not self.read_only)
        self.import_button.setEnabled(not self.read_only)
        self.apply_button.setEnabled(self.pending is not None)
        self.cancel_button.setEnabled(self.pending is not None)
        if self.pending is None:
            self.preview.setHtml(f"<p style='{hints.hint_css()}'>" + html.escape(
                _t("Välj Importera katalogpaket för att se vad ett paket ändrar innan det läses in.")) + "</p>")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def choose_import(self, path: str | Path | None = None) -> bool:
        """Read and check a package and show what it would change (nothing is written yet)."""
        if self.read_only:
            return False
        if path is None:
            start = str(self.session.path.parent) if self.session.path else ""
            path, _ = QFileDialog.getOpenFileName(self, _t("Importera katalogpaket"), start, _t(PACKAGE_FILTER))
            if not path:
                return False
        try:
            package = catalogues.read_package(path)
            plan = cu.preview(self.session.svc, package)
        except CatalogueError as exc:
            self.pending = None
            self._show_error(str(exc))
            self._load()
            return False
        self.error.hide()
        self.pending = package
        self._show_plan(plan)
        self._load()
        return True

    def _show_plan(self, plan: cu.CataloguePreview) -> None:
        lines = plan.describe()
        parts = [f"<h3>{html.escape(lines[0])}</h3>"]
        parts += [f"<p>{html.escape(line)}</p>" for line in plan.entries]
        if plan.mapped:
            parts.append("<h4>" + html.escape(_t("Värden som får katalogens nya benämning")) + "</h4><ul>")
            parts += [f"<li>{html.escape(c.describe())}</li>" for c in plan.mapped]
            parts.append("</ul>")
        if plan.review:
            parts.append("<h4>" + html.escape(_t("Markeras att granska (en person behöver välja)")) + "</h4><ul>")
            parts += [f"<li>{html.escape(c.describe())}</li>" for c in plan.review]
            parts.append("</ul>")
        if not plan.mapped and not plan.review:
            parts.append("<p>" + html.escape(_t("Inga lagrade värden behöver ändras eller granskas.")) + "</p>")
        self.preview.setHtml("".join(parts))

    def _cancel(self) -> None:
        self.pending = None
        self._load()

    def _run(self, package: CatalogueSet) -> bool:
        res = ops.run_command(self, self.session, ImportCataloguesCommand(self.session, package),
                              expected=(CatalogueError,), on_error=lambda exc: self._show_error(str(exc)))
        if not res.ok:
            return False
        self.session.notify("")
        return True

    def apply_import(self) -> bool:
        if self.pending is None:
            return False
        ok = self._run(self.pending)
        if ok:
            self.pending = None
            self.preview.setHtml("<p>" + html.escape(_t("Katalogpaketet är inläst. Ångra med Ctrl+Z.")) + "</p>")
        self._load()
        return ok

    def revert(self) -> bool:
        ok = self._run(catalogues.builtin_set())
        self._load()
        return ok

    def export_to(self, path: str | Path | None = None) -> Path | None:
        if path is None:
            start = (str(self.session.path.with_name(self.session.path.stem + " kataloger.json"))
                     if self.session.path else "")
            path, _ = QFileDialog.getSaveFileName(self, _t("Exportera katalogpaket"), start, _t(PACKAGE_FILTER))
            if not path:
                return None
            if not str(path).lower().endswith(".json"):
                path = str(path) + ".json"
        try:
            out = cu.export_package(self.session.svc, path)
        except CatalogueError as exc:
            self._show_error(str(exc))
            return None
        self.error.hide()
        return out


def show_catalogues(session, parent=None) -> None:
    if session.svc is None:
        return
    CatalogueDialog(session, parent).exec()
