"""Hostile workbooks that slipped past the part-name checks (issue 16, item 10)."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from rsa_desktop.reports.xlsx import export_xlsx
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.xlsx_import import WorkbookError, read_workbook
from rsa_desktop.storage.database import Document


@pytest.fixture(scope="module")
def exported(tmp_path_factory, demo_file):
    folder = tmp_path_factory.mktemp("xlsx")
    with Document.open(demo_file, readonly=True) as doc:
        svc = RsaService(doc)
        export_xlsx(svc, svc.analyses()[-1].id, folder / "demo.xlsx", today=dt.date(2026, 11, 1))
    return folder / "demo.xlsx"


def _rewrite(src: Path, dst: Path, replace: dict, add: dict | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in replace:
                data = replace[item.filename](data)
            zout.writestr(item, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def _add_rel(rel: bytes):
    return lambda d: d.replace(b"</Relationships>", rel + b"</Relationships>")


def _sheet_rels(src: Path) -> str:
    with zipfile.ZipFile(src) as z:
        return next(n for n in z.namelist() if n.startswith("xl/worksheets/_rels/"))


def test_a_vba_project_disguised_as_media_with_odd_case_content_type_is_refused(exported, tmp_path):
    rel = (b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/VBAProject" '
           b'Target="media/image1.png"/>')
    dst = _rewrite(exported, tmp_path / "makro.xlsx", {
        "xl/_rels/workbook.xml.rels": _add_rel(rel),
        "[Content_Types].xml": lambda d: d.replace(b"</Types>", b'<Override PartName="/xl/media/image1.png" '
                                                   b'ContentType="application/vnd.MS-Office.VbaProject"/></Types>'),
    }, add={"xl/media/image1.png": b"\x00" * 200})
    with pytest.raises(WorkbookError, match="makro"):
        read_workbook(dst)


def test_a_vba_relationship_alone_is_refused(exported, tmp_path):
    rel = (b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
           b'Target="media/image1.png"/>')
    dst = _rewrite(exported, tmp_path / "makro2.xlsx", {"xl/_rels/workbook.xml.rels": _add_rel(rel)},
                   add={"xl/media/image1.png": b"\x00" * 200})
    with pytest.raises(WorkbookError, match="makron"):
        read_workbook(dst)


@pytest.mark.parametrize("rel", [
    b'<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" '
    b'Target="file:///C:/hemligt.xls" TargetMode="External"/>',
    b'<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
    b'Target="\\\\server\\share\\bild.png" TargetMode="EXTERNAL"/>',
])
def test_external_targets_other_than_hyperlinks_are_refused(exported, tmp_path, rel):
    dst = _rewrite(exported, tmp_path / "ole.xlsx", {_sheet_rels(exported): _add_rel(rel)})
    with pytest.raises(WorkbookError, match="länkar till andra filer"):
        read_workbook(dst)


def test_a_hyperlink_to_a_web_page_is_still_read(exported, tmp_path):
    rel = (b'<Relationship Id="rId97" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'hyperlink" Target="https://example.org/" TargetMode="External"/>')
    dst = _rewrite(exported, tmp_path / "lank.xlsx", {_sheet_rels(exported): _add_rel(rel)})
    read_workbook(dst)


def test_millions_of_unused_shared_strings_are_refused_before_parsing(exported, tmp_path):
    """Issue 16, item 9: a workbook with a huge shared-strings table, refused fast and without the memory."""
    import resource
    import time

    items = b"".join(b"<si><t>%d</t></si>" % i for i in range(700_000))
    table = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             b'2006/main" count="700000" uniqueCount="700000">' + items + b"</sst>")
    rel = (b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'sharedStrings" Target="texter.xml"/>')
    ctype = (b'<Override PartName="/xl/texter.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             b'spreadsheetml.sharedStrings+xml"/></Types>')
    dst = _rewrite(exported, tmp_path / "strangar.xlsx", {
        "xl/_rels/workbook.xml.rels": _add_rel(rel),
        "[Content_Types].xml": lambda d: d.replace(b"</Types>", ctype)}, add={"xl/texter.xml": table})
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(WorkbookError, match="orimligt många texter"):
        read_workbook(dst)
    assert time.perf_counter() - start < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - usage < 100_000  # kB


def test_a_normal_number_of_shared_strings_is_read(exported):
    read_workbook(exported)


def _other_org_workbook(exported, tmp_path):
    """The same workbook as if another organisation had exported it (their name on the summary sheet)."""
    import openpyxl

    wb = openpyxl.load_workbook(exported)
    ws = wb["Sammanfattning"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "Överförmyndarförvaltningen")
    cell.value = "Kulturförvaltningen"
    ws2 = wb["Risker"]
    for row in ws2.iter_rows(min_row=1, max_row=20):
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("Långvarigt"):
                c.value = "Kulturförvaltningens egen risk"
    dst = tmp_path / "annan.xlsx"
    wb.save(dst)
    return dst


def test_a_workbook_from_another_organisation_is_refused_unless_chosen(exported, tmp_path, demo_file, capsys):
    """Issue 16, item 6: it renamed our organisation and overwrote our items matched by ID alone."""
    import shutil

    from rsa_desktop import cli
    from rsa_desktop.services.xlsx_import import ImportRefusedError, apply_import, plan_import

    other = _other_org_workbook(exported, tmp_path)
    path = tmp_path / "analys.rsa"
    shutil.copy(demo_file, path)
    with Document.open(path) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        plan = plan_import(svc, aid, read_workbook(other))
        assert plan.blocking and "annan organisation (Kulturförvaltningen)" in str(plan.blocking[0].message)
        with pytest.raises(ImportRefusedError):
            apply_import(svc, aid, plan, only_valid=True, backup=False)
        assert svc.organisation().values["name"] == "Överförmyndarförvaltningen"
    assert cli.main(["import-xlsx", str(path), str(other)]) == 1
    captured = capsys.readouterr()
    assert "annan organisation" in captured.out + captured.err
    # Chosen explicitly: read, but our organisation keeps its name.
    assert cli.main(["import-xlsx", str(path), str(other), "--other-organisation"]) == 0
    with Document.open(path, readonly=True) as doc:
        assert RsaService(doc).organisation().values["name"] == "Överförmyndarförvaltningen"
