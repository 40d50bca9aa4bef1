"""The PDF report: headings, risk titles, the marking on every page, embedded fonts, hostile text."""

from __future__ import annotations

import re

import pytest

pypdf = pytest.importorskip("pypdf")

from rsa_desktop.reports.common import load_template  # noqa: E402
from rsa_desktop.reports.pdf import export_pdf  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402


def norm(text: str) -> str:
    return " ".join(text.split())


_HYPHENATED = re.compile(r"(?<=[a-zåäöé])-\n(?=[a-zåäöé])")


def page_texts(path) -> list[str]:
    """Each page's text, words hyphenated at a line end joined again ("årsräk-" + "ningar")."""
    return [norm(_HYPHENATED.sub("", p.extract_text() or "")) for p in pypdf.PdfReader(str(path)).pages]


def fonts_of(reader) -> dict[str, bool]:
    """Every font used anywhere (pages and their form XObjects) → whether it is embedded."""
    found: dict[str, bool] = {}

    def walk(resources, seen):
        if resources is None:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is not None:
            for ref in fonts.get_object().values():
                font = ref.get_object()
                descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
                for f in descendants:
                    desc = f.get("/FontDescriptor")
                    desc = desc.get_object() if desc is not None else {}
                    embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                    found[str(font.get("/BaseFont"))] = found.get(str(font.get("/BaseFont")), True) and embedded
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for ref in xobjects.get_object().values():
                x = ref.get_object()
                if id(x) not in seen and x.get("/Subtype") == "/Form":
                    seen.add(id(x))
                    walk(x.get("/Resources"), seen)

    for page in reader.pages:
        walk(page.get("/Resources"), set())
    return found


@pytest.fixture(scope="module")
def demo_pdf(demo_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "demo.pdf"
    doc = Document.open(demo_file, readonly=True)
    svc = RsaService(doc)
    analysis = svc.analyses()[0]
    export_pdf(svc, analysis.id, out)
    yield svc, analysis, out, page_texts(out)
    doc.close()


def test_every_heading_in_template_order(demo_pdf):
    _svc, _a, _out, pages = demo_pdf
    t = load_template()
    body = " ".join(pages[2:])  # after the title page and the start of the table of contents
    position = -1
    for chapter in t.chapters:
        heading = norm(t.heading(chapter.key))
        found = body.find(heading, position + 1)
        assert found > position, f"kapitlet saknas eller i fel ordning: {heading}"
        position = found
    everything = " ".join(pages)
    for chapter in t.chapters:
        for section in chapter.sections.values():
            assert norm(section) in everything, section  # every section is printed, if only to say "none"
    for point in ("1 Beskrivning av förvaltningen och dess ansvarsområde", "2 Beskrivning av arbetsprocess och metod",
                  "3 Identifierad samhällsviktig verksamhet",
                  "4 Identifierade kritiska beroenden för den samhällsviktiga verksamheten",
                  "5 Identifierade och analyserade risker",
                  "6 Beskrivning av identifierade sårbarheter och brister i krisberedskapen",
                  "7 Behov av åtgärder med anledning av risk- och sårbarhetsanalysens resultat"):
        assert point in everything
    assert "Innehåll" in pages[1]


def test_every_risk_title_and_item(demo_pdf):
    svc, a, _out, pages = demo_pdf
    everything = " ".join(pages)
    for r in svc.list("risk", a.id):
        mark = " (S)" if r.secret else ""  # the visible secret mark of the full report
        assert norm(f"{r.hid}{mark} {r.title}") in everything, r.hid
    for kind, title in (("function", "name"), ("action", "title"), ("vulnerability", "title")):
        for rec in svc.list(kind, a.id):
            assert norm(rec.values[title]) in everything, rec.hid


def test_marking_and_page_numbers_on_every_page(demo_pdf):
    _svc, a, _out, pages = demo_pdf
    first_words = norm(a.secrecy_marking)[:60]
    total = len(pages)
    for n, text in enumerate(pages, 1):
        assert first_words in text, f"sida {n} saknar markeringen"
        assert "SEKRETESS" in text, n
        assert f"Sida {n} av {total}" in text, n


def test_fonts_embedded_and_metadata(demo_pdf):
    _svc, a, out, _pages = demo_pdf
    reader = pypdf.PdfReader(str(out))
    fonts = fonts_of(reader)
    assert fonts and all(fonts.values()), fonts
    assert all("DejaVu" in name for name in fonts), fonts
    meta = reader.metadata
    assert meta.title == "Risk- och sårbarhetsanalys 2026 – Överförmyndarförvaltningen"
    assert meta.author == "Överförmyndarförvaltningen"
    assert "18 kap. 13 § OSL" in meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "sv-SE"
    assert reader.outline  # bookmarks for navigation


def test_reservrutin_cards_one_page_each(demo_pdf):
    """A card is one page, or (rather than type under 8.5 pt) a page and its continuation."""
    svc, a, _out, pages = demo_pdf
    critical = [f for f in svc.list("function", a.id) if f.is_critical]
    one_page = 0
    for f in critical:
        heading = norm(f"Reservrutinkort: {f.hid} {f.name}")
        hits = [i for i, p in enumerate(pages) if heading in p]
        assert len(hits) == 1, heading
        card = pages[hits[0]]
        if "Kontakter" in card and "Återstart och prioritetsordning" in card:
            one_page += 1
        else:
            card = " ".join(pages[hits[0]:hits[0] + 2])
            assert "Reservrutinkort:" not in pages[hits[0] + 1]  # the continuation is no other card
        assert "Kontakter" in card and "Återstart och prioritetsordning" in card
    plan = svc.list("continuity_plan", a.id)[0]
    contact = svc.list("contact", plan.id)[0]
    assert any(contact.name in " ".join(pages[i:i + 2]) and "Reservrutinkort" in pages[i] for i in range(len(pages)))


def test_title_page(demo_pdf):
    svc, a, _out, pages = demo_pdf
    title = pages[0]
    assert "Risk- och sårbarhetsanalys" in title and "2026" in title
    assert svc.organisation().name in title and "Utkast" in title and "Klassificering" in title


# -- hostile and empty --------------------------------------------------------------------

def write_raw(svc, table: str, item_id: int, **values) -> None:
    with svc.doc.engine.begin() as conn:
        for column, value in values.items():
            conn.exec_driver_sql(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, item_id))


def test_hostile_text(svc, analysis, tmp_path):
    aid = analysis.id
    long_desc = ("Mycket lång beskrivning med å, ä och ö. " * 600)[:20_000] + " SLUTMARKÖR"
    f = svc.create("function", aid, name="Akut <verksamhet> & R&D", is_critical=True, description=long_desc)
    svc.create("risk", aid, title="<b>Fet</b> & <i>kursiv</i> </para>", description=long_desc, likelihood=3)
    svc.create("risk", aid, title="=SUMMA(A1:A3)", description="+46 8 508 000 00")
    ctrl = svc.create("risk", aid, title="placeholder")
    write_raw(svc, "risk", ctrl.id, title="Kontroll\x01tecken\x07slut")
    svc.create("dependency", aid, name="Ord" + "x" * 900, dep_type="IT-system")  # one unbreakable word
    dep = svc.list("dependency", aid)[0]
    svc.link("function_dependency", f.id, dep.id, tolerance=240)
    out = tmp_path / "hostile.pdf"
    export_pdf(svc, aid, out)
    pages = page_texts(out)
    text = " ".join(pages)
    assert "Akut <verksamhet> & R&D" in text
    assert "<b>Fet</b> & <i>kursiv</i> </para>" in text
    assert "=SUMMA(A1:A3)" in text
    assert "Kontroll tecken slut" in text  # the font has no control pictures: a space, never "��"
    assert text.count("SLUTMARKÖR") >= 2  # the 20 000-character descriptions are printed whole
    assert all(fonts_of(pypdf.PdfReader(str(out))).values())


def test_empty_analysis_without_marking(svc, analysis, tmp_path):
    out = tmp_path / "tom.pdf"
    export_pdf(svc, analysis.id, out)
    pages = page_texts(out)
    t = load_template()
    text = " ".join(pages)
    for chapter in t.chapters:
        assert norm(t.heading(chapter.key)) in text
    assert "Inga uppgifter har registrerats" in text
    # No marking was decided: nothing is stamped.
    assert "SEKRETESS" not in text and "Klassificering" not in pages[0]
    assert not [p for p in pages if "Öppet utdrag" in p and "Begrepp Definition" not in p]  # only the glossary
    for n, p in enumerate(pages, 1):
        assert f"Sida {n} av {len(pages)}" in p
    assert all(fonts_of(pypdf.PdfReader(str(out))).values())


def test_security_class_is_stamped(svc, analysis, tmp_path):
    svc.update("analysis", analysis.id, security_class="hemlig")
    out = tmp_path / "h.pdf"
    export_pdf(svc, analysis.id, out)
    pages = page_texts(out)
    assert all("HEMLIG" in p for p in pages)
    assert re.search("Säkerhetsskyddsklass: Hemlig", pages[0])
