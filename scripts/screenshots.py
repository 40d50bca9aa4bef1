"""Screenshots of every step at 1366×768 with the demo analysis loaded (offscreen).

    python scripts/screenshots.py [FOLDER]      (default ./screenshots)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RSA_DESKTOP_DATA", tempfile.mkdtemp(prefix="rsa-screens-"))


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from rsa_desktop.services.demo import write_demo
    from rsa_desktop.ui.app import i18n
    from rsa_desktop.ui.app.main_window import PAGE_KEYS, MainWindow
    from rsa_desktop.ui.dialogs.common import GlossaryDialog

    out = Path(argv[0]) if argv else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    i18n.install_translations(app)
    window = MainWindow()
    window.resize(1366, 768)
    window.show()

    def shot(name: str, widget=None) -> None:
        for _ in range(3):
            app.processEvents()
        (widget or window).grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    shot("00-valkommen")
    demo = write_demo(Path(tempfile.mkdtemp(prefix="rsa-exempel-")) / "exempel.rsa")
    add_previous_year(demo)
    window.open_path(demo)
    window.refresh_status()
    for i, key in enumerate(PAGE_KEYS):
        window.go_to(key)
        shot(f"{i + 1:02d}-{key}")
        page = window.page(key)
        tabs = getattr(page, "tabs", None)
        if tabs is not None:
            for t in range(1, tabs.count()):
                tabs.setCurrentIndex(t)
                shot(f"{i + 1:02d}-{key}-flik{t + 1}")
            tabs.setCurrentIndex(0)
    views_shots(window, shot, demo)
    guidance_trust_shots(window, shot)
    glossary = GlossaryDialog(window)
    glossary.show()
    shot("20-ordlista", glossary)
    glossary.close()
    yearly_shots(window, shot, app, out)
    window.close()
    return 0


def add_previous_year(path: Path) -> None:
    """A 2025 analysis with some of the demo's risks placed elsewhere, for "Visa förra årets placering"."""
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    doc = Document.open(path)
    svc = RsaService(doc)
    now = max(svc.analyses(), key=lambda a: a.year)
    with svc.batch():
        prev = svc.create_analysis(now.year - 1)
        dim = svc.scales(prev.id).dimensions[0].id
        for r in svc.list("risk", now.id)[:6]:
            old = svc.create("risk", prev.id, title=r.title, likelihood=max(1, (r.likelihood or 3) - 1))
            svc.set_consequence(old.id, dim, 5 if r.id % 2 else 2)
    doc.close()


def views_shots(window, shot, demo: Path) -> None:
    """The riskmatris, beroendekarta, kontinuitetsgap, avbrottstid and skalor views."""
    from rsa_desktop.ui.dialogs.scale_editor import MappingDialog, ScaleEditorDialog
    from rsa_desktop.ui.views.impact_view import ImpactProposalPanel

    window.go_to("risker")
    page = window.page("risker")
    page.tabs.setCurrentWidget(page.matrix)
    page.matrix.canvas.select_cell(3, 3)
    shot("30-riskmatris-vald-cell")
    page.matrix.canvas.clear_selection()
    page.matrix.residual_check.setChecked(True)
    shot("31-riskmatris-restrisk")
    page.matrix.residual_check.setChecked(False)
    if page.matrix.previous_check.isVisible():
        page.matrix.previous_check.setChecked(True)
        shot("32-riskmatris-forra-aret")
        page.matrix.previous_check.setChecked(False)
    page.tabs.setCurrentIndex(0)
    window.go_to("beroenden/beroendekarta")
    dep = window.page("beroenden")
    dep.depmap.select(dep.depmap.graph.nodes[0].id if dep.depmap.graph and dep.depmap.graph.nodes else "")
    shot("33-beroendekarta")
    window.go_to("beroenden/kontinuitetsgap")
    shot("34-kontinuitetsgap")
    dep.tabs.setCurrentIndex(0)
    window.go_to("samhallsviktig")
    sec = window.page("samhallsviktig").section("function")
    panel = next(w for w in sec.extras if isinstance(w, ImpactProposalPanel))
    sec.scroll.ensureWidgetVisible(panel)
    shot("35-avbrottstid-forslag")
    dlg = ScaleEditorDialog(window.session, window)
    dlg.show()
    shot("36-skalor", dlg)
    model = dlg.editors["consequence_levels"].model
    model.remove_row(4)
    mapping = MappingDialog(dlg.svc, dlg.analysis_id, dlg.template, dlg.stored, dlg)
    mapping.show()
    shot("37-skalor-mappning", mapping)
    mapping.fill_suggestion()
    shot("38-skalor-mappning-ifylld", mapping)
    mapping.close()
    dlg.close()


def guidance_trust_shots(window, shot) -> None:
    """Dialogs of the guidance and trust work: template, new year, draft, scales, backups, Ändringslogg."""
    from rsa_desktop.services import drafts
    from rsa_desktop.ui.dialogs import templates_ui
    from rsa_desktop.ui.steps import drafting
    from rsa_desktop.ui.views import backups_view

    s = window.session
    window.go_to("uppdrag")
    window.page("uppdrag").guidance.label.linkActivated.emit("ordlista:VoR")
    glossary = window.page("uppdrag").guidance.glossary
    shot("40-ordlista-vor", glossary)
    glossary.close()
    dlg = templates_ui.NewYearDialog(window, [a.year for a in s.svc.analyses()])
    dlg.picker.enabled.setChecked(True)
    dlg.show()
    shot("41-nytt-ar-mall", dlg)
    dlg.close()
    draft, _ = drafts.offer_summary(s.svc, s.analysis_id)
    dlg = drafting.SummaryDraftDialog(draft, s.analysis().summary or "", window)
    dlg.show()
    shot("42-foresla-sammanfattning", dlg)
    dlg.close()
    dlg = drafting.ScalesDialog(s.scales(), False, False, window)
    dlg.show()
    shot("43-skalor-granska", dlg)
    dlg.close()
    dlg = backups_view.BackupDialog(s.path, window)
    dlg.show()
    shot("44-sakerhetskopior", dlg)
    dlg.close()
    window.go_to("risker")
    dlg = window.show_audit()
    shot("45-andringslogg", dlg)
    dlg.close()
    f = next((f for f in window.findings if f.kind not in ("", "analysis")), None)
    if f is not None:
        window.go_to_finding(f)
        shot("46-ga-till")


def yearly_shots(window, shot, app, out: Path) -> None:
    """The yearly cycle and KS: carry forward, archived year, att granska, Uppföljning, Excel import, KS."""
    import datetime as dt
    import warnings

    import openpyxl
    from PySide6.QtCore import QThreadPool

    from rsa_desktop.reports.xlsx import export_xlsx
    from rsa_desktop.ui.commands import undo
    from rsa_desktop.ui.dialogs import consolidate_dialog
    from rsa_desktop.ui.views import yearly

    def settle():
        QThreadPool.globalInstance().waitForDone()
        for _ in range(5):
            app.processEvents()

    s = window.session
    dlg = yearly.CarryForwardDialog(window, s.svc.analyses(), s.analysis_id)
    dlg.show()
    shot("50-ny-arsanalys", dlg)
    dlg.close()
    created = []
    window.carry_forward(ask=False, on_done=created.append)
    settle()
    new = created[0]
    risks = s.svc.list("risk", new)
    for r in risks[:3]:
        undo.execute(s, undo.UpdateCommand(s, "risk", r.id, {"likelihood": 5 if (r.likelihood or 1) < 5
                                                                      else 2}))
    window.go_to("samhallsviktig")
    window.page("samhallsviktig").section("function").add_item({"name": "Digital brevlåda för ställföreträdare"})
    window.refresh_status()
    window.go_to("oversikt")
    shot("51-oversikt-att-granska")
    window.go_to("risker")
    shot("52-risker-granska")
    prev = window.previous_analysis()
    dlg = window.show_followup()
    shot("53-uppfoljning", dlg)
    dlg.close()
    window.set_year(prev.year)
    window.go_to("risker")
    shot("54-arkiverad")
    window.set_year(s.svc.analysis(new).year)

    folder = Path(tempfile.mkdtemp(prefix="rsa-import-"))
    src = export_xlsx(s.svc, new, folder / "export.xlsx", today=dt.date.today())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(src)
    ws = wb["Risker"]
    head = {c.value: c.column for c in ws[4]}
    ws.cell(5, head["Sannolikhet"]).value = 1
    ws.cell(6, head["Rubrik"]).value = "Ändrad rubrik från Excel"
    ws.cell(7, head["Sannolikhet"]).value = 9
    wb.save(folder / "ifylld.xlsx")
    ready = []
    window.import_excel(folder / "ifylld.xlsx", on_ready=ready.append)
    settle()
    dlg = ready[0]
    dlg.tabs.setCurrentIndex(0)
    shot("55-import-andringar", dlg)
    dlg.tabs.setCurrentIndex(1)
    shot("56-import-problem", dlg)
    dlg.close()

    from tests.support.submissions import generate_submissions
    subs = folder / "inlamningar"
    generate_submissions(subs, 4, xlsx_every=2)
    (subs / "trasig.rsa").write_bytes(b"ingen analysfil" * 40)
    dlg = consolidate_dialog.ConsolidateDialog(window)
    dlg.add_paths([subs])
    dlg.xlsx_edit.setText(str(folder / "KS.xlsx"))
    dlg.show()
    shot("57-ks-sammanstall", dlg)
    dlg.run()
    settle()
    shot("58-ks-resultat", dlg.summary_dialog)
    dlg.summary_dialog.close()
    dlg.close()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
