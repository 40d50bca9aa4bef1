"""Issue 17: a consolidation of three organisations keeps every risk and shares no self-reference;
provider names are compared without contract numbers, parenthesised details or AB, and the matched
spellings are shown."""

from __future__ import annotations

import datetime as dt

import pytest

openpyxl = pytest.importorskip("openpyxl")

from rsa_desktop.reports.consolidated import write_pdf, write_xlsx  # noqa: E402
from rsa_desktop.services.consolidate import clean_provider, consolidate, is_self_reference  # noqa: E402
from tests.support.submissions import submission_data  # noqa: E402

TODAY = dt.date(2027, 6, 1)
SELF = "Förvaltningens egen personal (ekonomienheten)"
ATEA = ("Atea Sverige AB (avtal 2021-0456)", "ATEA  Sverige", "Atea Sverige Aktiebolag, avtalsnr: A-123")
RISKS_EACH = 20  # 60 risks in all: more than the top list's 50


def _write(path, i: int) -> tuple[str, int]:
    from rsa_desktop.services.demo import populate
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    data, gen = submission_data(i)
    crit = next(f["key"] for f in data["functions"] if f["is_critical"])
    data["dependencies"] += [
        {"key": "B90", "name": "Ekonomipersonal", "dep_type": "personal", "provider": SELF, "is_external": False,
         "expected_outage": "1 dygn", "has_reserve": False, "serves": [{"function": crit, "tolerance": "1 dygn"}]},
        {"key": "B91", "name": "Drift av klientdatorer", "dep_type": "it", "provider": ATEA[i], "is_external": True,
         "expected_outage": "1 dygn", "has_reserve": False, "serves": [{"function": crit, "tolerance": "4 h"}]},
    ]
    data["risks"] = [{"key": f"R{n}", "title": f"Risk {n} i {gen.organisation}", "category": "Teknisk störning",
                      "likelihood": 1 + n % 5, "consequences": {"liv_halsa": 1 + (n * 3) % 5, "funktionalitet": 2},
                      "functions": [crit]} for n in range(1, RISKS_EACH + 1)]
    doc = Document.create(path)
    try:
        populate(RsaService(doc), data)
    finally:
        doc.close()
    return gen.organisation, RISKS_EACH


def test_clean_provider_and_self_reference():
    assert len({clean_provider(a) for a in ATEA}) == 1
    assert clean_provider("Telia Company AB (publ)") == "telia company"
    assert is_self_reference(SELF) and is_self_reference("Egen IT-enhet")
    assert is_self_reference("Kulturförvaltningen (egen stab)", ["Kulturförvaltningen"])
    assert not is_self_reference("Atea Sverige AB") and not is_self_reference("Serviceförvaltningen")


def test_three_organisations_keep_every_risk_and_share_no_self_reference(tmp_path):
    paths, orgs = [], []
    for i in range(3):
        org, _n = _write(tmp_path / f"org{i}.rsa", i)
        paths.append(tmp_path / f"org{i}.rsa")
        orgs.append(org)
    c = consolidate(paths, today=TODAY)
    assert len(c.included) == 3
    # Every risk is kept, beside the top list.
    assert len(c.all_risks) == 3 * RISKS_EACH and len(c.top_risks) == 50
    assert {(s.organisation, r.hid) for s, r in c.all_risks} == {(o, f"R{n}") for o in orgs
                                                                  for n in range(1, RISKS_EACH + 1)}
    # No self-reference is a shared dependency, however many organisations write it the same way.
    assert not any(is_self_reference(u.provider) for p in c.shared for _o, u in p.uses)
    assert not any("egen personal" in v.casefold() for p in c.shared for v in p.variants)
    assert all(s.self_dependencies >= 1 for s in c.included)
    # The three spellings of one supplier are one shared provider, and the spellings are shown.
    atea = [p for p in c.shared if p.key == "ext:atea sverige"]
    assert len(atea) == 1 and set(atea[0].organisations) == set(orgs)
    assert set(atea[0].variants) == {" ".join(a.split()) for a in ATEA}

    xlsx = write_xlsx(c, tmp_path / "stad.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Alla risker"]
    rows = [r for r in ws[ws.tables["AllaRisker"].ref]][1:]
    assert len(rows) == 3 * RISKS_EACH
    ws = wb["Gemensamma beroenden"]
    table = list(ws[ws.tables["GemensammaBeroenden"].ref])
    head = [cell.value for cell in table[0]]
    col = head.index("Stavningar som räknats som samma leverantör")
    assert any("ATEA Sverige" in (r[col].value or "") and "(avtal 2021-0456)" in (r[col].value or "")
               for r in table[1:])
    assert not any(SELF in str(cell.value) for r in table[1:] for cell in r)

    from pypdf import PdfReader

    pdf = write_pdf(c, tmp_path / "stad.pdf")
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages)
    assert "Bilaga: Alla risker" in text
    for org in orgs:
        assert f"Risk {RISKS_EACH} i {org}" in text  # the least serious risks are in the PDF too
    assert "…" not in text.split("Förvaltningsgemensamma beroenden", 2)[-1].split("Riskmatris")[0]
