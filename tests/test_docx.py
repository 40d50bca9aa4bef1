"""The Word report: chapters, TOC field, tables with repeated headers, marking per section, sv-SE, alt text,
hostile text and the öppet utdrag."""

from __future__ import annotations

import re
import stat
import zipfile

import pytest

docx = pytest.importorskip("docx")

from docx.oxml.ns import qn  # noqa: E402

from rsa_desktop.cli import main  # noqa: E402
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS  # noqa: E402
from rsa_desktop.reports.common import gather, load_template  # noqa: E402
from rsa_desktop.reports.docx import TOC_FIELD, export_docx, write_docx  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402


def norm(text: str) -> str:
    return " ".join(text.split())


def headings(d, level: int) -> list[str]:
    return [norm(p.text) for p in d.paragraphs if p.style.name == f"Heading {level}"]


def all_text(d) -> str:
    """Body paragraphs and every table cell (tables nested in the body only)."""
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            for c in row.cells:
                parts.append(c.text)
    return norm(" ".join(parts))


def package_xml(path) -> str:
    """Every XML part of the package (document, headers, footers, properties, settings) as one text."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels")))


def header_footer_texts(section) -> tuple[str, str]:
    return (norm(" ".join(p.text for p in section.header.paragraphs)),
            norm(" ".join(p.text for p in section.footer.paragraphs)))


@pytest.fixture(scope="module")
def demo_docx(demo_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("docx") / "demo.docx"
    doc = Document.open(demo_file, readonly=True)
    svc = RsaService(doc)
    analysis = svc.analyses()[0]
    data = gather(svc, analysis.id)
    write_docx(data, out, svc=svc)
    yield svc, analysis, data, out, docx.Document(str(out))
    doc.close()


def test_chapters_in_template_order_as_built_in_headings(demo_docx):
    _svc, _a, _data, _out, d = demo_docx
    t = load_template()
    h1 = headings(d, 1)
    expected = [norm(t.heading(c.key)) for c in t.chapters] + [norm(t.section("appendices", "cards"))]
    assert h1 == expected
    h2 = set(headings(d, 2))
    for chapter in t.chapters:
        for key, section in chapter.sections.items():
            if (chapter.key, key) != ("appendices", "cards"):  # the cards are a chapter of their own
                assert any(h.startswith(norm(section)) for h in h2), section
    # The built-in heading styles (what Word's navigation, TOC and accessibility checker use).
    ids = {p.style.style_id for p in d.paragraphs if p.style.name.startswith("Heading")}
    assert ids <= {"Heading1", "Heading2", "Heading3"} and "Heading3" in ids


def test_a_real_table_of_contents_field(demo_docx):
    _svc, _a, _data, out, d = demo_docx
    body = d.element.body
    instr = [e.text.strip() for e in body.iter(qn("w:instrText"))]
    assert instr.count(TOC_FIELD) == 1 and TOC_FIELD == 'TOC \\o "1-3" \\h \\z \\u'
    chars = [e.get(qn("w:fldCharType")) for e in body.iter(qn("w:fldChar"))]
    assert chars[:3] == ["begin", "separate", "end"] or chars.count("begin") == chars.count("end")
    # Until the field is updated, its cached result lists the chapters.
    toc_start = next(i for i, p in enumerate(d.paragraphs) if TOC_FIELD in p._p.xml)
    toc_end = next(i for i, p in enumerate(d.paragraphs) if i >= toc_start and 'w:fldCharType="end"' in p._p.xml)
    cached = " ".join(p.text for p in d.paragraphs[toc_start:toc_end + 1])
    assert "Sammanfattning" in cached and "Bilagor" in cached
    assert d.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_every_risk_and_tables_with_repeating_header_rows(demo_docx):
    svc, a, data, _out, d = demo_docx
    text = all_text(d)
    for r in data.items["risk"]:
        assert norm(r.title) in text, r.hid
    headed = [t for t in d.tables if t.rows[0]._tr.trPr is not None
              and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None]
    assert len(headed) >= 20
    risk_table = next(t for t in headed if [c.text for c in t.rows[0].cells][:2] == ["ID", "Risk"]
                      and len(t.rows) == len(data.items["risk"]) + 1)
    assert [row.cells[0].text for row in risk_table.rows[1:]] == [data.mark(r) for r in data.items["risk"]]
    for t in d.tables:  # only the first row is a header row
        for row in t.rows[1:]:
            assert row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None
    # A fact box (label, value) has no header row.
    assert len(headed) < len(d.tables)


def test_marking_in_every_sections_header_and_footer(demo_docx):
    _svc, a, data, _out, d = demo_docx
    assert len(d.sections) == 3  # title page and contents, chapters, reservrutinkort
    mark = data.marking
    assert mark.stamp == "SEKRETESS"
    for section in d.sections:
        assert not section.header.is_linked_to_previous and not section.footer.is_linked_to_previous
        head, foot = header_footer_texts(section)
        assert norm(mark.short(230)) in head
        assert mark.stamp in foot and "Sida" in foot
        instr = [e.text.strip() for e in section.footer._element.iter(qn("w:instrText"))]
        assert instr == ["PAGE", "NUMPAGES"]
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_document_language_is_swedish(demo_docx):
    _svc, _a, _data, out, d = demo_docx
    assert d.core_properties.language == "sv-SE"
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "sv-SE"
    langs = set(re.findall(r'<w:lang w:val="([^"]+)"', package_xml(out)))
    assert langs == {"sv-SE"}
    assert d.settings.element.find(qn("w:themeFontLang")).get(qn("w:val")) == "sv-SE"


def test_figures_are_images_with_alt_text(demo_docx):
    _svc, _a, data, out, d = demo_docx
    shapes = list(d.inline_shapes)
    assert len(shapes) >= 2  # risk matrix (and residual) and the dependency map
    descr = [s._inline.docPr.get("descr") for s in shapes]
    assert all(x and len(x) > 40 for x in descr)
    matrix = next(x for x in descr if x.startswith("Riskmatris, bedömd risk"))
    placed = [p.hid for p in data.matrix.points if p.placed]
    assert placed and all(re.search(rf"\b{h}\b", matrix) for h in placed)
    assert any(x.startswith("Beroendekarta") for x in descr)
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in z.namelist())


def test_reservrutin_cards(demo_docx):
    _svc, _a, data, _out, d = demo_docx
    critical = [f for f in data.items["function"] if f.is_critical]
    cards = [h for h in headings(d, 2) if h.startswith("Reservrutinkort:")]
    assert cards == [norm(f"Reservrutinkort: {f.hid} {f.name}") for f in critical]
    card_paragraphs = [p for p in d.paragraphs if p.text.startswith("Reservrutinkort:") and p.style.name == "Heading 2"]
    assert all(p.paragraph_format.page_break_before for p in card_paragraphs)  # one card per printed page
    # The cards are in the last section; its marking is the same.
    last = d.sections[-1]
    assert data.marking.stamp in header_footer_texts(last)[1]
    text = all_text(d)
    for p in data.plans:
        for fb in p.fallbacks:
            assert norm(fb.procedure)[:60] in text


def test_file_is_owner_only(demo_docx):
    _svc, _a, _data, out, _d = demo_docx
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


# -- hostile text, empty analysis, public excerpt ---------------------------------------------------

def write_raw(svc, table: str, item_id: int, **values) -> None:
    with svc.doc.engine.begin() as conn:
        for column, value in values.items():
            conn.exec_driver_sql(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, item_id))


def test_hostile_text(svc, analysis, tmp_path):
    aid = analysis.id
    svc.update("analysis", aid, secrecy_marking="Sekretess enligt 18 kap. 13 § OSL")
    long_desc = ("Mycket lång beskrivning med å, ä och ö. " * 1100)[:40_000] + " SLUTMARKÖR"
    f = svc.create("function", aid, name="Akut <verksamhet> & R&D", is_critical=True, description=long_desc)
    svc.create("risk", aid, title="<w:t>Fet</w:t> & <b>kursiv</b> ]]>", description=long_desc, likelihood=3)
    svc.create("risk", aid, title="=SUMMA(A1:A3)", description="+46 8 508 000 00\n@cmd { PAGE }")
    svc.create("risk", aid, title="مخاطر انقطاع الكهرباء עברית", description="Brand 🔥 i serverhallen 👩‍🚒")
    ctrl = svc.create("risk", aid, title="placeholder")
    write_raw(svc, "risk", ctrl.id, title="Kontroll\x01tecken\x07slut\x0b", description="a\x00b\ufffe\r\nc")
    dep = svc.create("dependency", aid, name="Ord" + "x" * 900, dep_type="IT-system")
    svc.link("function_dependency", f.id, dep.id, tolerance=240)
    out = tmp_path / "hostile.docx"
    export_docx(svc, aid, out)
    d = docx.Document(str(out))
    text = all_text(d)
    assert "Akut <verksamhet> & R&D" in text
    assert "<w:t>Fet</w:t> & <b>kursiv</b> ]]>" in text  # markup stays text
    assert "=SUMMA(A1:A3)" in text and "@cmd { PAGE }" in text
    assert "مخاطر انقطاع الكهرباء עברית" in text and "🔥" in text and "👩‍🚒" in text
    assert "Kontroll\u2401tecken\u2407slut\u240b" in text  # control characters replaced visibly
    assert "a\u2400b\ufffd" in text
    assert text.count("SLUTMARKÖR") >= 2  # the 40 000-character descriptions are there whole
    assert "förkortad här" in text  # … and shortened in table cells
    # No field other than the program's own: user text never becomes an instruction.
    instr = {e.text.strip() for e in d.element.body.iter(qn("w:instrText"))}
    assert instr == {TOC_FIELD}


def test_empty_analysis_without_marking(svc, analysis, tmp_path):
    out = tmp_path / "tom.docx"
    export_docx(svc, analysis.id, out)
    d = docx.Document(str(out))
    t = load_template()
    assert headings(d, 1)[:len(t.chapters)] == [norm(t.heading(c.key)) for c in t.chapters]
    text = all_text(d)
    assert "Inga uppgifter har registrerats" in text and "Klassificering" not in text
    for section in d.sections:
        head, foot = header_footer_texts(section)
        assert "SEKRETESS" not in head + foot and "Sida" in foot


CANARIES = ("KANARIEFÅGELRISK", "KANARIEFÅGELBESKRIVNING", "KANARIEFÅGELVERKSAMHET", "KANARIEFÅGELBEROENDE",
            "KANARIEFÅGELÅTGÄRD", "KANARIEFÅGELPLAN", "KANARIEFÅGELRUTIN", "KANARIEFÅGELSÅRBARHET",
            "KANARIEFÅGELMARKERING")


@pytest.fixture
def with_secrets(svc, analysis):
    aid = analysis.id
    svc.update("analysis", aid, secrecy_marking="KANARIEFÅGELMARKERING: sekretess enligt OSL",
               security_class="konfidentiell")
    open_f = svc.create("function", aid, name="Öppen verksamhet", is_critical=True)
    secret_f = svc.create("function", aid, name="KANARIEFÅGELVERKSAMHET", is_critical=True, secret=True)
    open_dep = svc.create("dependency", aid, name="Öppet beroende", dep_type="IT-system")
    secret_dep = svc.create("dependency", aid, name="KANARIEFÅGELBEROENDE", dep_type="IT-system", secret=True)
    svc.link("function_dependency", open_f.id, open_dep.id, tolerance=60)
    svc.link("function_dependency", open_f.id, secret_dep.id, tolerance=30)
    svc.create("risk", aid, title="Öppen risk", likelihood=2)
    svc.create("risk", aid, title="KANARIEFÅGELRISK", description="KANARIEFÅGELBESKRIVNING", likelihood=4,
               secret=True)
    svc.create("vulnerability", aid, title="KANARIEFÅGELSÅRBARHET", secret=True)
    svc.create("action", aid, title="KANARIEFÅGELÅTGÄRD", secret=True)
    plan = svc.create("continuity_plan", aid, title="Öppen plan", function_id=open_f.id)
    svc.create("fallback", plan.id, dependency_id=secret_dep.id, procedure="KANARIEFÅGELRUTIN: manuellt")
    svc.create("fallback", plan.id, dependency_id=open_dep.id, procedure="Papperslistor i krislådan")
    svc.create("continuity_plan", aid, title="KANARIEFÅGELPLAN", function_id=secret_f.id)
    return aid


def test_no_secret_canary_in_the_public_variant(svc, with_secrets, tmp_path):
    full, public = tmp_path / "full.docx", tmp_path / "utdrag.docx"
    export_docx(svc, with_secrets, full)
    export_docx(svc, with_secrets, public, public=True)
    everything = package_xml(full)
    for canary in CANARIES:  # the full report has them all: the check below can fail
        assert canary in everything, canary
    published = package_xml(public)
    for canary in CANARIES:
        assert canary not in published, canary
    d = docx.Document(str(public))
    assert "Öppen risk" in all_text(d) and "Papperslistor i krislådan" in all_text(d)
    for section in d.sections:
        head, foot = header_footer_texts(section)
        assert "Öppet utdrag" in head and "ÖPPET UTDRAG" in foot
        assert "KONFIDENTIELL" not in head + foot


def test_public_demo_has_no_secret_item(demo_file, tmp_path):
    doc = Document.open(demo_file, readonly=True)
    try:
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        out = tmp_path / "utdrag.docx"
        write_docx(gather(svc, aid, public=True), out, svc=svc)
        text = package_xml(out)
        secrets = [(kind, r) for kind in ITEM_KINDS for r in svc.list(kind, aid) if r.secret]
        assert secrets
        for kind, r in secrets:
            title = r.values[KINDS[kind].title_field]
            assert title.replace("&", "&amp;") not in text, (r.hid, title)
    finally:
        doc.close()


def test_cli_export_docx(tmp_path, capsys):
    path = tmp_path / "a.rsa"
    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Exempelförvaltningen", org_type="facknamnd")
        a = svc.create_analysis(2026, secrecy_marking="Sekretess enligt beslut dnr KANARIE-17")
        svc.create("risk", a.id, title="Öppen risk", likelihood=2)
        svc.create("risk", a.id, title="Hemlig risk om serverhallen", secret=True)
    out, pub = tmp_path / "UT.docx", tmp_path / "utdrag.docx"
    assert main(["export", str(path), "--docx", str(out)]) == 0
    assert main(["export", str(path), "--public", "--docx", str(pub)]) == 0
    assert "Word för 2026 (öppet utdrag) skriven" in capsys.readouterr().out
    assert "Hemlig risk" in all_text(docx.Document(str(out)))
    assert "Hemlig risk" not in package_xml(pub) and "KANARIE-17" not in package_xml(pub)
    assert main(["export", str(path), "--docx", str(out), "--pdf", str(out)]) == 2
    assert "olika namn" in capsys.readouterr().err


def test_secret_items_carry_the_pdfs_secret_mark(demo_docx):
    """The full Word report marks a secret item "R3 (S)" where the PDF does (ReportData.mark)."""
    from rsa_desktop.domain.public import is_marked

    _svc, _a, data, _out, d = demo_docx
    text = norm(all_text(d))
    marked = [r for kind in ("risk", "dependency", "function", "action") for r in data.items[kind] if is_marked(r)]
    assert marked, "the demo has secret items"
    for r in marked:
        assert f"{r.hid} (S)" in text, r.hid
    h3 = " ".join(headings(d, 3))
    assert any(f"{r.hid} (S)" in h3 for r in marked)
    assert "B1 (S)" not in text or is_marked(next(x for x in data.items["dependency"] if x.hid == "B1"))
