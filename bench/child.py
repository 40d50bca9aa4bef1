"""The measurements themselves, each run in a fresh process by bench/run.py with one checkout's code.

    python bench/child.py KIND ARGS...      (environment: RSA_BENCH_TREE = the checkout to measure)

The checkout in RSA_BENCH_TREE is put first on sys.path, so the same measuring code runs against today's
program and against another checkout (--baseline-tree). Only long-standing public parts of the program are
used (Document, RsaService, review, the export functions, MainWindow with its pages, sections and forms);
what another engineer adds is looked up with getattr (MainWindow.status_pending, reports.xlsx.WRITER).
Each child prints one JSON line as its last line of output.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import json
import os
import statistics
import sys
import time
import types
from pathlib import Path

TODAY = dt.date(2026, 6, 1)
STEP_KEYS = ("oversikt", "uppdrag", "verksamhet", "samhallsviktig", "beroenden", "risker", "sarbarheter",
             "atgarder", "kontinuitet", "rapport")
# The edits of "edit to responsive": the title field of items on four steps, through the form's own line edit.
EDIT_KINDS = (("function", "samhallsviktig"), ("dependency", "beroenden"), ("risk", "risker"),
              ("action", "atgarder"))
HEARTBEAT_MS = 5
TAIL_S = 0.1  # heartbeats watched after the status is current: applying and painting the result count too


def _use_tree() -> Path:
    tree = Path(os.environ["RSA_BENCH_TREE"]).resolve()
    sys.path.insert(0, str(tree))
    import rsa_desktop

    got = Path(rsa_desktop.__file__).resolve()
    if tree not in got.parents:
        raise SystemExit(f"rsa_desktop was imported from {got}, not from {tree}")
    return tree


def _emit(result: dict) -> None:
    print(json.dumps(result), flush=True)
    os._exit(0)  # no teardown: nothing after the figure is measured


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


# -- GUI helpers ------------------------------------------------------------------------------------

def _settle(app) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    for _ in range(3):
        QCoreApplication.sendPostedEvents()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


def _status_pending(window) -> bool:
    """True while the step status is not current. The contract: MainWindow.status_pending() when the program
    has it; otherwise the status is recomputed synchronously by the status timer, so it is pending while the
    timer is armed."""
    pending = getattr(window, "status_pending", None)
    if callable(pending):
        return bool(pending())
    timer = getattr(window, "_status_timer", None)
    return bool(timer is not None and timer.isActive())


class _Heartbeat:
    """A 5 ms precise timer: the gaps between its ticks are the times the GUI thread was busy."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.watchers: list = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())
        for check in list(self.watchers):
            check()

    def run_until(self, condition, timeout_s: float) -> bool:
        """Run the event loop until `condition()` holds (checked on every tick); False on timeout."""
        from PySide6.QtCore import QEventLoop

        loop = QEventLoop()
        deadline = time.perf_counter() + timeout_s
        state = {"ok": False}

        def check():
            if condition():
                state["ok"] = True
                loop.quit()
            elif time.perf_counter() > deadline:
                loop.quit()

        self.watchers.append(check)
        try:
            loop.exec()
        finally:
            self.watchers.remove(check)
        return state["ok"]

    def idle(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        self.run_until(lambda: time.perf_counter() >= end, seconds + 60)

    def longest_gap(self, start: float, end: float) -> float:
        """The longest time without a tick between `start` and the first tick at or after `end` (ms)."""
        points = [start] + [t for t in self.ticks if t > start]
        last = next((i for i, t in enumerate(points) if t >= end), len(points) - 1)
        points = points[:last + 1]
        return max((b - a for a, b in zip(points, points[1:])), default=0.0) * 1000


def _open_window(path: str):
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    from rsa_desktop.ui.app.main_window import MainWindow

    window = MainWindow()
    window.resize(1366, 768)
    if not window.open_path(path):
        raise SystemExit("could not open " + path)
    window.show()
    _settle(app)
    return app, window


def _wait_status(hb: _Heartbeat, window, timeout_s: float = 120) -> None:
    if not hb.run_until(lambda: bool(getattr(window, "statuses", None)) and not _status_pending(window), timeout_s):
        raise SystemExit("the step status never became current")


# -- start-up ----------------------------------------------------------------------------------------

def startup_app(path: str) -> None:
    """The program's own start (rsa_desktop.app.run_gui) until the Översikt is painted with a current status."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])  # run_gui uses the existing instance
    _use_tree()
    from rsa_desktop.app import run_gui
    from rsa_desktop.ui.steps.overview import OverviewPage

    state: dict = {"first": None, "end": None, "ready_at": None}

    def current(win) -> bool:
        return bool(getattr(win, "statuses", None)) and not _status_pending(win)

    def finish():
        if state["end"] is None:
            state["end"] = time.time()
            QTimer.singleShot(0, app.quit)

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if state["end"] is None and event.type() == QEvent.Type.Paint and isinstance(obj, OverviewPage):
                if state["first"] is None:
                    state["first"] = time.time()
                if current(obj.window()):
                    finish()
            return False

    watch = Watch()
    app.installEventFilter(watch)

    def poll():  # the status became current without the Översikt painting again: wait a little for a paint
        if state["end"] is not None or state["first"] is None:
            return
        win = next((w for w in app.topLevelWidgets() if hasattr(w, "statuses")), None)
        if win is not None and current(win):
            if state["ready_at"] is None:
                state["ready_at"] = time.time()
            elif time.time() - state["ready_at"] > 0.2:
                state["end"] = state["ready_at"]
                QTimer.singleShot(0, app.quit)

    poller = QTimer()
    poller.setInterval(HEARTBEAT_MS)
    poller.timeout.connect(poll)
    poller.start()
    QTimer.singleShot(120_000, app.quit)
    run_gui(path)
    _emit({"end": state["end"], "first_paint": state["first"], "painted": state["end"] is not None})


def startup_floor(path: str) -> None:
    """The floor of the start: the unavoidable imports, the file opened with its integrity check, one Core read
    of what the Översikt counts, the RSA-kontroll of the analysis, and a one-page window painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication([sys.argv[0]])
    _use_tree()
    from rsa_desktop.services.review import review
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    doc = Document.open(path)
    svc = RsaService(doc)
    aid = svc.analyses()[-1].id
    with doc.engine.connect() as c:  # one Core read: the number of rows of every table
        names = [r[0] for r in c.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        counts = c.exec_driver_sql(" UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in names)).all()
    findings = review(svc, aid, today=TODAY)
    window = QMainWindow()
    window.resize(1366, 768)
    label = QLabel("\n".join([f"{len(findings)} synpunkter"] + [f"{n}: {k}" for n, k in counts]), window)
    window.setCentralWidget(label)
    state: dict = {"end": None}

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if state["end"] is None and obj is label and event.type() == QEvent.Type.Paint:
                state["end"] = time.time()
                QTimer.singleShot(0, app.quit)
            return False

    watch = Watch()
    label.installEventFilter(watch)
    window.show()
    app.exec()
    _emit({"end": state["end"], "painted": state["end"] is not None})


# -- edit to responsive ------------------------------------------------------------------------------

def edits(path: str, per_kind: int, pause: float = 0.2) -> None:
    """Edits through the real UI path: the title field of an item, typed with QTest key events and committed
    with Return (the form's editingFinished → UpdateCommand). For each edit, the longest gap between 5 ms
    heartbeats from the key press until the status is current (+ 100 ms to apply and paint it)."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    _use_tree()
    app, window = _open_window(path)
    hb = _Heartbeat()
    _wait_status(hb, window)
    hb.idle(5 * pause)
    blocked: list[float] = []
    total: list[float] = []
    per_kind_ms: dict[str, list[float]] = {}
    n = 0
    for kind, key in EDIT_KINDS:
        window.go_to(key)
        hb.idle(1.5 * pause)
        page = window.pages[key]
        sec = next(s for s in page.sections if s.kind == kind)
        tabs = getattr(page, "tabs", None)
        if tabs is not None and hasattr(tabs, "indexOf") and tabs.indexOf(sec) >= 0:
            tabs.setCurrentWidget(sec)
        if getattr(sec, "_dirty", False):
            sec.refresh()
        records = list(sec.model.records)
        if not records:
            raise SystemExit(f"no {kind} to edit")
        title = sec.spec.title_field
        for j in range(per_kind):
            rec = records[(j * 37) % len(records)]
            if not sec.select_id(rec.id):
                raise SystemExit(f"could not select {kind} {rec.id}")
            hb.idle(pause)
            line = sec.form.editors[title].focus_widget()
            if not isinstance(line, QLineEdit):
                raise SystemExit(f"the {kind} title is not a line edit")
            line.setFocus(Qt.FocusReason.OtherFocusReason)
            line.selectAll()
            n += 1
            QTest.keyClicks(line, f"Bench edit {n} {kind}")  # ASCII: QTest aborts on other keys
            stack = window.session.undo_group.activeStack()
            before = stack.index() if stack is not None else None
            mark: dict = {"t0": None}

            def press(line=line, mark=mark):
                mark["t0"] = time.perf_counter()
                QTest.keyClick(line, Qt.Key.Key_Return)

            QTimer.singleShot(0, press)
            if not hb.run_until(lambda mark=mark: mark["t0"] is not None and not _status_pending(window), 120):
                raise SystemExit("the status never became current after an edit")
            current_at = time.perf_counter()
            hb.idle(TAIL_S)
            stack = window.session.undo_group.activeStack()
            if stack is None or stack.index() == before:
                raise SystemExit(f"the edit of {kind} {rec.id} made no undo step (not applied?)")
            gap = hb.longest_gap(mark["t0"], current_at + TAIL_S)
            blocked.append(gap)
            total.append((current_at - mark["t0"]) * 1000)
            per_kind_ms.setdefault(kind, []).append(gap)
            hb.idle(pause)
    _emit({"blocked": blocked, "until_current": total, "per_kind": per_kind_ms,
           "p50": statistics.median(blocked), "p95": _pct(blocked, 0.95), "max": max(blocked), "n": len(blocked),
           "status_pending_api": callable(getattr(window, "status_pending", None))})


# -- step switching and memory -----------------------------------------------------------------------

def steps(path: str, rounds: int) -> None:
    """go_to each step `rounds` times (the first round is the first visits), once the window is idle after
    opening (status current + 1 s, so warming in idle time counts as a user would see it); then the peak RSS."""
    import resource

    _use_tree()
    app, window = _open_window(path)
    hb = _Heartbeat()
    _wait_status(hb, window)
    hb.idle(1.0)
    hb.timer.stop()
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
    first = {k: v[0] for k, v in times.items() if k != "oversikt"}  # Översikt was shown at start
    slowest = max(first, key=first.get)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    _emit({"times": times, "all": order, "p50": statistics.median(order), "p95": _pct(order, 0.95),
           "first_visits": first, "slowest_first": first[slowest], "slowest_first_step": slowest,
           "maxrss_mb": rss})


# -- exports -----------------------------------------------------------------------------------------

def _timed(fn, runs: int, cpu: list | None = None) -> tuple[float, list[float]]:
    """Median wall time of `runs` calls (and each call's CPU time of this process appended to `cpu`)."""
    times = []
    for _ in range(runs):
        c, t = time.process_time(), time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if cpu is not None:
            cpu.append(time.process_time() - c)
    return statistics.median(times), times


def _open_doc(path: str):
    from rsa_desktop.services.rsa import RsaService
    from rsa_desktop.storage.database import Document

    doc = Document.open(path)  # writable, as the program exports an open analysis
    svc = RsaService(doc)
    return doc, svc, svc.analyses()[-1].id


def _xlsx_read_back(path: Path) -> list[dict]:
    """Every sheet of a workbook: its cells (value and style) in row order, column widths, row heights, panes."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                font, fill, al = c.font, c.fill, c.alignment
                colour = font.color.rgb if font is not None and font.color is not None and isinstance(
                    font.color.rgb, str) else None
                fg = fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" and isinstance(
                    fill.fgColor.rgb, str) else None
                style = (bool(font.b), bool(font.i), colour, fg, c.number_format or "General",
                         bool(al.wrap_text), al.vertical)
                if c.value is None and style == (False, False, None, None, "General", False, None):
                    continue
                cells.append((c.row, c.column, c.value, style))
        widths = {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth and d.width}
        heights = {k: d.height for k, d in ws.row_dimensions.items() if d.height}
        sheets.append({"title": ws.title, "state": ws.sheet_state, "cells": cells, "widths": widths,
                       "heights": heights, "freeze": ws.freeze_panes})
    wb.close()
    return sheets


def _openpyxl_styler():
    """Style a cell as `style` says. The first cell of each style is styled attribute by attribute; later ones
    take a copy of its style array, openpyxl's cheapest way to give a cell a style the workbook already has."""
    from copy import copy as shallow

    from openpyxl.styles import Alignment, Font, PatternFill

    arrays: dict = {}

    def apply(cell, style) -> None:
        arr = arrays.get(style)
        if arr is not None:
            cell._style = shallow(arr)
            return
        bold, italic, colour, fg, numfmt, wrap, vertical = style
        if bold or italic or colour:
            cell.font = Font(bold=bold, italic=italic, color=colour)
        if fg:
            cell.fill = PatternFill("solid", fgColor=fg)
        if wrap or vertical:
            cell.alignment = Alignment(wrap_text=wrap, vertical=vertical)
        if numfmt != "General":
            cell.number_format = numfmt
        arrays[style] = shallow(cell._style)

    return apply


def _xlsx_floor_openpyxl(sheets: list[dict], out: Path) -> None:
    from openpyxl import Workbook

    apply = _openpyxl_styler()
    wb = Workbook()
    wb.remove(wb.active)
    for sh in sheets:
        ws = wb.create_sheet(sh["title"])
        ws.sheet_state = sh["state"]
        for r, c, value, style in sh["cells"]:
            apply(ws.cell(r, c, value), style)
        for letter, width in sh["widths"].items():
            ws.column_dimensions[letter].width = width
        for r, height in sh["heights"].items():
            ws.row_dimensions[r].height = height
        if sh["freeze"]:
            ws.freeze_panes = sh["freeze"]
    wb.save(out)


def _xlsx_floor_write_only(sheets: list[dict], out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    apply = _openpyxl_styler()
    wb = Workbook(write_only=True)
    for sh in sheets:
        ws = wb.create_sheet(sh["title"])
        ws.sheet_state = sh["state"]
        for letter, width in sh["widths"].items():
            ws.column_dimensions[letter].width = width
        if sh["freeze"]:
            ws.freeze_panes = sh["freeze"]
        rows: dict[int, list] = {}
        for r, c, value, style in sh["cells"]:
            rows.setdefault(r, []).append((c, value, style))
        for r in range(1, max(rows, default=0) + 1):
            line: list = []
            for c, value, style in rows.get(r, ()):
                line.extend([None] * (c - 1 - len(line)))
                cell = WriteOnlyCell(ws, value=value)
                apply(cell, style)
                line.append(cell)
            if r in sh["heights"]:  # write-only rows take their height from the row dimension written with them
                ws.row_dimensions[r].height = sh["heights"][r]
            ws.append(line)
    wb.save(out)


def _xlsx_floor_xlsxwriter(sheets: list[dict], out: Path) -> None:
    import xlsxwriter
    from openpyxl.utils import column_index_from_string, coordinate_to_tuple

    wb = xlsxwriter.Workbook(str(out), {"strings_to_urls": False})  # text stays text, as in the export
    formats: dict = {}
    for sh in sheets:
        ws = wb.add_worksheet(sh["title"])
        if sh["state"] == "hidden":
            ws.hide()
        for letter, width in sh["widths"].items():
            col = column_index_from_string(letter) - 1
            ws.set_column(col, col, width)
        for r, height in sh["heights"].items():
            ws.set_row(r - 1, height)
        if sh["freeze"]:
            row, col = coordinate_to_tuple(sh["freeze"])
            ws.freeze_panes(row - 1, col - 1)
        for r, c, value, style in sh["cells"]:
            fmt = formats.get(style)
            if fmt is None:
                bold, italic, colour, fg, numfmt, wrap, vertical = style
                props = {"bold": bold, "italic": italic, "text_wrap": wrap}
                if colour:
                    props["font_color"] = "#" + colour[-6:]
                if fg:
                    props.update(pattern=1, bg_color="#" + fg[-6:])
                if numfmt != "General":
                    props["num_format"] = numfmt
                if vertical:
                    props["valign"] = {"center": "vcenter"}.get(vertical, vertical)
                fmt = formats[style] = wb.add_format(props)
            if value is None:
                ws.write_blank(r - 1, c - 1, None, fmt)
            else:
                ws.write(r - 1, c - 1, value, fmt)
    wb.close()


XLSX_FLOORS = {"openpyxl": _xlsx_floor_openpyxl, "openpyxl-write-only": _xlsx_floor_write_only,
               "xlsxwriter": _xlsx_floor_xlsxwriter}


def xlsx(path: str, runs: int, work: str) -> None:
    """The Excel export, then the chosen writer (reports.xlsx.WRITER; absent = openpyxl's normal mode) writing
    the same cells and styles, read back from the exported workbook."""
    _use_tree()
    from rsa_desktop.reports import xlsx as xlsx_report

    work_dir = Path(work)
    out = work_dir / "export.xlsx"
    doc, svc, aid = _open_doc(path)
    cpu_m: list[float] = []
    cpu_f: list[float] = []
    try:
        measured, all_m = _timed(lambda: xlsx_report.export_xlsx(svc, aid, out, today=TODAY), runs, cpu_m)
    finally:
        doc.close()
    writer = getattr(xlsx_report, "WRITER", None) or "openpyxl"
    sheets = _xlsx_read_back(out)  # not timed
    floor_fn = XLSX_FLOORS[writer]
    floor, all_f = _timed(lambda: floor_fn(sheets, work_dir / "floor.xlsx"), runs, cpu_f)
    _emit({"measured": measured, "floor": floor, "writer": writer, "runs": all_m, "floor_runs": all_f,
           "cpu": statistics.median(cpu_m), "floor_cpu": statistics.median(cpu_f),
           "cells": sum(len(s["cells"]) for s in sheets), "sheets": len(sheets)})


def _story_copy(flowables):
    """A deep copy of a story that shares what is not part of it: a flowable's callback into the report's builder
    (a bound method; copying it would copy the builder, the analysis and the hyphenator, which cannot be copied)
    is the same callback in both copies."""
    dispatch = copy._deepcopy_dispatch  # type: ignore[attr-defined]
    saved = dispatch.get(types.MethodType)
    dispatch[types.MethodType] = lambda x, memo: x
    try:
        return copy.deepcopy(flowables)
    finally:
        if saved is None:
            dispatch.pop(types.MethodType, None)
        else:
            dispatch[types.MethodType] = saved


def _capture_builds(records: list):
    """Record every outermost BaseDocTemplate.build / multiBuild: its template, a deep copy of its story (taken
    before reportlab consumes it) and its keyword arguments."""
    from reportlab.platypus import BaseDocTemplate

    orig_build, orig_multi = BaseDocTemplate.build, BaseDocTemplate.multiBuild
    depth = {"n": 0}

    def wrap(orig, via):
        def patched(self, flowables, *args, **kw):
            if depth["n"] == 0:
                records.append({"doc": self, "story": _story_copy(flowables), "args": args, "kw": kw, "via": via})
            depth["n"] += 1
            try:
                return orig(self, flowables, *args, **kw)
            finally:
                depth["n"] -= 1
        return patched

    BaseDocTemplate.build = wrap(orig_build, "build")
    BaseDocTemplate.multiBuild = wrap(orig_multi, "multiBuild")

    def restore():
        BaseDocTemplate.build, BaseDocTemplate.multiBuild = orig_build, orig_multi
    return restore


def pdf(path: str, runs: int, work: str) -> None:
    """The PDF export, then reportlab's one layout pass of the same story with the same document template."""
    _use_tree()
    from reportlab.platypus import BaseDocTemplate

    from rsa_desktop.reports import pdf as pdf_report

    work_dir = Path(work)
    out = work_dir / "export.pdf"
    doc, svc, aid = _open_doc(path)
    records: list = []
    cpu_m: list[float] = []
    try:
        measured, all_m = _timed(lambda: pdf_report.export_pdf(svc, aid, out, today=TODAY), runs, cpu_m)
        # The story of one more export, recorded (this run is not timed: deep-copying the story costs).
        restore = _capture_builds(records)
        try:
            pdf_report.export_pdf(svc, aid, work_dir / "captured.pdf", today=TODAY)
        finally:
            restore()
    finally:
        doc.close()
    export_pages = [getattr(r["doc"], "page", None) for r in records]
    flowables = sum(len(r["story"]) for r in records)
    if not records:
        raise SystemExit("the PDF export built no reportlab document")
    floor_times, floor_cpu = [], []
    for i in range(runs):
        # A fresh story per pass (not timed); the last pass takes the captured one, so that no spare copy of
        # a large story is alive (a bigger heap makes the garbage collector's full passes slower).
        last = i == runs - 1
        stories = [r.pop("story") if last else _story_copy(r["story"]) for r in records]
        gc.collect()
        c, t = time.process_time(), time.perf_counter()
        for r, story in zip(records, stories):
            r["doc"].filename = str(work_dir / "floor.pdf")
            if r["via"] == "multiBuild":  # one pass of what multiBuild repeats
                kw = {k: v for k, v in r["kw"].items() if k != "maxPasses"}
                r["doc"].build(story, **kw)
            else:
                BaseDocTemplate.build(r["doc"], story, *r["args"], **r["kw"])
        floor_times.append(time.perf_counter() - t)
        floor_cpu.append(time.process_time() - c)
        del stories
    _emit({"measured": measured, "floor": statistics.median(floor_times), "runs": all_m, "floor_runs": floor_times,
           "cpu": statistics.median(cpu_m), "floor_cpu": statistics.median(floor_cpu),
           "flowables": flowables, "documents": len(records),
           "via": [r["via"] for r in records], "pages": export_pages,
           "floor_pages": [getattr(r["doc"], "page", None) for r in records]})


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


def docx_export(path: str, runs: int, work: str) -> None:
    """The Word export beside python-docx writing the same paragraphs and cells as plain text (default styles)."""
    _use_tree()
    import docx
    from docx.table import _Cell

    from rsa_desktop.reports.docx import export_docx

    work_dir = Path(work)
    out = work_dir / "export.docx"
    doc, svc, aid = _open_doc(path)
    try:
        measured, _all = _timed(lambda: export_docx(svc, aid, out, today=TODAY), runs)
    finally:
        doc.close()
    blocks = _docx_blocks(out)

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
        plain.save(str(work_dir / "baseline.docx"))

    floor, _all = _timed(baseline, runs)
    _emit({"measured": measured, "floor": floor})


def consolidation(folder: str, runs: int, work: str) -> None:
    """Consolidating the submissions beside reading the same files with openpyxl (read-only) and sqlite3."""
    _use_tree()
    import sqlite3

    from openpyxl import load_workbook

    from rsa_desktop.reports.consolidated import write_xlsx
    from rsa_desktop.services.consolidate import consolidate

    inputs = sorted(p for p in Path(folder).iterdir() if p.suffix in (".rsa", ".xlsx"))

    def measured():
        result = consolidate(inputs, today=TODAY)
        if len(result.included) == 0:
            raise SystemExit("the consolidation used no submission")
        write_xlsx(result, Path(work) / "sammanstallning.xlsx")

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

    m, _ = _timed(measured, runs)
    b, _ = _timed(baseline, runs)
    _emit({"measured": m, "floor": b, "n": len(inputs)})


def make_demo(path: str, size: str) -> None:
    """Write a demo file with this checkout's own generator (for a checkout whose file format differs)."""
    _use_tree()
    import inspect

    from rsa_desktop.services import demo

    sizes = getattr(demo, "SIZES", None)
    if size in ("normal", "large") or (sizes and size in sizes):  # every checkout has these two
        demo.write_demo(path, size)
    else:  # an older checkout without the size: its generator with the counts it takes
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.storage.database import Document

        want = {"large2x": dict(participants=24, functions=400, dependencies=1600, risks=800, vulnerabilities=80,
                                actions=2000, plans=300, exercises=20)}[size]
        params = inspect.signature(demo.large_data).parameters
        data = demo.large_data(**{k: v for k, v in want.items() if k in params})
        doc = Document.create(path)
        try:
            demo.populate(RsaService(doc), data)
        finally:
            doc.close()
    _emit({"path": path})


KINDS = {"startup-app": lambda a: startup_app(a[0]), "startup-floor": lambda a: startup_floor(a[0]),
         "edits": lambda a: edits(a[0], int(a[1]), *map(float, a[2:3])), "steps": lambda a: steps(a[0], int(a[1])),
         "xlsx": lambda a: xlsx(a[0], int(a[1]), a[2]), "pdf": lambda a: pdf(a[0], int(a[1]), a[2]),
         "docx": lambda a: docx_export(a[0], int(a[1]), a[2]),
         "consolidation": lambda a: consolidation(a[0], int(a[1]), a[2]),
         "make-demo": lambda a: make_demo(a[0], a[1])}


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    KINDS[kind](rest)
