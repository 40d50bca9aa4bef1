"""Versioned catalogues: old files are mapped to the new catalogues, packages from KS round-trip, bad ones are
refused, and the reporting calendar knows the national cycle."""

import datetime as dt
import json
import sqlite3

import pytest

from rsa_desktop.selftest import UNDO_STEP
from rsa_desktop.services import calendar, catalogues
from rsa_desktop.services import catalogue_update as cu
from rsa_desktop.services.catalogues import CatalogueError
from rsa_desktop.services.check import run_check
from rsa_desktop.services.review import review
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.migrations import CURRENT_VERSION

OLD_SECTORS = ["Ekonomisk säkerhet", "Elektroniska kommunikationer och post", "Energiförsörjning",
               "Finansiella tjänster", "Försörjning av grunddata", "Hälsa, vård och omsorg",
               "Livsmedelsförsörjning och dricksvatten", "Ordning och säkerhet",
               "Räddningstjänst och skydd av civilbefolkningen", "Transporter"]


def _as_v5_file(path):
    """Turn a file of this version into one the program of before catalogue versions wrote (schema 5)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        for version in range(CURRENT_VERSION, 5, -1):  # every step after v5, newest first
            for sql in UNDO_STEP[version]:
                conn.execute(sql)
        conn.execute("PRAGMA user_version = 5")
    finally:
        conn.close()


def _legacy_file(tmp_path):
    path = tmp_path / "förra.rsa"
    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Överförmyndarförvaltningen", org_type="facknamnd")
        aid = svc.create_analysis(2026).id
        for i, sector in enumerate(OLD_SECTORS):
            svc.create("function", aid, name=f"Verksamhet {i}", preparedness_sector=sector,
                       msb_sector="Offentlig förvaltning", operation="egen")
        # Typed before the list had a sector for trade: not in the closed list, a person must choose.
        svc.create("function", aid, name="Inköp av livsmedel", preparedness_sector="Handel och industri",
                   operation="egen")
        # The city's own name for a sector: the same entry.
        svc.create("function", aid, name="Växeln", preparedness_sector="Elektroniska kommunikationer, post och "
                   "cybersäkerhet", operation="egen")
        for label in catalogues.labels("dependency_types"):
            svc.create("dependency", aid, dep_type=label, name=f"Beroende {label}")
        svc.create("dependency", aid, dep_type="Egen typ", name="Fritext är tillåten")
        svc.create("risk", aid, title="Elavbrott", scenario="Långvarigt elavbrott", category="Teknisk störning")
        svc.create("capability", aid, area="Krisledning")
    _as_v5_file(path)
    return path


def test_v5_to_v6_step_adds_catalogue_columns_and_keeps_rows(tmp_path):
    path = _legacy_file(tmp_path)
    with sqlite3.connect(path) as c:
        before = c.execute("SELECT count(*) FROM function").fetchone()[0]
        assert "catalogue_version" not in [r[1] for r in c.execute("PRAGMA table_info(analysis)")]
    with Document.open(path) as doc:
        assert doc.migrated_from == 5
        svc = RsaService(doc)
        (a,) = svc.analyses()
        assert a.catalogue_version == "" and a.report_deadline is None
        assert cu.analysis_version(a) == catalogues.LEGACY_VERSION
        assert len(svc.list("function", a.id)) == before
        assert cu.stored_package(svc) is None


def test_file_made_with_old_catalogues_opens_with_every_value_valid_or_marked(tmp_path):
    path = _legacy_file(tmp_path)
    with Document.open(path) as doc:
        svc = RsaService(doc)
        plan = cu.upgrade_on_open(svc)
        assert plan is not None and plan.new_version == catalogues.builtin_set().version
        (a,) = svc.analyses()
        assert a.catalogue_version == catalogues.builtin_set().version
        marks = svc.review_marks(a.id)
        functions = {f.name: f for f in svc.list("function", a.id)}
        assert functions["Växeln"].preparedness_sector == "Elektroniska kommunikationer och post"
        assert functions["Inköp av livsmedel"].preparedness_sector == "Handel och industri"  # kept, not lost
        assert ("function", functions["Inköp av livsmedel"].id) in marks
        assert len(marks) == 1
        for kind, spec in cu.catalogue_fields():
            if kind == "organisation":
                continue
            for rec in svc.list(kind, a.id):
                value = rec.values[spec.name]
                assert catalogues.is_valid(spec.catalog, value) or (kind, rec.id) in marks, (kind, spec.name, value)
        # The RSA-kontroll names the value a person must choose; `check` finds no invalid stored value.
        findings = [f for f in review(svc, a.id) if f.rule == "catalogue_value_invalid"]
        assert [f.item_id for f in findings] == [functions["Inköp av livsmedel"].id]
        assert "beredskapssektorerna" in findings[0].message and "2026.1" in findings[0].message
        assert run_check(svc) == []
        trail = svc.audit_trail(analysis_id=a.id)
        assert any(e.field == "Katalogversion" and e.old == "1" for e in trail)
        assert any(e.field == "Att granska" and e.new is True for e in trail)
        # Opening again changes nothing more.
        assert cu.upgrade_on_open(svc) is None


def test_the_twelve_preparedness_sectors():
    labels = catalogues.labels("preparedness_sectors")
    assert len(labels) == 12
    assert set(OLD_SECTORS) < set(labels)
    assert {"Industri, byggande och handel", "Utrikeshandel"} <= set(labels)
    assert catalogues.is_closed("preparedness_sectors") and not catalogues.is_closed("scenarios")


def test_glossary_has_both_definitions_of_samhallsviktig_verksamhet_with_sources():
    glossary = {g["term"]: g for g in catalogues.load("glossary")}
    old = glossary["Samhällsviktig verksamhet"]
    new = glossary["Samhällsviktig verksamhet (MSB:s metod 2023)"]
    assert old["source"] == "MSBFS 2015:5"
    assert new["definition"] == ("Verksamhet, tjänst eller infrastruktur som upprätthåller eller säkerställer "
                                 "samhällsfunktioner som är nödvändiga för samhällets grundläggande behov, värden "
                                 "eller säkerhet.")
    assert "2023" in new["source"]
    assert "Myndigheten för civilt försvar (MCF)" in glossary
    assert "MSBFS 2015:5" in glossary


def _edit(path, fn):
    data = json.loads(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_package_round_trips_through_export_edit_and_import(svc, analysis, tmp_path):
    aid = analysis.id
    dep = svc.create("dependency", aid, dep_type="IT-system", name="Verksamhetssystemet")
    risk = svc.create("risk", aid, title="Hot", scenario="Hot och våld mot medarbetare")
    f = svc.create("function", aid, name="Utbetalningar", preparedness_sector="Ekonomisk säkerhet",
                   operation="egen")
    out = cu.export_package(svc, tmp_path / "ks.json", version="2026.2", name="Stockholms stad 2026")
    assert (out.stat().st_mode & 0o777) == 0o600
    assert catalogues.read_package(out).version == "2026.2"

    def edit(data):
        cats = data["catalogues"]
        for item in cats["dependency_types"]["items"]:
            if item["label"] == "IT-system":
                item["label"] = "IT-system och verksamhetssystem"  # same code: a rename
        cats["scenarios"]["items"] = [i for i in cats["scenarios"]["items"]
                                      if i["label"] != "Hot och våld mot medarbetare"]
        cats["preparedness_sectors"]["items"].append({"code": "ks_test", "label": "Stadens egen sektor"})
        cats["glossary"]["items"].append({"term": "Stadens ord", "definition": "Ett ord från KS.", "source": "KS"})
        data["report_template"]["chapters"][1]["heading"] = "Beskrivning av nämnden"
    _edit(out, edit)
    package = catalogues.read_package(out)
    plan = cu.preview(svc, package)
    assert any("IT-system och verksamhetssystem" in line for line in plan.entries)
    assert [(c.item_id, c.new) for c in plan.mapped] == [(dep.id, "IT-system och verksamhetssystem")]
    assert [c.item_id for c in plan.review] == [risk.id]
    assert svc.get("dependency", dep.id).dep_type == "IT-system"  # a preview writes nothing

    cu.import_package(svc, package)
    assert svc.get("dependency", dep.id).dep_type == "IT-system och verksamhetssystem"
    assert svc.get("risk", risk.id).scenario == "Hot och våld mot medarbetare"  # kept, marked
    assert ("risk", risk.id) in svc.review_marks(aid)
    assert svc.get("function", f.id).preparedness_sector == "Ekonomisk säkerhet"
    assert svc.analysis(aid).catalogue_version == "2026.2"
    assert "Stadens egen sektor" in catalogues.labels("preparedness_sectors")
    assert "Stadens ord" in [g["term"] for g in catalogues.load("glossary")]
    from rsa_desktop.reports.common import load_template
    assert load_template().chapter("description").heading == "Beskrivning av nämnden"
    assert any(e.field == "Katalogpaket" and e.new == "2026.2" for e in svc.audit_trail())

    # The file keeps the package: opened anew, it is the catalogue in use, and exports the same.
    catalogues.activate(None)
    assert cu.activate_for(svc).version == "2026.2"
    assert cu.upgrade_on_open(svc) is None
    again = cu.export_package(svc, tmp_path / "igen.json")
    assert catalogues.package_data(catalogues.read_package(again)) == catalogues.package_data(package)

    cu.remove_package(svc)
    assert cu.stored_package(svc) is None and catalogues.active_set().builtin
    assert svc.analysis(aid).catalogue_version == catalogues.builtin_set().version


def _file_state(svc):
    with svc.doc.session() as s:
        conn = s.connection()
        tables = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.exec_driver_sql(f'SELECT * FROM "{t}"').all() for t in tables}


HOSTILE = [
    (b"\xff\xfe garbage", "inget katalogpaket"),
    (b"[1, 2, 3]", "inget katalogpaket"),
    (b"[" * 100_000 + b"]" * 100_000, "inget katalogpaket"),
    (json.dumps({"format": "rsa-desktop-scale"}).encode(), "inget katalogpaket"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "format_version": 99, "version": "1"}).encode(),
     "nyare version"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "drop table"}).encode(), "giltig version"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "2026.2", "catalogues": {}}).encode(),
     "inga kataloger"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "2026.2",
                 "catalogues": {"virus": {"items": []}}}).encode(), "okänd katalog"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "2026.2",
                 "catalogues": {"preparedness_sectors": {"closed": True, "items": [{"label": "A"}, {"label": "A"}]}}}
                ).encode(), "finns två gånger"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "2026.2",
                 "catalogues": {"glossary": {"items": [{"term": "X"}]}}}).encode(), "definitionen saknas"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "2026.2",
                 "catalogues": {"scenarios": {"items": [{"label": "A\x00B"}]}}}).encode(), "styrtecken"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "2026.2",
                 "catalogues": {"reporting_calendar": {"items": [{"label": "X", "cycle": "yearly", "month": 2,
                                                                  "day": 30}]}}}).encode(), "inget datum"),
    (json.dumps({"format": "rsa-desktop-catalogue-package", "version": "2026.2",
                 "catalogues": {"scenarios": {"items": [{"label": "A"}]}},
                 "report_template": {"format": "rsa-desktop-report-template", "chapters": [
                     {"key": "summary", "heading": "S"}]}}).encode(), "saknar kapitlet"),
]


@pytest.mark.parametrize("content,message", HOSTILE)
def test_hostile_package_is_refused_in_swedish_and_changes_nothing(svc, analysis, tmp_path, content, message):
    svc.create("function", analysis.id, name="Utbetalningar", preparedness_sector="Ekonomisk säkerhet",
               operation="egen")
    before = _file_state(svc)
    path = tmp_path / "paket.json"
    path.write_bytes(content)
    with pytest.raises(CatalogueError, match=message):
        cu.import_package(svc, catalogues.read_package(path))
    assert _file_state(svc) == before
    assert catalogues.active_set().builtin


def test_reporting_calendar_follows_the_election_cycle():
    class A(dict):
        pass

    a = A(report_deadline=dt.date(2027, 3, 31))
    got = {d.code: d for d in calendar.deadlines(a, today=dt.date(2026, 12, 1))}
    assert got["stad"].date == dt.date(2027, 3, 31)
    assert got["rsa_lansstyrelsen"].date == dt.date(2027, 10, 31) and got["rsa_lansstyrelsen"].note == "efter valet 2026"
    assert got["indikatorer"].date == dt.date(2027, 2, 15)
    later = {d.code: d for d in calendar.deadlines(A(), today=dt.date(2027, 11, 1))}
    assert later["rsa_lansstyrelsen"].date == dt.date(2031, 10, 31)
    assert later["indikatorer"].date == dt.date(2028, 2, 15)
    assert later["stad"].date is None
    on_the_day = {d.code: d for d in calendar.deadlines(A(), today=dt.date(2027, 10, 31))}
    assert on_the_day["rsa_lansstyrelsen"].date == dt.date(2027, 10, 31)
    assert calendar.format_date(dt.date(2027, 10, 31)) == "31 oktober 2027"


def test_cli_exports_edits_and_imports_a_package(tmp_path, capsys):
    from rsa_desktop.cli import main

    path = tmp_path / "analys.rsa"
    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Exempelförvaltningen", org_type="facknamnd")
        aid = svc.create_analysis(2026).id
        dep = svc.create("dependency", aid, dep_type="IT-system", name="Systemet").id
    pkg = tmp_path / "ks.json"
    assert main(["catalogue-export", str(path), str(pkg), "--version", "2026.2", "--name", "KS"]) == 0
    _edit(pkg, lambda d: [i.update(label="IT-tjänster") for i in d["catalogues"]["dependency_types"]["items"]
                          if i["label"] == "IT-system"])
    capsys.readouterr()
    assert main(["catalogue-import", str(path), str(pkg), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "→ 2026.2 (KS)" in out and "”IT-system” → ”IT-tjänster”" in out and "Ingenting är ändrat" in out
    with Document.open(path, readonly=True) as doc:
        assert RsaService(doc).get("dependency", dep).dep_type == "IT-system"
    assert main(["catalogue-import", str(path), str(pkg)]) == 0
    assert "Katalogversion 2026.2 används nu" in capsys.readouterr().out
    with Document.open(path, readonly=True) as doc:
        svc = RsaService(doc)
        assert svc.get("dependency", dep).dep_type == "IT-tjänster"
        assert cu.stored_package(svc).version == "2026.2"
    # The export states the version; a hostile package is refused with exit code 2 and a Swedish reason.
    xlsx, pdf = tmp_path / "ut.xlsx", tmp_path / "ut.pdf"
    assert main(["export", str(path), "--xlsx", str(xlsx), "--pdf", str(pdf)]) == 0
    import openpyxl
    import pypdf

    sheet = openpyxl.load_workbook(xlsx)["Sammanfattning"]
    rows = {r[1]: r[2] for r in sheet.iter_rows(values_only=True)}
    assert rows["Katalogversion"] == "2026.2 (KS)"
    assert "Katalogversion 2026.2 (KS)" in pypdf.PdfReader(pdf).pages[0].extract_text().replace("\n", " ")
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    capsys.readouterr()
    assert main(["catalogue-import", str(path), str(bad)]) == 2
    assert "inget katalogpaket" in capsys.readouterr().err
    assert main(["catalogue-import", str(path), "--program"]) == 0
    with Document.open(path, readonly=True) as doc:
        assert cu.stored_package(RsaService(doc)) is None
