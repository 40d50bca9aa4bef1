"""The PDF reads without stumbling: no word, date or ID broken across lines without a hyphen (scanned
in the PDF's own text, demo and hostile text alike), emoji and control characters printed visibly."""

from __future__ import annotations

import datetime as dt

import pdf_lines
import pytest

from rsa_desktop.reports.pdf import NO_GLYPH, export_pdf
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

pytestmark = pytest.mark.skipif(not pdf_lines.available(), reason="poppler's pdftotext is not installed")


@pytest.fixture(scope="module")
def demo_pdf(demo_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("typo") / "demo.pdf"
    doc = Document.open(demo_file, readonly=True)
    try:
        svc = RsaService(doc)
        export_pdf(svc, svc.analyses()[0].id, out)
    finally:
        doc.close()
    return out


def test_demo_breaks_no_word_or_date(demo_pdf, demo_file):
    bad = pdf_lines.broken(demo_pdf, pdf_lines.vocabulary(demo_file))
    assert not bad, f"{len(bad)} ord eller datum delade utan bindestreck, t.ex. {bad[:12]}"


def test_demo_hyphenates_in_narrow_columns(demo_pdf):
    ends = [t for _p, t, _n in pdf_lines.line_ends(demo_pdf)]
    assert any(t.endswith("-") and t[:-1].isalpha() and t[0].isalpha() and len(t) > 3 for t in ends)


def test_hostile_text_breaks_no_word_date_or_id(svc, analysis, doc, tmp_path):
    aid = analysis.id
    long_word = "Säkerhetsskyddsklassificeringsbeslutsunderlagsförteckningen"
    url = "https://start.stockholm/aktuellt/nyheter/2026/09/krisberedskap-och-kontinuitetsplanering-i-stadens-forvaltningar"
    f = svc.create("function", aid, name=f"Akut 🦄 verksamhet {long_word}", is_critical=True,
                   description=f"Se {url} och {'Ord' + 'x' * 300} samt 🔥🔥 brand ✅ klart 👍🏽 👨‍👩‍👧.",
                   max_tolerable_downtime=240)
    dep = svc.create("dependency", aid, name=f"Leverantörsövergripande{long_word}", dep_type="IT-system",
                     provider=url, expected_outage=480)
    svc.link("function_dependency", f.id, dep.id, tolerance=120)
    risk = svc.create("risk", aid, title="placeholder", likelihood=3)
    with doc.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE risk SET title = ? WHERE id = ?", ("Kontroll\x01tecken\x07slut", risk.id))
    for i in range(6):
        svc.create("action", aid, title=f"Åtgärd {i} {long_word}", owner="Säkerhetssamordnare",
                   status=["pagaende", "genomford", "planerad"][i % 3], deadline=dt.date(2026, 9, 30) + dt.timedelta(i),
                   priority="hog")
    out = tmp_path / "hostile.pdf"
    export_pdf(svc, aid, out)
    bad = pdf_lines.broken(out, pdf_lines.vocabulary(doc.path, extra=(long_word, url, "Ord" + "x" * 300)))
    assert not bad, f"{len(bad)} ord eller datum delade utan bindestreck, t.ex. {bad[:12]}"
    text = " ".join(t for page in pdf_lines.words(out) for _x0, _y, _x1, t in page)
    assert "\ufffd" not in text and "␁" not in text
    assert "Kontroll tecken slut" in text  # a control character prints as a space
    assert NO_GLYPH in text  # an emoji the font cannot draw is replaced visibly, not an empty box
    assert "2026-09-30" in text.split() or any(w.startswith("2026-09-30") for w in text.split())


def test_split_table_repeats_its_group_label(svc, analysis, tmp_path):
    aid = analysis.id
    f = svc.create("function", aid, name="Utbetalning av arvoden", is_critical=True)
    for i in range(70):
        dep = svc.create("dependency", aid, name=f"Beroende nummer {i}", dep_type="IT-system")
        svc.link("function_dependency", f.id, dep.id, tolerance=60)
    out = tmp_path / "group.pdf"
    export_pdf(svc, aid, out)
    import pypdf

    pages = [p.extract_text() or "" for p in pypdf.PdfReader(str(out)).pages]
    continued = [p for p in pages if f"{f.hid} Utbetalning av arvoden (forts.)" in " ".join(p.split())]
    assert continued, "tabellens fortsättning på nästa sida saknar verksamhetens namn"


def test_gap_chapter_is_grouped_per_dependency(demo_pdf, demo_file):
    import pypdf

    from rsa_desktop.reports import chapters
    from rsa_desktop.reports.common import gather

    doc = Document.open(demo_file, readonly=True)
    try:
        svc = RsaService(doc)
        data = gather(svc, svc.analyses()[0].id)
    finally:
        doc.close()
    rows, _fills = chapters.gap_rows(data, lambda title, explanation: title)
    labels = [r[0] for r in rows if r[0]]
    deps = {g.dependency_id for g in data.gaps}
    assert len(labels) == len(deps) == len(set(labels))  # each dependency once, however many verksamheter
    spof = [g for g in data.gaps if g.rule == "single_point_of_failure"]
    pages = [" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(str(demo_pdf)).pages]
    # the full gap table is in Bilaga F (the chapter keeps a summary of the most serious findings)
    start = max(i for i, p in enumerate(pages) if p.count("Bilaga F. Fullständiga förteckningar") and i > 3)
    text = " ".join(pages[start:])
    assert text.count(": enda felpunkt") == len(spof) <= len({g.dependency_id for g in spof})


def test_reservrutin_cards_never_under_8_5_pt(demo_pdf):
    import pypdf

    def mult(m, n):  # 2-D affine matrices as pypdf gives them: [a b c d e f]
        return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
                m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]

    checked = 0
    for page in pypdf.PdfReader(str(demo_pdf)).pages:
        if "Reservrutinkort:" not in (page.extract_text() or ""):
            continue
        sizes: list[float] = []

        def visit(text, cm, tm, _font, size, sizes=sizes):
            m = mult(tm, cm)
            if text.strip() and 64 < m[5] < 765:  # the page body, not the marking and page number
                sizes.append(size * (m[0] ** 2 + m[1] ** 2) ** 0.5)

        page.extract_text(visitor_text=visit)
        assert sizes and min(sizes) >= 8.5 - 0.01, min(sizes)
        checked += 1
    assert checked
