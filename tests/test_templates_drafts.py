import datetime as dt

import pytest

from rsa_desktop.services import catalogues
from rsa_desktop.services.check import run_check
from rsa_desktop.services.drafts import CHAPTERS, draft_chapter, draft_summary, offer_summary
from rsa_desktop.services.templates import apply_template, templates

TODAY = dt.date(2026, 11, 22)
REQUIRED_TYPES = {"overformyndare", "stadsdelsforvaltning", "socialforvaltning", "aldreforvaltning",
                  "forskola_skola", "fastighet_teknik", "kultur_idrott", "kommunalt_bolag"}


@pytest.mark.parametrize("name", ["msb_sectors", "preparedness_sectors", "dependency_types", "scenarios",
                                  "styrel_classes", "city_organisations", "capability_areas", "glossary",
                                  "function_templates", "scenario_categories"])
def test_every_catalogue_loads(name):
    items = catalogues.load(name)
    assert items, name
    assert all(catalogues.item_label(i) for i in items), name


def test_catalogues_match_the_brief():
    assert len(catalogues.load("msb_sectors")) == 11
    assert len(catalogues.load("preparedness_sectors")) == 12  # förordning (2022:524) since 2025-07-22
    assert [i["value"] for i in catalogues.load("styrel_classes")] == list(range(1, 9))
    personnel = next(i for i in catalogues.load("scenarios") if i["code"] == "personalbortfall")
    assert "20 procent" in personnel["planning_assumption"] and "40 procent" in personnel["planning_assumption"]
    terms = {i["term"].lower() for i in catalogues.load("glossary")}
    assert any("vor" in t for t in terms) and "acceptabel avbrottstid" in terms


def test_templates_cover_every_required_type():
    assert REQUIRED_TYPES <= {t["code"] for t in templates()}


@pytest.mark.parametrize("code", sorted(REQUIRED_TYPES))
def test_each_template_creates_a_valid_analysis(svc, analysis, code):
    applied = apply_template(svc, analysis.id, code)
    functions = svc.list("function", analysis.id)
    assert len(functions) == len(applied.function_ids) >= 4
    assert any(f.is_critical for f in functions)
    assert svc.links("function_dependency", analysis_id=analysis.id)
    assert run_check(svc) == []


def test_user_picks_which_functions_to_keep_and_dependencies_are_shared(svc, analysis):
    t = next(t for t in templates() if t["code"] == "overformyndare")
    applied = apply_template(svc, analysis.id, "overformyndare", selected=[0, 2])
    names = [f.name for f in svc.list("function", analysis.id)]
    assert names == [t["functions"][0]["name"], t["functions"][2]["name"]]
    deps_before = len(svc.list("dependency", analysis.id))
    apply_template(svc, analysis.id, "overformyndare", selected=[0])
    assert len(svc.list("dependency", analysis.id)) == deps_before  # shared, not duplicated
    assert applied.dependency_ids


def test_drafts_reflect_the_data(svc, analysis):
    aid = analysis.id
    before = {ch: draft_chapter(svc, aid, ch, today=TODAY) for ch in CHAPTERS}
    assert "0 verksamheter" in before["samhallsviktig"] and "0 risker" in before["risker"]
    f = svc.create("function", aid, name="Akuta ärenden", is_critical=True, max_tolerable_downtime="4 h")
    r = svc.create("risk", aid, title="Långvarigt elavbrott", likelihood=4)
    svc.set_consequence(r.id, svc.scales(aid).dimensions[0].id, 5)
    svc.create("action", aid, title="Reservkraft", deadline="2026-10-01")
    after = {ch: draft_chapter(svc, aid, ch, today=TODAY) for ch in CHAPTERS}
    assert "1 verksamhet" in after["samhallsviktig"] and "”Akuta ärenden” (4 h)" in after["samhallsviktig"]
    assert "R1 Långvarigt elavbrott" in after["risker"]
    assert "försenade: Å1" in after["atgarder"]
    assert "Plan saknas för Akuta ärenden" in after["kontinuitet"]
    assert all(before[ch] != after[ch] for ch in ("samhallsviktig", "risker", "atgarder", "kontinuitet"))
    svc.update("function", f.id, is_critical=False)
    assert draft_chapter(svc, aid, "samhallsviktig", today=TODAY) != after["samhallsviktig"]


def test_draft_never_overwrites_own_text(svc, analysis):
    text, may_fill = offer_summary(svc, analysis.id, today=TODAY)
    assert may_fill and text.startswith("Överförmyndarförvaltningen har genomfört risk- och sårbarhetsanalysen för 2026.")
    svc.update("analysis", analysis.id, summary="Vår egen sammanfattning.")
    text2, may_fill2 = offer_summary(svc, analysis.id, today=TODAY)
    assert not may_fill2 and text2 == draft_summary(svc, analysis.id, today=TODAY)
    assert svc.analysis(analysis.id).summary == "Vår egen sammanfattning."
