"""End to end: an empty file → a whole analysis through the UI → the file holds it."""

from __future__ import annotations

import datetime as dt

from helpers import choose_candidate, set_field, type_into_line
from PySide6.QtCore import Qt

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.widgets.links import LinkPanel, RatingGrid


def _panel(section, cls, title_start=""):
    return next(w for w in section.extras if isinstance(w, cls) and w.title().startswith(title_start))


def test_whole_analysis_from_empty_file(window, qtbot, tmp_path, confirm_yes):
    path = tmp_path / "ny analys.rsa"
    Document.create(path).close()  # an empty file: no organisation, no analysis
    assert window.open_path(path)
    assert window.stack.currentWidget() is window.setup

    # Setup: organisation and year
    window.setup.name.setEditText("Överförmyndarförvaltningen")
    window.setup.year.setValue(2026)
    qtbot.mouseClick(window.setup.create_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.workspace
    assert window.current_key() == "uppdrag"
    assert "2026" in window.windowTitle()

    # 1. Uppdrag och avgränsning
    page = window.page("uppdrag")
    form = page.analysis_group.form
    set_field(qtbot, form, "assignment", "Förvaltningschefen har gett uppdraget enligt säkerhetsprogrammet.")
    set_field(qtbot, form, "delimitations", "Gode männens eget arbete ingår inte.")
    set_field(qtbot, form, "method", "Två workshoppar och intervjuer med enhetscheferna.")
    set_field(qtbot, form, "secrecy_marking", "Sekretess enligt 18 kap. 13 § OSL")
    participants = page.section("participant")
    participants.add_item()
    type_into_line(qtbot, participants.form, "name", "Anna Berg")
    type_into_line(qtbot, participants.form, "role", "Processledare")
    assert window.classification_banner.isVisible()
    assert "18 kap. 13" in window.classification_banner.text()

    # 2. Verksamhet
    window.go_to("verksamhet")
    page = window.page("verksamhet")
    set_field(qtbot, page.organisation_group.form, "employees", "60")
    set_field(qtbot, page.organisation_group.form, "committee", "Överförmyndarnämnden")
    set_field(qtbot, page.description_group.form, "business_description", "Tillsyn över gode män och förvaltare.")
    set_field(qtbot, page.description_group.form, "locations", "En lokal på Kungsholmen.")

    # 3. Samhällsviktig verksamhet
    window.go_to("samhallsviktig")
    funcs = window.page("samhallsviktig").section("function")
    v1 = funcs.add_item()
    type_into_line(qtbot, funcs.form, "name", "Tillsyn")
    set_field(qtbot, funcs.form, "is_critical", True)
    type_into_line(qtbot, funcs.form, "max_tolerable_downtime", "3 dygn")
    set_field(qtbot, funcs.form, "minimum_level", "Akuta ärenden hanteras.")
    set_field(qtbot, funcs.form, "criticality_life_health", 3)
    set_field(qtbot, funcs.form, "msb_sector", "Offentlig förvaltning")
    grid = _panel(funcs, RatingGrid)
    horizons = window.session.scales().horizons
    grid.set_level(horizons[2].id, 3)
    v2 = funcs.add_item()
    type_into_line(qtbot, funcs.form, "name", "Utbetalningar")

    # 4. Kritiska beroenden, linked to the functions they serve (with tolerance)
    window.go_to("beroenden")
    deps = window.page("beroenden").section("dependency")
    b1 = deps.add_item()
    type_into_line(qtbot, deps.form, "name", "Verksamhetssystemet")
    set_field(qtbot, deps.form, "dep_type", "IT-system")
    type_into_line(qtbot, deps.form, "expected_outage", "1 dygn")
    serves = _panel(deps, LinkPanel, "Verksamheter som beroendet")
    choose_candidate(serves, "V1")
    qtbot.keyClicks(serves.attr_edits["tolerance"], "8 h")
    qtbot.mouseClick(serves.add_button, Qt.MouseButton.LeftButton)
    assert serves.model.rowCount() == 1
    choose_candidate(serves, "V2")
    qtbot.mouseClick(serves.add_button, Qt.MouseButton.LeftButton)
    assert serves.model.rowCount() == 2
    # change the tolerance in the table (an undoable link edit)
    idx = serves.model.index(0, 1)
    assert serves.model.setData(idx, "12 h")

    # 5. Risker: likelihood, consequence per dimension, links to function and dependency
    window.go_to("risker")
    risks = window.page("risker").section("risk")
    r1 = risks.add_item()
    type_into_line(qtbot, risks.form, "title", "Elavbrott")
    set_field(qtbot, risks.form, "likelihood", 3)
    set_field(qtbot, risks.form, "scenario", "Långvarigt elavbrott")
    cons = _panel(risks, RatingGrid)
    dims = window.session.scales().dimensions
    cons.set_level(dims[1].id, 4)
    _hits = _panel(risks, LinkPanel, "Verksamheter")
    choose_candidate(_hits, "V1")
    qtbot.mouseClick(_hits.add_button, Qt.MouseButton.LeftButton)
    hits_dep = _panel(risks, LinkPanel, "Beroenden")
    choose_candidate(hits_dep, "B1")
    qtbot.mouseClick(hits_dep.add_button, Qt.MouseButton.LeftButton)
    matrix = window.page("risker").matrix
    assert matrix.cell_risks(3, 4) == ["R1"]

    # 6. Sårbarheter och förmåga
    window.go_to("sarbarheter")
    page = window.page("sarbarheter")
    vul = page.section("vulnerability")
    s1 = vul.add_item()
    type_into_line(qtbot, vul.form, "title", "Bara en person kan betala ut")
    page.tabs.setCurrentIndex(1)
    cap = page.section("capability")
    f1 = cap.add_item()
    set_field(qtbot, cap.form, "area", "Krisledning")
    set_field(qtbot, cap.form, "rating", 2)
    set_field(qtbot, cap.form, "motivation", "Planen är inte övad.")

    # 7. Åtgärder, linked to what they treat
    window.go_to("atgarder")
    acts = window.page("atgarder").section("action")
    a1 = acts.add_item()
    type_into_line(qtbot, acts.form, "title", "Utbilda en ersattare")
    type_into_line(qtbot, acts.form, "owner", "Enhetschef")
    set_field(qtbot, acts.form, "deadline", dt.date(2026, 6, 30))
    for title, hid in (("Risker", "R1"), ("Sårbarheter", "S1"), ("Verksamheter", "V2"), ("Beroenden", "B1")):
        p = _panel(acts, LinkPanel, title)
        choose_candidate(p, hid)
        qtbot.mouseClick(p.add_button, Qt.MouseButton.LeftButton)

    # 8. Kontinuitetsplaner with a fallback procedure and a contact; an exercise
    window.go_to("kontinuitet")
    page = window.page("kontinuitet")
    plans = page.section("continuity_plan")
    k1 = plans.add_item()
    type_into_line(qtbot, plans.form, "title", "Plan for tillsyn")
    set_field(qtbot, plans.form, "function_id", v1)
    set_field(qtbot, plans.form, "activation_criteria", "Systemet nere mer än 4 h.")
    fallback_group, contact_group = plans.extras
    fb = fallback_group.section.add_item()
    set_field(qtbot, fallback_group.section.form, "dependency_id", b1)
    set_field(qtbot, fallback_group.section.form, "procedure", "Manuella blanketter, attest av två.")
    set_field(qtbot, fallback_group.section.form, "duration", "3 dygn")
    contact_group.section.add_item()
    type_into_line(qtbot, contact_group.section.form, "name", "Eva Ek")
    page.tabs.setCurrentIndex(1)
    ex = page.section("exercise")
    e1 = ex.add_item()
    set_field(qtbot, ex.form, "exercise_type", "seminarieovning")

    # 9. Rapport: the missing list is computed from the data
    window.go_to("rapport")
    report = window.page("rapport")
    qtbot.waitUntil(lambda: "K1 Plan for tillsyn: planen har aldrig övats." in report.browser.toPlainText())
    text = report.browser.toPlainText()
    assert "Ö1" not in text or "Ny övning" in text
    assert report.export_group.title() == "Export till kommunstyrelsen"

    # Undo and redo across pages
    stack = window.session.undo_stack
    assert stack.undoText() == "Ändra typ av övning på Ö1"
    assert window.undo_action.text() == "Ångra Ändra typ av övning på Ö1"
    stack.undo()
    assert window.session.svc.get("exercise", e1).exercise_type in ("", None)
    assert stack.undoText().startswith("Lägg till övning")
    stack.undo()
    assert window.session.svc.list("exercise", window.session.analysis_id) == []
    window.go_to("kontinuitet")  # hidden pages refresh when shown
    assert ex.model.rowCount() == 0
    stack.redo()
    stack.redo()
    assert [e.id for e in window.session.svc.list("exercise", window.session.analysis_id)] == [e1]
    assert window.session.svc.get("exercise", e1).exercise_type == "seminarieovning"
    assert ex.model.rowCount() == 1

    # New year, switch to it and back
    assert window.new_year(2027)
    assert window.session.analysis().year == 2027
    assert window.year_combo.count() == 2
    window.go_to("samhallsviktig")
    assert funcs.model.rowCount() == 0
    i = window.year_combo.findText("2026", Qt.MatchFlag.MatchStartsWith)
    window.year_combo.setCurrentIndex(i)
    window.year_combo.activated.emit(i)
    assert window.session.analysis().year == 2026
    assert funcs.model.rowCount() == 2
    window.close()

    # Read the file through the services
    doc = Document.open(path)
    try:
        svc = RsaService(doc)
        org = svc.organisation()
        assert org.name == "Överförmyndarförvaltningen" and org.employees == 60
        assert org.committee == "Överförmyndarnämnden"
        a = svc.analysis_for_year(2026)
        assert svc.analysis_for_year(2027) is not None
        assert a.secrecy_marking == "Sekretess enligt 18 kap. 13 § OSL"
        assert a.delimitations == "Gode männens eget arbete ingår inte."
        assert a.locations == "En lokal på Kungsholmen."
        assert [p.name for p in svc.list("participant", a.id)] == ["Anna Berg"]
        f = svc.get("function", v1)
        assert (f.name, f.is_critical, f.max_tolerable_downtime) == ("Tillsyn", True, 3 * 24 * 60)
        assert f.criticality_life_health == 3 and f.msb_sector == "Offentlig förvaltning"
        assert svc.impacts(v1) == {horizons[2].id: 3}
        assert svc.get("function", v2).name == "Utbetalningar"
        d = svc.get("dependency", b1)
        assert (d.name, d.dep_type, d.expected_outage) == ("Verksamhetssystemet", "IT-system", 1440)
        links = {(l.left_id, l.attrs["tolerance"]) for l in svc.links("function_dependency", right_id=b1)}
        assert links == {(v1, 720), (v2, None)}
        r = svc.get("risk", r1)
        assert (r.title, r.likelihood, r.scenario) == ("Elavbrott", 3, "Långvarigt elavbrott")
        assert svc.consequences(r1) == {dims[1].id: 4}
        assert [l.right_id for l in svc.links("risk_function", left_id=r1)] == [v1]
        assert [l.right_id for l in svc.links("risk_dependency", left_id=r1)] == [b1]
        assert svc.get("vulnerability", s1).title == "Bara en person kan betala ut"
        c = svc.get("capability", f1)
        assert (c.area, c.rating, c.motivation) == ("Krisledning", 2, "Planen är inte övad.")
        act = svc.get("action", a1)
        assert (act.title, act.owner, act.deadline) == ("Utbilda en ersattare", "Enhetschef", dt.date(2026, 6, 30))
        assert [l.right_id for l in svc.links("action_risk", left_id=a1)] == [r1]
        assert [l.right_id for l in svc.links("action_vulnerability", left_id=a1)] == [s1]
        assert [l.right_id for l in svc.links("action_function", left_id=a1)] == [v2]
        assert [l.right_id for l in svc.links("action_dependency", left_id=a1)] == [b1]
        plan = svc.get("continuity_plan", k1)
        assert (plan.title, plan.function_id) == ("Plan for tillsyn", v1)
        fbs = svc.list("fallback", k1)
        assert [(x.id, x.dependency_id, x.duration) for x in fbs] == [(fb, b1, 4320)]
        assert [x.name for x in svc.list("contact", k1)] == ["Eva Ek"]
        assert svc.get("exercise", e1).exercise_type == "seminarieovning"
    finally:
        doc.close()
