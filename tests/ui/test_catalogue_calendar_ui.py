"""Kataloger and the reporting calendar in the window: Översikt and Rapport show the next deadlines, a catalogue
package is previewed, imported and undone, the glossary shows both definitions with their sources."""

import datetime as dt
import json
import os

from rsa_desktop.services import calendar, catalogues
from rsa_desktop.services import catalogue_update as cu

SHOTS = os.environ.get("RSA_SHOTS_DIR")  # set to keep screenshots (e.g. /tmp/catalog-shots)


def _shot(widget, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def test_overview_and_report_step_show_the_next_deadlines(window, sample, qtbot):
    path, ids = sample
    assert window.open_path(path)
    window.go_to("oversikt")
    qtbot.waitUntil(lambda: not window.status_pending())  # Översikt fills in once RSA-kontroll has run
    overview = window.pages["oversikt"]
    text = overview.deadlines.label.text()
    national = {d.code: d for d in calendar.deadlines(window.session.analysis())}
    assert calendar.format_date(national["rsa_lansstyrelsen"].date) in text
    assert "RSA till länsstyrelsen" in text and "Indikatorer till länsstyrelsen" in text
    assert calendar.format_date(national["indikatorer"].date) in text
    assert "Stadens sista dag för inlämning: inte angiven" in text
    assert "Katalogversion " + catalogues.builtin_set().version in text
    assert overview.deadlines.isVisible()
    _shot(window, "oversikt-kalender")

    # The city's deadline is set in the Rapport step, undoably, and shows in both places.
    window.go_to("rapport")
    report = window.pages["rapport"]
    deadline = dt.date.today() + dt.timedelta(days=20)
    assert report.deadline_group.edit_field("report_deadline", deadline)
    assert window.session.analysis().report_deadline == deadline
    window.go_to("rapport")
    qtbot.waitUntil(lambda: not window.status_pending())  # Översikt fills in once RSA-kontroll has run
    assert calendar.format_date(deadline) in report.deadlines.label.text()
    assert "om 20 dagar" in report.deadlines.label.text()
    _shot(window, "rapport-kalender")
    window.go_to("oversikt")
    qtbot.waitUntil(lambda: not window.status_pending())  # Översikt fills in once RSA-kontroll has run
    assert calendar.format_date(deadline) in overview.deadlines.label.text()
    window.session.undo_stack.undo()
    assert window.session.analysis().report_deadline is None


def test_catalogue_package_is_previewed_imported_and_undone(window, sample, tmp_path, qtbot):
    from rsa_desktop.ui.dialogs.catalogue_dialog import CatalogueDialog

    path, ids = sample
    assert window.open_path(path)
    from rsa_desktop.domain.kinds import KINDS
    from rsa_desktop.ui.widgets.forms import ItemForm

    form = ItemForm(window.session, KINDS["dependency"], ("dep_type",))  # built before the import
    qtbot.addWidget(form)
    dlg = CatalogueDialog(window.session, window)
    qtbot.addWidget(dlg)
    out = dlg.export_to(tmp_path / "ks.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    data["version"], data["name"] = "2026.2", "Stockholms stad"
    for item in data["catalogues"]["dependency_types"]["items"]:
        if item["label"] == "IT-system":
            item["label"] = "IT-system och verksamhetssystem"
    data["catalogues"]["dependency_types"]["items"] = [
        i for i in data["catalogues"]["dependency_types"]["items"] if i["label"] != "El"]
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    bad = tmp_path / "trasig.json"
    bad.write_text('{"format": "rsa-desktop-catalogue-package", "version": "x"}', encoding="utf-8")
    assert not dlg.choose_import(bad)
    assert "giltig version" in dlg.error.text() and not dlg.apply_button.isEnabled()

    assert dlg.choose_import(out)
    preview = dlg.preview.toPlainText()
    assert "1 → 2026.2" in preview or "→ 2026.2" in preview
    assert "IT-system och verksamhetssystem" in preview and "att granska" in preview
    svc = window.session.svc
    assert svc.get("dependency", ids["B1"]).dep_type == "IT-system"  # nothing written by the preview
    dlg.resize(900, 600)
    dlg.show()
    _shot(dlg, "katalogpaket-forhandsgranskning")
    assert dlg.apply_import()
    assert svc.get("dependency", ids["B1"]).dep_type == "IT-system och verksamhetssystem"
    assert ("dependency", ids["B2"]) in svc.review_marks(ids["analysis"])
    assert catalogues.active_set().version == "2026.2"
    assert "Katalogversion 2026.2" in dlg.info.text()
    assert any(e.field == "Katalogpaket" for e in svc.audit_trail())
    form.set_record(svc.get("dependency", ids["B1"]))  # open forms offer the new catalogue
    combo = form.editors["dep_type"].widget
    offered = {combo.itemText(i) for i in range(combo.count())}
    assert "IT-system och verksamhetssystem" in offered and "El" not in offered
    assert combo.currentText() == "IT-system och verksamhetssystem"

    window.session.undo_stack.undo()
    assert svc.get("dependency", ids["B1"]).dep_type == "IT-system"
    assert ("dependency", ids["B2"]) not in svc.review_marks(ids["analysis"])
    assert cu.stored_package(svc) is None and catalogues.active_set().builtin
    window.session.undo_stack.redo()
    assert svc.get("dependency", ids["B1"]).dep_type == "IT-system och verksamhetssystem"
    assert catalogues.active_set().version == "2026.2"
    dlg.close()


def test_glossary_shows_both_definitions_with_their_sources(window, qtbot):
    from rsa_desktop.ui.dialogs.common import GlossaryDialog

    dlg = GlossaryDialog(window, "Samhällsviktig verksamhet")
    qtbot.addWidget(dlg)
    shown = {}
    for row in range(dlg.proxy.rowCount()):
        index = dlg.proxy.index(row, 0)
        dlg.list.setCurrentIndex(index)
        shown[index.data()] = dlg.text.toPlainText()
    old = shown["Samhällsviktig verksamhet"]
    new = shown["Samhällsviktig verksamhet (MSB:s metod 2023)"]
    assert "Källa: MSBFS 2015:5" in old and "allvarlig kris" in old
    assert "samhällsfunktioner som är nödvändiga för samhällets grundläggande behov, värden eller säkerhet" in new
    assert "Källa: MSB:s metod för identifiering av samhällsviktig verksamhet (2023)" in new
    dlg.resize(760, 520)
    dlg.show()
    dlg.list.setCurrentIndex(next(dlg.proxy.index(r, 0) for r in range(dlg.proxy.rowCount())
                                  if dlg.proxy.index(r, 0).data() == "Samhällsviktig verksamhet (MSB:s metod 2023)"))
    _shot(dlg, "ordlista-samhallsviktig")
    dlg.close()


def test_a_file_from_before_catalogue_versions_opens_mapped_and_marked(window, tmp_path, qtbot):
    import sqlite3

    from rsa_desktop.selftest import UNDO_STEP
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    path = tmp_path / "förra året.rsa"
    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd")
        aid = svc.create_analysis(2026).id
        svc.create("function", aid, name="Inköp", preparedness_sector="Handel och industri", operation="egen")
        svc.create("function", aid, name="Växeln", operation="egen",
                   preparedness_sector="Elektroniska kommunikationer, post och cybersäkerhet")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    from rsa_desktop.storage.migrations import CURRENT_VERSION

    for version in range(CURRENT_VERSION, 5, -1):  # undo every step after v5, newest first
        for sql in UNDO_STEP[version]:
            conn.execute(sql)
    conn.execute("PRAGMA user_version = 5")
    conn.close()

    assert window.open_path(path)
    upgrade = window.session.catalogue_upgrade
    assert upgrade is not None and upgrade.new_version == catalogues.builtin_set().version
    svc = window.session.svc
    a = window.session.analysis()
    assert a.catalogue_version == catalogues.builtin_set().version
    names = {f.name: f for f in svc.list("function", a.id)}
    assert names["Växeln"].preparedness_sector == "Elektroniska kommunikationer och post"
    assert svc.review_marks(a.id) == {("function", names["Inköp"].id)}
    window.go_to("oversikt")
    qtbot.waitUntil(lambda: not window.status_pending())  # Översikt fills in once RSA-kontroll has run
    overview = window.pages["oversikt"]
    assert "1 objekt att granska" in overview.review_line.text()
    findings = [f for s in window.statuses.values() for f in s.findings if f.rule == "catalogue_value_invalid"]
    assert len(findings) == 1 and "Handel och industri" in findings[0].message
