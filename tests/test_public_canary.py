"""No secret reaches any public output: canary words in every kind of secret item and in the secret
fields of public items, searched for in every public output (PDF text and bytes, every xlsx part,
drafted texts, figure texts, metadata, consolidated outputs); public counts equal the public tables."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest

pypdf = pytest.importorskip("pypdf")
openpyxl = pytest.importorskip("openpyxl")

from rsa_desktop.domain import public as public_rule  # noqa: E402
from rsa_desktop.reports import charts, depmap_drawing, matrix_drawing  # noqa: E402
from rsa_desktop.reports.common import gather, public_selection, review_required  # noqa: E402
from rsa_desktop.reports.pdf import write_pdf  # noqa: E402
from rsa_desktop.reports.xlsx import write_xlsx  # noqa: E402
from rsa_desktop.services import drafts  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402

TODAY = dt.date(2026, 11, 1)
CANARY = re.compile(r"KAN[A-Z]{2,}")


def build(path) -> dict:
    doc = Document.create(path)
    svc = RsaService(doc)
    ids: dict = {}
    with svc.batch():
        svc.set_organisation(name="Kulturförvaltningen", org_type="facknamnd")
        prev = svc.create_analysis(2025)
        svc.create("action", prev.id, title="Förra årets KANPREVACT", secret=True, status="pagaende")
        svc.create("action", prev.id, title="Förra årets öppna åtgärd", status="pagaende")
        a = svc.create_analysis(2026, secrecy_marking="Sekretess enligt 18 kap. 13 § OSL, beslut KANMARK",
                                security_class="konfidentiell")
        aid = ids["aid"] = a.id
        pub_f = svc.create("function", aid, name="Offentlig verksamhet", is_critical=True,
                           max_tolerable_downtime=60)
        sec_f = svc.create("function", aid, name="Verksamhet KANFUNC", is_critical=True, secret=True,
                           operation="extern", supplier="KANFUNCSUP AB", contract="Avtal KANFUNCAVT")
        pub_d = svc.create("dependency", aid, name="Offentligt beroende", dep_type="El", has_reserve=True)
        sec_d = svc.create("dependency", aid, name="Beroende KANDEPNAME", dep_type="IT-system", secret=True,
                           provider="KANDEPPROV AB", reserve_description="Reserv KANDEPRES",
                           single_point_of_failure=True, expected_outage=2880)
        ids["sec_d"] = sec_d
        svc.link("function_dependency", pub_f.id, pub_d.id, tolerance=60)
        svc.link("function_dependency", pub_f.id, sec_d.id, tolerance=60)  # a gap about a secret dependency
        svc.link("function_dependency", sec_f.id, pub_d.id)
        dims = svc.scales(aid).dimensions
        pub_r = svc.create("risk", aid, title="Offentlig risk", likelihood=2)
        sec_r = svc.create("risk", aid, title="Risk KANRISK", description="Beskrivning KANRISKDESC",
                           likelihood=5, residual_likelihood=4, residual_consequence=4, secret=True)
        svc.set_consequence(pub_r.id, dims[0].id, 2)
        svc.set_consequence(sec_r.id, dims[0].id, 5)
        svc.link("risk_function", sec_r.id, pub_f.id)
        svc.link("risk_dependency", pub_r.id, sec_d.id)
        svc.create("vulnerability", aid, title="Sårbarhet KANVULN", secret=True)
        svc.create("vulnerability", aid, title="Offentlig sårbarhet")
        svc.create("capability", aid, area="Uthållighet KANCAP", motivation="KANCAPMOT", rating=3, secret=True)
        sec_a = svc.create("action", aid, title="Åtgärd KANACT", secret=True, deadline=dt.date(2026, 1, 1))
        svc.link("action_risk", sec_a.id, pub_r.id)
        pub_a = svc.create("action", aid, title="Offentlig åtgärd", deadline=dt.date(2026, 1, 1))
        svc.link("action_risk", pub_a.id, sec_r.id)
        svc.link("action_dependency", pub_a.id, sec_d.id)
        sec_p = svc.create("continuity_plan", aid, title="Plan KANPLAN", function_id=pub_f.id, secret=True)
        svc.create("contact", sec_p.id, name="Kontakt", phone="070-KANPHONE")
        # A public plan for a secret verksamhet reveals it: it goes, with its contacts and övningar.
        plan_of_secret = svc.create("continuity_plan", aid, title="Plan KANPLANOFSECRET", function_id=sec_f.id)
        svc.create("contact", plan_of_secret.id, name="KANCONTACT", phone="08-123")
        svc.create("fallback", plan_of_secret.id, procedure="KANFBOFPLAN")
        svc.create("exercise", aid, title="Övning KANEXOFPLAN", plan_id=plan_of_secret.id)
        pub_p = svc.create("continuity_plan", aid, title="Offentlig plan", function_id=pub_f.id)
        svc.create("fallback", pub_p.id, dependency_id=sec_d.id, procedure="Reservrutin KANFBSECRETDEP")
        svc.create("fallback", pub_p.id, dependency_id=pub_d.id, procedure="Offentlig reservrutin")
        svc.create("exercise", aid, title="Övning KANEX", secret=True)
        # Free texts: one with its own public text, one withheld, one naming a secret item.
        svc.update("analysis", aid, summary="Sammanfattning KANSUMMARY med R2 och 31 beroenden",
                   method="Metod KANMETHOD", business_description=f"KANBUSINESS beskriver {sec_d.hid}",
                   delimitations="Offentliga avgränsningar")
        svc.set_public_texts(aid, {"summary": "Öppen sammanfattning.", "method": ""})
    doc.close()
    return ids


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canary")
    path = folder / "kanarie.rsa"
    ids = build(path)
    doc = Document.open(path, readonly=True)
    svc = RsaService(doc)
    aid = ids["aid"]
    figure_texts: list[str] = []
    real = charts.figure_to_svg

    def capture(fig):  # the figure's text before it becomes paths
        import matplotlib.text

        figure_texts.extend(t.get_text() for t in fig.findobj(matplotlib.text.Text))
        return real(fig)

    def strings(node):  # the texts of a reportlab Drawing (the PDF draws its figures with shapes)
        if hasattr(node, "text") and hasattr(node, "fontName"):
            figure_texts.append(node.text)
        for child in getattr(node, "contents", None) or []:
            strings(child)

    def drawn(make):
        def wrapper(*a, **k):
            d = make(*a, **k)
            if d is not None:
                strings(d)
            return d
        return wrapper

    real_matrix, real_map = matrix_drawing.risk_matrix_drawing, depmap_drawing.function_map
    charts.figure_to_svg = capture
    matrix_drawing.risk_matrix_drawing = drawn(real_matrix)
    depmap_drawing.function_map = drawn(real_map)
    try:
        data = gather(svc, aid, public=True, today=TODAY)
        write_pdf(data, folder / "utdrag.pdf", svc=svc)
    finally:
        charts.figure_to_svg = real
        matrix_drawing.risk_matrix_drawing, depmap_drawing.function_map = real_matrix, real_map
    write_xlsx(data, folder / "utdrag.xlsx")
    yield svc, aid, ids, data, folder, figure_texts, path
    doc.close()


def pdf_texts(path) -> list[str]:
    """Page text, and every object of the file decompressed (metadata, outlines, streams)."""
    reader = pypdf.PdfReader(str(path))
    out = [p.extract_text() or "" for p in reader.pages]
    out.append(str(reader.metadata))
    for num in range(1, len(reader.xref_objStm) + 4000):
        try:
            obj = reader.get_object(num)
        except Exception:  # noqa: BLE001 - numbers that are no object
            continue
        if obj is None:
            continue
        if hasattr(obj, "get_data"):
            out.append(obj.get_data().decode("latin-1"))
        else:
            out.append(str(obj))
    return out


def xlsx_parts(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode("utf-8", "replace") for n in z.namelist()]


def canaries(texts) -> set[str]:
    return {m for t in texts for m in CANARY.findall(t)}


def test_the_full_report_has_every_canary(outputs, tmp_path):
    svc, aid, _ids, _data, _f, _fig, _p = outputs
    full = gather(svc, aid, today=TODAY)
    write_xlsx(full, tmp_path / "full.xlsx")
    found = canaries(xlsx_parts(tmp_path / "full.xlsx"))
    # The test can fail: the canaries are there when secrets are not left out.
    assert {"KANFUNC", "KANDEPPROV", "KANRISK", "KANVULN", "KANCAP", "KANACT", "KANPLAN", "KANEX",
            "KANPLANOFSECRET", "KANEXOFPLAN", "KANFBSECRETDEP", "KANSUMMARY", "KANMETHOD", "KANBUSINESS",
            "KANMARK"} <= found
    assert any(set(g.items) & {_ids["sec_d"].hid} for g in full.gaps)


def test_no_canary_in_the_public_pdf(outputs):
    _svc, _aid, _ids, _data, folder, _fig, _p = outputs
    texts = pdf_texts(folder / "utdrag.pdf")
    assert "Offentlig verksamhet" in " ".join(texts[:-1])
    assert canaries(texts) == set()


def test_no_canary_in_any_part_of_the_public_workbook(outputs):
    _svc, _aid, _ids, _data, folder, _fig, _p = outputs
    parts = xlsx_parts(folder / "utdrag.xlsx")
    assert any("docProps/core" in p or "<dc:title>" in p for p in parts)  # metadata is among the parts
    assert any("Offentlig verksamhet" in p for p in parts)
    assert canaries(parts) == set()
    wb = openpyxl.load_workbook(folder / "utdrag.xlsx")
    assert not canaries(str(dn.attr_text) for dn in wb.defined_names.values())
    assert not canaries(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_no_canary_in_the_figures(outputs):
    *_rest, figure_texts, _p = outputs
    assert figure_texts and any("Offentlig" in t or "R1" in t for t in figure_texts)
    assert canaries(figure_texts) == set()
    secret_hids = {"R2"}
    assert not any(h in re.split(r"[\s,]+", t) for t in figure_texts for h in secret_hids)


def test_no_canary_in_public_drafts_and_their_counts_match(outputs):
    svc, aid, _ids, data, _f, _fig, _p = outputs
    summary = drafts.draft_summary(svc, aid, today=TODAY, public=True)
    chapters = [drafts.draft_chapter(svc, aid, ch, today=TODAY, public=True) for ch in drafts.CHAPTERS]
    assert canaries([summary, *chapters]) == set()
    assert not public_rule.names_left_out(summary, public_selection(svc, aid))
    c = data.counts()
    assert f"{c['function']} verksamhet" in summary
    assert f"Analysen omfattar {c['dependency']} kritisk" in summary
    assert f"{c['risk']} risk" in summary
    assert f"{c['action']} åtgärd" in summary
    full = drafts.draft_summary(svc, aid, today=TODAY)
    assert "KANRISK" in full  # the full draft names the secret risk: the public one must not


def test_public_texts_counts_and_the_honest_note(outputs):
    svc, aid, _ids, data, folder, _fig, _p = outputs
    text = " ".join(" ".join(pdf_texts(folder / "utdrag.pdf")[:-1]).split())
    n = data.omitted
    # Secret: function, dependency, risk, vulnerability, capability, action, 1 plan, 1 exercise; revealing:
    # the plan for the secret function and its exercise.
    assert n == 10 and f"{n} poster har utelämnats" in text
    assert "Öppen sammanfattning." in text and public_rule.WITHHELD_TEXT in text
    assert "Offentliga avgränsningar" in text
    kv = {r[0].value: r[2].value for r in openpyxl.load_workbook(folder / "utdrag.xlsx")["Sammanfattning"]
          .iter_rows(min_row=5)}
    assert kv["count.dependency"] == len(data.items["dependency"]) == 1
    assert kv["count.risk"] == len(data.items["risk"]) == 1
    assert kv["analysis.summary"] == "Öppen sammanfattning."
    assert f"{n} poster har utelämnats" in kv["public_note"]


def test_no_omission_is_claimed_when_nothing_was_left_out(tmp_path):
    doc = Document.create(tmp_path / "öppen.rsa")
    svc = RsaService(doc)
    svc.set_organisation(name="Kulturförvaltningen", org_type="facknamnd")
    a = svc.create_analysis(2026)
    svc.create("risk", a.id, title="Offentlig risk")
    data = gather(svc, a.id, public=True)
    assert data.omitted == 0 and "Inga uppgifter har utelämnats" in data.public_note
    assert "har utelämnats eftersom" not in data.public_note
    doc.close()


def test_review_required_with_a_decision_and_nothing_marked(tmp_path):
    doc = Document.create(tmp_path / "beslut.rsa")
    svc = RsaService(doc)
    svc.set_organisation(name="Kulturförvaltningen", org_type="facknamnd")
    a = svc.create_analysis(2026, secrecy_marking="Sekretess enligt 18 kap. 13 § OSL")
    r = svc.create("risk", a.id, title="Risk")
    assert review_required(svc, a.id)
    svc.update("risk", r.id, secret=True)
    assert not review_required(svc, a.id)
    svc.update("risk", r.id, secret=False)
    svc.set_public_texts(a.id, {"summary": ""})  # a free text marked sekretess is a decision too
    assert not review_required(svc, a.id)
    doc.close()


def test_cli_refuses_an_unreviewed_public_export(tmp_path, capsys):
    from rsa_desktop.cli import main

    path = tmp_path / "beslut.rsa"
    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Kulturförvaltningen", org_type="facknamnd")
        a = svc.create_analysis(2026, secrecy_marking="Sekretess enligt 18 kap. 13 § OSL")
        svc.create("risk", a.id, title="Leverantören KANCLI")
    capsys.readouterr()
    assert main(["export", str(path), "--public", "--pdf", str(tmp_path / "u.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sekretessgranskning" in err[0]
    assert not (tmp_path / "u.pdf").exists()
    assert main(["export", str(path), "--public", "--reviewed", "--pdf", str(tmp_path / "u.pdf")]) == 0
    assert main(["export", str(path), "--pdf", str(tmp_path / "full.pdf")]) == 0  # a full report needs none


def test_consolidation_flags_and_public_leaves_out(outputs, tmp_path):
    from rsa_desktop.reports import consolidated
    from rsa_desktop.services.consolidate import consolidate

    *_rest, path = outputs
    full = consolidate([path], today=TODAY, year=2026)
    assert full.marking_secrecy == "" and full.marking_security_class == ""  # never copied from a submission
    consolidated.write_xlsx(full, tmp_path / "stad.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "stad.xlsx")
    for name in consolidated.SHEETS:
        if name == "Översikt":  # a key/value sheet: its "Sekretess" row says how secret items are treated
            assert any(r[0] == "Sekretess" for r in wb[name].iter_rows(values_only=True))
            continue
        headings = [c.value for c in wb[name][4] if c.value]
        assert any(str(h).startswith("Sekretess") for h in headings), name
    assert "KANFUNC" in " ".join(xlsx_parts(tmp_path / "stad.xlsx"))  # flagged, not hidden, in the full one
    assert "KANMARK" not in str(wb["Översikt"]["A2"].value)

    public = consolidate([path], today=TODAY, year=2026, public=True)
    consolidated.write_xlsx(public, tmp_path / "stad-öppen.xlsx")
    consolidated.write_pdf(public, tmp_path / "stad-öppen.pdf")
    assert canaries(xlsx_parts(tmp_path / "stad-öppen.xlsx")) == set()
    texts = pdf_texts(tmp_path / "stad-öppen.pdf")
    assert "Offentlig verksamhet" in " ".join(texts)
    assert canaries(texts) == set()
    assert "ÖPPET UTDRAG" in " ".join(texts)

    chosen = consolidate([path], today=TODAY, year=2026, security_class="hemlig", secrecy="KS beslut 2026-11-20")
    assert chosen.marking_security_class == "Hemlig" and chosen.marking_secrecy == "KS beslut 2026-11-20"


def test_domain_is_pure():
    import subprocess
    import sys

    code = ("import sys, rsa_desktop.domain.public; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'sqlite3', 'PySide6') "
            "or (m.startswith('rsa_desktop.') and not m.startswith('rsa_desktop.domain'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
