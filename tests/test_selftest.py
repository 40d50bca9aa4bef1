"""`rsa-desktop --selftest` (rsa_desktop.selftest): passes on a healthy installation, says why otherwise."""

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from rsa_desktop import selftest
from rsa_desktop.storage import migrations

ROOT = Path(__file__).resolve().parent.parent
STEPS = 7


def test_selftest_passes_with_one_line_per_step_and_without_qt():
    # In a fresh interpreter: the self-test must work (and stay Qt-free) where no test imported Qt.
    code = ("import sys; from rsa_desktop.selftest import run_selftest; rc = run_selftest(); "
            "assert 'PySide6' not in sys.modules, 'selftest imported Qt'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == STEPS + 1, lines
    for i, line in enumerate(lines[:STEPS], 1):
        assert line.startswith(f"OK  [{i}/{STEPS}] "), line
    assert [re.match(r"OK  \[\d/\d\] ([^:]+):", ln).group(1) for ln in lines[:STEPS]] == [
        "Miljö", "Ny fil", "Exempel", "Uppgradering", "Integritet", "Excel", "PDF"]
    assert "format 1 → " in lines[3] and "integrity_check ok" in lines[4]
    assert lines[-1].startswith("Självtestet lyckades")


def test_missing_resources_fail_with_a_swedish_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("RSA_DESKTOP_RESOURCES", str(tmp_path / "tom"))
    lines: list[str] = []
    assert selftest.run_selftest(lines.append) == 1
    assert len(lines) == 1
    assert lines[0].startswith("FEL [1/7] Miljö: resursfiler saknas i ") and "scales/default.json" in lines[0]


def test_a_broken_pdf_fails_the_last_step(monkeypatch):
    import rsa_desktop.reports.pdf as pdf

    monkeypatch.setattr(pdf, "export_pdf", lambda svc, analysis_id, path, **kw: Path(path).write_bytes(b"trasig"))
    lines: list[str] = []
    assert selftest.run_selftest(lines.append) == 1
    assert [ln[:3] for ln in lines] == ["OK "] * 6 + ["FEL"]
    assert lines[-1] == "FEL [7/7] PDF: PDF-filen är ofullständig (saknar %PDF-huvud eller %%EOF)"


def test_an_unexpected_error_is_reported_not_raised(monkeypatch):
    import rsa_desktop.services.demo as demo

    def boom(*a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(demo, "write_demo", boom)
    lines: list[str] = []
    assert selftest.run_selftest(lines.append) == 1
    assert lines[-1].startswith("FEL [3/7] Exempel: oväntat fel OSError:")


def _schema(conn: sqlite3.Connection) -> dict[str, set[str]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    return {t: {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')} for t in tables}


def test_every_migration_can_be_undone_for_the_upgrade_check():
    assert set(selftest.UNDO_STEP) == set(range(2, migrations.CURRENT_VERSION + 1)), (
        "a new migration needs its undo statements in rsa_desktop/selftest.py UNDO_STEP")


def test_the_downgraded_copy_has_exactly_the_version_1_schema(demo_file, tmp_path):
    old = tmp_path / "gammal.rsa"
    before = selftest.make_v1_copy(demo_file, old)
    assert before["risk"] > 0
    with sqlite3.connect(old) as conn:
        got = _schema(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    reference = sqlite3.connect(":memory:")
    reference.executescript((ROOT / "tests" / "fixtures" / "schema_v1.sql").read_text(encoding="utf-8"))
    assert got == _schema(reference)


def test_selftest_from_the_command_line(capsys):
    from rsa_desktop.cli import main

    assert main(["--selftest"]) == 0
    assert capsys.readouterr().out.count("\n") >= 7
