"""Kills a process that is editing (or migrating) a document at random moments, many times.

Run as a script by tests/test_crash_safety.py, in a fresh interpreter so that fork() happens in
a process without threads. Prints one JSON line with what it observed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


def editor(path: Path, start: int, ack_fd: int) -> None:
    doc = Document.open(path)
    svc = RsaService(doc)
    aid = svc.analyses()[0].id
    i = start
    while True:
        rec = svc.create("risk", aid, title=f"edit {i}", likelihood=1 + i % 5)
        svc.update("risk", rec.id, description="ändrad " * 50)
        svc.set_consequence(rec.id, svc.scales(aid).dimensions[0].id, 1 + i % 5)
        os.write(ack_fd, f"{i}\n".encode())
        i += 1


def kill_edits(path: Path, kills: int, seed: int) -> dict:
    rnd = random.Random(seed)
    acknowledged: list[int] = []
    next_edit = 0
    for _ in range(kills):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                editor(path, next_edit, w)
            finally:
                os._exit(1)
        os.close(w)
        time.sleep(rnd.uniform(0.05, 0.45))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(r) as fh:
            done = [int(x) for x in fh.read().split()]
        acknowledged += done
        next_edit = (done[-1] + 1 if done else next_edit) + 1  # the edit in progress may or may not be there
    with Document.open(path) as doc:  # a stale lock from the killed child is cleared here
        ok = doc.integrity_ok()
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        risks = {r.title: r for r in svc.list("risk", aid)}
        cons = svc.all_consequences(aid)
    missing = [i for i in acknowledged if f"edit {i}" not in risks]
    # Every acknowledged edit is whole: its three steps (create, update, rating) all landed.
    complete = all(risks[f"edit {i}"].description and cons.get(risks[f"edit {i}"].id)
                   for i in acknowledged if f"edit {i}" in risks)
    return {"kills": kills, "acknowledged": len(acknowledged), "missing": missing, "integrity": ok,
            "complete": complete}


def kill_migrations(fixture: Path, folder: Path, kills: int, seed: int) -> dict:
    rnd = random.Random(seed)
    outcomes = {"migrated": 0, "untouched": 0, "bad": []}
    for k in range(kills):
        path = folder / f"gammal-{k}.rsa"
        conn = sqlite3.connect(path)
        conn.executescript(fixture.read_text(encoding="utf-8"))
        conn.close()
        pid = os.fork()
        if pid == 0:
            try:
                Document.open(path).close()
            finally:
                os._exit(0)
        time.sleep(rnd.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with sqlite3.connect(path) as c:
            version = c.execute("PRAGMA user_version").fetchone()[0]
        try:
            with Document.open(path) as doc:
                svc = RsaService(doc)
                aid = svc.analyses()[0].id
                good = doc.integrity_ok() and len(svc.consequences(svc.list("risk", aid)[0].id)) == 2
        except Exception as exc:  # noqa: BLE001 - reported to the test
            good = False
            outcomes["bad"].append(f"{path.name}: {exc}")
        if not good:
            outcomes["bad"].append(path.name)
        outcomes["migrated" if version > 1 else "untouched"] += 1
    return outcomes


def kill_exports(path: Path, folder: Path, kills: int, seed: int) -> dict:
    """A good PDF and xlsx exist; exporters are killed mid-write; the targets must stay whole and readable."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from rsa_desktop.reports.pdf import export_pdf
    from rsa_desktop.reports.xlsx import export_xlsx

    targets = {".pdf": folder / "rapport.pdf", ".xlsx": folder / "rapport.xlsx"}
    with Document.open(path, readonly=True) as doc:
        svc = RsaService(doc)
        aid = svc.analyses()[0].id
        export_pdf(svc, aid, targets[".pdf"])
        export_xlsx(svc, aid, targets[".xlsx"])
    rnd = random.Random(seed)
    bad = []
    for k in range(kills):
        suffix = ".pdf" if k % 2 == 0 else ".xlsx"
        pid = os.fork()
        if pid == 0:
            try:
                with Document.open(path, readonly=True) as doc:
                    svc = RsaService(doc)
                    (export_pdf if suffix == ".pdf" else export_xlsx)(svc, svc.analyses()[0].id, targets[suffix])
            finally:
                os._exit(0)
        time.sleep(rnd.uniform(0.05, 1.5 if suffix == ".pdf" else 0.6))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        try:
            if suffix == ".pdf":
                assert len(PdfReader(targets[".pdf"]).pages) > 10
            else:
                load_workbook(targets[".xlsx"], read_only=True).close()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            bad.append(f"{suffix} after kill {k}: {exc}")
    leftovers = sorted(p.name for p in folder.iterdir() if ".part" in p.name)
    return {"kills": kills, "bad": bad, "leftovers": len(leftovers)}


def kill_imports(path: Path, folder: Path, kills: int, seed: int) -> dict:
    """Importing a workbook as a new year is killed midway: the year is then wholly there or not at all."""
    import shutil

    from rsa_desktop.reports.xlsx import export_xlsx
    from rsa_desktop.services.xlsx_import import import_as_new, read_workbook

    workbook = folder / "inlamning.xlsx"
    with Document.open(path, readonly=True) as doc:
        svc = RsaService(doc)
        source = svc.analyses()[0]
        export_xlsx(svc, source.id, workbook)
        expected = svc.counts(source.id)
    def run_import(target: Path) -> int:
        pid = os.fork()
        if pid == 0:
            try:
                with Document.open(target) as doc:
                    import_as_new(RsaService(doc), read_workbook(workbook), 2031)
            finally:
                os._exit(0)
        return pid

    # How long a whole import takes on this machine now, so that the kills land inside it.
    shutil.copy(path, folder / "tid.rsa")
    started = time.perf_counter()
    os.waitpid(run_import(folder / "tid.rsa"), 0)
    duration = time.perf_counter() - started
    with Document.open(folder / "tid.rsa", readonly=True) as doc:
        svc = RsaService(doc)
        whole = svc.analysis_for_year(2031)
        complete_when_not_killed = whole is not None and svc.counts(whole.id) == expected
    rnd = random.Random(seed)
    outcomes = {"imported": 0, "absent": 0, "bad": [], "duration": duration,
                "complete_when_not_killed": complete_when_not_killed}
    for k in range(kills):
        target = folder / f"import-{k}.rsa"
        shutil.copy(path, target)
        pid = run_import(target)
        time.sleep(rnd.uniform(0.35, 0.9) * duration)  # reading is the first ~quarter, then the transaction
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        try:
            with Document.open(target) as doc:
                svc = RsaService(doc)
                new = svc.analysis_for_year(2031)
                if not doc.integrity_ok():
                    outcomes["bad"].append(f"{target.name}: integrity")
                elif new is None:
                    outcomes["absent"] += 1
                elif svc.counts(new.id) == expected:
                    outcomes["imported"] += 1
                else:
                    outcomes["bad"].append(f"{target.name}: partial {svc.counts(new.id)}")
        except Exception as exc:  # noqa: BLE001 - reported to the test
            outcomes["bad"].append(f"{target.name}: {exc}")
    return outcomes


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "edits":
        print(json.dumps(kill_edits(Path(args[0]), int(args[1]), int(args[2]))))
    elif mode == "imports":
        print(json.dumps(kill_imports(Path(args[0]), Path(args[1]), int(args[2]), int(args[3]))))
    elif mode == "exports":
        print(json.dumps(kill_exports(Path(args[0]), Path(args[1]), int(args[2]), int(args[3]))))
    else:
        print(json.dumps(kill_migrations(Path(args[0]), Path(args[1]), int(args[2]), int(args[3]))))
