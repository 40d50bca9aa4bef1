"""The benchmark's quick mode (bench/run.py --quick) runs the same code as the full benchmark on small inputs.

No timing is asserted: this only keeps the benchmark working (every row printed, the JSON written, exit code 0).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "| Mätning | Resultat | Golv i samma körning | Golv | Kvot | Mål | MET/MISSED |"
ROWS = ("Start till målad Översikt", "Redigering till svarande fönster", "Stegbyte", "Långsammaste första besök",
        "Excelexport", "PDF-export", "Wordexport", "Sammanställning", "Minnestopp")


def _bench(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, RSA_BENCH_NO_REEXEC="1", RSA_DESKTOP_DATA=str(tmp_path / "data"),
               QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


def _table(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| Mätning")]


def test_bench_quick_prints_every_row_and_the_json(tmp_path):
    proc = _bench(tmp_path, "--quick", "--json", str(tmp_path / "bench.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert HEADER in out
    table = _table(out)
    for name in ROWS:
        assert any(line.startswith(f"| {name}") for line in table), (name, out)
    assert "Dator:" in out
    data = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    fig = data["figures"]["efter"]["normal"]
    for key in ("start", "start_floor", "edit_p50", "edit_p95", "steps_p95", "first_visit", "rss_mb", "xlsx",
                "xlsx_floor", "pdf", "pdf_floor", "docx", "consolidation"):
        assert fig[key] > 0, key
    assert fig["edit_n"] == len(fig["edit_blocked"]) >= 4
    # The floor laid out the same story: the same pages, give or take a table of contents laid out empty.
    assert all(abs(a - b) <= 2 for a, b in zip(fig["pdf_floor_pages"], fig["pdf_pages"])), fig
    assert [r["key"] for r in data["rows"]][:2] == ["start", "edit_p95"]


def test_bench_only_and_baseline_tree_print_before_and_after(tmp_path):
    # This checkout as its own baseline: the before/after table is printed, measured in the same run.
    proc = _bench(tmp_path, "--quick", "--only", "start,xlsx", "--baseline-tree", str(ROOT))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = _table(proc.stdout)
    assert any(line.startswith("| Start till målad Översikt") for line in table)
    assert any(line.startswith("| Excelexport") for line in table)
    assert not any(line.startswith("| PDF-export") for line in table)
    assert "| Före/efter i samma körning, exempelfilen | Före | Efter | Efter/Före |" in proc.stdout
    assert any(line.startswith("| Start, golv |") for line in table)


def test_bench_only_refuses_an_unknown_name(tmp_path):
    proc = _bench(tmp_path, "--quick", "--only", "start,nonsense")
    assert proc.returncode == 2
    assert "nonsense" in proc.stderr


def test_large2x_is_exactly_twice_large():
    from rsa_desktop.services.demo import SIZES, large_data

    one, two = large_data(**SIZES["large"]), large_data(**SIZES["large2x"])
    assert large_data() == one  # "large" is unchanged
    for key in ("participants", "functions", "dependencies", "risks", "vulnerabilities", "actions",
                "continuity_plans", "exercises"):
        assert len(two[key]) == 2 * len(one[key]), key


def test_a_missed_target_says_what_was_tried(capsys):
    """Issue 20: for each missed target the benchmark says what was tried and what remains."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    run = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = run  # its dataclasses look their module up
    try:
        spec.loader.exec_module(run)
    finally:
        sys.modules.pop("bench_run", None)
    timed = [key for key, *_rest in run.ROWS if key != "consolidation"]
    assert set(timed) <= set(run.MISSED_NOTES), set(timed) - set(run.MISSED_NOTES)
    fig = {"start": 3.0, "start_floor": 1.0, "xlsx": 1.0, "xlsx_floor": 1.0, "xlsx_writer": "xlsxwriter"}
    rows = run.build_rows(fig, {"start": 9.0, "xlsx": 1.0}, False, "stor fil")
    run.print_missed_notes(rows)
    out = capsys.readouterr().out
    assert "Start till målad Översikt (aktuell status), stor fil: Prövat:" in out  # 3× its floor: missed
    assert "2× data: Start till målad Översikt (aktuell status): Prövat:" in out  # 3× for 2× data: missed
    assert "Excelexport, stor fil:" not in out  # met: no note
