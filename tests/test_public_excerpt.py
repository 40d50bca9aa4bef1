"""Öppet utdrag: no item marked sekretess, nor anything that reveals one, in either format."""

from __future__ import annotations

import re

import pytest

openpyxl = pytest.importorskip("openpyxl")
pypdf = pytest.importorskip("pypdf")

from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS  # noqa: E402
from rsa_desktop.reports.common import PUBLIC_MARKING, gather  # noqa: E402
from rsa_desktop.reports.pdf import write_pdf  # noqa: E402
from rsa_desktop.reports.xlsx import write_xlsx  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402


def norm(text: str) -> str:
    return " ".join(text.split())


def secret_texts(svc, aid) -> list[tuple[str, str]]:
    """(hid, text) for the distinctive texts of every secret item: its descriptions and long titles."""
    out = []
    for kind in ITEM_KINDS:
        spec = KINDS[kind]
        for rec in svc.list(kind, aid):
            if not rec.secret:
                continue
            for f in spec.fields:
                value = rec.values[f.name]
                if f.type == "longtext" and isinstance(value, str) and len(value) > 40:
                    out.append((rec.hid, norm(value)[:80]))
            out.append((rec.hid, norm(rec.values[spec.title_field])))
    return out


@pytest.fixture(scope="module")
def excerpt(demo_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("public")
    doc = Document.open(demo_file, readonly=True)
    svc = RsaService(doc)
    aid = svc.analyses()[0].id
    data = gather(svc, aid, public=True)
    write_xlsx(data, folder / "utdrag.xlsx")
    write_pdf(data, folder / "utdrag.pdf", svc=svc)
    wb = openpyxl.load_workbook(folder / "utdrag.xlsx")
    pages = [norm(p.extract_text() or "") for p in pypdf.PdfReader(str(folder / "utdrag.pdf")).pages]
    yield svc, aid, data, wb, pages
    doc.close()


def cell_texts(wb) -> list[str]:
    return [norm(str(c.value)) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_demo_has_secrets_to_leave_out(excerpt):
    svc, aid, data, _wb, _pages = excerpt
    assert len(secret_texts(svc, aid)) >= 8 and data.omitted >= 8


def test_no_secret_item_in_the_workbook(excerpt):
    svc, aid, _data, wb, _pages = excerpt
    cells = "\n".join(cell_texts(wb))
    for hid, text in secret_texts(svc, aid):
        assert text not in cells, f"{hid}: {text}"
    secret_hids = {hid for hid, _ in secret_texts(svc, aid)}
    # No secret ID anywhere: not as a row, not in a list of linked IDs, not in a matrix cell.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and len(c.value) < 200:
                    tokens = set(re.split(r"[,\s→]+", c.value))
                    assert not tokens & secret_hids, f"{ws.title}!{c.coordinate}: {c.value}"


def test_no_secret_item_in_the_pdf(excerpt):
    svc, aid, _data, _wb, pages = excerpt
    text = " ".join(pages)
    for hid, t in secret_texts(svc, aid):
        assert t not in text, f"{hid}: {t}"
    secret_hids = {hid for hid, _ in secret_texts(svc, aid)}
    found = set(re.findall(r"\b[VBRSFÅKÖ]\d+\b", text))
    assert not found & secret_hids, found & secret_hids


def test_marked_oppet_utdrag_everywhere(excerpt):
    svc, aid, _data, wb, pages = excerpt
    marking = svc.analysis(aid).secrecy_marking
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert ws.cell(2, 1).value == PUBLIC_MARKING, ws.title
        assert ws.oddHeader.center.text == PUBLIC_MARKING and ws.oddFooter.center.text == PUBLIC_MARKING
    for n, p in enumerate(pages, 1):
        assert "Öppet utdrag" in p and "ÖPPET UTDRAG" in p, n
        assert norm(marking)[:50] not in p, n
    kv = {r[0].value: r[2].value for r in wb["Sammanfattning"].iter_rows(min_row=5)}
    assert kv["extract"] == "Öppet utdrag" and kv["analysis.secrecy_marking"] is None
    assert kv["count.risk"] == sum(1 for r in svc.list("risk", aid) if not r.secret)


def test_gap_findings_without_secret_items(excerpt):
    svc, aid, data, wb, _pages = excerpt
    if data.gaps is None:
        pytest.skip("gap analysis not available")
    secret_hids = {hid for hid, _ in secret_texts(svc, aid)}
    assert all(not set(g.items) & secret_hids for g in data.gaps)
    from rsa_desktop.reports.common import gather as full_gather

    full = full_gather(svc, aid)
    assert len(full.gaps) > len(data.gaps)  # the demo has findings about secret dependencies


def test_links_to_secret_items_are_gone(excerpt):
    svc, aid, data, _wb, _pages = excerpt
    kept = {(k, r.id) for k in ITEM_KINDS for r in data.items[k]}
    from rsa_desktop.domain.kinds import LINKS

    for name, links in data.links.items():
        spec = LINKS[name]
        for lr in links:
            assert (spec.left, lr.left_id) in kept and (spec.right, lr.right_id) in kept
    for p in data.plans:
        for fb in p.fallbacks:
            assert fb.dependency_id is None or ("dependency", fb.dependency_id) in kept
    assert all(not p.secret for p in data.matrix.points)
