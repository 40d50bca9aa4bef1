"""`rsa-desktop --selftest`: prove, headless, that an installation works (Qt-free).

Made for the frozen bundle on a freshly installed laptop, where a missing data file, hidden import or
font only shows when the code path runs. In a temporary folder it creates a file, writes the demo
analysis, upgrades an old-format copy of it through every migration, checks the database, exports
Excel and PDF and reads both back. One line per step; the return value is the exit code: 0 when
everything passed, 1 at the first failure (the line says why, in Swedish).
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

# How a current file is turned back into format version 1, to run the real upgrade chain on it:
# for each version, the statements that undo the step that led to it. A new migration in
# rsa_desktop/storage/migrations.py needs its undo here (tests/test_selftest.py checks that).
UNDO_STEP: dict[int, tuple[str, ...]] = {
    8: ("ALTER TABLE analysis DROP COLUMN public_texts",),
    7: ("ALTER TABLE audit_event DROP COLUMN chain",),
    6: ("DROP TABLE catalogue_package", "ALTER TABLE analysis DROP COLUMN report_deadline",
        "ALTER TABLE analysis DROP COLUMN catalogue_version"),
    5: ("DROP TABLE review_mark", "DROP TABLE carried_from", "ALTER TABLE analysis DROP COLUMN archived"),
    4: ("DROP TABLE audit_event",),
    3: ("ALTER TABLE vulnerability RENAME COLUMN vuln_type TO kind",
        "ALTER TABLE analysis DROP COLUMN scales_confirmed"),
    2: ("ALTER TABLE function DROP COLUMN mtd_motivation",),  # and the risk rebuild, which needs no undo
}
# Tables that migrations create (their rows are lost in the copy, so they are not compared).
NEW_TABLES = {sql.split()[2] for steps in UNDO_STEP.values() for sql in steps if sql.startswith("DROP TABLE ")}
EXPECTED_SHEETS = ("Sammanfattning", "Verksamheter", "Beroenden", "Risker", "Riskmatris", "Åtgärder", "Skalor")


class SelftestError(Exception):
    """A failed check, with a Swedish reason."""


def _ro_uri(path: Path) -> str:
    # as_uri() percent-encodes spaces, "#" and "?" and writes Windows drive paths as file:///C:/…
    return Path(path).resolve().as_uri() + "?mode=ro"


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                         "AND name NOT LIKE 'sqlite_%'")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(_ro_uri(path), uri=True)
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise SelftestError(f"PRAGMA integrity_check rapporterar fel i {path.name}: {'; '.join(result[:3])}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            raise SelftestError(f"PRAGMA foreign_key_check hittade {len(fk)} felaktiga referenser i {path.name}")
        return "integrity_check ok, foreign_key_check ok"
    finally:
        conn.close()


def make_v1_copy(src: Path, dst: Path) -> dict[str, int]:
    """Copy the database `src` to `dst` (sqlite3 backup API) and turn the copy back into format 1
    with UNDO_STEP. Returns the row count of every table before the downgrade."""
    from rsa_desktop.storage import migrations

    missing = [v for v in range(2, migrations.CURRENT_VERSION + 1) if v not in UNDO_STEP]
    if missing:
        raise SelftestError(f"självtestet kan inte skapa en fil i format 1: steget till version "
                            f"{missing[0]} saknas i rsa_desktop/selftest.py (UNDO_STEP)")
    source = sqlite3.connect(_ro_uri(src), uri=True)
    target = sqlite3.connect(dst, isolation_level=None)
    try:
        source.backup(target)
        before = _counts(target)
        target.execute("PRAGMA journal_mode = DELETE")
        target.execute("PRAGMA foreign_keys = OFF")
        for version in range(migrations.CURRENT_VERSION, 1, -1):
            for sql in UNDO_STEP[version]:
                target.execute(sql)
        target.execute("PRAGMA user_version = 1")
    finally:
        source.close()
        target.close()
    return before


class _Run:
    def __init__(self, work: Path):
        self.work = work
        self.demo: Path | None = None
        self.analysis_id: int | None = None

    def environment(self) -> str:
        from rsa_desktop import __version__, paths

        res = paths.resources_dir()
        missing = [p for p in ("scales/default.json", "demo/overformyndare.json", "report/template.json",
                               "fonts/DejaVuSans.ttf", "licenses/README.txt") if not (res / p).is_file()]
        if missing:
            raise SelftestError(f"resursfiler saknas i {res}: {', '.join(missing)}")
        frozen = "fryst paket" if getattr(sys, "frozen", False) else "Python-miljö"
        py = ".".join(map(str, sys.version_info[:3]))
        return f"RSA Desktop {__version__}, Python {py}, {frozen}, resurser i {res}"

    def create(self) -> str:
        from rsa_desktop.storage import migrations
        from rsa_desktop.storage.database import Document

        path = self.work / "ny.rsa"
        Document.create(path).close()
        conn = sqlite3.connect(path)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
        if version != migrations.CURRENT_VERSION or app_id != migrations.APPLICATION_ID:
            raise SelftestError(f"ny fil har formatversion {version} (väntat {migrations.CURRENT_VERSION})")
        return f"tillfällig fil skapad med formatversion {version}"

    def demo_analysis(self) -> str:
        from rsa_desktop.services.demo import write_demo
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.storage.database import Document

        self.demo = write_demo(self.work / "exempel.rsa")
        doc = Document.open(self.demo, readonly=True)
        try:
            svc = RsaService(doc)
            analyses = svc.analyses()
            if not analyses:
                raise SelftestError("exempelanalysen innehåller inget analysår")
            self.analysis_id = analyses[-1].id
            counts = svc.counts(self.analysis_id)
        finally:
            doc.close()
        return (f"exempelanalys {analyses[-1].year} skriven: {counts.get('function', 0)} verksamheter, "
                f"{counts.get('risk', 0)} risker, {counts.get('action', 0)} åtgärder")

    def migrate(self) -> str:
        from rsa_desktop.storage import migrations
        from rsa_desktop.storage.database import Document

        old = self.work / "gammal.rsa"
        before = make_v1_copy(self.demo, old)
        doc = Document.open(old)
        try:
            if doc.migrated_from != 1:
                raise SelftestError(f"filen i format 1 uppgraderades inte (migrated_from={doc.migrated_from})")
            if doc.backup_path is None or not doc.backup_path.is_file():
                raise SelftestError("ingen säkerhetskopia gjordes före uppgraderingen")
        finally:
            doc.close()
        conn = sqlite3.connect(_ro_uri(old), uri=True)
        try:
            after = _counts(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
        lost = {t: (n, after.get(t)) for t, n in before.items() if t not in NEW_TABLES and after.get(t) != n}
        if lost:
            t, (n, m) = next(iter(lost.items()))
            raise SelftestError(f"uppgraderingen ändrade antalet rader i {t}: {n} före, {m} efter")
        if version != migrations.CURRENT_VERSION:
            raise SelftestError(f"uppgraderad fil har formatversion {version}, inte {migrations.CURRENT_VERSION}")
        rows = sum(n for t, n in before.items() if t not in NEW_TABLES)
        return f"format 1 → {version} uppgraderad, alla {rows} rader kvar, säkerhetskopia gjord; {_integrity(old)}"

    def integrity(self) -> str:
        return f"exempelfilen: {_integrity(self.demo)}"

    def xlsx(self) -> str:
        from openpyxl import load_workbook

        from rsa_desktop.reports.xlsx import export_xlsx
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.storage.database import Document

        out = self.work / "rapport.xlsx"
        doc = Document.open(self.demo, readonly=True)
        try:
            export_xlsx(RsaService(doc), self.analysis_id, out)
        finally:
            doc.close()
        wb = load_workbook(out, read_only=True)
        try:
            names = list(wb.sheetnames)
            missing = [s for s in EXPECTED_SHEETS if s not in names]
            if missing:
                raise SelftestError(f"Excelfilen saknar flikarna {', '.join(missing)}")
            risks = wb["Risker"].max_row
        finally:
            wb.close()
        return f"Excel skriven och läst: {len(names)} flikar, {out.stat().st_size // 1024} kB (fliken Risker {risks} rader)"

    def pdf(self) -> str:
        from rsa_desktop.reports.pdf import export_pdf
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.storage.database import Document

        out = self.work / "rapport.pdf"
        doc = Document.open(self.demo, readonly=True)
        try:
            export_pdf(RsaService(doc), self.analysis_id, out)
        finally:
            doc.close()
        data = out.read_bytes()
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            raise SelftestError("PDF-filen är ofullständig (saknar %PDF-huvud eller %%EOF)")
        try:
            from pypdf import PdfReader
        except ImportError:  # not in the bundle: count the page objects instead
            pages = data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type/Page")
            how = "räknade sidobjekt"
        else:
            reader = PdfReader(out)
            pages = len(reader.pages)
            if pages and "Risk" not in (reader.pages[0].extract_text() or ""):
                raise SelftestError("PDF-filens första sida saknar rubriken")
            how = "läst med pypdf"
        if pages < 1:
            raise SelftestError("PDF-filen har inga sidor")
        return f"PDF skriven: {pages} sidor, {len(data) // 1024} kB ({how})"


def run_selftest(out: Callable[[str], object] = print) -> int:
    """Run every step, reporting one line each through `out`. Returns 0 if all passed, else 1."""
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="rsa-selftest-"))
    run = _Run(work)
    steps: list[tuple[str, Callable[[], str]]] = [
        ("Miljö", run.environment),
        ("Ny fil", run.create),
        ("Exempel", run.demo_analysis),
        ("Uppgradering", run.migrate),
        ("Integritet", run.integrity),
        ("Excel", run.xlsx),
        ("PDF", run.pdf),
    ]
    try:
        for i, (name, step) in enumerate(steps, 1):
            t0 = time.monotonic()
            try:
                detail = step()
            except SelftestError as exc:
                out(f"FEL [{i}/{len(steps)}] {name}: {exc}")
                return 1
            except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
                where = traceback.extract_tb(exc.__traceback__)[-1]
                out(f"FEL [{i}/{len(steps)}] {name}: oväntat fel {type(exc).__name__}: {exc} "
                    f"({Path(where.filename).name}:{where.lineno})")
                return 1
            out(f"OK  [{i}/{len(steps)}] {name}: {detail} ({time.monotonic() - t0:.1f} s)")
        out(f"Självtestet lyckades: {len(steps)} steg på {time.monotonic() - started:.1f} s.")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    return run_selftest()


if __name__ == "__main__":
    raise SystemExit(main())
