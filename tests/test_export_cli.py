"""`rsa-desktop export`: both formats, the öppet utdrag, bad input, and atomic writing."""

from __future__ import annotations

import os

import pytest

from rsa_desktop.cli import main
from rsa_desktop.reports.atomic import ExportError, write_atomic
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

openpyxl = pytest.importorskip("openpyxl")
pypdf = pytest.importorskip("pypdf")


@pytest.fixture
def small_file(tmp_path):
    """A small analysis with one secret risk, for fast exports."""
    path = tmp_path / "liten analys.rsa"
    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Exempelförvaltningen", org_type="facknamnd")
        a = svc.create_analysis(2025)
        b = svc.create_analysis(2026, secrecy_marking="Sekretess enligt 18 kap. 13 § OSL")
        svc.create("risk", a.id, title="Gammal risk 2025")
        svc.create("risk", b.id, title="Öppen risk", likelihood=2)
        svc.create("risk", b.id, title="Hemlig risk om serverhallen", secret=True)
        svc.create("function", b.id, name="Akut verksamhet", is_critical=True)
    return path


def leftovers(folder) -> list[str]:
    return [p.name for p in folder.iterdir() if ".part" in p.name]


def test_export_both_formats(small_file, tmp_path, capsys):
    xlsx, pdf = tmp_path / "ut.xlsx", tmp_path / "ut.pdf"
    assert main(["export", str(small_file), "--xlsx", str(xlsx), "--pdf", str(pdf)]) == 0
    out = capsys.readouterr().out
    assert "Excel för 2026" in out and "PDF för 2026" in out  # the latest year by default
    wb = openpyxl.load_workbook(xlsx)
    titles = [c.value for c in wb["Risker"]["B"][4:]]
    assert "Öppen risk" in titles and "Hemlig risk om serverhallen" in titles
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages)
    assert "Hemlig risk om serverhallen" in text and "SEKRETESS" in text
    assert leftovers(tmp_path) == []


def test_export_year_and_public(small_file, tmp_path, capsys):
    pdf = tmp_path / "öppet utdrag.pdf"
    xlsx = tmp_path / "öppet.xlsx"
    assert main(["export", str(small_file), "--year", "2026", "--pdf", str(pdf), "--xlsx", str(xlsx),
                 "--public"]) == 0
    assert "öppet utdrag" in capsys.readouterr().out
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages)
    assert "Öppen risk" in text and "Hemlig risk" not in text and "Öppet utdrag" in text
    cells = [c.value for ws in openpyxl.load_workbook(xlsx).worksheets for row in ws.iter_rows() for c in row]
    assert "Öppen risk" in cells and not any("Hemlig risk" in str(c) for c in cells)
    assert main(["export", str(small_file), "--year", "2025", "--xlsx", str(xlsx)]) == 0
    titles = [c.value for c in openpyxl.load_workbook(xlsx)["Risker"]["B"][4:]]
    assert titles == ["Gammal risk 2025"]


@pytest.mark.parametrize("args, reason", [
    (["--pdf", "{tmp}/a.pdf", "--year", "1999"], "ingen analys för 1999"),
    ([], "ange minst en utfil"),
    (["--pdf", "{tmp}/saknas/a.pdf"], "Mappen finns inte"),
    (["--xlsx", "{tmp}/a.x", "--pdf", "{tmp}/a.x"], "olika namn"),
])
def test_bad_arguments_exit_2(small_file, tmp_path, capsys, args, reason):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["export", str(small_file), *args]) == 2
    err = capsys.readouterr().err
    assert reason in err and err.count("\n") == 1 and err.startswith("rsa-desktop: ")


def test_bad_input_files_exit_2(tmp_path, capsys):
    assert main(["export", str(tmp_path / "finns-inte.rsa"), "--pdf", str(tmp_path / "a.pdf")]) == 2
    assert "finns inte" in capsys.readouterr().err
    junk = tmp_path / "skräp.rsa"
    junk.write_bytes(b"inte en databas" * 100)
    assert main(["export", str(junk), "--pdf", str(tmp_path / "a.pdf")]) == 2
    assert "inte en RSA-fil" in capsys.readouterr().err
    empty = tmp_path / "tom.rsa"
    Document.create(empty).close()
    assert main(["export", str(empty), "--pdf", str(tmp_path / "a.pdf")]) == 2
    assert "ingen analys" in capsys.readouterr().err
    assert main(["export", str(empty), "--pdf", str(empty)]) == 2
    assert not (tmp_path / "a.pdf").exists()


def test_a_failed_export_never_replaces_a_good_file(tmp_path):
    target = tmp_path / "rapport.pdf"
    target.write_bytes(b"den gamla, hela rapporten")

    def half_then_fail(tmp):
        tmp.write_bytes(b"halv")
        raise RuntimeError("avbrott mitt i skrivningen")

    with pytest.raises(RuntimeError):
        write_atomic(target, half_then_fail)
    assert target.read_bytes() == b"den gamla, hela rapporten"
    assert leftovers(tmp_path) == []
    write_atomic(target, lambda tmp: tmp.write_bytes(b"ny"))
    assert target.read_bytes() == b"ny" and leftovers(tmp_path) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_folder_is_an_export_error(tmp_path):
    folder = tmp_path / "skrivskyddad"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError):
            write_atomic(folder / "a.pdf", lambda tmp: tmp.write_bytes(b"x"))
    finally:
        folder.chmod(0o700)


def test_export_is_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "--xlsx" in out and "--pdf" in out and "--public" in out and "--year" in out
