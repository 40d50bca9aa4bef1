"""A process killed at any moment loses at most the edit in progress; the file always opens intact."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).parent / "support" / "crash_worker.py"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() and SIGKILL")


def run_worker(*args):
    result = subprocess.run([sys.executable, str(WORKER), *map(str, args)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sixty_kills_during_edits_lose_nothing_acknowledged(tmp_path):
    from rsa_desktop.services.demo import write_demo

    path = write_demo(tmp_path / "analys.rsa")
    report = run_worker("edits", path, 60, 2026)
    assert report["kills"] == 60
    assert report["acknowledged"] > 30  # most kills really hit a process in the middle of editing
    assert report["missing"] == []
    assert report["integrity"] and report["complete"]


def test_kills_during_migration_leave_a_usable_file(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "schema_v1.sql"
    report = run_worker("migrations", fixture, tmp_path, 15, 7)
    assert report["bad"] == []
    assert report["migrated"] + report["untouched"] == 15


def test_kills_during_export_never_leave_a_broken_report(tmp_path, demo_file):
    out = tmp_path / "ut"
    out.mkdir()
    report = run_worker("exports", demo_file, out, 20, 11)
    assert report["bad"] == []
    # A killed exporter may leave its hidden temporary file behind, never a broken target.
    assert report["kills"] == 20


def test_kills_during_an_import_leave_all_or_nothing(tmp_path, demo_file):
    report = run_worker("imports", demo_file, tmp_path, 10, 5)
    assert report["bad"] == []  # never a partial year, never a damaged file
    assert report["imported"] + report["absent"] == 10
    assert report["absent"] >= 5, report  # the kills really landed inside the import
    assert report["complete_when_not_killed"]  # and an import left alone brings the whole year
