"""Every entity is written through the services and read back unchanged from the reopened file."""

import datetime as dt

import pytest

from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS, LINKS
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

LONG = ("Långt stycke om sårbarheter i krisberedskapen – åäö ÅÄÖ é ü. " * 400)[:20_000]


def sample_values(kind: str, refs: dict[str, int]) -> dict:
    """A value for every field of `kind`, with å ä ö and a 20 000-character text in each long field."""
    out = {}
    for f in KINDS[kind].fields:
        if f.type in ("text", "catalog"):
            out[f.name] = f"Räksmörgås {f.label} – Älvsjö"
        elif f.type == "longtext":
            out[f.name] = LONG
        elif f.type == "bool":
            out[f.name] = True
        elif f.type == "optbool":
            out[f.name] = False
        elif f.type == "date":
            out[f.name] = dt.date(2026, 5, 17)
        elif f.type == "duration":
            out[f.name] = 240
        elif f.type in ("likelihood", "consequence"):
            out[f.name] = 3
        elif f.type == "capability":
            out[f.name] = 2
        elif f.type == "int":
            out[f.name] = f.minimum if f.minimum is not None and f.minimum > 0 else 7
        elif f.type == "enum":
            out[f.name] = f.choices[-1][0]
        elif f.type == "ref":
            out[f.name] = refs[f.ref]
    if kind == "function":
        out.update(max_tolerable_downtime=1440, rto=240)
    if kind == "dependency":
        out.update(has_reserve=True)
    return out


def test_every_entity_round_trips_through_the_file(tmp_path):
    path = tmp_path / "rundtur.rsa"
    doc = Document.create(path)
    svc = RsaService(doc)
    org_values = sample_values("organisation", {})
    svc.set_organisation(**org_values)
    analysis_values = sample_values("analysis", {})
    analysis_values.update(status="utkast", adopted_date=None, year=2026)
    year = analysis_values.pop("year")
    a = svc.create_analysis(year, **analysis_values)
    written: dict[str, tuple[int, dict]] = {}
    refs: dict[str, int] = {}
    for kind in ("participant", *ITEM_KINDS):
        values = sample_values(kind, refs)
        rec = svc.create(kind, a.id, **values)
        refs[kind] = rec.id
        written[kind] = (rec.id, values)
    for kind in ("fallback", "contact"):
        values = sample_values(kind, refs)
        rec = svc.create(kind, refs["continuity_plan"], **values)
        written[kind] = (rec.id, values)
    scales = svc.scales(a.id)
    svc.set_impact(refs["function"], scales.horizons[2].id, 4)
    svc.set_consequence(refs["risk"], scales.dimensions[1].id, 5)
    second_dep = svc.create("dependency", a.id, name="El i Ärvingehuset", dep_type="El")
    for name, spec in LINKS.items():
        left = refs[spec.left]
        right = second_dep.id if name == "dependency_dependency" else refs[spec.right]
        attrs = {"tolerance": "1 dygn", "note": "Kräver åtgärd – ö"} if spec.fields else {}
        svc.link(name, left, right, **attrs)
    doc.close()

    doc = Document.open(path)
    svc = RsaService(doc)
    org = svc.organisation()
    assert {k: org.values[k] for k in org_values} == org_values
    stored = svc.analysis(a.id)
    assert {k: stored.values[k] for k in analysis_values} == analysis_values
    for kind, (item_id, values) in written.items():
        rec = svc.get(kind, item_id)
        assert {k: rec.values[k] for k in values} == values, kind
        if KINDS[kind].prefix:
            assert rec.hid == f"{KINDS[kind].prefix}1"
    assert svc.impacts(refs["function"]) == {scales.horizons[2].id: 4}
    assert svc.consequences(refs["risk"]) == {scales.dimensions[1].id: 5}
    for name, spec in LINKS.items():
        links = svc.links(name, left_id=refs[spec.left])
        assert len(links) == 1, name
        if spec.fields:
            assert dict(links[0].attrs) == {"tolerance": 1440, "note": "Kräver åtgärd – ö"}
    assert doc.integrity_ok()
    doc.close()


def test_human_ids_are_never_reused(svc, analysis):
    r1 = svc.create("risk", analysis.id, title="Första")
    r2 = svc.create("risk", analysis.id, title="Andra")
    svc.delete("risk", r2.id)
    r3 = svc.create("risk", analysis.id, title="Tredje")
    assert (r1.hid, r2.hid, r3.hid) == ("R1", "R2", "R3")
    assert svc.create("action", analysis.id, title="Åtgärd").hid == "Å1"
    assert svc.create("exercise", analysis.id, title="Övning").hid == "Ö1"


def test_one_file_holds_many_years(svc):
    for year in (2024, 2025, 2026):
        a = svc.create_analysis(year)
        svc.create("function", a.id, name=f"Verksamhet {year}")
    assert [a.year for a in svc.analyses()] == [2024, 2025, 2026]
    a25 = svc.analysis_for_year(2025)
    assert [f.name for f in svc.list("function", a25.id)] == ["Verksamhet 2025"]
    # Human IDs count per year.
    assert svc.list("function", a25.id)[0].hid == "V1"


def test_scales_are_copied_from_the_template(svc, analysis):
    scales = svc.scales(analysis.id)
    assert [l.label for l in scales.likelihood][0] == "Mycket låg"
    assert [l.value for l in scales.consequence] == [1, 2, 3, 4, 5]
    assert "Människors liv och hälsa" in [d.label for d in scales.dimensions]
    assert [h.label for h in scales.horizons] == ["1 h", "4 h", "1 dygn", "3 dygn", "1 vecka", "1 månad"]
    assert [l.label for l in scales.capability] == ["God förmåga", "Viss förmåga", "Bristande förmåga"]
    assert scales.band(5, 5).label == "Mycket hög risk"
    assert scales.band(1, 1).label == "Låg risk"
    assert scales.overall({1: 2, 2: 4, 3: None}) == 4


def test_snapshots_are_immutable(svc, analysis):
    rec = svc.create("function", analysis.id, name="Arvodesutbetalningar")
    with pytest.raises(TypeError):  # a read-only mapping
        rec.values["name"] = "x"
    with pytest.raises(AttributeError):  # a frozen record
        rec.name = "x"
