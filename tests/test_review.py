"""RSA-kontroll: a complete analysis is clean, and each rule fires for exactly its own defect."""

import datetime as dt

import pytest

from rsa_desktop.services.review import review, step_states

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def clean(svc, analysis):
    """A small but complete analysis that passes every rule."""
    aid = analysis.id
    svc.update("analysis", aid, assignment="Årlig RSA enligt säkerhetsprogrammet", method="Workshoppar",
               business_description="Tillsyn över ställföreträdare", secrecy_marking="Offentlig",
               summary="Analysen visar att elförsörjningen är den största risken.")
    svc.create("participant", aid, name="Åsa Öberg", role="Säkerhetssamordnare")
    svc.confirm_scales(aid)
    scales = svc.scales(aid)
    f = svc.create("function", aid, name="Akuta ärenden", is_critical=True, critical_motivation="Liv och hälsa",
                   max_tolerable_downtime="1 dygn")
    for h in scales.horizons:
        svc.set_impact(f.id, h.id, 2)
    d = svc.create("dependency", aid, name="ÖF-systemet", dep_type="IT-system", has_reserve=True,
                   expected_outage="4 h")
    svc.link("function_dependency", f.id, d.id, tolerance="4 h")
    r = svc.create("risk", aid, title="Elavbrott", likelihood=4, motivation="Har hänt i Stockholm")
    svc.set_consequence(r.id, scales.dimensions[0].id, 4)  # 16: mycket hög risk
    svc.link("risk_function", r.id, f.id)
    x = svc.create("action", aid, title="Reservkraft", owner="Enhetschef", deadline="2027-03-31")
    svc.link("action_risk", x.id, r.id)
    svc.create("vulnerability", aid, title="Ingen reservkraft")
    svc.create("capability", aid, area="Krisledning", rating=2, motivation="Övad 2026")
    p = svc.create("continuity_plan", aid, title="Plan akuta ärenden", function_id=f.id, last_exercised="2026-05-01")
    svc.create("fallback", p.id, procedure="Pappersrutin", dependency_id=d.id, duration="3 dygn")
    return dict(aid=aid, f=f, d=d, r=r, x=x, p=p, scales=scales)


def rules(svc, aid):
    return sorted(f.rule for f in review(svc, aid, today=TODAY))


def test_complete_analysis_is_clean(svc, clean):
    assert review(svc, clean["aid"], today=TODAY) == []


BREAKS = {
    "no_participants": lambda s, c: s.delete("participant", s.list("participant", c["aid"])[0].id),
    "no_assignment": lambda s, c: s.update("analysis", c["aid"], assignment=""),
    "no_method": lambda s, c: s.update("analysis", c["aid"], method=" "),
    "no_secrecy_decision": lambda s, c: s.update("analysis", c["aid"], secrecy_marking=""),
    "no_business_description": lambda s, c: s.update("analysis", c["aid"], business_description=""),
    "function_no_mtd": lambda s, c: s.update("function", c["f"].id, max_tolerable_downtime=None),
    "function_no_impacts": lambda s, c: [s.set_impact(c["f"].id, h.id, None) for h in c["scales"].horizons],
    "function_no_motivation": lambda s, c: s.update("function", c["f"].id, critical_motivation=""),
    "function_no_dependencies": lambda s, c: s.unlink("function_dependency", c["f"].id, c["d"].id),
    "dependency_no_reserve_or_plan": lambda s, c: (s.update("dependency", c["d"].id, has_reserve=False),
                                                   s.update("fallback", s.list("fallback", c["p"].id)[0].id,
                                                            dependency_id=None)),
    "dependency_no_outage": lambda s, c: s.update("dependency", c["d"].id, expected_outage=None),
    "risk_no_rating": lambda s, c: s.update("risk", c["r"].id, likelihood=None),
    "high_risk_no_action": lambda s, c: s.unlink("action_risk", c["x"].id, c["r"].id),
    "risk_no_motivation": lambda s, c: s.update("risk", c["r"].id, motivation=""),
    "risk_no_function": lambda s, c: s.unlink("risk_function", c["r"].id, c["f"].id),
    "no_vulnerabilities": lambda s, c: s.delete("vulnerability", s.list("vulnerability", c["aid"])[0].id),
    "no_capabilities": lambda s, c: s.delete("capability", s.list("capability", c["aid"])[0].id),
    "action_no_owner": lambda s, c: s.update("action", c["x"].id, owner=""),
    "action_no_deadline": lambda s, c: s.update("action", c["x"].id, deadline=None),
    "action_overdue": lambda s, c: s.update("action", c["x"].id, deadline="2026-10-01"),
    "function_no_plan": lambda s, c: s.update("continuity_plan", c["p"].id, function_id=None),
    "plan_never_exercised": lambda s, c: s.update("continuity_plan", c["p"].id, last_exercised=None),
    "plan_not_exercised_12m": lambda s, c: s.update("continuity_plan", c["p"].id, last_exercised="2025-10-01"),
    "fallback_shorter_than_mtd": lambda s, c: s.update("fallback", s.list("fallback", c["p"].id)[0].id,
                                                       duration="4 h"),
    "scales_unconfirmed": lambda s, c: s.update("analysis", c["aid"], unacceptable_level=3),
    "no_summary": lambda s, c: s.update("analysis", c["aid"], summary=""),
    "capability_no_rating": lambda s, c: s.update("capability", s.list("capability", c["aid"])[0].id, rating=None),
    "placeholder_item": lambda s, c: s.create("vulnerability", c["aid"], title="Ny sårbarhet"),
    "function_extern_no_continuity_clause": lambda s, c: s.update("function", c["f"].id, operation="extern",
                                                                  supplier="Bolaget AB"),
}


def test_placeholder_items_keep_their_step_unfinished(svc, clean):
    """An untouched "Ny sårbarhet" or "Nytt förmågeområde" does not make step 6 green."""
    aid = clean["aid"]
    started = {s: True for s in ("uppdrag", "verksamhet", "samhallsviktig", "beroenden", "risker", "sarbarheter",
                                 "atgarder", "kontinuitet")}
    assert step_states(review(svc, aid, today=TODAY), started)["sarbarheter"] == "klar"
    v = svc.create("vulnerability", aid, title="Ny sårbarhet")
    found = review(svc, aid, today=TODAY)
    assert [(f.rule, f.kind, f.item_id, f.field) for f in found] == [("placeholder_item", "vulnerability", v.id,
                                                                      "title")]
    assert "Ny sårbarhet" in found[0].message
    assert step_states(found, started)["sarbarheter"] == "paborjad"
    svc.delete("vulnerability", v.id)
    c = svc.create("capability", aid, area="Nytt förmågeområde")
    assert sorted(f.rule for f in review(svc, aid, today=TODAY)) == ["capability_no_rating", "placeholder_item"]
    svc.update("capability", c.id, area="Larmvägar", rating=3)
    assert review(svc, aid, today=TODAY) == []


def test_dependency_type_not_chosen_is_named(svc, clean):
    from rsa_desktop.services.placeholders import NOT_CHOSEN

    d = svc.create("dependency", clean["aid"], name="Lokalen", dep_type=NOT_CHOSEN)
    found = review(svc, clean["aid"], today=TODAY)
    assert [(f.rule, f.item_id, f.field) for f in found] == [("placeholder_item", d.id, "dep_type")]
    assert "typ är inte vald" in found[0].message


def test_extern_regi_message_names_the_supplier_and_the_contract(svc, clean):
    svc.update("function", clean["f"].id, operation="extern", supplier="Bolaget AB", continuity_in_contract=False)
    (f,) = review(svc, clean["aid"], today=TODAY)
    assert f.rule == "function_extern_no_continuity_clause" and f.field == "continuity_in_contract"
    assert "Bolaget AB" in f.message and "inga krav på kontinuitet" in f.message
    svc.update("function", clean["f"].id, continuity_in_contract=True)
    assert review(svc, clean["aid"], today=TODAY) == []


def test_untouched_scales_are_asked_to_be_reviewed_not_called_changed(svc, analysis):
    (f,) = [f for f in review(svc, analysis.id, today=TODAY) if f.rule == "scales_unconfirmed"]
    assert "ändrats" not in f.message and "inte granskade" in f.message


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_rule_fires_for_its_defect(svc, clean, rule):
    BREAKS[rule](svc, clean)
    found = review(svc, clean["aid"], today=TODAY)
    assert [f.rule for f in found] == [rule]
    f = found[0]
    assert f.message and f.step and f.severity in ("fel", "varning", "info")


def test_empty_analysis_lists_the_basics(svc, analysis):
    found = rules(svc, analysis.id)
    for rule in ("no_functions", "no_risks", "no_participants", "no_secrecy_decision", "scales_unconfirmed"):
        assert rule in found


def test_finished_actions_are_not_nagged(svc, clean):
    svc.update("action", clean["x"].id, owner="", deadline="2025-01-01", status="genomford")
    assert review(svc, clean["aid"], today=TODAY) == []


def test_cancelled_action_does_not_treat_a_high_risk(svc, clean):
    svc.update("action", clean["x"].id, status="avbruten")
    assert rules(svc, clean["aid"]) == ["high_risk_no_action"]


def test_findings_point_at_items_and_drive_step_states(svc, clean):
    svc.update("function", clean["f"].id, max_tolerable_downtime=None)
    (f,) = review(svc, clean["aid"], today=TODAY)
    assert (f.kind, f.item_id, f.field, f.step, f.severity) == ("function", clean["f"].id, "max_tolerable_downtime",
                                                               "samhallsviktig", "fel")
    states = step_states([f], {"uppdrag": True, "samhallsviktig": True, "risker": False})
    assert states["uppdrag"] == "klar" and states["samhallsviktig"] == "paborjad"
    assert states["risker"] == "ej_paborjad"


# -- one read (ReviewSource) gives exactly what the per-query reads gave ---------------------------------

class _PerQuery:
    """The service as review() read it before: every list and link a query of its own."""

    def __init__(self, svc):
        self._svc = svc

    def __getattr__(self, name):
        return getattr(self._svc, name)


def _same_as_per_query(path, today):
    from rsa_desktop.services import catalogue_update
    from rsa_desktop.services.gaps import analyse_gaps
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.services.source import ReviewSource
    from rsa_desktop.storage.database import Document
    from rsa_desktop.ui.steps.completeness import snapshot

    with Document.open(path) as doc:
        svc = RsaService(doc)
        catalogue_update.activate_for(svc)
        for a in svc.analyses():
            old = review(_PerQuery(svc), a.id, today=today)
            source = ReviewSource(svc, a.id)
            assert review(source, a.id, today=today) == old
            assert review(svc, a.id, today=today) == old
            assert analyse_gaps(source, a.id, today=today) == analyse_gaps(_PerQuery(svc), a.id, today=today)
            assert snapshot(source, a.id) == snapshot(_PerQuery(svc), a.id)
    return old


def test_one_read_gives_the_same_findings_on_the_demo(demo_file):
    assert _same_as_per_query(demo_file, TODAY)


def test_one_read_gives_the_same_findings_on_the_large_demo(tmp_path):
    from rsa_desktop.services.demo import write_demo

    found = _same_as_per_query(write_demo(tmp_path / "stor.rsa", size="large"), TODAY)
    assert len({f.rule for f in found}) > 5


def test_a_source_reads_nothing_it_was_not_given(svc, clean):
    from rsa_desktop.services.source import ReviewSource

    source = ReviewSource(svc, clean["aid"])
    with pytest.raises(KeyError):
        source.list("function", clean["aid"] + 1)
    with pytest.raises(KeyError):
        source.analysis(clean["aid"] + 1)
    assert source.get("function", clean["f"].id) == svc.get("function", clean["f"].id)
