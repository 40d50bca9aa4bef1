"""Excel round trip: edits come back, every kind of invalid cell is reported, foreign and hostile files
are refused, and an import is one undo step."""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from rsa_desktop.domain.kinds import KINDS  # noqa: E402
from rsa_desktop.reports.xlsx import export_xlsx  # noqa: E402
from rsa_desktop.services.rsa import RsaService  # noqa: E402
from rsa_desktop.services.xlsx_import import (  # noqa: E402
    ImportRefusedError,
    WorkbookError,
    apply_import,
    import_as_new,
    plan_import,
    read_workbook,
    undo_import,
)
from rsa_desktop.storage import backups  # noqa: E402
from rsa_desktop.storage.database import Document  # noqa: E402
from tests.support.submissions import snapshot  # noqa: E402

HEADER = 4


@pytest.fixture(scope="module")
def exported(tmp_path_factory, demo_file):
    """The demo analysis exported once for the module (read-only use)."""
    folder = tmp_path_factory.mktemp("xlsx")
    with Document.open(demo_file, readonly=True) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        export_xlsx(svc, aid, folder / "demo.xlsx", today=dt.date(2026, 11, 1))
        export_xlsx(svc, aid, folder / "utdrag.xlsx", public=True, today=dt.date(2026, 11, 1))
    return folder


@pytest.fixture
def demo(tmp_path, demo_file):
    path = tmp_path / "demo.rsa"
    shutil.copy(demo_file, path)
    doc = Document.open(path)
    svc = RsaService(doc)
    yield svc, svc.analyses()[-1].id
    doc.close()


def edit(src: Path, dst: Path, fn) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(src)
    fn(wb)
    wb.save(dst)
    return dst


def col(ws, heading: str) -> int:
    for c in ws[HEADER]:
        if c.value == heading:
            return c.column
    raise KeyError(heading)


def row_of(ws, hid: str) -> int:
    for r in range(HEADER + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == hid:
            return r
    raise KeyError(hid)


def put(ws, hid: str, heading: str, value) -> tuple[int, str]:
    r, c = row_of(ws, hid), col(ws, heading)
    ws.cell(r, c).value = value
    return r, openpyxl.utils.get_column_letter(c)


def append(ws, values: dict) -> int:
    r = ws.max_row + 1
    for heading, v in values.items():
        ws.cell(r, col(ws, heading)).value = v
    return r


def test_unedited_workbook_changes_nothing(demo, exported):
    svc, aid = demo
    parsed = read_workbook(exported / "demo.xlsx")
    plan = plan_import(svc, aid, parsed)
    assert plan.problems == [] and plan.changes == []


def test_round_trip_with_edits_and_undo(demo, exported, tmp_path):
    svc, aid = demo
    before = snapshot(svc, aid)
    r1 = svc.find_by_hid("risk", aid, "R1")
    new_likelihood = 1 if r1.likelihood != 1 else 2
    v1 = svc.find_by_hid("function", aid, "V1")

    def change(wb):
        ws = wb["Risker"]
        put(ws, "R1", "Sannolikhet", new_likelihood)
        put(ws, "R1", "Riskvärde", 999)  # derived: never read
        put(ws, "R1", "Riskklass", "Grön")
        put(ws, "R1", "Verksamheter", "V1, V2")
        append(ws, {"Rubrik": "Ny risk från Excel", "Sannolikhet": 3, "Verksamheter": "V3",
                    "Konsekvens – Människors liv och hälsa": 4})
        ws = wb["Verksamheter"]
        put(ws, "V1", "Namn", "Akuta ärenden (ändrat i Excel)")
        put(ws, "V1", "Acceptabel avbrottstid", "2 dygn")  # only the text: it counts
        ws = wb["Kopplingar"]
        r = next(r for r in range(HEADER + 1, ws.max_row + 1) if ws.cell(r, 1).value == "V2")
        ws.cell(r, col(ws, "Tolerans (minuter)")).value = 90
        ws = wb["Åtgärder"]
        put(ws, "Å1", "Status", "Genomförd")
        put(ws, "Å1", "Försenad", "Ja")
        ws = wb["Sammanfattning"]
        r = next(r for r in range(HEADER + 1, ws.max_row + 1) if ws.cell(r, 1).value == "analysis.summary")
        ws.cell(r, 3).value = "En ny sammanfattning."

    path = edit(exported / "demo.xlsx", tmp_path / "ändrad.xlsx", change)
    plan = plan_import(svc, aid, read_workbook(path))
    assert plan.errors == [], [str(p) for p in plan.errors]
    text = "\n".join(str(c) for c in plan.changes)
    assert "Ny risk: Ny risk från Excel" in text and "Sannolikhet" in text and "Sammanfattning" in text
    assert not any("Riskvärde" in c.field or "Riskklass" in c.field or "Försenad" in c.field for c in plan.changes)
    n_backups = len(backups.list_backups(svc.doc.path))
    result = apply_import(svc, aid, plan)
    assert len(backups.list_backups(svc.doc.path)) == n_backups + 1
    assert svc.find_by_hid("risk", aid, "R1").likelihood == new_likelihood
    assert svc.find_by_hid("function", aid, "V1").name == "Akuta ärenden (ändrat i Excel)"
    assert svc.find_by_hid("function", aid, "V1").max_tolerable_downtime == 2880
    assert svc.find_by_hid("action", aid, "Å1").status == "genomford"
    assert svc.analysis(aid).summary == "En ny sammanfattning."
    new_risk = next(r for r in svc.list("risk", aid) if r.title == "Ny risk från Excel")
    assert new_risk.hid not in before["risk"]
    assert [svc.get("function", lr.right_id).hid for lr in svc.links("risk_function", left_id=new_risk.id)] == ["V3"]
    assert {svc.get("function", lr.right_id).hid for lr in svc.links("risk_function", left_id=r1.id)} == {"V1", "V2"}
    assert list(svc.consequences(new_risk.id).values()) == [4]
    v2 = svc.find_by_hid("function", aid, "V2")
    assert any(lr.attrs["tolerance"] == 90 for lr in svc.links("function_dependency", left_id=v2.id))
    assert result.applied == len(plan.changes)
    # One undo step puts everything back exactly.
    undo_import(svc, result.tombstone)
    after = snapshot(svc, aid)
    assert after == before
    assert svc.find_by_hid("function", aid, "V1").id == v1.id


INVALID = [
    # (sheet, ID, heading, value, words in the message) – one row each, all in one workbook
    ("Risker", "R2", "Sannolikhet", 9, "finns inte på skalan"),
    ("Risker", "R3", "Konsekvens – Människors liv och hälsa", "hög", "inget heltal"),
    ("Risker", "R4", "Osäkerhet", "Väldigt", "inte ett tillåtet val"),
    ("Risker", "R5", "Sekretess", "kanske", "inte ja eller nej"),
    ("Risker", "R6", "Rubrik", None, "måste fyllas i"),
    ("Risker", "R7", "Rubrik", "x" * 1001, "för lång"),
    ("Risker", "R8", "Verksamheter", "V1, V999", "V999 är ingen verksamhet"),
    ("Risker", "R9", "Sannolikhet", "=1+1", "formel"),
    ("Risker", "R10", "ID", "R999", "R999 finns inte i analysen"),
    ("Risker", "R11", "ID", "V1", "inget ID för bladet"),
    ("Åtgärder", "Å2", "Klart senast", "31/12", "inget giltigt datum"),
    ("Åtgärder", "Å3", "Status", "Klar", "inte ett tillåtet val"),
    ("Verksamheter", "V2", "Styrelklass", 12, "större än 8"),
    ("Verksamheter", "V3", "Acceptabel avbrottstid (minuter)", "tre dygn", "inget antal minuter"),
    ("Verksamheter", "V4", "Återställningstid (minuter)", "RTO", "får inte vara längre"),
    ("Verksamheter", "V5", "Kontinuitetskrav i avtalet", "Kanske", "inte ja, nej eller okänt"),
    ("Kontinuitetsplaner", "K1", "Verksamhet", "V999", "V999 finns inte"),
    ("Beroenden", "B2", "Beror på", "B2", "sig självt"),
]


def test_each_kind_of_invalid_cell_is_reported_where_it_is(demo, exported, tmp_path):
    svc, aid = demo
    before = snapshot(svc, aid)
    where = {}

    def change(wb):
        for sheet, hid, heading, value, _words in INVALID:
            ws = wb[sheet]
            if value == "RTO":  # longer than the acceptabel avbrottstid
                r = row_of(ws, hid)
                ws.cell(r, col(ws, "Acceptabel avbrottstid")).value = None
                ws.cell(r, col(ws, "Acceptabel avbrottstid (minuter)")).value = 60
                ws.cell(r, col(ws, "Återställningstid")).value = None
                value = 120
            where[(sheet, hid)] = put(ws, hid, heading, value)
        put(wb["Risker"], "R1", "Rubrik", "En giltig ändring")
        ws = wb["Risker"]  # the same ID twice: the second row is the error
        ws.cell(row_of(ws, "R13"), 1).value = "R12"

    path = edit(exported / "demo.xlsx", tmp_path / "fel.xlsx", change)
    plan = plan_import(svc, aid, read_workbook(path))
    errors = plan.errors
    for sheet, hid, heading, _value, words in INVALID:
        row, letter = where[(sheet, hid)]
        found = [p for p in errors if (p.sheet, p.row) == (sheet, row)]
        assert len(found) == 1 and words in found[0].message, (sheet, hid, heading, [str(p) for p in found])
        p = found[0]
        if heading != "ID":
            assert p.column == letter and p.heading == heading, str(p)
        assert str(p).startswith(f"{sheet}, rad {row}, kolumn ")
    dup = [p for p in errors if "finns redan på rad" in p.message]
    assert len(dup) == 1 and dup[0].row == row_of_in(path, "Risker", "R12", last=True)
    assert len(errors) == len(INVALID) + 1
    with pytest.raises(ImportRefusedError):
        apply_import(svc, aid, plan)
    assert snapshot(svc, aid) == before
    # Explicitly only the valid rows: the good edit lands, the bad rows do not.
    result = apply_import(svc, aid, plan, only_valid=True)
    assert svc.find_by_hid("risk", aid, "R1").title == "En giltig ändring"
    assert svc.find_by_hid("risk", aid, "R2").likelihood == before["risk"]["R2"]["likelihood"]
    assert result.skipped_rows == len(INVALID) + 1


def row_of_in(path: Path, sheet: str, hid: str, last: bool = False) -> int:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = [c[0].row for c in ws.iter_rows(min_row=HEADER + 1) if c and c[0].value == hid]
    return rows[-1] if last else rows[0]


def test_circle_of_dependencies_and_duration_conflict(demo, exported, tmp_path):
    svc, aid = demo

    def change(wb):
        ws = wb["Beroenden"]
        put(ws, "B1", "Beror på", "B2")
        put(ws, "B2", "Beror på", "B1")
        ws = wb["Verksamheter"]
        put(ws, "V3", "Acceptabel avbrottstid", "5 dygn")
        put(ws, "V3", "Acceptabel avbrottstid (minuter)", 60)

    plan = plan_import(svc, aid, read_workbook(edit(exported / "demo.xlsx", tmp_path / "c.xlsx", change)))
    msgs = [str(p) for p in plan.errors]
    assert any("cirkel" in m and "Beroenden" in m for m in msgs), msgs
    assert any("stämmer inte med 60 minuter" in m for m in msgs), msgs


def test_rows_missing_are_kept_unless_asked(demo, exported, tmp_path):
    svc, aid = demo

    def drop(wb):
        ws = wb["Risker"]
        ws.delete_rows(row_of(ws, "R2"))

    path = edit(exported / "demo.xlsx", tmp_path / "utan.xlsx", drop)
    parsed = read_workbook(path)
    assert plan_import(svc, aid, parsed).changes == []
    plan = plan_import(svc, aid, parsed, delete_missing=True)
    assert [(c.action, c.hid) for c in plan.changes] == [("ta bort", "R2")]
    apply_import(svc, aid, plan)
    assert svc.find_by_hid("risk", aid, "R2") is None


def test_preview_shows_labels_ids_once_and_rows_kept(demo, demo_file, exported, tmp_path, capsys):
    """Issue 17: the preview showed codes ("från ”lag” till ”hog”"), "Å19 Å19", and kept deleted rows silently."""
    from rsa_desktop.cli import main

    svc, aid = demo
    a1 = svc.find_by_hid("action", aid, "Å1")
    new_priority = "hog" if a1.priority != "hog" else "lag"
    labels = dict(KINDS["action"].field("priority").choices)
    old_label = labels[a1.priority] if a1.priority else ""
    r2 = svc.find_by_hid("risk", aid, "R2")

    def change(wb):
        put(wb["Åtgärder"], "Å1", "Prioritet", labels[new_priority])
        ws = wb["Risker"]
        ws.delete_rows(row_of(ws, "R2"))

    path = edit(exported / "demo.xlsx", tmp_path / "förhandsvisning.xlsx", change)
    plan = plan_import(svc, aid, read_workbook(path))
    text = "\n".join(str(c) for c in plan.changes)
    assert f"Prioritet ändras från {old_label or '(tomt)'} till {labels[new_priority]}" in text, text
    assert f"”{a1.priority}”" not in text and f"”{new_priority}”" not in text
    # The deleted row is not deleted, and the preview says so.
    assert [(c.kind, c.hid) for c in plan.kept] == [("risk", "R2")]
    assert "behålls" in str(plan.kept[0]) and r2.title[:30] in str(plan.kept[0])
    deleting = plan.with_delete_missing(True)
    gone = [c for c in deleting.changes if c.action == "ta bort"]
    assert [(c.kind, c.hid) for c in gone] == [("risk", "R2")] and deleting.kept == []
    assert str(gone[0]).count("R2") == 1, str(gone[0])  # never "R2 R2"
    assert deleting.with_delete_missing(False).changes == plan.changes
    # The CLI's dry run says the same, and how to delete.
    cli_path = tmp_path / "cli.rsa"
    shutil.copy(demo_file, cli_path)
    assert main(["import-xlsx", str(cli_path), str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "saknas i arbetsboken" in out and "--delete-missing" in out and "R2" in out
    assert f"till {labels[new_priority]}" in out
    assert main(["import-xlsx", str(cli_path), str(path), "--dry-run", "--delete-missing"]) == 0
    out = capsys.readouterr().out
    assert "Tas bort: Risk R2" in out and "--delete-missing för att" not in out


def test_public_excerpt_cannot_be_imported_into_the_analysis(demo, exported):
    svc, aid = demo
    plan = plan_import(svc, aid, read_workbook(exported / "utdrag.xlsx"))
    assert plan.blocking and "öppet utdrag" in plan.blocking[0].message
    with pytest.raises(ImportRefusedError):
        apply_import(svc, aid, plan, only_valid=True)


def test_import_as_new_analysis_reproduces_the_analysis(demo, exported, tmp_path):
    svc, aid = demo
    original = snapshot(svc, aid, sort_order=False)
    doc = Document.create(tmp_path / "ny.rsa")
    try:
        target = RsaService(doc)
        result = import_as_new(target, read_workbook(exported / "demo.xlsx"))
        assert result.plan.errors == []
        copy = snapshot(target, result.analysis.id, sort_order=False)
        for key in original:
            if key == "analysis":
                continue
            assert copy[key] == original[key], key
        assert target.organisation().name == svc.organisation().name
        # New items continue the numbering.
        top = max(int(h[1:]) for h in original["risk"])
        assert target.create("risk", result.analysis.id, title="Ny").hid == f"R{top + 1}"
        # Into the same file as another year: refused for an existing year, fine for a new one.
        with pytest.raises(ImportRefusedError, match="redan"):
            import_as_new(target, read_workbook(exported / "demo.xlsx"))
        again = import_as_new(target, read_workbook(exported / "demo.xlsx"), 2030, dry_run=True)
        assert again.analysis.year == 2030 and target.analysis_for_year(2030) is None
    finally:
        doc.close()


def test_import_as_new_with_errors_creates_nothing_unless_only_valid(exported, tmp_path):
    path = edit(exported / "demo.xlsx", tmp_path / "fel.xlsx",
                lambda wb: put(wb["Risker"], "R2", "Sannolikhet", 42))
    doc = Document.create(tmp_path / "ny.rsa")
    try:
        target = RsaService(doc)
        with pytest.raises(ImportRefusedError) as exc:
            import_as_new(target, read_workbook(path))
        assert exc.value.plan.errors and target.analyses() == []
        result = import_as_new(target, read_workbook(path), only_valid=True)
        hids = {r.hid for r in target.list("risk", result.analysis.id)}
        assert "R2" not in hids and "R1" in hids and result.skipped_rows == 1
    finally:
        doc.close()


# -- foreign and hostile files ---------------------------------------------------------------------

def _foreign(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Budget 2026"
    path = tmp_path / "budget.xlsx"
    wb.save(path)
    return path


def _rewrite(src: Path, dst: Path, *, replace: dict | None = None, add: dict | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if replace and item.filename in replace:
                data = replace[item.filename](data)
            zout.writestr(item, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')


def _hostile(kind: str, src: Path, tmp: Path) -> Path:
    dst = tmp / f"{kind}.xlsx"
    if kind == "xml_bomb":
        if _has(src, "xl/sharedStrings.xml"):
            return _rewrite(src, dst, replace={"xl/sharedStrings.xml": lambda d: BOMB})
        dtd = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><worksheet'
        return _rewrite(src, dst, replace={"xl/worksheets/sheet1.xml": lambda d: d.replace(b"<worksheet", dtd, 1)})
    if kind == "external_link":
        return _rewrite(src, dst, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    if kind == "macro":
        return _rewrite(src, dst, add={"xl/vbaProject.bin": b"\x00" * 100})
    if kind == "zip_bomb":
        return _rewrite(src, dst, add={"xl/media/filler.xml": b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>"})
    if kind == "binary":
        dst.write_bytes(b"\x00\x01\x02 inte en arbetsbok " * 1000)
        return dst
    if kind == "xls":
        dst.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
        return dst
    if kind == "truncated":
        data = src.read_bytes()
        dst.write_bytes(data[: len(data) // 2])
        return dst
    if kind == "utf16":
        return _rewrite(src, dst, replace={"xl/workbook.xml": lambda d: d.decode("utf-8").encode("utf-16")})
    raise AssertionError(kind)


def _has(path: Path, name: str) -> bool:
    with zipfile.ZipFile(path) as z:
        return name in z.namelist()


@pytest.mark.parametrize("kind,words", [
    ("xml_bomb", "DTD"), ("external_link", "externa referenser"), ("macro", "makron"), ("zip_bomb", "zipbomb"),
    ("binary", "ingen Excelarbetsbok"), ("xls", "gamla Excelformatet"), ("truncated", "skadad"),
    ("utf16", "teckenkodning"),
])
def test_hostile_or_malformed_workbooks_are_refused(exported, tmp_path, kind, words):
    path = _hostile(kind, exported / "demo.xlsx", tmp_path)
    with pytest.raises(WorkbookError) as exc:
        read_workbook(path)
    assert words in str(exc.value) and path.name in str(exc.value)


def test_foreign_and_newer_workbooks_are_refused(exported, tmp_path):
    with pytest.raises(WorkbookError, match="ingen RSA-export") as exc:
        read_workbook(_foreign(tmp_path))
    assert exc.value.kind == "foreign"

    def newer(wb):
        ws = wb["Sammanfattning"]
        r = next(r for r in range(HEADER + 1, ws.max_row + 1) if ws.cell(r, 1).value == "format_version")
        ws.cell(r, 3).value = 99

    with pytest.raises(WorkbookError, match="nyare version") as exc:
        read_workbook(edit(exported / "demo.xlsx", tmp_path / "ny.xlsx", newer))
    assert exc.value.kind == "newer"


def test_a_sheet_removed_in_excel_is_reported_not_fatal(demo, exported, tmp_path):
    svc, aid = demo
    path = edit(exported / "demo.xlsx", tmp_path / "utan.xlsx", lambda wb: wb.remove(wb["Övningar"]))
    parsed = read_workbook(path)
    plan = plan_import(svc, aid, parsed, delete_missing=True)
    assert any(p.sheet == "Övningar" and p.severity == "varning" for p in plan.problems)
    assert not any(c.kind == "exercise" for c in plan.changes)


def test_cli_import_xlsx(tmp_path, demo_file, exported, capsys):
    from rsa_desktop.cli import main

    path = tmp_path / "cli.rsa"
    shutil.copy(demo_file, path)
    good = edit(exported / "demo.xlsx", tmp_path / "bra.xlsx", lambda wb: put(wb["Risker"], "R1", "Rubrik", "Från CLI"))
    bad = edit(good, tmp_path / "dålig.xlsx", lambda wb: put(wb["Risker"], "R2", "Sannolikhet", 77))
    assert main(["import-xlsx", str(path), str(good), "--dry-run"]) == 0
    assert "1 ändringar skulle" in capsys.readouterr().out
    assert main(["import-xlsx", str(path), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Risker, rad" in err and "ingenting lästes in" in err
    with Document.open(path, readonly=True) as doc:
        svc = RsaService(doc)
        assert svc.find_by_hid("risk", svc.analyses()[-1].id, "R1").title != "Från CLI"
    assert main(["import-xlsx", str(path), str(bad), "--only-valid"]) == 0
    with Document.open(path, readonly=True) as doc:
        svc = RsaService(doc)
        assert svc.find_by_hid("risk", svc.analyses()[-1].id, "R1").title == "Från CLI"
    assert main(["import-xlsx", str(tmp_path / "ny.rsa"), str(good), "--new-year", "2031"]) == 0
    assert main(["import-xlsx", str(path), str(tmp_path / "saknas.xlsx")]) == 2
