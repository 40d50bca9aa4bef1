"""Editing scales: every rating is kept or explicitly re-mapped; scale files round-trip; bad files are refused."""

import copy
import datetime as dt
import json
import re

import pytest

from rsa_desktop.services.check import run_check
from rsa_desktop.services.errors import ReadOnlyAnalysisError, ValidationError
from rsa_desktop.services.matrix import matrix_data
from rsa_desktop.services.scale_edit.apply import apply_scale
from rsa_desktop.services.scale_edit.edits import (
    add_dimension,
    add_horizon,
    add_level,
    edit_dimension,
    edit_horizon,
    edit_level,
    remove_dimension,
    remove_horizon,
    remove_level,
    set_aggregation,
    set_bands,
    set_unacceptable_level,
)
from rsa_desktop.services.scale_edit.preview import preview_scale_change
from rsa_desktop.services.scale_edit.suggest import suggest_mapping
from rsa_desktop.services.scale_edit.template import current_template, export_scale_file, read_scale_file
from rsa_desktop.services.scales import ScaleFileError, load_template


@pytest.fixture
def rated(svc, analysis):
    """One of every kind of rating, with values at the top of each scale."""
    aid = analysis.id
    scales = svc.scales(aid)
    dim = {d.code: d.id for d in scales.dimensions}
    hz = {h.minutes: h.id for h in scales.horizons}
    r1 = svc.create("risk", aid, title="Elavbrott", likelihood=5, residual_likelihood=4, residual_consequence=5)
    svc.set_consequence(r1.id, dim["liv_halsa"], 5)
    svc.set_consequence(r1.id, dim["funktionalitet"], 2)
    r2 = svc.create("risk", aid, title="Brand", likelihood=1)
    svc.set_consequence(r2.id, dim["ekonomi_miljo"], 3)
    f = svc.create("function", aid, name="Akuta ärenden", is_critical=True, criticality_life_health=5,
                   criticality_functionality=4)
    for minutes, level in ((60, 1), (240, 2), (1440, 3), (4320, 4), (10080, 5)):
        svc.set_impact(f.id, hz[minutes], level)
    c = svc.create("capability", aid, area="Krisledning", rating=3)
    return {"r1": r1, "r2": r2, "f": f, "c": c}


def _snapshot(svc, aid):
    """Every rating, keyed by item and field, with dimension codes and horizon minutes."""
    scales = svc.scales(aid)
    dims = {d.id: d.code for d in scales.dimensions}
    hz = {h.id: h.minutes for h in scales.horizons}
    out = {}
    for r in svc.list("risk", aid):
        for f in ("likelihood", "residual_likelihood", "residual_consequence"):
            out[(r.hid, f)] = r.values[f]
        for did, lv in svc.consequences(r.id).items():
            out[(r.hid, dims[did])] = lv
    for f in svc.list("function", aid):
        for name in ("criticality_life_health", "criticality_functionality"):
            out[(f.hid, name)] = f.values[name]
        for hid_, lv in svc.impacts(f.id).items():
            out[(f.hid, hz[hid_])] = lv
    for c in svc.list("capability", aid):
        out[(c.hid, "rating")] = c.rating
    return out


def _three_level_template(svc, aid):
    tpl = current_template(svc, aid)
    tpl["likelihood_levels"] = tpl["likelihood_levels"][:3]
    tpl["consequence_levels"] = tpl["consequence_levels"][:3]
    tpl["capability_levels"] = tpl["capability_levels"][:2]
    tpl["unacceptable_level"] = 3
    return tpl


# -- scale files ---------------------------------------------------------------------------------

def test_scale_file_round_trip(svc, analysis, rated, tmp_path):
    aid = analysis.id
    edit_level(svc, aid, "likelihood", 3, label="Medel", frequency="Vart tionde år")
    set_bands(svc, aid, [{"label": "Grön", "colour": "#00AA00", "min_score": 1},
                            {"label": "Röd", "colour": "#cc0000", "min_score": 12}])
    path = export_scale_file(svc, aid, tmp_path / "ks-skala.json", name="Stockholms stads skala")
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["format"] == "rsa-desktop-scale" and raw["name"] == "Stockholms stads skala"
    assert set(raw) >= set(load_template())  # same keys as resources/scales/default.json
    data = read_scale_file(path)
    assert load_template(path)  # the program's own loader accepts it too
    assert {k: v for k, v in data.items() if k not in ("name", "description")} == \
        {k: v for k, v in current_template(svc, aid).items() if k not in ("name", "description")}
    # another förvaltning (here: another year) imports it and gets the same scales
    other = svc.create_analysis(2027)
    apply_scale(svc, other.id, data, {})
    a, b = svc.scales(aid), svc.scales(other.id)
    strip = lambda s: (s.likelihood, s.consequence, s.bands, s.capability,  # noqa: E731
                       [(d.code, d.label) for d in s.dimensions], [(h.minutes, h.label) for h in s.horizons],
                       s.aggregation, s.unacceptable_level)
    assert strip(a) == strip(b)
    assert b.likelihood[2].frequency == "Vart tionde år" and b.bands[1].colour == "#cc0000"


BAD_FILES = [
    ("not json", b"\x00\x01 this is not json"),
    ("another program's json", json.dumps({"format": "excel-export", "levels": []}).encode()),
    ("newer format", json.dumps({**load_template(), "version": 99}).encode()),
    ("bad colour", json.dumps({**load_template(), "colour_bands": [{"label": "x", "colour": "red",
                                                                    "min_score": 1}]}).encode()),
    ("duplicate level", json.dumps({**load_template(), "likelihood_levels": [
        {"value": 1, "label": "a"}, {"value": 1, "label": "b"}]}).encode()),
    ("unacceptable level off the scale", json.dumps({**load_template(), "unacceptable_level": 9}).encode()),
    ("level that is no number", json.dumps({**load_template(), "consequence_levels": [
        {"value": "hög", "label": "a"}]}).encode()),
    ("no horizons", json.dumps({**load_template(), "time_horizons": []}).encode()),
    ("a list", b"[1, 2, 3]"),
]


@pytest.mark.parametrize("content", [c[1] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_foreign_or_corrupt_scale_files_are_refused(tmp_path, content):
    path = tmp_path / "skala.json"
    path.write_bytes(content)
    with pytest.raises(ScaleFileError) as exc:
        read_scale_file(path)
    assert re.search(r"[åäöÅÄÖ]|skalfil|Skalfil|Tidshorisont|Färggräns|nivå", str(exc.value))
    assert isinstance(exc.value, ValueError)


def test_missing_scale_file(tmp_path):
    with pytest.raises(ScaleFileError, match="kunde inte läsas"):
        read_scale_file(tmp_path / "finns-inte.json")


# -- preview and re-mapping ---------------------------------------------------------------------

def test_preview_lists_every_rating_without_a_level(svc, analysis, rated):
    preview = preview_scale_change(svc, analysis.id, _three_level_template(svc, analysis.id))
    found = {(r.hid, r.field, r.old) for r in preview.invalid}
    assert found == {
        ("R1", "likelihood", 5), ("R1", "residual_likelihood", 4), ("R1", "residual_consequence", 5),
        ("R1", "consequence:liv_halsa", 5),
        ("V1", "criticality_life_health", 5), ("V1", "criticality_functionality", 4),
        ("V1", "impact:4320", 4), ("V1", "impact:10080", 5),
        ("F1", "rating", 3),
    }
    assert preview.needs_mapping == {"likelihood": (4, 5), "consequence": (4, 5), "capability": (3,)}
    assert preview.removed == {"likelihood": (4, 5), "consequence": (4, 5), "capability": (3,)}
    assert not preview.ok and preview.unmapped
    labels = {r.field_label for r in preview.invalid}
    assert "Konsekvens – Människors liv och hälsa" in labels and "Konsekvens vid 3 dygn" in labels


def test_apply_refuses_unmapped_values_and_changes_nothing(svc, analysis, rated):
    before = _snapshot(svc, analysis.id)
    scales_before = svc.scales(analysis.id)
    with pytest.raises(ValidationError) as exc:
        apply_scale(svc, analysis.id, _three_level_template(svc, analysis.id),
                       {"likelihood": {5: 3, 4: 3}})  # consequence and capability left unmapped
    assert {"consequence", "capability"} == exc.value.fields
    assert "R1" in str(exc.value) and "Konsekvensskalan" in str(exc.value)
    assert _snapshot(svc, analysis.id) == before and svc.scales(analysis.id) == scales_before


def test_apply_with_mapping_keeps_every_rating(svc, analysis, rated):
    aid = analysis.id
    before = _snapshot(svc, aid)
    mapping = {"likelihood": {4: 3, 5: 3}, "consequence": {"4": "3", "5": "3"}, "capability": {3: 2}}
    preview = preview_scale_change(svc, aid, _three_level_template(svc, aid), mapping)
    assert preview.ok and len(preview.moves) == len(preview.invalid)
    apply_scale(svc, aid, _three_level_template(svc, aid), mapping)
    after = _snapshot(svc, aid)
    assert after.keys() == before.keys()
    for key, old in before.items():  # the mapping sends every level above the new top to the top
        top = 2 if key[1] == "rating" else 3
        assert after[key] == (None if old is None else min(old, top)), key
    s = svc.scales(aid)
    assert [l.value for l in s.likelihood] == [1, 2, 3] and s.unacceptable_level == 3
    assert run_check(svc) == []
    assert len(matrix_data(svc, aid).cells) == 9


def test_explicit_remap_of_still_valid_values(svc, analysis, rated):
    """Moving from a 1–5 to a 1–4 scale by shifting the top levels down, not by clamping."""
    aid = analysis.id
    tpl = current_template(svc, aid)
    tpl["likelihood_levels"] = tpl["likelihood_levels"][:4]
    apply_scale(svc, aid, tpl, {"likelihood": {5: 4, 4: 3}})
    r1 = svc.get("risk", rated["r1"].id)
    assert (r1.likelihood, r1.residual_likelihood) == (4, 3)


def test_remove_level_needs_a_target(svc, analysis, rated):
    aid = analysis.id
    with pytest.raises(ValidationError, match="R1"):
        remove_level(svc, aid, "likelihood", 5)
    remove_level(svc, aid, "likelihood", 2)  # unused: no mapping needed
    remove_level(svc, aid, "likelihood", 5, map_to=4)
    assert svc.get("risk", rated["r1"].id).likelihood == 4
    assert [l.value for l in svc.scales(aid).likelihood] == [1, 3, 4]
    with pytest.raises(ValidationError):
        remove_level(svc, aid, "likelihood", 4, map_to=7)  # not on the scale
    with pytest.raises(ValidationError, match="oacceptabla"):
        remove_level(svc, aid, "consequence", 4)  # the unacceptable level: say which replaces it
    remove_level(svc, aid, "consequence", 4, map_to=5)
    s = svc.scales(aid)
    assert s.unacceptable_level == 5 and svc.get("function", rated["f"].id).criticality_functionality == 5
    assert run_check(svc) == []


def test_add_and_relabel_levels(svc, analysis, rated):
    aid = analysis.id
    add_level(svc, aid, "consequence", 6, "Extrema", description="Långvarig kris i hela staden")
    edit_level(svc, aid, "consequence", 3, label="Betydande")
    s = svc.scales(aid)
    assert [l.value for l in s.consequence] == [1, 2, 3, 4, 5, 6] and s.consequence_label(3) == "Betydande"
    svc.update("risk", rated["r2"].id, residual_consequence=6)  # the new level is usable at once
    with pytest.raises(ValidationError):
        add_level(svc, aid, "consequence", 6, "Dubblett")
    assert _snapshot(svc, aid)[("R1", "liv_halsa")] == 5


def test_dimensions_rename_merge_and_drop(svc, analysis, rated):
    aid = analysis.id
    edit_dimension(svc, aid, "ekonomi_miljo", new_code="ekonomi", label="Ekonomiska värden")
    assert _snapshot(svc, aid)[("R2", "ekonomi")] == 3
    with pytest.raises(ValidationError, match="R1"):
        remove_dimension(svc, aid, "funktionalitet")  # used by R1
    preview = preview_scale_change(svc, aid, {**current_template(svc, aid), "consequence_dimensions": [
        d for d in current_template(svc, aid)["consequence_dimensions"] if d["code"] != "funktionalitet"]},
        {"dimensions": {"funktionalitet": "liv_halsa"}})
    assert preview.ok and preview.merges and "5" in preview.merges[0]
    remove_dimension(svc, aid, "funktionalitet", map_to="liv_halsa")  # R1: 5 and 2 → the higher, 5
    snap = _snapshot(svc, aid)
    assert snap[("R1", "liv_halsa")] == 5 and ("R1", "funktionalitet") not in snap
    remove_dimension(svc, aid, "ekonomi", drop=True)  # dropped only because the user chose to
    assert ("R2", "ekonomi") not in _snapshot(svc, aid)
    add_dimension(svc, aid, "suveranitet", "Nationell suveränitet")
    assert [d.code for d in svc.scales(aid).dimensions] == ["liv_halsa", "demokrati_rattssakerhet", "suveranitet"]
    with pytest.raises(ValidationError):
        add_dimension(svc, aid, "Fel kod!", "x")
    assert run_check(svc) == []


def test_horizons_are_mapped_by_minutes(svc, analysis, rated):
    aid = analysis.id
    fid = rated["f"].id
    with pytest.raises(ValidationError, match="V1"):
        remove_horizon(svc, aid, "3 dygn")
    remove_horizon(svc, aid, "3 dygn", map_to="1 dygn")  # 1 dygn had 3, 3 dygn had 4 → 4 is kept
    snap = _snapshot(svc, aid)
    assert snap[("V1", 1440)] == 4 and ("V1", 4320) not in snap
    edit_horizon(svc, aid, "1 vecka", new_minutes="2 veckor")
    s = svc.scales(aid)
    assert [(h.minutes, h.label) for h in s.horizons] == [(60, "1 h"), (240, "4 h"), (1440, "1 dygn"),
                                                          (20160, "2 veckor"), (43200, "1 månad")]
    assert _snapshot(svc, aid)[("V1", 20160)] == 5
    add_horizon(svc, aid, "2 h")
    edit_horizon(svc, aid, 120, label="Två timmar")
    assert [h.label for h in svc.scales(aid).horizons][1] == "Två timmar"
    remove_horizon(svc, aid, "1 h", drop=True)
    assert ("V1", 60) not in _snapshot(svc, aid)
    assert len(svc.impacts(fid)) == 3


def test_bands_aggregation_and_unacceptable_level(svc, analysis, rated):
    aid = analysis.id
    set_bands(svc, aid, [{"label": "Acceptabel", "colour": "#4caf50", "min_score": 1},
                            {"label": "Oacceptabel", "colour": "#e53935", "min_score": 9}])
    data = matrix_data(svc, aid)
    assert data.cell(3, 3).band == "Oacceptabel" and data.cell(2, 4).band == "Acceptabel"
    with pytest.raises(ValidationError, match="#rrggbb"):
        set_bands(svc, aid, [{"label": "Fel", "colour": "grön", "min_score": 1}])
    set_aggregation(svc, aid, "mean")
    assert matrix_data(svc, aid).cell(5, 4).hids == ("R1",)  # mean of 5 and 2, rounded up
    with pytest.raises(ValidationError):
        set_aggregation(svc, aid, "median")
    set_unacceptable_level(svc, aid, 3)
    assert svc.scales(aid).unacceptable_level == 3
    with pytest.raises(ValidationError):
        set_unacceptable_level(svc, aid, 8)


def test_suggested_mapping_is_only_a_suggestion(svc, analysis, rated):
    aid = analysis.id
    tpl = _three_level_template(svc, aid)
    tpl["time_horizons"] = [h for h in tpl["time_horizons"] if h["minutes"] != 4320]
    suggestion = suggest_mapping(svc, aid, tpl)
    assert suggestion == {"likelihood": {4: 3, 5: 3}, "consequence": {4: 3, 5: 3}, "capability": {3: 2},
                          "horizons": {4320: 1440}}
    assert preview_scale_change(svc, aid, tpl, suggestion).ok
    assert not preview_scale_change(svc, aid, tpl).ok


def test_scale_change_inside_a_batch_and_on_an_adopted_analysis(svc, analysis, rated):
    aid = analysis.id
    with svc.batch():
        add_level(svc, aid, "likelihood", 6, "Ständigt")
        svc.update("risk", rated["r2"].id, likelihood=6)  # the batch's cached scales were refreshed
    assert svc.get("risk", rated["r2"].id).likelihood == 6
    svc.adopt_analysis(aid, dt.date(2026, 3, 1), "KS 2026/12")
    with pytest.raises(ReadOnlyAnalysisError):
        edit_level(svc, aid, "likelihood", 1, label="Nästan aldrig")
    assert svc.scales(aid).likelihood_label(1) == "Mycket låg"


def test_mapping_to_none_is_refused_for_levels(svc, analysis, rated):
    tpl = _three_level_template(svc, analysis.id)
    mapping = {"likelihood": {4: None, 5: 3}, "consequence": {4: 3, 5: 3}, "capability": {3: 2}}
    with pytest.raises(ValidationError, match="tas inte bort"):
        apply_scale(svc, analysis.id, tpl, mapping)
    assert copy.deepcopy(mapping) == mapping

