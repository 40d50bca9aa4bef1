"""The report's fixed prose is data (resources/report/template.json "texts"): every key the PDF and the Word
report print is in the resource and every text there is printed; each call fills exactly its key's
placeholders; a catalogue package may reword a text but not reach for other values; and a reworded text
comes out the same in both reports."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from rsa_desktop.reports import prose
from rsa_desktop.reports.common import gather, load_template
from rsa_desktop.services import catalogues
from rsa_desktop.services.catalogues import CatalogueError

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "rsa_desktop" / "reports"


def _resource_texts() -> dict[str, str]:
    return json.loads((ROOT / "resources" / "report" / "template.json").read_text(encoding="utf-8"))["texts"]


def _calls() -> list[tuple[str, str, set[str]]]:
    """Every fixed_text(template, "key", name=…) call in the reports: (where, key, placeholder names)."""
    out = []
    for path in sorted(REPORTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name != "fixed_text":
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            assert len(node.args) == 2 and isinstance(node.args[1], ast.Constant), f"{where}: key must be a literal"
            assert all(k.arg for k in node.keywords), f"{where}: no **values"
            out.append((where, node.args[1].value, {k.arg for k in node.keywords}))
    return out


def test_every_text_the_code_prints_is_in_the_resource_and_every_text_there_is_printed():
    used = {key for _where, key, _names in _calls()}
    assert used == set(prose.FIELDS)
    assert set(_resource_texts()) == set(prose.FIELDS)


def test_every_call_fills_exactly_the_placeholders_of_its_key():
    for where, key, names in _calls():
        assert names == set(prose.FIELDS[key]), where


def test_the_resource_texts_use_only_their_keys_placeholders():
    texts = _resource_texts()
    assert prose.checked(texts, source="template.json") == texts
    # and use every one: a placeholder the code fills but no text shows is a sign of a lost value
    for key, text in texts.items():
        assert catalogues.text_fields(text) == prose.FIELDS[key], key


def test_no_prose_is_left_in_the_writers():
    """The sentences moved to the resource are not written out again in code."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in REPORTS.rglob("*.py"))
    for key, text in _resource_texts().items():
        head = text.split("{")[0][:40]
        if len(head) >= 25:
            assert head not in sources, key


@pytest.mark.parametrize("change,message", [
    ({"dependency_links": None}, "is missing"),
    ({"surplus": "Extra."}, "no report text"),
    ({"no_overdue": "Ingen åtgärd {year}."}, "unknown placeholder {year}"),
    ({"no_overdue": 3}, "not a string"),
])
def test_a_broken_resource_is_refused_at_load(change, message):
    texts = _resource_texts()
    for key, value in change.items():
        if value is None:
            del texts[key]
        else:
            texts[key] = value
    with pytest.raises(ValueError, match=message):
        prose.checked(texts, source="template.json")


def test_a_call_with_the_wrong_values_is_a_bug_not_a_report():
    t = load_template()
    assert prose.fixed_text(t, "method_group", count=2, names="A; B", appendix="bilaga C") == (
        "Arbetsgruppen har bestått av 2 personer: A; B. Se även bilaga C.")
    with pytest.raises(TypeError):
        prose.fixed_text(t, "method_group", count=2, names="A; B")
    # a value holding braces is printed as it is, never formatted again
    assert "{x.__class__}" in prose.fixed_text(t, "risks_unplaced", risks="{x.__class__}")


def _package(texts: dict) -> dict:
    template = json.loads((ROOT / "resources" / "report" / "template.json").read_text(encoding="utf-8"))
    template["texts"] = texts
    return {"format": "rsa-desktop-catalogue-package", "version": "2026.2",
            "catalogues": {"scenarios": {"items": [{"label": "A"}]}}, "report_template": template}


@pytest.mark.parametrize("texts,message", [
    ({"no_overdu": "Inget."}, "texten ”no_overdu” finns inte"),
    ({"risks_unplaced": "Saknas: {risks} år {year}."}, r"platshållaren \{year\} finns inte här \(tillåtna: \{risks\}\)"),
    ({"risks_unplaced": "Saknas: {risks.__class__}."}, "ingen tillåten platshållare"),
    ({"risks_unplaced": "Saknas: {risks:>999999999}."}, "ingen tillåten platshållare"),
    ({"risks_unplaced": "Saknas: {risks!r}."}, "ingen tillåten platshållare"),
    ({"risks_unplaced": "Saknas: {risks."}, "klammerparentes"),
    ({"no_overdue": ""}, "saknas eller är ingen text"),
    ({"no_overdue": ["Inget."]}, "saknas eller är ingen text"),
])
def test_a_package_with_bad_report_texts_is_refused_in_swedish(texts, message):
    with pytest.raises(CatalogueError, match=message):
        catalogues.validate_package(_package(texts))


def test_a_package_rewords_some_texts_and_keeps_the_programs_for_the_rest():
    old = _resource_texts()
    package = catalogues.validate_package(_package({
        "risks_unplaced": "Saknar bedömning: {risks}.", "public_note": "En text från en äldre version."}))
    catalogues.activate(package)
    t = load_template()
    assert prose.fixed_text(t, "risks_unplaced", risks="R1, R2") == "Saknar bedömning: R1, R2."
    assert t.texts["no_overdue"] == old["no_overdue"]
    assert "public_note" not in t.texts  # a retired text is accepted and ignored


def test_the_pdf_and_the_word_report_print_the_same_reworded_text(svc, analysis, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    docx = pytest.importorskip("docx")
    from rsa_desktop.reports.docx import write_docx
    from rsa_desktop.reports.pdf import write_pdf

    svc.create("risk", analysis.id, title="Oplacerad risk")  # no likelihood: listed as not placed
    catalogues.activate(catalogues.validate_package(_package({
        "risks_unplaced": "Risker utan bedömning, att komplettera: {risks}."})))
    data = gather(svc, analysis.id)
    write_pdf(data, tmp_path / "r.pdf", svc=svc)
    write_docx(data, tmp_path / "r.docx", svc=svc)
    pdf_text = " ".join(" ".join((p.extract_text() or "").split())
                        for p in pypdf.PdfReader(str(tmp_path / "r.pdf")).pages)
    word_text = " ".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    expected = "Risker utan bedömning, att komplettera: R1."
    assert expected in pdf_text.replace("- ", "")
    assert expected in word_text
    assert "sannolikhet eller konsekvens saknas" not in pdf_text + word_text
