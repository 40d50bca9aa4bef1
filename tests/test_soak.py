"""The CI version of the soak driver (bench/soak.py): 500 varied operations in the real window, then a
normal quit, with no crash, traceback, Qt warning, damaged file or memory growth over 50 MB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_soak_500_operations(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RSA_BENCH_NO_REEXEC="1", TMPDIR=str(tmp_path))
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "soak.py"), "--ops", "500", "--size", "demo"],
                          capture_output=True, text=True, env=env, timeout=1200)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "OK: inga krascher" in out
    done = int(out.split("Klart: ")[1].split(" operationer")[0])
    assert done == 500
