#!/usr/bin/env python3
"""Performance benchmark: every figure next to the library's own floor for the same work.

    .venv/bin/python bench/run.py            # the full benchmark (large demo, 500 submissions)
    .venv/bin/python bench/run.py --quick    # the same code on small inputs (CI; asserts nothing about time)

Started with another Python, the script re-executes itself with the project's .venv when there is one.
Inputs are generated once into bench/.cache/ (git-ignored) and reused while the generating code is
unchanged. The GUI figures are measured in fresh subprocesses on Qt's offscreen platform, with the
program's data folder (settings, backups) redirected to a temporary folder.

Baselines (measured in the same run, on the same inputs):
- start-up: a bare QApplication + QMainWindow shown and painted, in a fresh process;
- xlsx: openpyxl (normal mode, no styles) writing exactly the cell values the export wrote, read back
  from the exported workbook;
- PDF: reportlab (SimpleDocTemplate, one build) rendering the report's table rows as plain Table flowables
  of strings with default styles, and every free text paragraph of the report as a one-cell row;
- Word (docx): python-docx (default template, no styles) writing the report's paragraphs and table cells as
  plain text, read back from the exported document, in the same order (figures, headers and footers left out);
- consolidation: reading the same 500 submissions with the plain libraries – openpyxl.load_workbook
  (read_only=True) iterating every row of every sheet of the xlsx submissions, sqlite3 reading every row
  of every table of the .rsa submissions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
STEP_KEYS = ("oversikt", "uppdrag", "verksamhet", "samhallsviktig", "beroenden", "risker", "sarbarheter",
             "atgarder", "kontinuitet", "rapport")
TODAY = dt.date(2026, 6, 1)


def _reexec_in_venv() -> None:
    venv_python = ROOT / ".venv" / "bin" / "python"
    if os.name == "nt":
        venv_python = ROOT / ".venv" / "Scripts" / "python.exe"
    if (venv_python.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve()
            and not os.environ.get("RSA_BENCH_NO_REEXEC")):
        os.environ["RSA_BENCH_NO_REEXEC"] = "1"
        os.execv(str(venv_python), [str(venv_python), str(Path(__file__).resolve()), *sys.argv[1:]])


if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _child_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["RSA_DESKTOP_DATA"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["RSA_BENCH_NO_REEXEC"] = "1"
    return env


# -- inputs ------------------------------------------------------------------------------------------

def _fingerprint(*files: str) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update((ROOT / f).read_bytes())
    return h.hexdigest()[:16]


def _cached(name: str, fingerprint: str, make) -> Path:
    """A file or folder in bench/.cache made by `make(path)`, remade when `fingerprint` changes."""
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / name
    stamp = CACHE / f"{name}.stamp"
    if target.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return target
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    t = time.perf_counter()
    print(f"  genererar {name} …", flush=True)
    make(target)
    print(f"  {name} klar på {time.perf_counter() - t:.1f} s", flush=True)
    stamp.write_text(fingerprint)
    return target


def make_demo(size: str) -> Path:
    from rsa_desktop.services.demo import write_demo

    fp = _fingerprint("rsa_desktop/services/demo.py", "rsa_desktop/storage/migrations.py")
    return _cached(f"demo-{size}.rsa", fp, lambda p: write_demo(p, size))


def make_submissions(n: int) -> Path:
    fp = _fingerprint("tests/support/submissions.py", "rsa_desktop/services/demo.py",
                      "rsa_desktop/storage/migrations.py") + f"-{n}"

    def make(folder: Path) -> None:
        from tests.support.submissions import generate_submissions

        generate_submissions(folder, n)  # .rsa files, every third one exported to xlsx

    return _cached(f"submissions-{n}", fp, make)


# -- children: the GUI in fresh processes ------------------------------------------------------------

def child_startup_bare() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.resize(1366, 768)
    done = []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if not done and obj is window and event.type() == QEvent.Type.Paint:
                done.append(1)
                QTimer.singleShot(0, app.quit)
            return False

    watch = Watch()
    window.installEventFilter(watch)
    window.show()
    app.exec()
    print(json.dumps({"end": time.time()}), flush=True)
    os._exit(0)


def child_startup_app(path: str) -> None:
    """The program's own start (rsa_desktop.app.run_gui) until the Översikt of `path` is painted with data."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])  # run_gui uses the existing instance
    from rsa_desktop.app import run_gui
    from rsa_desktop.ui.overview import OverviewPage

    done = []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if not done and event.type() == QEvent.Type.Paint and isinstance(obj, OverviewPage):
                win = obj.window()
                if getattr(win, "statuses", None):  # the step states are in: the page shows the analysis
                    done.append(1)
                    QTimer.singleShot(0, app.quit)
            return False

    watch = Watch()
    app.installEventFilter(watch)
    run_gui(path)
    print(json.dumps({"end": time.time(), "painted": bool(done)}), flush=True)
    os._exit(0)


def _settle(app) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    for _ in range(3):
        QCoreApplication.sendPostedEvents()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


def child_steps(path: str, rounds: int) -> None:
    """Step switching in one process: go_to each step `rounds` times; then the peak RSS of the process."""
    import resource

    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    from rsa_desktop.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1366, 768)
    if not window.open_path(path):
        raise SystemExit("could not open " + path)
    window.show()
    _settle(app)
    window._status_timer.stop()
    window.refresh_status()  # what the 30 ms status timer does after opening, done before timing
    _settle(app)
    times: dict[str, list[float]] = {k: [] for k in STEP_KEYS}
    order = []
    for _ in range(rounds):
        for key in STEP_KEYS[1:] + STEP_KEYS[:1]:
            t = time.perf_counter()
            window.go_to(key)
            _settle(app)
            ms = (time.perf_counter() - t) * 1000
            times[key].append(ms)
            order.append(ms)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(json.dumps({"times": times, "all": order, "maxrss_mb": rss}), flush=True)
    os._exit(0)


def _run_child(args: list[str], data_dir: Path) -> tuple[dict, float]:
    start = time.time()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *args],
                          env=_child_env(data_dir), capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {args[0]} failed ({proc.returncode})")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    return json.loads(line), start


# -- measurements --------------------------------------------------------------------------------------

def measure_startup(path: Path, runs: int, data_dir: Path) -> tuple[float, float]:
    app_times, bare_times = [], []
    for _ in range(runs):  # interleaved, so that a slow moment of the machine hits both
        out, start = _run_child(["startup-bare"], data_dir)
        bare_times.append(out["end"] - start)
        out, start = _run_child(["startup-app", str(path)], data_dir)
        if not out.get("painted"):
            raise SystemExit("the main window was never painted")
        app_times.append(out["end"] - start)
    return statistics.median(app_times), statistics.median(bare_times)


def measure_steps(path: Path, rounds: int, data_dir: Path) -> dict:
    out, _start = _run_child(["steps", str(path), str(rounds)], data_dir)
    return out


def _timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure_xlsx(path: Path, work: Path, runs: int) -> tuple[float, float]:
    from openpyxl import Workbook, load_workbook

    from rsa_desktop.reports.xlsx import export_xlsx
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    out = work / "export.xlsx"
    doc = Document.open(path, readonly=True)
    try:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        measured = _timed(lambda: export_xlsx(svc, aid, out, today=TODAY), runs)
    finally:
        doc.close()
    # The same cells, read back from the export (not timed).
    wb = load_workbook(out)
    sheets = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    wb.close()

    def baseline():
        plain = Workbook()
        plain.remove(plain.active)
        for title, rows in sheets:
            ws = plain.create_sheet(title)
            for r in rows:
                ws.append(r)
        plain.save(work / "baseline.xlsx")

    return measured, _timed(baseline, runs)


def _pdf_story_rows(story) -> list[tuple[list[float] | None, list[list[str]]]]:
    """The report's tables as rows of plain strings (with their column widths), free paragraphs as one-cell rows."""
    from reportlab.platypus import Paragraph, Table
    from reportlab.platypus.flowables import KeepInFrame, KeepTogether

    tables: list[tuple[list[float] | None, list[list[str]]]] = []
    loose: list[list[str]] = []

    def text(cell) -> str:
        if cell is None:
            return ""
        if isinstance(cell, str):
            return cell
        if isinstance(cell, Paragraph):
            return cell.getPlainText()
        if isinstance(cell, (list, tuple)):
            return "\n".join(text(c) for c in cell)
        return ""

    def walk(flowables):
        for f in flowables:
            if isinstance(f, Table):
                if loose:
                    tables.append((None, list(loose)))
                    loose.clear()
                widths = [float(w) for w in f._argW] if all(isinstance(w, (int, float)) for w in f._argW) else None
                tables.append((widths, [[text(c) for c in row] for row in f._cellvalues]))
            elif isinstance(f, Paragraph):
                loose.append([f.getPlainText()])
            elif isinstance(f, (KeepTogether, KeepInFrame)):
                walk(f._content)

    walk(story)
    if loose:
        tables.append((None, list(loose)))
    return tables


def measure_pdf(path: Path, work: Path, runs: int) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    from rsa_desktop.reports import pdf as pdf_report
    from rsa_desktop.reports.common import gather, load_template
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    out = work / "export.pdf"
    doc = Document.open(path, readonly=True)
    try:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        measured = _timed(lambda: pdf_report.export_pdf(svc, aid, out, today=TODAY), runs)
        # The same rows (not timed): the story the report is built from.
        data = gather(svc, aid, today=TODAY)
        template = load_template()
        pdf_report.register_fonts()
        b = pdf_report._Builder(data, template, None)
        for chapter in template.chapters:
            render = pdf_report._CHAPTERS.get(chapter.key)
            if render is not None:
                render(b)
        tables = _pdf_story_rows(b.story)
    finally:
        doc.close()

    def baseline():
        story = []
        for widths, rows in tables:
            if rows:
                story.append(Table(rows, colWidths=widths, repeatRows=1 if widths else 0))
        SimpleDocTemplate(str(work / "baseline.pdf"), pagesize=A4).build(story)

    return measured, _timed(baseline, runs)


def _docx_blocks(path: Path) -> list:
    """The body of a .docx in order: a paragraph as its text, a table as rows of cell texts."""
    import docx
    from docx.table import Table, _Cell

    d = docx.Document(str(path))
    blocks: list = []
    for item in d.iter_inner_content():
        if isinstance(item, Table):  # cells from each row's own elements: row.cells walks the whole table
            blocks.append([[_Cell(tc, item).text for tc in tr.tc_lst] for tr in item._tbl.tr_lst])
        else:
            blocks.append(item.text)
    return blocks


def measure_docx(path: Path, work: Path, runs: int) -> tuple[float, float]:
    import docx
    from docx.table import _Cell

    from rsa_desktop.reports.docx import export_docx
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    out = work / "export.docx"
    doc = Document.open(path, readonly=True)
    try:
        svc = RsaService(doc)
        aid = svc.analyses()[-1].id
        measured = _timed(lambda: export_docx(svc, aid, out, today=TODAY), runs)
    finally:
        doc.close()
    blocks = _docx_blocks(out)  # the same paragraphs and cells (not timed)

    def baseline():
        plain = docx.Document()
        for block in blocks:
            if isinstance(block, str):
                plain.add_paragraph(block)
                continue
            table = plain.add_table(rows=0, cols=max((len(r) for r in block), default=1))
            for values in block:
                row = table.add_row()
                for tc, value in zip(row._tr.tc_lst, values):
                    _Cell(tc, table).text = value
        plain.save(str(work / "baseline.docx"))

    return measured, _timed(baseline, runs)


def measure_consolidation(folder: Path, work: Path, runs: int) -> tuple[float, float, int]:
    import sqlite3

    from openpyxl import load_workbook

    from rsa_desktop.reports.consolidated import write_xlsx
    from rsa_desktop.services.consolidate import consolidate

    inputs = sorted(p for p in folder.iterdir() if p.suffix in (".rsa", ".xlsx"))

    def measured():
        result = consolidate(inputs, today=TODAY)
        if len(result.included) == 0:
            raise SystemExit("the consolidation used no submission")
        write_xlsx(result, work / "sammanstallning.xlsx")

    def baseline():
        for p in inputs:
            if p.suffix == ".xlsx":
                wb = load_workbook(p, read_only=True)
                for ws in wb.worksheets:
                    for _row in ws.iter_rows(values_only=True):
                        pass
                wb.close()
            else:
                con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
                try:
                    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                    for name in names:
                        for _row in con.execute(f'SELECT * FROM "{name}"'):
                            pass
                finally:
                    con.close()

    return _timed(measured, runs), _timed(baseline, runs), len(inputs)


# -- the report ----------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = ""
    try:
        kb = int(next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"') + f" (kernel {platform.release()})"
    except OSError:
        pass
    import openpyxl
    import PySide6
    import reportlab
    from PySide6 import QtCore

    return {"cores": str(os.cpu_count()), "cpu": cpu or "okänd", "ram": ram, "os": os_name,
            "python": platform.python_version(), "qt": f"PySide6 {PySide6.__version__} (Qt {QtCore.qVersion()})",
            "libs": f"openpyxl {openpyxl.__version__}, reportlab {reportlab.Version}"}


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small inputs, one run each (CI); no time targets")
    ap.add_argument("--only", choices=("start", "steps", "xlsx", "pdf", "docx", "consolidation"),
                    help="run one measurement only (while working on it; the full run is the one to report)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        {"startup-bare": lambda: child_startup_bare(), "startup-app": lambda: child_startup_app(rest[0]),
         "steps": lambda: child_steps(rest[0], int(rest[1]))}[kind]()
        return 0

    quick = args.quick
    t_all = time.perf_counter()
    size, n_subs = ("normal", 6) if quick else ("large", 500)
    which = "exempelfilen" if quick else "stor fil"
    runs = 1 if quick else 3
    print(f"RSA Desktop – prestandamätning ({'snabb, små indata' if quick else 'full'})", flush=True)
    print("Indata:", flush=True)
    only = args.only

    def want(name: str) -> bool:
        return only is None or only == name

    demo = make_demo(size) if only != "consolidation" else None
    subs = make_submissions(n_subs) if want("consolidation") else None
    steps, p95, rss = None, 0.0, 0.0
    work = Path(tempfile.mkdtemp(prefix="rsa-bench-"))
    data_dir = work / "data"
    rows = []
    try:
        if want("start"):
            print("Mäter start …", flush=True)
            startup, startup_base = measure_startup(demo, runs, data_dir)
            rows.append((f"Start till huvudfönster visat, {which} öppen", _fmt_s(startup),
                         "QApplication + QMainWindow visat", _fmt_s(startup_base), startup / startup_base, 2.0,
                         "ratio"))
        if want("steps"):
            print("Mäter stegbyten och minne …", flush=True)
            steps = measure_steps(demo, 2 if quick else 5, data_dir)
            all_ms = sorted(steps["all"])
            p50 = statistics.median(all_ms)
            p95 = all_ms[min(len(all_ms) - 1, int(round(0.95 * (len(all_ms) - 1))))]
            rows.append((f"Stegbyte, {which} (p50 / p95)", f"{p50:.0f} / {p95:.0f} ms", "—", "—", None, 100.0,
                         "p95"))
        if want("xlsx"):
            print("Mäter Excelexport …", flush=True)
            xlsx, xlsx_base = measure_xlsx(demo, work, runs)
            rows.append((f"Excelexport, {which}", _fmt_s(xlsx), "openpyxl, samma celler utan format",
                         _fmt_s(xlsx_base), xlsx / xlsx_base, 2.0, "ratio"))
        if want("pdf"):
            print("Mäter PDF-export …", flush=True)
            pdf, pdf_base = measure_pdf(demo, work, 1 if quick else 2)
            rows.append((f"PDF-export, {which}", _fmt_s(pdf), "reportlab, samma tabellrader, enkla stilar",
                         _fmt_s(pdf_base), pdf / pdf_base, 2.0, "ratio"))
        if want("docx"):
            print("Mäter Wordexport …", flush=True)
            word, word_base = measure_docx(demo, work, 1 if quick else 2)
            rows.append((f"Wordexport, {which}", _fmt_s(word), "python-docx, samma stycken och celler, enkla stilar",
                         _fmt_s(word_base), word / word_base, 2.0, "ratio"))
        if want("consolidation"):
            print("Mäter sammanställning …", flush=True)
            cons, cons_base, n = measure_consolidation(subs, work, 1 if quick else 2)
            rows.append((f"Sammanställning, {n} inlämningar", _fmt_s(cons),
                         f"openpyxl/sqlite3 läser samma {n} filer", _fmt_s(cons_base), cons / cons_base, 2.0,
                         "ratio"))
        if steps is not None:
            rss = steps["maxrss_mb"]
            rows.append((f"Minnestopp, GUI med {which} (alla steg besökta)", f"{rss:.0f} MB RSS", "—", "—", None,
                         400.0, "rss"))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def verdict(row) -> str:
        kind, target = row[6], row[5]
        if quick:
            return "–"
        if kind == "ratio":
            return "OK" if row[4] <= target else "MISSAR"
        if kind == "p95":
            return "OK" if p95 <= target else "MISSAR"
        return "OK" if rss <= target else "MISSAR"

    def target_text(row) -> str:
        return {"ratio": f"≤ {row[5]:.1f}×", "p95": f"≤ {row[5]:.0f} ms", "rss": f"≤ {row[5]:.0f} MB"}[row[6]]

    print()
    print("| Mätning | Resultat | Baslinje i samma körning | Baslinje | Kvot | Mål | |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = f"{row[4]:.2f}×" if row[4] is not None else "—"
        print(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]} | {ratio} | {target_text(row)} | {verdict(row)} |")
    print()
    if steps is not None:
        per_step = ", ".join(f"{k} {max(v):.0f}" for k, v in steps["times"].items())
        print(f"Stegbyten, längsta per steg (ms): {per_step}")
    m = machine()
    print(f"Dator: {m['cores']} kärnor, {m['cpu']}, {m['ram']} RAM; {m['os']}; Python {m['python']}; "
          f"{m['qt']}; {m['libs']}")
    print(f"Total tid: {time.perf_counter() - t_all:.0f} s")
    return 0


if __name__ == "__main__":
    if "--child" not in sys.argv:
        _reexec_in_venv()
    sys.exit(main())
