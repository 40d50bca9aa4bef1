"""The program never opens a socket: the whole workflow runs with socket creation made to fail."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).parent / "support" / "no_network_run.py"


def test_whole_workflow_without_any_socket():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("http_", "https_", "HTTP", "no_proxy"))}
    env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "OK", result.stdout
    for step in ("demo", "info", "check", "ändra och säkerhetskopiera", "kontroll, gap och diagram",
                 "export xlsx och pdf", "import och ny årsanalys", "sammanställning (KS)",
                 "grafiskt gränssnitt (offscreen)"):
        assert f"ok: {step}" in lines


def test_the_guard_really_catches_a_socket():
    code = (f"import runpy, sys; sys.argv=['x']; g = runpy.run_path({str(SCRIPT)!r}, run_name='guard');"
            "import socket; socket.socket()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert result.returncode != 0 and "nätverk användes: socket.__new__" in result.stderr
