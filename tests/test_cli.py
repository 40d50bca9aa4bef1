import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rsa_desktop import __version__
from rsa_desktop.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"RSA Desktop {__version__}"


def test_demo_info_check(tmp_path, capsys):
    path = tmp_path / "exempel med åäö.rsa"
    assert main(["demo", str(path)]) == 0
    assert path.exists()
    capsys.readouterr()
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Organisation: Överförmyndarförvaltningen (Facknämnd), Överförmyndarnämnden" in out
    assert "År: 2026" in out
    assert "Verksamheter:" in out and "samhällsviktiga" in out and "Åtgärder:" in out
    assert main(["check", str(path)]) == 0  # the demo has warnings to look at, but no errors
    out = capsys.readouterr().out
    assert "RSA-kontroll 2026:" in out and "[varning]" in out and "Inga fel; varningarna ovan" in out
    assert main(["check", str(path), "--strict"]) == 1


def test_check_reports_findings_with_exit_1(tmp_path, capsys):
    path = tmp_path / "fynd.rsa"
    main(["demo", str(path)])
    # Another tool wrote values our rules forbid: a rating off the scale, an RTO longer than allowed.
    with sqlite3.connect(path) as c:
        c.execute("UPDATE capability SET rating = 9 WHERE hid = 'F1'")
        c.execute("UPDATE function SET rto = max_tolerable_downtime * 2 WHERE hid = 'V1'")
        c.execute("UPDATE risk_consequence SET level = 8 WHERE rowid = 1")
    capsys.readouterr()
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "F1" in out and "värdet 9 finns inte på skalan" in out
    assert "V1" in out and "Återställningstid" in out
    assert "konsekvensnivå 8" in out
    assert "3 fel att åtgärda." in out


def test_check_reports_broken_links(tmp_path, capsys):
    path = tmp_path / "trasig.rsa"
    main(["demo", str(path)])
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA foreign_keys = OFF")
        c.execute("INSERT INTO risk_function (risk_id, function_id) VALUES (1, 9999)")
    capsys.readouterr()
    assert main(["check", str(path)]) == 1
    assert "Trasig koppling i tabellen risk_function" in capsys.readouterr().out


def test_large_demo(tmp_path):
    path = tmp_path / "stor.rsa"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "rsa_desktop", "demo", str(path), "--size", "large"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    info = subprocess.run([sys.executable, "-m", "rsa_desktop", "info", str(path)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert info.returncode == 0
    for label, n in (("Verksamheter:", 200), ("Beroenden:", 800), ("Risker:", 400), ("Åtgärder:", 1000),
                     ("Kontinuitetsplaner:", 150)):
        line = next(l for l in info.stdout.splitlines() if l.strip().startswith(label))
        assert int(line.split(":")[1].split()[0]) == n, line
    check = subprocess.run([sys.executable, "-m", "rsa_desktop", "check", str(path)], capture_output=True,
                           text=True, env=env, timeout=300)
    # Every stored value is valid (no unindented [fel] lines); the synthetic content has RSA-kontroll findings.
    assert check.returncode in (0, 1) and "Traceback" not in check.stderr
    assert not [l for l in check.stdout.splitlines() if l.startswith("[fel]")], check.stdout[:2000]


def test_demo_is_deterministic_for_large(tmp_path):
    from rsa_desktop.services.demo import large_data

    assert large_data() == large_data()


def test_demo_force_overwrites_only_when_asked(tmp_path, capsys):
    path = tmp_path / "a.rsa"
    assert main(["demo", str(path)]) == 0
    assert main(["demo", str(path)]) == 2
    assert "finns redan" in capsys.readouterr().err
    assert main(["demo", str(path), "--force"]) == 0


def test_bare_subcommand_prints_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["info"])
    assert exc.value.code == 2
    assert "PATH" in capsys.readouterr().err


def test_check_counts_rsa_kontroll_errors(tmp_path, capsys):
    path = tmp_path / "tom.rsa"
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    with Document.create(path) as doc:
        svc = RsaService(doc)
        svc.set_organisation(name="Kulturförvaltningen", org_type="facknamnd")
        svc.create_analysis(2026)
    assert main(["check", str(path), "--year", "2026"]) == 1
    out = capsys.readouterr().out
    assert "[fel] Inga verksamheter är listade." in out and "[fel] Inga risker är identifierade." in out
    assert main(["check", str(path), "--year", "2031"]) == 2


def test_output_cut_short_by_the_reader_is_not_an_error(tmp_path, monkeypatch):
    """`rsa-desktop info X | head -1`: the reader has gone; the command ends quietly with 0."""
    path = tmp_path / "d.rsa"
    main(["demo", str(path)])
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody reads: every write fails with EPIPE
    closed_pipe = os.fdopen(write_end, "w", buffering=1, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    try:
        assert main(["info", str(path)]) == 0
    finally:
        monkeypatch.undo()
        closed_pipe.close()
