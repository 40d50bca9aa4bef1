"""Ny årsanalys från föregående år: every item and link comes along, with the same IDs."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS, LINKS
from rsa_desktop.services.carry import OPEN_STATUSES, carry_forward
from rsa_desktop.services.errors import ReadOnlyAnalysisError, ValidationError
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

_SKIP = {"id", "analysis_id", "plan_id", "function_id", "dependency_id"}


@pytest.fixture
def demo(tmp_path, demo_file):
    path = tmp_path / "demo.rsa"
    shutil.copy(demo_file, path)
    doc = Document.open(path)
    yield RsaService(doc)
    doc.close()


def snapshot(svc: RsaService, aid: int) -> dict:
    """Everything of an analysis by human IDs, independent of database ids."""
    scales = svc.scales(aid)
    dims = {d.id: d.code for d in scales.dimensions}
    hors = {h.id: h.minutes for h in scales.horizons}
    items = {k: {r.id: r for r in svc.list(k, aid)} for k in ITEM_KINDS}
    hid = {(k, i): r.hid for k in ITEM_KINDS for i, r in items[k].items()}
    out: dict = {"fingerprint": scales.fingerprint}
    for kind in ITEM_KINDS:
        out[kind] = {r.hid: {f: v for f, v in r.values.items() if f not in _SKIP} for r in items[kind].values()}
    out["plan_function"] = {p.hid: hid.get(("function", p.function_id)) for p in items["continuity_plan"].values()}
    out["participants"] = [(p.name, p.role, p.unit) for p in svc.list("participant", aid)]
    out["impacts"] = {(hid["function", f], hors[h]): lv for f, d in svc.all_impacts(aid).items() for h, lv in d.items()}
    out["consequences"] = {(hid["risk", r], dims[d]): lv for r, d_ in svc.all_consequences(aid).items()
                           for d, lv in d_.items()}
    for name, spec in LINKS.items():
        out[name] = {(hid[spec.left, lr.left_id], hid[spec.right, lr.right_id]): dict(lr.attrs)
                     for lr in svc.links(name, analysis_id=aid)}
    out["fallbacks"] = {(p.hid, fb.sort_order): (fb.procedure, fb.duration, fb.responsible,
                                                 hid.get(("dependency", fb.dependency_id)))
                        for p in items["continuity_plan"].values() for fb in svc.list("fallback", p.id)}
    out["contacts"] = {(p.hid, c.sort_order): (c.name, c.role, c.phone, c.alternate)
                       for p in items["continuity_plan"].values() for c in svc.list("contact", p.id)}
    return out


def test_carry_forward_keeps_every_item_and_link(demo):
    svc = demo
    prev = svc.analyses()[-1]
    before = snapshot(svc, prev.id)
    new = carry_forward(svc, prev.id, prev.year + 1)
    assert new.year == prev.year + 1 and new.status == "utkast" and new.adopted_date is None
    assert svc.analysis(prev.id).archived and not new.archived
    after = snapshot(svc, new.id)
    assert snapshot(svc, prev.id) == before, "the previous year is left exactly as it was"
    assert after["fingerprint"] == before["fingerprint"]
    open_actions = {h for h, a in before["action"].items() if a["status"] in OPEN_STATUSES}
    assert set(after["action"]) == open_actions and len(open_actions) < len(before["action"])
    assert after["exercise"] == {}
    for kind in ("function", "dependency", "risk", "vulnerability", "capability", "continuity_plan"):
        assert after[kind].keys() == before[kind].keys(), kind
        for h, values in before[kind].items():
            if kind == "continuity_plan":
                values = {k: v for k, v in values.items() if k != "last_exercised"}
                got = {k: v for k, v in after[kind][h].items() if k != "last_exercised"}
            else:
                got = after[kind][h]
            assert got == values, (kind, h)
    for h, values in before["action"].items():
        if h in open_actions:
            carried = after["action"][h]
            assert carried["follow_up_note"].startswith(values["follow_up_note"].rstrip())
            assert f"Överförd från RSA {prev.year}" in carried["follow_up_note"]
            assert {k: v for k, v in carried.items() if k != "follow_up_note"} == \
                {k: v for k, v in values.items() if k != "follow_up_note"}
    for key in ("plan_function", "participants", "impacts", "consequences", "fallbacks", "contacts"):
        assert after[key] == before[key], key
    for name, spec in LINKS.items():
        expected = {k: v for k, v in before[name].items()
                    if (spec.left != "action" or k[0] in open_actions) and (spec.right != "action" or k[1] in open_actions)
                    and spec.left != "exercise"}
        assert after[name] == expected, name
        assert after[name] or not expected
    # Every copied item is "att granska" and knows where it came from.
    marks = svc.review_marks(new.id)
    origins = svc.carried_from(new.id)
    total = sum(len(after[k]) for k in ITEM_KINDS)
    assert len(marks) == len(origins) == total
    for (kind, item_id), (src_a, src_item) in origins.items():
        assert src_a == prev.id and svc.get(kind, src_item).hid == svc.get(kind, item_id).hid
    # Plans keep when they were last exercised, although the exercises stay in the old year.
    for p in svc.list("continuity_plan", new.id):
        exercises = [x.date for x in svc.list("exercise", prev.id) if x.plan_id is not None
                     and svc.get("continuity_plan", x.plan_id).hid == p.hid and x.date]
        old = before["continuity_plan"][p.hid]["last_exercised"]
        assert p.last_exercised == max([d for d in [old, *exercises] if d], default=None)


def test_new_items_continue_the_numbering_and_the_old_year_is_read_only(demo):
    svc = demo
    prev = svc.analyses()[-1]
    top = max(int(r.hid[1:]) for r in svc.list("risk", prev.id))
    svc.delete("risk", svc.find_by_hid("risk", prev.id, f"R{top}").id)  # a deleted R-number stays unused
    new = carry_forward(svc, prev.id, prev.year + 1)
    r = svc.create("risk", new.id, title="Ny risk")
    assert r.hid == f"R{top + 1}"
    with pytest.raises(ReadOnlyAnalysisError):
        svc.create("risk", prev.id, title="Sent tillägg")
    f = svc.list("function", new.id)[0]
    svc.set_review_mark(new.id, "function", f.id, False)
    assert ("function", f.id) not in svc.review_marks(new.id)
    trail = svc.audit_trail(analysis_id=new.id)
    assert any(t.field == f"Överförd från {prev.year}" for t in trail)
    assert sum(1 for t in trail if t.field.startswith("Överförd")) == 1


def test_carry_forward_of_an_adopted_year_starts_as_draft(svc, analysis):
    svc.create("function", analysis.id, name="Tillsyn", is_critical=True)
    svc.confirm_scales(analysis.id)
    svc.adopt_analysis(analysis.id, dt.date(2026, 11, 30), "ÖFN 2026/1")
    new = carry_forward(svc, analysis.id, 2027)
    assert new.status == "utkast" and new.adopted_date is None and new.adopted_decision == ""
    assert new.scales_confirmed == ""
    assert [f.name for f in svc.list("function", new.id)] == ["Tillsyn"]


def test_carry_forward_refuses_bad_years(svc, analysis):
    with pytest.raises(ValidationError, match="senare"):
        carry_forward(svc, analysis.id, 2025)
    svc.create_analysis(2027)
    with pytest.raises(ValidationError, match="redan"):
        carry_forward(svc, analysis.id, 2027)
    assert not svc.analysis(analysis.id).archived


def test_carry_forward_is_one_transaction(svc, analysis, monkeypatch):
    svc.create("function", analysis.id, name="Tillsyn")
    from rsa_desktop.services import rsa

    def boom(self, *a, **k):
        raise RuntimeError("avbrott")

    monkeypatch.setattr(rsa.RsaService, "set_archived", boom)
    with pytest.raises(RuntimeError):
        carry_forward(svc, analysis.id, 2027)
    assert [a.year for a in svc.analyses()] == [2026]
    assert svc.analysis_for_year(2027) is None


def test_item_kinds_all_have_a_copy_rule():
    from rsa_desktop.services.carry import CARRIED_KINDS

    assert set(CARRIED_KINDS) | {"exercise"} == set(ITEM_KINDS)
    assert all(KINDS[k].prefix for k in CARRIED_KINDS)


def test_cli_carry_forward(tmp_path, demo_file, capsys):
    from rsa_desktop.cli import main

    path = tmp_path / "cli.rsa"
    shutil.copy(demo_file, path)
    with Document.open(path, readonly=True) as doc:
        year = RsaService(doc).analyses()[-1].year
    assert main(["carry-forward", str(path), "--from", str(year), "--to", str(year + 1)]) == 0
    assert "arkiverad" in capsys.readouterr().out
    assert main(["carry-forward", str(path), "--from", str(year), "--to", str(year + 1)]) == 2
    assert "redan" in capsys.readouterr().err
    assert main(["carry-forward", str(path), "--from", "1999", "--to", "2000"]) == 2
    with Document.open(path, readonly=True) as doc:
        assert [a.year for a in RsaService(doc).analyses()] == [year, year + 1]
