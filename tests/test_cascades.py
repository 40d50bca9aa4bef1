"""Deletes take their dependents with them (foreign keys are on), and an undo restores all of it."""

import pytest
from sqlalchemy import text

from rsa_desktop.services.errors import NotFoundError


def build(svc, aid):
    f = svc.create("function", aid, name="Akuta ärenden", is_critical=True)
    d = svc.create("dependency", aid, name="Verksamhetssystemet", dep_type="IT-system")
    el = svc.create("dependency", aid, name="El", dep_type="El")
    r = svc.create("risk", aid, title="Cyberangrepp", likelihood=3)
    a = svc.create("action", aid, title="Reservrutin")
    p = svc.create("continuity_plan", aid, title="Plan för akuta ärenden", function_id=f.id)
    fb = svc.create("fallback", p.id, procedure="Pappersrutin", dependency_id=d.id)
    svc.create("contact", p.id, name="Åsa", phone="08-508 000 00")
    x = svc.create("exercise", aid, title="Seminarieövning", plan_id=p.id)
    scales = svc.scales(aid)
    svc.set_impact(f.id, scales.horizons[0].id, 2)
    svc.set_consequence(r.id, scales.dimensions[0].id, 4)
    svc.link("function_dependency", f.id, d.id, tolerance="4 h")
    svc.link("dependency_dependency", d.id, el.id)
    svc.link("risk_function", r.id, f.id)
    svc.link("risk_dependency", r.id, d.id)
    svc.link("action_risk", a.id, r.id)
    svc.link("action_function", a.id, f.id)
    svc.link("exercise_action", x.id, a.id)
    return dict(f=f, d=d, el=el, r=r, a=a, p=p, fb=fb, x=x)


def table_counts(doc):
    with doc.engine.connect() as c:
        # The audit trail grows with every change, including undo; it is tested on its own.
        names = [r[0] for r in c.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
                 if r[0] != "audit_event"]
        return {n: c.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}


def test_deleting_a_function_removes_its_links_and_ratings_but_keeps_the_plan(doc, svc, analysis):
    items = build(svc, analysis.id)
    before = table_counts(doc)
    preview = svc.delete_preview("function", items["f"].id)
    lines = preview.describe()
    assert "1 kopplingar verksamhet–beroende" in lines
    assert "1 konsekvensbedömningar över tid" in lines
    assert any("kontinuitetsplaner" in line for line in lines)
    assert table_counts(doc) == before  # a preview changes nothing
    tomb = svc.delete("function", items["f"].id)
    after = table_counts(doc)
    assert after["function"] == before["function"] - 1
    assert after["function_dependency"] == 0 and after["risk_function"] == 0 and after["action_function"] == 0
    assert after["function_impact"] == 0
    assert svc.get("continuity_plan", items["p"].id).function_id is None
    svc.restore(tomb)
    assert table_counts(doc) == before
    assert svc.get("continuity_plan", items["p"].id).function_id == items["f"].id
    assert svc.get("function", items["f"].id).hid == "V1"


def test_deleting_a_dependency_clears_fallbacks_and_chains(doc, svc, analysis):
    items = build(svc, analysis.id)
    before = table_counts(doc)
    tomb = svc.delete("dependency", items["d"].id)
    assert svc.get("fallback", items["fb"].id).dependency_id is None
    assert svc.links("dependency_dependency", analysis_id=analysis.id) == []
    svc.restore(tomb)
    assert table_counts(doc) == before


def test_deleting_a_plan_takes_fallbacks_and_contacts(doc, svc, analysis):
    items = build(svc, analysis.id)
    svc.delete("continuity_plan", items["p"].id)
    counts = table_counts(doc)
    assert counts["fallback_procedure"] == 0 and counts["plan_contact"] == 0
    assert svc.get("exercise", items["x"].id).plan_id is None


def test_deleting_an_analysis_removes_the_whole_year(doc, svc, analysis):
    build(svc, analysis.id)
    other = svc.create_analysis(2027)
    svc.create("function", other.id, name="Kvar")
    before = table_counts(doc)
    tomb = svc.delete("analysis", analysis.id)
    counts = table_counts(doc)
    for table in ("risk", "dependency", "action", "continuity_plan", "fallback_procedure", "risk_consequence",
                  "function_dependency", "exercise_action"):
        assert counts[table] == 0, table
    # Only the other year's rows remain: its scales, its function and its ID counter.
    assert counts["function"] == 1 and counts["likelihood_level"] == 5 and counts["time_horizon"] == 6
    assert counts["id_counter"] == 1
    with pytest.raises(NotFoundError):
        svc.analysis(analysis.id)
    svc.restore(tomb)
    assert table_counts(doc) == before


def test_duplicate_copies_links_and_ratings(svc, analysis):
    items = build(svc, analysis.id)
    copy = svc.duplicate("risk", items["r"].id)
    assert copy.hid == "R2" and copy.title == "Cyberangrepp (kopia)"
    assert svc.consequences(copy.id) == svc.consequences(items["r"].id)
    assert [l.right_id for l in svc.links("risk_function", left_id=copy.id)] == [items["f"].id]
    assert [l.left_id for l in svc.links("action_risk", right_id=copy.id)] == [items["a"].id]
    plan = svc.duplicate("continuity_plan", items["p"].id)
    assert len(svc.list("fallback", plan.id)) == 1 and len(svc.list("contact", plan.id)) == 1
    assert len(svc.list("fallback", items["p"].id)) == 1


def test_link_returns_what_undo_needs(svc, analysis):
    items = build(svc, analysis.id)
    f, d = items["f"], items["d"]
    previous = svc.link("function_dependency", f.id, d.id, tolerance="1 dygn")
    assert previous.attrs["tolerance"] == 240
    removed = svc.unlink("function_dependency", f.id, d.id)
    assert removed.attrs["tolerance"] == 1440
    assert svc.unlink("function_dependency", f.id, d.id) is None
    assert svc.link("function_dependency", f.id, d.id, **removed.attrs) is None
    old = svc.set_impact(f.id, svc.scales(analysis.id).horizons[0].id, None)
    assert old == 2 and svc.impacts(f.id) == {}
