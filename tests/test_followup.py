"""Uppföljning: the changes between last year and a modified copy of it."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from rsa_desktop.services.carry import carry_forward
from rsa_desktop.services.followup import compare, previous_analysis
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


@pytest.fixture
def demo(tmp_path, demo_file):
    path = tmp_path / "demo.rsa"
    shutil.copy(demo_file, path)
    doc = Document.open(path)
    yield RsaService(doc)
    doc.close()


def test_unchanged_copy_shows_no_changes(demo):
    svc = demo
    prev = svc.analyses()[-1]
    new = carry_forward(svc, prev.id, prev.year + 1)
    c = compare(svc, prev.id, new.id, today=dt.date(2027, 1, 1))
    assert not any(c.new.values()) and not c.moved_risks and not c.new_links and not c.removed_links
    assert not c.actions_new and not c.actions_dropped
    assert {a.hid for a in c.actions_cancelled} == {a.hid for a in svc.list("action", prev.id)
                                                    if a.status == "avbruten"}
    done_before = {a.hid for a in svc.list("action", prev.id) if a.status == "genomford"}
    assert {a.hid for a in c.actions_completed} == done_before  # finished last year, so not carried
    # Every carried action is either overdue or open in time – never both (the counts add up).
    carried, late = {a.hid for a in c.actions_carried_over}, {a.hid for a in c.actions_overdue}
    assert carried | late == {a.hid for a in svc.list("action", new.id)} and not carried & late
    assert late == {a.hid for a in svc.list("action", new.id) if a.deadline and a.deadline < dt.date(2027, 1, 1)}
    # Only what was not carried: the exercises (history) and the closed actions.
    assert set(c.removed) and {k for k, v in c.removed.items() if v} <= {"action", "exercise"}
    assert previous_analysis(svc, new.id).id == prev.id


def test_changes_on_a_modified_copy(demo):
    svc = demo
    prev = svc.analyses()[-1]
    new = carry_forward(svc, prev.id, prev.year + 1)
    nid = new.id
    added_f = svc.create("function", nid, name="Ny verksamhet: krisstöd")
    dep = svc.list("dependency", nid)[0]
    svc.delete("dependency", dep.id)
    added_d = svc.create("dependency", nid, name="Reservkraft", dep_type="El")
    svc.link("function_dependency", added_f.id, added_d.id, tolerance=240)
    risks = svc.list("risk", nid)
    moved = risks[0]
    svc.update("risk", moved.id, likelihood=1 if (moved.likelihood or 1) > 1 else 5)
    gone_risk = risks[1]
    svc.delete("risk", gone_risk.id)
    acts = svc.list("action", nid)
    svc.update("action", acts[0].id, status="genomford")
    svc.update("action", acts[1].id, deadline=dt.date(2026, 1, 1), status="pagaende")
    svc.delete("action", acts[2].id)
    new_act = svc.create("action", nid, title="Ny åtgärd", deadline=dt.date(2030, 1, 1))

    c = compare(svc, prev.id, nid, today=dt.date(2027, 3, 1))
    assert [x.hid for x in c.new["function"]] == [added_f.hid]
    assert [x.hid for x in c.new["dependency"]] == [added_d.hid]
    assert [x.hid for x in c.removed["dependency"]] == [dep.hid]
    assert [x.hid for x in c.removed["risk"]] == [gone_risk.hid]
    assert [x.hid for x in c.new["risk"]] == []
    assert [m.hid for m in c.moved_risks] == [moved.hid]
    m = c.moved_risks[0]
    assert m.old_likelihood == moved.likelihood and m.new_likelihood != moved.likelihood
    assert m.direction in ("högre", "lägre")
    assert (added_f.hid, added_d.hid) in {(l.function_hid, l.dependency_hid) for l in c.new_links}
    assert {l.dependency_hid for l in c.removed_links} == {dep.hid}
    assert acts[0].hid in {a.hid for a in c.actions_completed}
    assert acts[1].hid in {a.hid for a in c.actions_overdue}
    assert acts[1].hid not in {a.hid for a in c.actions_carried_over}  # listed once, under försenade
    assert [a.hid for a in c.actions_dropped] == [acts[2].hid]
    assert [a.hid for a in c.actions_new] == [new_act.hid]
    lines = c.summary()
    assert any("Verksamheter: 1 nya" in line for line in lines)
    assert any("inte markerade som genomförda" in line for line in lines)


def test_compare_without_carry_matches_by_id(svc, analysis):
    f = svc.create("function", analysis.id, name="Tillsyn")
    r = svc.create("risk", analysis.id, title="Elavbrott", likelihood=2)
    later = svc.create_analysis(2027)
    svc.create("function", later.id, name="Tillsyn")  # V1 again: a separately built year
    svc.create("function", later.id, name="Ny")
    c = compare(svc, analysis.id, later.id)
    assert [x.hid for x in c.new["function"]] == ["V2"]
    assert c.matched["function"] and [x.hid for x in c.removed["risk"]] == [r.hid]
    assert f.hid == "V1"


def test_every_action_is_in_one_group_and_the_summary_counts_add_up(demo):
    svc = demo
    prev = svc.analyses()[-1]
    new = carry_forward(svc, prev.id, prev.year + 1)
    late_new = svc.create("action", new.id, title="Ny men försenad", deadline=dt.date(2027, 1, 15))
    in_time = svc.create("action", new.id, title="Ny i tid", deadline=dt.date(2030, 1, 1))
    c = compare(svc, prev.id, new.id, today=dt.date(2027, 3, 1))
    groups = [c.actions_completed, c.actions_cancelled, c.actions_overdue, c.actions_carried_over,
              c.actions_dropped, c.actions_new]
    listed = [a.hid for g in groups for a in g]
    assert len(listed) == len(set(listed))  # nothing is listed twice
    assert {a.hid for a in svc.list("action", new.id)} <= set(listed)
    assert late_new.hid in {a.hid for a in c.actions_overdue} and late_new.hid not in {a.hid for a in c.actions_new}
    assert [a.hid for a in c.actions_new] == [in_time.hid]
    line = next(x for x in c.summary() if x.startswith("Åtgärder:"))
    assert f"{len(c.actions_overdue)} försenade" in line and f"{len(c.actions_carried_over)} överförda och öppna i tid" in line


def test_a_moved_risk_is_described_in_words(demo):
    svc = demo
    prev = svc.analyses()[-1]
    new = carry_forward(svc, prev.id, prev.year + 1)
    r = next(x for x in svc.list("risk", new.id) if (x.likelihood or 0) >= 3)
    svc.update("risk", r.id, likelihood=1)
    m = next(x for x in compare(svc, prev.id, new.id).moved_risks if x.current_id == r.id)
    text = m.describe()
    assert text.startswith(f"sannolikhet {r.likelihood} → 1, konsekvens {m.new_consequence} (lägre")
    assert "S" + str(r.likelihood) not in text
