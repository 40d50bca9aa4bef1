"""The demo is a realistic RSA for Överförmyndarförvaltningen, complete enough to show every feature."""

import datetime as dt
from collections import Counter

import pytest

from rsa_desktop.services.check import run_check
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from rsa_desktop.services.demo import write_demo

    doc = Document.open(write_demo(tmp_path_factory.mktemp("d") / "demo.rsa"), readonly=True)
    yield RsaService(doc)
    doc.close()


def test_demo_has_the_required_content(demo):
    org = demo.organisation()
    assert org.name == "Överförmyndarförvaltningen" and org.committee == "Överförmyndarnämnden"
    (a,) = demo.analyses()
    functions = demo.list("function", a.id)
    assert len(functions) >= 8 and sum(f.is_critical for f in functions) >= 5
    names = " ".join(f.name.lower() for f in functions)
    for phrase in ("akut", "ensamkommande", "årsräkning", "arvode"):
        assert phrase in names, phrase
    deps = demo.list("dependency", a.id)
    assert len(deps) >= 20
    providers = " ".join(f"{d.provider} {d.provider_org} {d.name}".lower() for d in deps)
    for phrase in ("serviceförvaltningen", "stadsledningskontoret", "bank", "tingsrätt", "skatteverket"):
        assert phrase in providers, phrase
    assert any(d.dep_type == "Personal och nyckelkompetens" for d in deps)
    risks = demo.list("risk", a.id)
    assert len(risks) >= 12
    scales = demo.scales(a.id)
    cons = demo.all_consequences(a.id)
    cells = {(r.likelihood, scales.overall(cons.get(r.id, {}))) for r in risks}
    assert {l for l, _ in cells} == {1, 2, 3, 4, 5} and {c for _, c in cells} == {1, 2, 3, 4, 5}
    assert len(demo.list("vulnerability", a.id)) >= 3 and len(demo.list("capability", a.id)) >= 3
    actions = demo.list("action", a.id)
    assert len(actions) >= 15
    assert set(Counter(x.status for x in actions)) == {"planerad", "pagaende", "genomford", "avbruten"}
    plans = demo.list("continuity_plan", a.id)
    assert len(plans) >= 3 and all(demo.list("fallback", p.id) for p in plans)
    assert len(demo.list("exercise", a.id)) >= 1
    assert len(demo.list("participant", a.id)) >= 4
    assert demo.links("dependency_dependency", analysis_id=a.id)
    assert any(d.secret for d in deps) and a.secrecy_marking


def test_demo_passes_check(demo):
    assert run_check(demo) == []


def test_demo_impacts_agree_with_acceptable_downtime(demo):
    (a,) = demo.analyses()
    scales = demo.scales(a.id)
    impacts = demo.all_impacts(a.id)
    for f in demo.list("function", a.id):
        if not f.is_critical:
            continue
        grid = impacts[f.id]
        assert len(grid) == len(scales.horizons)
        levels = [grid[h.id] for h in scales.horizons]
        assert levels == sorted(levels), f.label
        assert f.max_tolerable_downtime is not None
        assert isinstance(a.created_at, dt.datetime)
