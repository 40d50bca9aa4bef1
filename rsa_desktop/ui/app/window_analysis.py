"""The main window's analysis years and the dialogs it opens: the first analysis, a new year (from a
template or carried forward), archive, Uppföljning, Excel import and KS consolidation, reopen,
Ändringslogg, Skalor, Kataloger, Ordlista."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from rsa_desktop.services import organisations
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.ui.commands import ops, undo
from rsa_desktop.ui.dialogs import common, templates_ui


class AnalysisMixin:
    """The Analys menu (and Arkiv's import and consolidation): each opens its view or dialog module lazily."""

    def create_analysis(self, org_name: str, org_type: str, year: int, template=None) -> bool:
        """The first analysis of a file (and its organisation), optionally from a template; undoable
        (the organisation stays: it is the file's starting point)."""
        svc = self.session.svc
        template = template if template is not None else self.setup.template.choice()
        values = organisations.organisation_values(org_name, org_type)  # with its nämnd from the catalogue
        try:
            org = svc.organisation()
            if org is None or (org_name and (org.name != values["name"] or (values.get("committee")
                                                                          and not org.committee))):
                svc.set_organisation(**values)
        except ValidationError as exc:
            self.setup.show_error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc):
                raise
            return False
        if not self._create_year(year, template, on_invalid=self.setup.show_error):
            return False
        self.session.notify("")
        self.go_to("uppdrag")
        return True

    def _create_year(self, year: int, template, on_invalid) -> bool:
        cmd = undo.CreateAnalysisCommand(self.session, year, template.code if template else None,
                                             list(template.selected) if template else None,
                                             template.label if template else "")
        try:
            undo.execute(self.session, cmd)
        except ValidationError as exc:
            on_invalid(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc):
                raise
            return False
        self.session.set_analysis(cmd.analysis_id)
        return True

    def new_year(self, year: int | None = None, template=None) -> bool:
        """“Nytt analysår…”: a new analysis year, optionally from a template; undoable."""
        svc = self.session.svc
        if svc is None:
            return False
        if year is None:
            answer = templates_ui.ask_new_year(self, [a.year for a in svc.analyses()])
            if answer is None:
                return False
            year, template = answer
            if template is templates_ui.CARRY_FORWARD:
                return self.carry_forward(year=year)
        if not self._create_year(year, template, lambda text: QMessageBox.warning(self, self.tr("Nytt analysår"), text)):
            return False
        self.statusBar().showMessage(self.tr("Analysen för {0} är skapad. Ångra med Ctrl+Z.").format(year), 4000)
        return True

    def carry_forward(self, source_id: int | None = None, year: int | None = None, ask: bool = True,
                      on_done=None) -> bool:
        """Analys → Ny årsanalys från föregående år…"""
        from rsa_desktop.ui.views import yearly
        return yearly.carry_forward(self, source_id, year, ask=ask, on_done=on_done)

    def unarchive_analysis(self, ask: bool = True) -> bool:
        from rsa_desktop.ui.views import yearly
        return yearly.unarchive(self, ask)

    def previous_analysis(self):
        """The year the shown one follows up (None when there is no earlier year)."""
        s = self.session
        if s.svc is None or s.analysis_id is None:
            return None
        from rsa_desktop.services.followup import previous_analysis
        aid = s.analysis_id
        return s.cached(("previous_analysis", aid), lambda: previous_analysis(s.svc, aid))

    def show_followup(self):
        """Analys → Uppföljning mot föregående år…"""
        from rsa_desktop.ui.views import followup_view
        if self.previous_analysis() is None:
            return None
        self.followup_dialog = followup_view.open_followup(self)
        return self.followup_dialog

    def import_excel(self, path: str | Path | None = None, on_ready=None):
        """Arkiv → Importera från Excel…"""
        from rsa_desktop.ui.dialogs import import_dialog
        return import_dialog.start_import(self, path, on_ready=on_ready)

    def consolidate(self):
        """Arkiv → Sammanställ inlämningar (KS)…"""
        from rsa_desktop.ui.dialogs import consolidate_dialog
        self.consolidate_dialog = consolidate_dialog.ConsolidateDialog(self)
        self.consolidate_dialog.show()
        return self.consolidate_dialog

    def set_year(self, year: int) -> bool:
        svc = self.session.svc
        rec = svc.analysis_for_year(year) if svc else None
        if rec is None:
            return False
        self.session.set_analysis(rec.id)
        return True

    def reopen_analysis(self) -> None:
        a = self.session.analysis()
        if a is None or a.status != "faststalld":
            return
        cmd = undo.UpdateCommand(self.session, "analysis", a.id, {"status": "utkast"})
        cmd.setText(self.tr("Återöppna analysen {0} som utkast").format(a.year))
        try:
            undo.execute(self.session, cmd)
        except Exception as exc:  # noqa: BLE001
            if not ops.report_failure(self, exc, title=self.tr("Återöppna")):
                raise
            return

    def show_audit(self, kind: str | None = None, item_id: int | None = None, only_item: bool = False):
        """Analys → Ändringslogg…; the current selection is what "Bara valt objekt" means."""
        from rsa_desktop.ui.views import audit_view
        if not self.session.is_open:
            return None
        if kind is None:
            sec = self.active_section()
            rec = sec.current() if sec is not None else None
            if rec is not None:
                kind, item_id = sec.kind, rec.id
        self.audit_dialog = audit_view.open_audit(self.session, self, kind, item_id, only_item)
        return self.audit_dialog

    def show_scales(self) -> None:
        from rsa_desktop.ui.dialogs.scale_editor import show_scale_editor

        show_scale_editor(self.session, self)

    def show_catalogues(self) -> None:
        from rsa_desktop.ui.dialogs.catalogue_dialog import show_catalogues

        show_catalogues(self.session, self)

    def show_glossary(self) -> None:
        common.GlossaryDialog(self).exec()
