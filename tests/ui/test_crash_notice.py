"""After an abnormal end the next start says so in one line and offers the log; otherwise nothing shows."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from PySide6.QtCore import Qt

from rsa_desktop.ui.app import errors


def _age(path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_no_notice_after_a_clean_exit(window):
    errors.crash_log_path().write_text("Traceback …\n", encoding="utf-8")
    _age(errors.crash_log_path(), 60)  # an old crash the user already saw
    errors.mark_clean_exit()
    assert errors.crash_since_last_clean_exit() is None
    assert not window.crash_notice.check()
    assert not window.crash_notice.isVisible()


def test_notice_after_a_crash_and_the_log_one_click_away(window, qtbot, monkeypatch):
    errors.mark_clean_exit()
    _age(errors.clean_exit_marker(), 60)
    errors.fault_log_path().write_text("Fatal Python error: none_dealloc\nCANARY-LOG-LINE\n", encoding="utf-8")
    assert errors.crash_since_last_clean_exit() == errors.fault_log_path()
    assert window.crash_notice.check()
    assert window.crash_notice.isVisible()
    text = window.crash_notice.label.text()
    assert "avslutades oväntat" in text and "\n" not in text
    shown = []
    monkeypatch.setattr(errors.CrashDialog, "exec", lambda self: shown.append(self.details.toPlainText()))
    qtbot.mouseClick(window.crash_notice.show_button, Qt.MouseButton.LeftButton)
    assert shown and "CANARY-LOG-LINE" in shown[0]
    qtbot.mouseClick(window.crash_notice.close_button, Qt.MouseButton.LeftButton)
    assert not window.crash_notice.isVisible()
    # nothing else changed: the log is still there, and no marker was written by looking
    assert errors.fault_log_path().exists()
    assert errors.crash_since_last_clean_exit() == errors.fault_log_path()


def test_a_real_hard_crash_is_noticed(tmp_path):
    """A process that dies in C code (as the refcount crash did) leaves faulthandler.log behind."""
    data = tmp_path / "data"
    code = ("from rsa_desktop.ui.app import errors; errors.mark_clean_exit(); import time; time.sleep(1.1); "
            "errors.install_crash_handlers(); import faulthandler; faulthandler._sigabrt()")
    env = dict(os.environ, RSA_DESKTOP_DATA=str(data), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    assert proc.returncode != 0
    check = ("from rsa_desktop.ui.app import errors; p = errors.crash_since_last_clean_exit(); "
             "print(p.name if p else 'ingen')")
    out = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "faulthandler.log", out.stderr
