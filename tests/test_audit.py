"""Every change is recorded: when, who (the OS user), which item and field, old and new value."""

import datetime as dt

from rsa_desktop.services.audit import current_user


def test_every_kind_of_change_is_recorded(svc, analysis):
    aid = analysis.id
    f = svc.create("function", aid, name="Akuta ärenden")
    svc.update("function", f.id, name="Akuta ställföreträdarärenden", max_tolerable_downtime="1 dygn")
    d = svc.create("dependency", aid, name="ÖF-systemet", dep_type="IT-system")
    svc.link("function_dependency", f.id, d.id, tolerance="4 h")
    svc.link("function_dependency", f.id, d.id, tolerance="1 h")
    svc.unlink("function_dependency", f.id, d.id)
    svc.set_impact(f.id, svc.scales(aid).horizons[0].id, 3)
    tomb = svc.delete("dependency", d.id)
    svc.restore(tomb)
    svc.confirm_scales(aid)
    trail = list(reversed(svc.audit_trail(analysis_id=aid)))
    steps = [(e.action, e.item, e.field, e.old, e.new) for e in trail]
    assert steps[0][:2] == ("skapad", "2026")
    created = next(s for s in steps if s[:2] == ("skapad", "V1 Akuta ärenden"))
    assert created[3] is None and created[4]["Namn"] == "Akuta ärenden"  # every field, by its label
    assert ("ändrad", "V1 Akuta ställföreträdarärenden", "Namn", "Akuta ärenden", "Akuta ställföreträdarärenden") in steps
    assert ("ändrad", "V1 Akuta ställföreträdarärenden", "Acceptabel avbrottstid", None, 1440) in steps
    assert ("kopplad", "V1 Akuta ställföreträdarärenden", "Verksamhet–beroende", None,
            {"till": "B1 ÖF-systemet", "tolerance": 240}) in steps
    assert any(s[0] == "ändrad" and s[2].endswith("Tolerans") and (s[3], s[4]) == (240, 60) for s in steps)
    assert ("bortkopplad", "V1 Akuta ställföreträdarärenden", "Verksamhet–beroende", {"till": "B1 ÖF-systemet"},
            None) in steps
    assert ("ändrad", "V1 Akuta ställföreträdarärenden", "Konsekvens över tid: 1 h", None, 3) in steps
    assert [s[0] for s in steps[-3:]] == ["borttagen", "återställd", "bekräftad"]
    assert all(e.user == current_user() for e in trail)
    now = dt.datetime.now(dt.UTC)
    assert all(abs((dt.datetime.fromisoformat(e.at) - now).total_seconds()) < 60 for e in trail)


def test_unchanged_values_are_not_recorded(svc, analysis):
    f = svc.create("function", analysis.id, name="Tillsyn")
    before = len(svc.audit_trail(analysis_id=analysis.id))
    svc.update("function", f.id, name="Tillsyn")
    assert len(svc.audit_trail(analysis_id=analysis.id)) == before


def test_trail_is_filterable_per_item_and_by_text(svc, analysis):
    f = svc.create("function", analysis.id, name="Arvoden")
    r = svc.create("risk", analysis.id, title="Cyberangrepp")
    svc.update("risk", r.id, likelihood=4)
    per_item = svc.audit_trail(kind="risk", item_id=r.id)
    assert [e.action for e in per_item] == ["ändrad", "skapad"]
    assert [e.item for e in svc.audit_trail(analysis_id=analysis.id, text="arvod")] == ["V1 Arvoden"]
    assert svc.audit_trail(kind="function", item_id=f.id, limit=1)[0].action == "skapad"


def test_trail_outlives_deleted_items(svc, analysis):
    f = svc.create("function", analysis.id, name="Arkiv")
    svc.delete("function", f.id)
    assert [e.action for e in svc.audit_trail(kind="function", item_id=f.id)] == ["borttagen", "skapad"]
    svc.delete("analysis", analysis.id)
    assert svc.audit_trail(analysis_id=analysis.id)


def test_a_scales_confirmation_can_be_taken_back(svc, analysis):
    first = svc.confirm_scales(analysis.id)
    assert first.old["scales_confirmed"] == "" and first.new["scales_confirmed"]
    svc.confirm_scales(analysis.id, "")
    assert svc.analysis(analysis.id).scales_confirmed == ""
    assert [e.action for e in svc.audit_trail(analysis_id=analysis.id)][:2] == ["bekräftad", "bekräftad"]
