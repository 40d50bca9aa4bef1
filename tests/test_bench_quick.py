"""The benchmark's quick mode (bench/run.py --quick) runs the same code as the full benchmark on small inputs.

No timing is asserted: this only keeps the benchmark working (every row printed, exit code 0).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("Start till huvudfönster visat", "Stegbyte", "Excelexport", "PDF-export", "Wordexport", "Sammanställning",
        "Minnestopp")


def test_bench_quick_prints_every_row(tmp_path):
    env = dict(os.environ, RSA_BENCH_NO_REEXEC="1", RSA_DESKTOP_DATA=str(tmp_path / "data"),
               QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "| Mätning | Resultat | Baslinje i samma körning | Baslinje | Kvot | Mål |" in out
    table = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| Mätning")]
    for name in ROWS:
        assert any(line.startswith(f"| {name}") for line in table), (name, out)
    assert "Dator:" in out
