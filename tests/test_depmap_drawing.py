"""The PDF's dependency map: one readable map per samhällsviktig verksamhet, full labels, reportlab shapes."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("reportlab")

from rsa_desktop.reports import depmap_drawing  # noqa: E402
from rsa_desktop.reports.common import dependency_graph, gather  # noqa: E402
from rsa_desktop.reports.pdf import pdf_text, register_fonts  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402


def strings(drawing) -> list[str]:
    from reportlab.graphics.shapes import String

    out = []

    def walk(node):
        if isinstance(node, String):
            out.append(node.text)
        for child in getattr(node, "contents", []) or []:
            walk(child)

    walk(drawing)
    return out


def test_one_map_per_verksamhet_with_full_labels(demo_file):
    register_fonts()
    doc = Document.open(demo_file, readonly=True)
    try:
        svc = RsaService(doc)
        data = gather(svc, svc.analyses()[0].id)
        graph = dependency_graph(svc, data)
    finally:
        doc.close()
    functions = graph.column(0)
    assert functions
    width = 476
    drawn = 0
    for f in functions:
        d = depmap_drawing.function_map(graph, f.id, width, text_of=pdf_text)
        if d is None:
            continue
        drawn += 1
        assert d.width <= width + 0.01
        text = " ".join(strings(d))
        joined = re.sub(r"-\s", "", text)  # lines hyphenated inside a box
        nodes, edges = depmap_drawing.subgraph(graph, f.id)
        for n in nodes:
            words = f"{n.id} {n.label}".split()
            assert all(w.replace("-", "") in joined.replace("-", "") for w in words), (n.id, n.label)
        served = {e.source for e in graph.edges if e.kind == "serves" and e.target == f.id}
        assert served <= {n.id for n in nodes}
        assert all(e.kind == "depends_on" or e.target == f.id for e in edges)  # no other verksamhet's edges
    assert drawn >= 1
