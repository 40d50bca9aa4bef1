"""KS consolidation of 60 generated submissions (.rsa and xlsx, two years) plus unusable files."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import warnings
from collections import defaultdict

import pytest

openpyxl = pytest.importorskip("openpyxl")

from rsa_desktop.cli import main  # noqa: E402
from rsa_desktop.reports.consolidated import SHEETS, write_pdf, write_xlsx  # noqa: E402
from rsa_desktop.services.consolidate import CityCatalogue, consolidate, read_submission  # noqa: E402
from tests.support.submissions import generate_submissions  # noqa: E402

TODAY = dt.date(2027, 6, 1)
ORG_COUNT = 42  # of the catalogue's organisations that submit: the last three do not


CITY_MARKING = "Sekretess enligt 18 kap. 13 § OSL, beslut av stadsledningskontoret"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inlamningar")
    gens = generate_submissions(folder / "ok", 60, org_count=ORG_COUNT)
    bad = folder / "trasiga"
    bad.mkdir()
    good_rsa = next(g.path for g in gens if g.path.suffix == ".rsa")
    good_xlsx = next(g.path for g in gens if g.path.suffix == ".xlsx")
    (bad / "avbruten.rsa").write_bytes(good_rsa.read_bytes()[:5000])
    (bad / "slump.xlsx").write_bytes(bytes(range(256)) * 50)
    newer = bad / "nyare.rsa"
    shutil.copy(good_rsa, newer)
    with sqlite3.connect(newer) as c:
        c.execute("PRAGMA user_version = 99")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(good_xlsx)
    ws = wb["Sammanfattning"]
    for r in range(5, ws.max_row + 1):
        if ws.cell(r, 1).value == "format_version":
            ws.cell(r, 3).value = 2
    wb.save(bad / "format2.xlsx")
    foreign = openpyxl.Workbook()
    foreign.active["A1"] = "Budget"
    foreign.save(bad / "budget.xlsx")
    bad_files = sorted(bad.iterdir())
    paths = [g.path for g in gens] + bad_files + [folder / "finns-inte.rsa"]
    return gens, paths, bad_files


@pytest.fixture(scope="module")
def result(inputs):
    _gens, paths, _bad = inputs
    return consolidate(paths, today=TODAY, secrecy=CITY_MARKING)


def test_counts(inputs, result):
    gens, paths, bad = inputs
    c = result
    current = gens[:ORG_COUNT]
    assert c.year == 2026
    assert len(c.submissions) == 60
    assert len(c.included) == ORG_COUNT
    assert all("gäller 2025" in s.note for s in c.submissions if not s.included)
    assert {e.path.name for e in c.errors} == {p.name for p in bad} | {"finns-inte.rsa"}
    reasons = {e.path.name: e.reason for e in c.errors}
    assert "nyare version" in reasons["nyare.rsa"] and "nyare version" in reasons["format2.xlsx"]
    assert "ingen RSA-export" in reasons["budget.xlsx"] and "finns inte" in reasons["finns-inte.rsa"]
    assert reasons["avbruten.rsa"] and reasons["slump.xlsx"]
    n = c.counts()
    assert n["functions"] == sum(g.functions for g in current)
    assert n["dependencies"] == sum(g.dependencies for g in current)
    assert n["risks"] == sum(g.risks for g in current)
    assert n["overdue"] == sum(g.overdue for g in current)
    assert sum(c.matrix[""].values()) == n["risks"]
    assert sum(sum(v.values()) for k, v in c.matrix.items() if k) == n["risks"]
    catalogue = CityCatalogue()
    expected_missing = [o.name for o in catalogue.orgs if o.submits_rsa][ORG_COUNT:]
    assert [o.name for o in c.missing] == expected_missing
    # The marking is the one the consolidator chose, never a submission's (some carry one).
    assert any(sub.secrecy for sub in c.submissions) and c.marking_secrecy == CITY_MARKING
    assert [r.score for _s, r in c.top_risks] == sorted((r.score for _s, r in c.top_risks), reverse=True)


def test_shared_dependency_table(inputs, result):
    gens, _paths, _bad = inputs
    expected: dict[str, dict] = defaultdict(lambda: {"orgs": set(), "tol": []})
    catalogue = CityCatalogue()
    for g in gens[:ORG_COUNT]:
        own = catalogue.match(g.organisation)
        for provider, _function, tolerance in g.provider_links:
            if own is not None and catalogue.match(provider) == own:
                continue  # an organisation's dependency on itself is never shared (issue 17)
            expected[provider]["orgs"].add(g.organisation)
            expected[provider]["tol"].append(tolerance)
    shared = {p.name: p for p in result.shared}
    want = {k: v for k, v in expected.items() if len(v["orgs"]) >= 2}
    assert set(shared) == set(want)
    for name, p in shared.items():
        assert set(p.organisations) == want[name]["orgs"], name
        assert p.strictest == min(want[name]["tol"]), name
        assert len(p.uses) == len(want[name]["tol"])
        assert p.strictest_by and all(u.tolerance >= p.strictest for _o, u in p.uses)
    # Spellings like "serviceförvaltningen", "SLK IT" and "Kontaktcenter Stockholm" land on the catalogue.
    assert "Servicenämnden" in shared and "Kommunstyrelsen" in shared
    written = {u.provider for _o, u in shared["Kommunstyrelsen"].uses}
    assert "SLK IT" in written and "Stadsledningskontoret" in written


def test_xlsx_and_rsa_of_one_submission_agree(tmp_path):
    from rsa_desktop.reports.xlsx import export_xlsx
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    gen = generate_submissions(tmp_path, 4, xlsx_every=0)[3]
    with Document.open(gen.path, readonly=True) as doc:
        svc = RsaService(doc)
        export_xlsx(svc, svc.analyses()[-1].id, tmp_path / "x.xlsx", today=TODAY)
    a = read_submission(gen.path, today=TODAY)
    b = read_submission(tmp_path / "x.xlsx", today=TODAY)
    for attr in ("organisation", "committee", "year", "functions", "uses", "dependency_count", "risks", "actions",
                 "gaps", "city_org", "secrecy"):
        assert getattr(a, attr) == getattr(b, attr), attr


def test_workbook_and_pdf(result, tmp_path):
    xlsx = write_xlsx(result, tmp_path / "stad.xlsx")
    pdf = write_pdf(result, tmp_path / "stad.pdf")
    wb = openpyxl.load_workbook(xlsx)
    assert [n for n in wb.sheetnames if n not in ("Långa texter", "Listor")] == list(SHEETS)
    ws = wb["Gemensamma beroenden"]
    rows = list(ws[ws.tables["GemensammaBeroenden"].ref])[1:]
    assert len(rows) == sum(len(p.uses) for p in result.shared)
    ws = wb["Saknas"]
    assert len(list(ws[ws.tables["Saknas"].ref])) - 1 == len(result.missing)
    for name in SHEETS:
        assert wb[name].cell(2, 1).value == result.marking_secrecy  # the marking on every sheet
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Förvaltningsgemensamma beroenden" in text and "Servicenämnden" in text
    assert all("SEKRETESS" in page.extract_text() for page in reader.pages)


def test_cli_consolidate(inputs, tmp_path, capsys):
    gens, _paths, bad = inputs
    out = tmp_path / "ks.xlsx"
    code = main(["consolidate", str(out), "--pdf", str(tmp_path / "ks.pdf"), "--year", "2026",
                 *[str(g.path) for g in gens[:6]], str(bad[0])])
    assert code == 0 and out.exists() and (tmp_path / "ks.pdf").exists()
    text = capsys.readouterr()
    assert "kunde inte läsas" in text.out + text.err
    assert main(["consolidate", str(tmp_path / "tom.xlsx"), str(bad[0])]) == 2
