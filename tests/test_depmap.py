"""The dependency map as data: nodes, edges, shared dependencies, severities and the layered layout."""

import datetime as dt

import pytest

from rsa_desktop.services.depmap import build_graph, dependency_levels
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def graph_data(svc, analysis):
    aid = analysis.id
    v1 = svc.create("function", aid, name="Akuta ärenden", is_critical=True, max_tolerable_downtime=1440)
    v2 = svc.create("function", aid, name="Utbetalningar", is_critical=True, max_tolerable_downtime=10080)
    v3 = svc.create("function", aid, name="Arkiv", is_critical=False)
    for f in (v1, v2):
        svc.create("continuity_plan", aid, title="Plan", function_id=f.id, last_exercised=TODAY)
    ok = dict(expected_outage=60, has_reserve=True, reserve_duration=1440)
    b1 = svc.create("dependency", aid, name="Verksamhetssystem", dep_type="IT-system", **ok)
    b2 = svc.create("dependency", aid, name="Lönecenter", dep_type="Annan förvaltning eller bolag i staden",
                    provider_org="Serviceförvaltningen", **ok)
    b3 = svc.create("dependency", aid, name="Nätverk", dep_type="Tele och data", **ok)
    b4 = svc.create("dependency", aid, name="El", dep_type="El", expected_outage=4320)  # no reserve: the gap
    for f, tol in ((v1, 240), (v2, 1440), (v3, 10080)):
        svc.link("function_dependency", f.id, b1.id, tolerance=tol)
    svc.link("function_dependency", v2.id, b2.id, tolerance=10080)
    svc.link("dependency_dependency", b1.id, b3.id)
    svc.link("dependency_dependency", b3.id, b4.id)
    return aid


def test_nodes_edges_and_layers(svc, graph_data):
    g = build_graph(svc, graph_data, today=TODAY)
    assert [n.id for n in g.nodes] == ["V1", "V2", "V3", "B1", "B2", "B3", "B4"]
    assert {n.id: n.column for n in g.nodes} == {"V1": 0, "V2": 0, "V3": 0, "B1": 1, "B2": 1, "B3": 2, "B4": 3}
    assert g.columns == 4 and g.rows == 3
    assert [(e.source, e.target, e.kind, e.tolerance) for e in g.edges] == [
        ("B1", "V1", "serves", 240), ("B1", "V2", "serves", 1440), ("B1", "V3", "serves", 10080),
        ("B2", "V2", "serves", 10080), ("B1", "B3", "depends_on", None), ("B3", "B4", "depends_on", None)]
    for e in g.edges:  # in this map every dependency edge points to the right
        assert g.node(e.source).column != g.node(e.target).column
    assert g.node("V1").critical and not g.node("V3").critical and g.node("B4").functions_served == 3


def test_shared_dependencies_stand_out(svc, graph_data):
    g = build_graph(svc, graph_data, today=TODAY)
    assert {n.id for n in g.shared} == {"B1", "B2"}  # three functions; another förvaltning
    assert {n.id for n in build_graph(svc, graph_data, shared_min=4, today=TODAY).shared} == {"B2"}


def test_severity_on_nodes_and_along_the_chain(svc, graph_data):
    g = build_graph(svc, graph_data, today=TODAY)
    assert g.node("B4").severity == "hög" and g.node("V1").severity == "hög"
    assert g.node("B2").severity is None and g.node("V3").severity is None
    assert g.edge("B1", "V1").severity == "hög"  # V1 → B1 → B3 → B4: no reserve, 3 dygn against 4 h
    assert g.edge("B1", "B3").severity == "hög" and g.edge("B3", "B4").severity == "hög"
    assert g.edge("B2", "V2").severity is None
    assert any("V1" in f.functions and f.items[-3:] == ("B1", "B3", "B4") for f in g.findings)  # grouped per dependency


def test_layout_is_deterministic_and_spread(svc, graph_data):
    a = build_graph(svc, graph_data, today=TODAY)
    b = build_graph(svc, graph_data, today=TODAY)
    assert a == b
    for c in range(a.columns):
        rows = [n.y for n in a.column(c)]
        assert rows == sorted(rows) and len(set(rows)) == len(rows)
        assert all(0 - 0.5 <= y <= a.rows - 0.5 for y in rows)
    assert a.node("B4").y == pytest.approx((a.rows - 1) / 2)  # a lone node sits in the middle


def test_critical_only_map(svc, graph_data):
    aid = graph_data
    svc.create("dependency", aid, name="Oanvänt beroende", dep_type="Lokaler")
    g = build_graph(svc, aid, critical_only=True, today=TODAY)
    assert [n.id for n in g.nodes] == ["V1", "V2", "B1", "B2", "B3", "B4"]
    assert "B5" in [n.id for n in build_graph(svc, aid, today=TODAY).nodes]


def test_public_map_leaves_out_secret_items(svc, graph_data):
    b3 = svc.find_by_hid("dependency", graph_data, "B3")
    svc.update("dependency", b3.id, secret=True)
    g = build_graph(svc, graph_data, include_secret=False, today=TODAY)
    assert "B3" not in [n.id for n in g.nodes]
    assert not [e for e in g.edges if "B3" in (e.source, e.target)]
    assert g.node("B4").severity is None  # the gap's chain runs through the secret B3


def test_demo_map(demo_file):
    doc = Document.open(demo_file, readonly=True)
    try:
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        g = build_graph(svc, aid, today=TODAY)
    finally:
        doc.close()
    assert len([n for n in g.nodes if n.kind == "function"]) == 10
    assert {"B1", "B2", "B10", "B11"} <= {n.id for n in g.shared}  # the city's IT, Serviceförvaltningen
    assert g.node("B1").functions_served == 9 and g.node("B1").column == g.node("B2").column == g.node("B3").column == 1
    direct = {e.source for e in g.edges if e.kind == "serves"}
    for n in g.nodes:
        if n.kind == "dependency":
            assert (n.column == 1) == (n.id in direct), n  # level 1 exactly when a verksamhet needs it directly
    for e in g.edges:
        if e.kind == "depends_on":
            assert g.node(e.target).column <= g.node(e.source).column + 1  # the fewest steps: at most one more
    assert g.node("B21").severity == "hög" and g.node("V10").severity == "hög"


def test_level_one_when_every_function_needs_it_directly(svc, analysis):
    """Issue 21: B1, needed directly by all four verksamheter, was drawn at "nivå 2" because another
    dependency also needs it. Directly needed means level 1; otherwise the fewest steps from one."""
    aid = analysis.id
    fns = [svc.create("function", aid, name=f"Verksamhet {i}") for i in range(1, 5)]
    b1 = svc.create("dependency", aid, name="Verksamhetssystem", dep_type="IT-system")
    b2 = svc.create("dependency", aid, name="Lokaler", dep_type="Lokaler")
    b3 = svc.create("dependency", aid, name="Nätverk", dep_type="Tele och data")
    b4 = svc.create("dependency", aid, name="El", dep_type="El")
    b5 = svc.create("dependency", aid, name="Reservkraft", dep_type="El")
    for f in fns:
        svc.link("function_dependency", f.id, b1.id)
    svc.link("function_dependency", fns[0].id, b2.id)
    svc.link("dependency_dependency", b2.id, b1.id)  # Lokaler needs the system too: still level 1
    svc.link("dependency_dependency", b1.id, b3.id)  # chain B1 → B3 → B4 → B5
    svc.link("dependency_dependency", b3.id, b4.id)
    svc.link("dependency_dependency", b4.id, b5.id)
    svc.link("dependency_dependency", b2.id, b4.id)  # a shortcut: B4 is two steps from V1 via B2
    g = build_graph(svc, aid, today=TODAY)
    assert {n.id: n.column for n in g.nodes if n.kind == "dependency"} == {
        "B1": 1, "B2": 1, "B3": 2, "B4": 2, "B5": 3}
    assert g.columns == 4 and g.node("B1").functions_served == 4 and g.node("B1").shared
    assert g.edge("B2", "B1").kind == "depends_on"  # an edge within level 1 stays in the graph


def test_dependency_levels_rule():
    # direct needs are level 1 even when other dependencies need them; a chain counts its fewest steps
    assert dependency_levels([1, 2, 3, 4], {1, 2}, {2: [1, 4], 1: [3], 3: [4]}) == {1: 1, 2: 1, 3: 2, 4: 2}
    # nothing needs 5 and no function reaches 5 → 6 → 7: the chain starts at level 1
    assert dependency_levels([5, 6, 7], set(), {5: [6], 6: [7]}) == {5: 1, 6: 2, 7: 3}
    # a cycle nothing leads into, and a cycle below a direct need, both end
    assert dependency_levels([8, 9], set(), {8: [9], 9: [8]}) == {8: 1, 9: 2}
    assert dependency_levels([1, 2, 3], {1}, {1: [2], 2: [3], 3: [2]}) == {1: 1, 2: 2, 3: 3}
    # ids the caller left out (secret, not on the map) are ignored
    assert dependency_levels([1, 3], {1}, {1: [2], 2: [3]}) == {1: 1, 3: 1}
