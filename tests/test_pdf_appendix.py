"""Long tables leave the main chapters for Bilaga F (issue #17): the chapter keeps a short summary, the
appendix every row, and the main part of the demo report gets shorter."""

from __future__ import annotations

import pytest

pypdf = pytest.importorskip("pypdf")

from rsa_desktop.reports.chapters import appendix_name  # noqa: E402
from rsa_desktop.reports.common import gather, load_template  # noqa: E402
from rsa_desktop.reports.pdf import LONG_TABLE_ROWS, build_story, export_pdf  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402
from tests.test_pdf import page_texts  # noqa: E402

# Main part (title page to the page before "Bilagor") of the demo report: 61 pages before the long tables
# moved to Bilaga F, 56 after.
MAIN_PAGES_BOUND = 57


@pytest.fixture(scope="module")
def demo(demo_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "demo.pdf"
    doc = Document.open(demo_file, readonly=True)
    svc = RsaService(doc)
    analysis = svc.analyses()[0]
    export_pdf(svc, analysis.id, out)
    yield svc, analysis, page_texts(out)
    doc.close()


def _appendix_start(pages: list[str]) -> int:
    """Index of the page where the Bilagor part starts (after the table of contents)."""
    return next(i for i, p in enumerate(pages) if i > 2 and "Bilaga A. Bedömningsskalor" in p)


def _registers_start(pages: list[str]) -> int:
    name = appendix_name(load_template(), "registers")
    return next(i for i, p in enumerate(pages) if i > 2 and name in p and "Hela förteckningen" not in p
                and ". . ." not in p)


def test_main_chapters_have_no_long_table(demo):
    from reportlab.platypus import Table

    svc, a, _pages = demo
    b = build_story(gather(svc, a.id), svc=svc)
    long = []
    for f in b.story:
        if getattr(f, "rsa_key", None) == "appendices" or getattr(f, "key", None) == "appendices":
            break
        # a list table repeats its header row; a fact box (Builder.kv, one item's facts) has none
        if isinstance(f, Table) and f.repeatRows and len(f._cellvalues) - 1 > LONG_TABLE_ROWS:
            long.append(len(f._cellvalues) - 1)
    assert not long, f"tabeller i huvudkapitlen med fler än {LONG_TABLE_ROWS} rader: {long}"
    assert b.registers, "demoanalysen har långa tabeller som ska ligga i bilagan"


def test_appendix_holds_every_row(demo):
    svc, a, pages = demo
    start = _registers_start(pages)
    assert start > _appendix_start(pages)
    appendix = " ".join(pages[start:])
    for kind in ("risk", "action", "dependency"):
        for rec in svc.list(kind, a.id):
            assert rec.hid in appendix, (kind, rec.hid)
    main = " ".join(pages[:_appendix_start(pages)])
    assert "Hela förteckningen finns i bilaga F." in main


def test_toc_lists_registers_under_bilagor(demo):
    _svc, _a, pages = demo
    toc = " ".join(pages[1:4])
    name = appendix_name(load_template(), "registers")
    assert toc.find("Bilagor") < toc.find(name), "Bilaga F saknas under Bilagor i innehållsförteckningen"
    assert toc.find("Bilaga E. Reservrutinkort") < toc.find(name)


def test_main_part_is_shorter(demo):
    _svc, _a, pages = demo
    assert _appendix_start(pages) <= MAIN_PAGES_BOUND, _appendix_start(pages)


def test_both_matrices_share_the_first_page_of_the_risk_chapter(demo):
    # issue #17: the second matrix did not fit under the first and left 40 % of the page empty
    _svc, _a, pages = demo
    start = next(i for i, p in enumerate(pages) if i > 3 and "5 Identifierade och analyserade risker" in p)
    assert "Riskmatris: bedömd risk." in pages[start]
    assert "Riskmatris: risk efter planerade åtgärder." in pages[start]
