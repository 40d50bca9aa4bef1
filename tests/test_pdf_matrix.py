"""The PDF's risk matrices (drawn with reportlab shapes): every risk ID sits in its cell on the page.

Read from the PDF itself with poppler's `pdftotext -bbox`: the column of a cell is found from its
consequence tick label under the grid, the row from its likelihood tick label left of it.
"""

from __future__ import annotations

import re

import pdf_lines
import pytest

from rsa_desktop.reports import pdf
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

pytestmark = pytest.mark.skipif(not pdf_lines.available(), reason="poppler's pdftotext is not installed")

_ID = re.compile(r"^R\d+$")


@pytest.fixture(scope="module")
def matrix_pdf(demo_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdfm") / "demo.pdf"
    doc = Document.open(demo_file, readonly=True)
    svc = RsaService(doc)
    data = pdf.gather(svc, svc.analyses()[0].id)
    pdf.build_pdf(data, str(out), svc=svc)
    yield data, pdf_lines.words(out)
    doc.close()


def _page_with(pages, *phrase: str) -> tuple[list, float]:
    """The page with `phrase` (the matrix' caption) and the phrase's y on it."""
    for page in pages:
        texts = [w[3] for w in page]
        for i in range(len(texts) - len(phrase) + 1):
            if tuple(texts[i:i + len(phrase)]) == phrase:
                return page, page[i][1]
    raise AssertionError(f"no page with {' '.join(phrase)!r}")


def _cells_on_page(page, caption_y: float, matrix, heading: str) -> dict[str, tuple[int, int]]:
    """risk ID → (likelihood, consequence) of the cell it is drawn in, judged from the tick labels."""
    # the matrix ends with its axis title "Konsekvens" above the caption (a table may follow the caption)
    title = max(w[1] for w in page if w[3] == "Konsekvens" and w[1] < caption_y)
    head = max(w[1] for w in page if w[3] == heading and w[1] < title)  # the matrix' own title
    ids = [w for w in page if _ID.match(w[3]) and head < w[1] < title]
    assert ids, "no risk IDs on the matrix page"
    # consequence ticks: "3 Allvarliga" centred under its column, just below the lowest ID
    cols = {}
    for v, _label in matrix.consequence_levels:
        below = [w for w in page if w[3] == str(v) and w[1] < title]
        w = max(below, key=lambda w: w[1])  # the tick under the grid, not a cell's count
        line = sorted(x for x in page if abs(x[1] - w[1]) < 1 and x[0] >= w[0])
        end = w[2]
        for x in line:
            if x[0] - end > pdf_lines.GAP:
                break
            end = x[2]
        cols[v] = (w[0] + end) / 2
        ticks_y = w[1]
    # likelihood ticks: "4 Hög", right-aligned left of the grid
    rows = {}
    for v, _label in matrix.likelihood_levels:
        beside = [w for w in page if w[3] == str(v) and head < w[1] < ticks_y - 5]
        rows[v] = min(beside, key=lambda w: w[0])[1]  # the tick left of the grid, not a cell's count
    width = min(abs(a - b) for a in cols.values() for b in cols.values() if a != b)
    height = min(abs(a - b) for a in rows.values() for b in rows.values() if a != b)
    out = {}
    for x0, y0, x1, text in ids:
        cx = (x0 + x1) / 2
        cons = min(cols, key=lambda v: abs(cols[v] - cx))
        lik = min(rows, key=lambda v: abs(rows[v] - y0))
        assert abs(cols[cons] - cx) < width / 2 and abs(rows[lik] - y0) < height / 2 + 4, text
        assert text not in out, f"{text} twice in the matrix"
        out[text] = (lik, cons)
    return out


def test_every_risk_in_its_cell(matrix_pdf):
    data, pages = matrix_pdf
    page, y = _page_with(pages, "Riskmatris:", "bedömd", "risk.")
    expected = {p.hid: (p.likelihood, p.consequence) for p in data.matrix.points
                if p.likelihood is not None and p.consequence is not None}
    assert len(expected) >= 10
    assert _cells_on_page(page, y, data.matrix, "Bedömd") == expected


def test_residual_matrix_in_its_cells(matrix_pdf):
    data, pages = matrix_pdf
    page, y = _page_with(pages, "Riskmatris:", "risk", "efter", "planerade", "åtgärder.")
    m = data.residual_matrix
    expected = {c_hid: (c.likelihood, c.consequence) for c in m.cells for c_hid in c.hids}
    assert expected
    assert _cells_on_page(page, y, m, "planerade") == expected


def test_matrix_is_drawn_without_matplotlib(matrix_pdf, monkeypatch):
    """The PDF's matrix no longer goes through matplotlib and svglib (the cost on a large analysis)."""
    from rsa_desktop.reports import charts

    def fail(*_a, **_k):
        raise AssertionError("matplotlib figure used for the PDF matrix")

    monkeypatch.setattr(charts, "risk_matrix_figure", fail)
    data, _pages = matrix_pdf
    b = pdf.build_story(data)
    assert b.story
