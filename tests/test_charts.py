"""Charts: the riskmatris and dependency map figures, checked through the data they draw (not pixels)."""

import datetime as dt
import re

import pytest
from matplotlib.colors import to_hex

from rsa_desktop.reports.charts import (
    SEVERITY_COLOURS,
    axis_labels,
    dependency_map_figure,
    depmap_layout,
    figure_to_svg,
    matrix_arrows,
    matrix_layout,
    risk_matrix_figure,
    unplaced_hids,
)
from rsa_desktop.services.depmap import build_graph
from rsa_desktop.services.matrix import matrix_data


@pytest.fixture
def rated(svc, analysis):
    dim = {d.code: d.id for d in svc.scales(analysis.id).dimensions}
    for title, l, cons, residual in (
        ("Elavbrott", 2, {"liv_halsa": 3, "funktionalitet": 5}, (1, 3)),
        ("Cyberangrepp", 4, {"funktionalitet": 4}, (2, 3)),
        ("Brand", 1, {"liv_halsa": 2}, (1, 2)),
        ("Oklar", None, {"liv_halsa": 2}, (None, None)),
    ):
        r = svc.create("risk", analysis.id, title=title, likelihood=l, residual_likelihood=residual[0],
                       residual_consequence=residual[1])
        for code, lv in cons.items():
            svc.set_consequence(r.id, dim[code], lv)
    return matrix_data(svc, analysis.id)


def _cell(layout, likelihood, consequence):
    (c,) = [c for c in layout if (c["likelihood"], c["consequence"]) == (likelihood, consequence)]
    return c


@pytest.mark.parametrize("likelihood", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("consequence", [1, 2, 3, 4, 5])
def test_every_cell_placed_and_coloured(svc, analysis, rated, likelihood, consequence):
    layout = matrix_layout(rated)
    assert len(layout) == 25
    cell = _cell(layout, likelihood, consequence)
    assert cell["rect"] == (consequence - 1, likelihood - 1, 1.0, 1.0)  # low likelihood at the bottom
    band = svc.scales(analysis.id).band(likelihood, consequence)
    assert (cell["colour"], cell["band"]) == (band.colour, band.label)
    assert cell["hids"] == rated.cell(likelihood, consequence).hids and cell["count"] == len(cell["hids"])
    assert [t["text"] for t in cell["tokens"]] == list(cell["hids"])
    for t in cell["tokens"]:
        assert consequence - 1 < t["x"] < consequence and likelihood - 1 < t["y"] < likelihood


def test_figure_draws_the_layout(rated):
    fig = risk_matrix_figure(rated, title="Riskmatris 2026")
    ax = fig.axes[0]
    patches = {p.get_gid(): to_hex(p.get_facecolor()) for p in ax.patches}
    for cell in matrix_layout(rated, title="Riskmatris 2026"):
        assert patches[f"cell-{cell['likelihood']}-{cell['consequence']}"] == cell["colour"]
    texts = {t.get_gid(): t for t in ax.texts}
    r1 = texts["token-current-R1"]
    assert r1.get_text() == "R1" and r1.get_position() == pytest.approx((4.5, 1.5), abs=0.35)  # (2, 5)
    assert r1.get_fontweight() == "bold"
    counts = sorted(t.get_text() for t in ax.texts if t.get_gid() == "count")
    assert counts == ["1", "1", "1"]
    labels = axis_labels(rated)
    assert labels["y"][-1] == "5 Mycket hög" and labels["x"][0] == "1 Mycket begränsade"
    drawn = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() in ("xtick", "ytick")]
    assert sorted(drawn) == sorted(labels["x"] + labels["y"])
    all_texts = [t.get_text() for t in fig.texts] + [t.get_text() for t in ax.texts]
    assert "Riskmatris 2026" in all_texts and "Sannolikhet" in all_texts and "Konsekvens" in all_texts
    assert any("R4" in t for t in all_texts)  # the unplaced risk is named under the matrix
    assert {t.get_fontfamily()[0] for t in fig.texts + ax.texts} == {"DejaVu Sans"}


def test_residual_arrows_and_previous_positions(svc, analysis, rated):
    residual = matrix_data(svc, analysis.id, residual=True)
    svc.update("risk", svc.find_by_hid("risk", analysis.id, "R3").id, residual_likelihood=None)
    assert unplaced_hids(rated) == ["R4"] and unplaced_hids(matrix_data(svc, analysis.id, residual=True)) == [
        "R3", "R4"]
    layout = matrix_layout(rated, residual=residual, previous=residual)
    assert [t["text"] for t in _cell(layout, 1, 3)["tokens"]] == ["R1′", "(R1)"]
    assert [t["text"] for t in _cell(layout, 2, 3)["tokens"]] == ["R2′", "(R2)"]
    assert [t["style"] for t in _cell(layout, 2, 3)["tokens"]] == ["residual", "previous"]
    assert _cell(layout, 1, 2)["tokens"] == [{**_cell(layout, 1, 2)["tokens"][0], "style": "current"}]  # R3 stays
    arrows = matrix_arrows(layout)
    assert [a["hid"] for a in arrows] == ["R1", "R2"]
    r1 = next(t for c in layout for t in c["tokens"] if t["text"] == "R1")
    r1_after = next(t for c in layout for t in c["tokens"] if t["text"] == "R1′")
    assert arrows[0]["start"] == (r1["x"], r1["y"]) and arrows[0]["end"] == (r1_after["x"], r1_after["y"])
    fig = risk_matrix_figure(rated, residual=residual, previous=residual)
    drawn = [c for c in fig.axes[0].get_children() if (c.get_gid() or "").startswith("arrow-")]
    assert sorted(c.get_gid() for c in drawn) == ["arrow-R1", "arrow-R2"]


def test_a_crowded_cell_wraps_and_keeps_count(svc, analysis):
    dim = svc.scales(analysis.id).dimensions[0].id
    for i in range(40):
        r = svc.create("risk", analysis.id, title=f"Risk {i}", likelihood=3)
        svc.set_consequence(r.id, dim, 3)
    layout = matrix_layout(matrix_data(svc, analysis.id))
    cell = _cell(layout, 3, 3)
    assert cell["count"] == 40
    shown = [t for t in cell["tokens"] if t["style"] == "current"]
    more = [t for t in cell["tokens"] if t["style"] == "more"]
    hidden = int(more[0]["text"][1:]) if more else 0
    assert len(shown) + hidden == 40 and len({t["y"] for t in shown}) > 1  # several rows
    for t in cell["tokens"]:
        assert 2 < t["x"] < 3 and 2 < t["y"] < 3
    assert [t["text"] for t in shown] == [f"R{i}" for i in range(1, len(shown) + 1)]


def test_svg_has_glyphs_as_paths_and_keeps_the_canvas(rated):
    fig = risk_matrix_figure(rated)
    canvas = fig.canvas
    svg = figure_to_svg(fig)
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b"<text" not in svg  # svg.fonttype = path
    assert fig.canvas is canvas
    assert svg == figure_to_svg(fig)  # deterministic: no date, fixed ids
    assert re.search(rb"<dc:date>", svg) is None


def test_dependency_map_figure(svc, analysis):
    aid = analysis.id
    v1 = svc.create("function", aid, name="Akuta ärenden med ett mycket långt namn som inte får plats",
                    is_critical=True, max_tolerable_downtime=240)
    b1 = svc.create("dependency", aid, name="El", dep_type="El", expected_outage=1440)
    b2 = svc.create("dependency", aid, name="Nätverk", dep_type="Tele och data", provider_org="Stadsledningskontoret",
                    has_reserve=True, expected_outage=60)
    svc.link("function_dependency", v1.id, b2.id, tolerance=240)
    svc.link("dependency_dependency", b2.id, b1.id)
    graph = build_graph(svc, aid, today=dt.date(2026, 6, 1))
    lay = depmap_layout(graph)
    nodes = {n["id"]: n for n in lay["nodes"]}
    assert nodes["B1"]["fill"] == SEVERITY_COLOURS["hög"][0]
    assert nodes["B2"]["shared"] and nodes["B2"]["linewidth"] > nodes["B1"]["linewidth"]
    assert nodes["V1"]["text"].startswith("V1 Akuta") and nodes["V1"]["text"].endswith("…")
    xs = {k: n["box"][0] for k, n in nodes.items()}
    assert xs["V1"] < xs["B2"] < xs["B1"]
    edges = {(e["source"], e["target"]): e for e in lay["edges"]}
    assert edges[("B2", "V1")]["label"] == "4 h" and edges[("B2", "B1")]["colour"] == SEVERITY_COLOURS["hög"][1]
    for e in lay["edges"]:
        assert e["start"][0] < e["end"][0]
    fig = dependency_map_figure(graph)
    ax = fig.axes[0]
    patches = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    assert to_hex(patches["node-B1"].get_facecolor()) == SEVERITY_COLOURS["hög"][0]
    lines = {l.get_gid(): to_hex(l.get_color()) for l in ax.lines}
    assert lines["edge-B2-B1"] == SEVERITY_COLOURS["hög"][1]
    assert {"V1", "B1", "B2"} <= {t.get_text().split(" ")[0] for t in ax.texts}
    assert figure_to_svg(fig).startswith(b"<?xml")
