#!/usr/bin/env python3
"""Soak test: a long working session in the real MainWindow, driven like a user, then a normal quit.

    .venv/bin/python bench/soak.py                          # 5,000 operations on the large demo
    .venv/bin/python bench/soak.py --ops 500 --size demo    # the CI version (tests/test_soak.py)

Unit tests are too short to see process-lifetime bugs (reference-count drift in the Qt binding, leaks,
slow growth). This driver opens a copy of the demo analysis in the real window on Qt's offscreen
platform and performs a seeded random mix of what a working day consists of: switch steps, create
items, edit every field type through its widget (key events, check boxes, combo boxes, dates, long
texts), link and unlink, delete, undo and redo, the risk matrix, the dependency map, the gap view's
"Skapa åtgärd", carry forward to a new year, and export. Then it closes the window and quits.

It prints the operations done and the resident memory at start (after one warm-up visit of every step
and view, so first-visit caches do not count as growth) and at the end, and exits non-zero on a crash,
any traceback, any Qt warning, a damaged file, or RSS growth above --max-growth-mb (50 MB).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import faulthandler
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import _reexec_in_venv, make_demo  # noqa: E402  (bench/run.py: same venv and cached inputs)

IGNORED_QT_MESSAGES = ("propagateSizeHints",)
STEP_KEYS = ("oversikt", "uppdrag", "verksamhet", "samhallsviktig", "beroenden", "risker", "sarbarheter",
             "atgarder", "kontinuitet", "rapport")


def rss_mb() -> float:
    """Current resident set size (not the peak): growth is what a leak shows."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _object_counts() -> collections.Counter[str]:
    """Live objects the garbage collector tracks, by type (cheap enough for a long run, unlike tracemalloc)."""
    import gc
    gc.collect()
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


class Soak:
    def __init__(self, window, rng: random.Random, work: Path, log):
        self.w = window
        self.rng = rng
        self.work = work
        self.log = log
        self.done: collections.Counter[str] = collections.Counter()
        self.exports = 0
        self.years_carried = 0

    # -- helpers --------------------------------------------------------------------------------

    def app(self):
        from PySide6.QtWidgets import QApplication
        return QApplication.instance()

    def settle(self, rounds: int = 2) -> None:
        from PySide6.QtCore import QEventLoop
        app = self.app()
        for _ in range(rounds):
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if self.w._status_timer.isActive():  # what the timer would do a moment later
            self.w._status_timer.stop()
            self.w.refresh_status()

    def wait_background(self, seconds: float = 120.0) -> None:
        from PySide6.QtCore import QThreadPool
        pool = QThreadPool.globalInstance()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app().processEvents()
            if pool.activeThreadCount() == 0:
                self.app().processEvents()
                return
            time.sleep(0.02)
        raise RuntimeError("en bakgrundsuppgift blev inte klar")

    def section(self):
        return self.w.active_section()

    def go(self, key: str) -> None:
        row = STEP_KEYS.index(key)
        self.w.navigator.setCurrentRow(row)
        self.settle(1)

    def type_text(self, widget, text: str) -> None:
        """Key events carrying the text (safe for å ä ö, unlike QTest.keyClicks)."""
        from PySide6.QtCore import QEvent, Qt
        from PySide6.QtGui import QKeyEvent
        widget.setFocus()
        for ch in text:
            for etype in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                self.app().sendEvent(widget, QKeyEvent(etype, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))

    def key(self, widget, key, modifier=None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        QTest.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)

    def focus_out(self, widget) -> None:
        from PySide6.QtCore import QEvent, Qt
        from PySide6.QtGui import QFocusEvent
        self.app().sendEvent(widget, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))

    def words(self, n: int) -> str:
        pool = ("elavbrott", "personal", "leverantör", "verksamhetssystem", "reservrutin", "åtgärd", "översyn",
                "gode män", "utbetalning", "informationssäkerhet", "sårbarhet", "värme", "vatten", "telefoni")
        return " ".join(self.rng.choice(pool) for _ in range(n)).capitalize()

    # -- operations -----------------------------------------------------------------------------

    def op_switch_step(self) -> str:
        self.go(self.rng.choice(STEP_KEYS))
        return "byt steg"

    def _item_step(self) -> None:
        if self.section() is None:
            self.go(self.rng.choice(("samhallsviktig", "beroenden", "risker", "sarbarheter", "atgarder",
                                     "kontinuitet")))

    def op_create(self) -> str:
        self._item_step()
        sec = self.section()
        if sec is None or self.w.session.read_only():
            return self.op_switch_step()
        sec.add_item()
        return "skapa"

    def _select_random(self, sec) -> bool:
        view = sec.view
        n = view.model().rowCount()
        if n == 0:
            return False
        view.selectRow(self.rng.randrange(n))
        self.settle(1)
        return sec.current_id() is not None

    def op_edit(self) -> str:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import (
            QAbstractSpinBox,
            QCheckBox,
            QComboBox,
            QDateEdit,
            QLineEdit,
            QPlainTextEdit,
            QTextEdit,
        )
        self._item_step()
        sec = self.section()
        if sec is None or not self._select_random(sec):
            return self.op_create()
        editors = [(name, ed) for name, ed in sec.form.editors.items() if ed.widget.isEnabled()]
        if not editors:
            return "redigera (inget fält)"
        name, ed = self.rng.choice(editors)
        widget = ed.focus_widget() if hasattr(ed, "focus_widget") else ed.widget
        if isinstance(widget, QCheckBox):
            widget.setFocus()
            self.key(widget, Qt.Key.Key_Space)
            return "redigera kryssruta"
        if isinstance(widget, QComboBox):
            widget.setFocus()
            if widget.count():
                self.key(widget, self.rng.choice((Qt.Key.Key_Down, Qt.Key.Key_Up)))
                widget.activated.emit(widget.currentIndex())
                if widget.isEditable() and widget.lineEdit() is not None:
                    widget.lineEdit().editingFinished.emit()
            return "redigera lista"
        if isinstance(widget, QDateEdit):
            widget.setFocus()
            date = dt.date(2026, 1, 1) + dt.timedelta(days=self.rng.randrange(900))
            from PySide6.QtCore import QDate
            widget.setDate(QDate(date.year, date.month, date.day))
            widget.editingFinished.emit()
            return "redigera datum"
        if isinstance(widget, (QPlainTextEdit, QTextEdit)):
            widget.setFocus()
            widget.selectAll() if isinstance(widget, QPlainTextEdit) else None
            self.type_text(widget, self.words(self.rng.randint(3, 12)))
            self.focus_out(widget)
            return "redigera långtext"
        if isinstance(widget, QAbstractSpinBox):
            widget.setFocus()
            self.key(widget, Qt.Key.Key_Up)
            widget.editingFinished.emit()
            return "redigera tal"
        if isinstance(widget, QLineEdit):
            widget.setFocus()
            widget.selectAll()
            spec_type = getattr(getattr(ed, "spec", None), "type", "text")
            if spec_type == "int":
                text = str(self.rng.randint(0, 500))
            elif spec_type == "duration":
                text = self.rng.choice(("4 h", "1 dygn", "3 dygn", "1 vecka", "2 h"))
            else:
                text = self.words(self.rng.randint(1, 4))
            self.type_text(widget, text)
            self.key(widget, Qt.Key.Key_Return)
            return "redigera rad"
        return "redigera (annat)"

    def _panels(self, sec):
        from rsa_desktop.ui.widgets.links import LinkPanel, RatingGrid
        return ([w for w in sec.extras if isinstance(w, LinkPanel) and w.isEnabled()],
                [w for w in sec.extras if isinstance(w, RatingGrid) and w.isEnabled()])

    def op_link(self) -> str:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        self._item_step()
        sec = self.section()
        if sec is None or not self._select_random(sec):
            return self.op_create()
        panels, grids = self._panels(sec)
        if grids and self.rng.random() < 0.3:
            grid = self.rng.choice(grids)
            combos = grid.combos
            combos = list(combos.values()) if isinstance(combos, dict) else list(combos)
            if combos:
                combo = self.rng.choice(combos)
                combo.setFocus()
                self.key(combo, Qt.Key.Key_Down)
                combo.activated.emit(combo.currentIndex())
                return "betygsätt"
        if not panels:
            return "koppla (ingen panel)"
        panel = self.rng.choice(panels)
        if panel.model.rowCount() and self.rng.random() < 0.4:
            panel.view.selectRow(self.rng.randrange(panel.model.rowCount()))
            if panel.remove_button.isEnabled():
                QTest.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
                return "koppla bort"
        if panel.candidates.count():
            panel.candidates.setCurrentIndex(self.rng.randrange(panel.candidates.count()))
            if panel.add_button.isEnabled():
                QTest.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
                return "koppla"
        return "koppla (inget att välja)"

    def op_delete(self) -> str:
        self._item_step()
        sec = self.section()
        if sec is None or not self._select_random(sec):
            return self.op_create()
        sec.delete_current(confirm=False)
        return "ta bort"

    def op_undo(self) -> str:
        if self.w.undo_action.isEnabled():
            self.w.undo_action.trigger()
            return "ångra"
        return "ångra (inget)"

    def op_redo(self) -> str:
        if self.w.redo_action.isEnabled():
            self.w.redo_action.trigger()
            return "gör om"
        return self.op_undo()

    def op_matrix(self) -> str:
        self.go("risker")
        page = self.w.page("risker")
        page.tabs.setCurrentWidget(page.matrix)
        self.settle(1)
        page.matrix.grab()
        page.tabs.setCurrentIndex(0)
        return "riskmatris"

    def op_map(self) -> str:
        self.go("beroenden")
        page = self.w.page("beroenden")
        page.tabs.setCurrentWidget(page.depmap)
        self.settle(1)
        page.depmap.grab()
        page.tabs.setCurrentIndex(0)
        return "beroendekarta"

    def op_gap_action(self) -> str:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        self.go("beroenden")
        page = self.w.page("beroenden")
        page.tabs.setCurrentWidget(page.gaps)
        self.settle(1)
        gaps = page.gaps
        view = gaps.view
        n = view.model().rowCount()
        if n:
            view.selectRow(self.rng.randrange(n))
            self.settle(1)
            if gaps.create_button.isEnabled() and gaps.create_button.isVisible():
                QTest.mouseClick(gaps.create_button, Qt.MouseButton.LeftButton)
                page.tabs.setCurrentIndex(0)
                return "skapa åtgärd från gap"
        page.tabs.setCurrentIndex(0)
        return "kontinuitetsgap"

    def op_carry_forward(self) -> str:
        s = self.w.session
        years = [a.year for a in s.svc.analyses()]
        target = max(years) + 1
        self.w.carry_forward(s.analysis_id, target, ask=False)
        self.wait_background()
        self.settle(3)
        self.years_carried += 1
        return "ny årsanalys"

    def op_export(self) -> str:
        self.go("rapport")
        panel = self.w.page("rapport").export_panel
        panel.public_box.setChecked(False)
        self.exports += 1
        panel.export(".xlsx", self.work / f"export-{self.exports}.xlsx")
        self.wait_background()
        assert (self.work / f"export-{self.exports}.xlsx").stat().st_size > 0
        return "export xlsx"

    def op_export_pdf(self) -> str:
        self.go("rapport")
        panel = self.w.page("rapport").export_panel
        panel.public_box.setChecked(False)
        self.exports += 1
        panel.export(".pdf", self.work / f"export-{self.exports}.pdf")
        self.wait_background(600)
        return "export pdf"

    WEIGHTS = (("op_edit", 34), ("op_switch_step", 14), ("op_create", 10), ("op_link", 14), ("op_delete", 5),
               ("op_undo", 9), ("op_redo", 5), ("op_matrix", 3), ("op_map", 2), ("op_gap_action", 3))

    def warm_up(self, pdf: bool = False) -> None:
        for key in STEP_KEYS:
            self.go(key)
        self.op_matrix()
        self.op_map()
        self.go("beroenden")
        page = self.w.page("beroenden")
        page.tabs.setCurrentWidget(page.gaps)
        self.settle(2)
        page.tabs.setCurrentIndex(0)
        self.op_export()  # loads the exporters' libraries once, as the first export of the day does
        if pdf:
            self.op_export_pdf()  # reportlab, fonts and figures likewise: their first use is not growth
        self.go("oversikt")
        self.settle(3)

    def run(self, ops: int, carry_every: int, export_every: int) -> None:
        names, weights = zip(*self.WEIGHTS)
        for i in range(1, ops + 1):
            if carry_every and i % carry_every == 0:
                name = "op_carry_forward"
            elif export_every and i % export_every == 0:
                name = "op_export"
            else:
                name = self.rng.choices(names, weights)[0]
            label = getattr(self, name)()
            self.done[label] += 1
            self.settle(1)
            if i % 100 == 0:
                self.w.refresh_status()
                self.log(f"{i:>6} operationer  RSS {rss_mb():7.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=5000)
    parser.add_argument("--size", choices=("demo", "large"), default="large")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--max-growth-mb", type=float, default=50.0)
    parser.add_argument("--carry-every", type=int, default=0, help="en ny årsanalys var N:e operation (0: ops/2)")
    parser.add_argument("--export-every", type=int, default=0, help="en export var N:e operation (0: ops/5)")
    parser.add_argument("--pdf", action="store_true", help="exportera också en PDF i slutet")
    parser.add_argument("--trace-memory", action="store_true",
                        help="visa vilka sorters Python-objekt som blev fler mellan start och slut")
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="rsa-soak-"))
    os.environ["RSA_DESKTOP_DATA"] = str(work / "userdata")
    faulthandler.enable()
    problems: list[str] = []

    def log(text: str) -> None:
        print(text, flush=True)

    if args.size == "large":
        source = make_demo("large")
    else:
        from rsa_desktop.services import demo
        source = work / "källa.rsa"
        demo.write_demo(source)
    path = work / "soak.rsa"
    shutil.copyfile(source, path)

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication, QMessageBox

    def on_qt_message(mode, _context, message):
        if mode in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) and \
                not any(s in message for s in IGNORED_QT_MESSAGES):
            problems.append(f"Qt-varning: {message}")
            log(f"Qt-varning: {message}")

    qInstallMessageHandler(on_qt_message)

    def on_exception(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        problems.append(text)
        log(text)

    sys.excepthook = on_exception
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from rsa_desktop.ui.app import i18n
    from rsa_desktop.ui.dialogs import common
    i18n.install_translations(app)
    # The driver answers dialogs as a user who says yes and reads every message.
    messages: collections.Counter[str] = collections.Counter()

    def box(kind, answer):
        def show(_parent, title, text, *a, **k):
            messages[f"{kind}: {title}"] += 1
            return answer
        return show

    QMessageBox.warning = box("varning", QMessageBox.StandardButton.Ok)
    QMessageBox.information = box("information", QMessageBox.StandardButton.Ok)
    QMessageBox.critical = box("fel", QMessageBox.StandardButton.Ok)
    QMessageBox.question = box("fråga", QMessageBox.StandardButton.Yes)
    common.confirm = lambda *_a, **_k: True

    from rsa_desktop.ui.app.main_window import MainWindow
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    started = time.monotonic()
    if not window.open_path(path):
        log("Kunde inte öppna soakfilen")
        return 1
    soak = Soak(window, random.Random(args.seed), work, log)
    soak.warm_up(pdf=args.pdf)
    start_rss = rss_mb()
    if args.trace_memory:
        first_counts = _object_counts()
    log(f"Start: {args.ops} operationer på {args.size} ({path.stat().st_size // 1024} kB), RSS {start_rss:.1f} MB "
        "efter ett varv genom alla steg och vyer")
    try:
        soak.run(args.ops, args.carry_every or max(args.ops // 2, 1), args.export_every or max(args.ops // 5, 1))
        if args.pdf:
            soak.done[soak.op_export_pdf()] += 1
    except Exception:  # noqa: BLE001 - the driver reports every failure, then exits non-zero
        on_exception(*sys.exc_info())
    end_rss = rss_mb()
    if args.trace_memory:
        grown = (_object_counts() - first_counts).most_common(15)
        log("Flest nya Python-objekt: " + ", ".join(f"{name} +{n}" for name, n in grown))
    window.close()
    app.processEvents()
    app.quit()
    elapsed = time.monotonic() - started

    from rsa_desktop.storage.database import Document
    try:
        doc = Document.open(path, readonly=True)
        with doc.engine.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        doc.close()
        if result != "ok":
            problems.append(f"Filen är skadad efter körningen: {result}")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"Filen kunde inte öppnas efter körningen: {exc}")

    total = sum(soak.done.values())
    log(f"\nKlart: {total} operationer på {elapsed / 60:.1f} min, {soak.years_carried} nya årsanalyser, "
        f"{soak.exports} exporter")
    for label, n in soak.done.most_common():
        log(f"  {n:>6}  {label}")
    if messages:
        log("Meddelanden som visades: " + ", ".join(f"{k} ×{v}" for k, v in messages.most_common()))
    growth = end_rss - start_rss
    log(f"RSS start {start_rss:.1f} MB, slut {end_rss:.1f} MB, ökning {growth:+.1f} MB "
        f"(gräns {args.max_growth_mb:.0f} MB)")
    if growth > args.max_growth_mb:
        problems.append(f"Minnet växte med {growth:.1f} MB")
    if problems:
        log(f"MISSLYCKADES: {len(problems)} problem")
        return 1
    log("OK: inga krascher, tracebacks eller Qt-varningar; filen är hel; normalt avslut")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    _reexec_in_venv()
    sys.exit(main())
