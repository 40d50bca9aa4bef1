"""Edits are on disk the moment they are made; long work runs in the background."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rsa_desktop import paths
from rsa_desktop.services import catalogues
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document

ROOT = Path(__file__).resolve().parents[2]


def test_edit_survives_sigkill(sample, tmp_path):
    path, ids = sample
    script = textwrap.dedent(f"""
        import os, signal, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        sys.path.insert(0, {str(ROOT)!r})
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from rsa_desktop.ui.app.main_window import MainWindow
        w = MainWindow()
        w.show()
        assert w.open_path({str(path)!r})
        w.go_to("risker")
        sec = w.page("risker").section("risk")
        assert sec.select_id({ids["R1"]})
        assert sec.edit_field("title", "Elavbrott – redigerat före kill")
        print("edited", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = {**os.environ, "RSA_DESKTOP_DATA": str(tmp_path / "child-data"), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "edited" in proc.stdout
    doc = Document.open(path)
    try:
        assert RsaService(doc).get("risk", ids["R1"]).title == "Elavbrott – redigerat före kill"
    finally:
        doc.close()


@pytest.mark.skipif(not paths.resource("demo", "overformyndare.json").exists(), reason="demodata saknas")
def test_demo_is_written_in_the_background_to_its_own_file(window, qtbot, tmp_path):
    target = tmp_path / "exempel.rsa"
    done = []
    window.open_demo(target, on_done=done.append)
    assert not done  # the window keeps running while the worker writes
    qtbot.waitUntil(lambda: bool(done), timeout=60000)
    assert window.session.path == target
    assert window.session.organisation().name.startswith("Överförmyndar")
    assert window.session.svc.counts(window.session.analysis_id)["risk"] > 0


def test_save_copy_runs_in_background(window, qtbot, sample, tmp_path):
    path, _ids = sample
    window.open_path(path)
    dest = tmp_path / "kopia.rsa"
    done = []
    window.save_copy(dest, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    doc = Document.open(dest)
    try:
        assert RsaService(doc).organisation().name == "Överförmyndarförvaltningen"
    finally:
        doc.close()


def test_catalogues_are_loaded_and_tolerant():
    assert catalogues.load("finns_inte") == []
    sectors = catalogues.labels("msb_sectors")
    assert "Energiförsörjning" in sectors and len(sectors) == 11
    categories = catalogues.labels("scenario_categories")
    scenario_cats = {i.get("category") for i in catalogues.load("scenarios")}
    assert scenario_cats <= set(categories)
    assert catalogues.labels("city_organisations")  # "name" instead of "label"
    assert all(i.get("term") for i in catalogues.load("glossary"))


def test_core_and_catalogues_do_not_import_qt():
    code = ("import sys; import rsa_desktop.services.catalogues, rsa_desktop.services.rsa, rsa_desktop.cli; "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'rsa_desktop.ui'))]")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
