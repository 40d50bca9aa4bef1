"""The whole workflow with every socket forbidden. Run in a fresh interpreter by tests/test_no_network.py.

A Python audit hook turns socket creation, connection and name lookup into an error, whatever
library tries it (ours, matplotlib, reportlab, openpyxl, Qt's Python bindings). Prints "OK" last.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

attempts: list[str] = []


def _forbid(event: str, args) -> None:
    if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect", "ftplib.connect",
                                                "smtplib.connect", "webbrowser.open"):
        attempts.append(event)
        raise RuntimeError(f"nätverk användes: {event}")


sys.addaudithook(_forbid)
os.environ["QT_QPA_PLATFORM"] = "offscreen"


def step(name: str, fn) -> None:
    fn()
    print(f"ok: {name}", flush=True)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="utan-natverk-"))
    os.environ["RSA_DESKTOP_DATA"] = str(folder / "data")
    demo = folder / "demo.rsa"

    from rsa_desktop.cli import main as cli

    step("demo", lambda: cli(["demo", str(demo)]) == 0 or sys.exit("demo"))
    step("info", lambda: cli(["info", str(demo)]) == 0 or sys.exit("info"))
    step("check", lambda: cli(["check", str(demo)]) in (0, 1) or sys.exit("check"))

    def edit():
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.storage.backups import make_backup
        from rsa_desktop.storage.database import Document

        with Document.open(demo) as doc:
            svc = RsaService(doc)
            aid = svc.analyses()[0].id
            r = svc.create("risk", aid, title="Utan nätverk")
            svc.update("risk", r.id, likelihood=2)
            make_backup(doc, "öppnad")

    step("ändra och säkerhetskopiera", edit)

    def analyse():
        from rsa_desktop.reports.charts import dependency_map_figure, figure_to_svg, risk_matrix_figure
        from rsa_desktop.services.depmap import build_graph
        from rsa_desktop.services.gaps import analyse_gaps
        from rsa_desktop.services.matrix import matrix_data
        from rsa_desktop.services.review import review
        from rsa_desktop.services.rsa import RsaService
        from rsa_desktop.storage.database import Document

        with Document.open(demo, readonly=True) as doc:
            svc = RsaService(doc)
            aid = svc.analyses()[0].id
            review(svc, aid)
            analyse_gaps(svc, aid)
            figure_to_svg(risk_matrix_figure(matrix_data(svc, aid)))
            figure_to_svg(dependency_map_figure(build_graph(svc, aid)))

    step("kontroll, gap och diagram", analyse)
    for extra in EXTRA_STEPS:
        step(extra[0], lambda f=extra[1]: f(cli, demo, folder))

    def gui():
        from PySide6.QtWidgets import QApplication

        from rsa_desktop.ui.app import i18n
        from rsa_desktop.ui.app.main_window import MainWindow

        app = QApplication.instance() or QApplication(["rsa-desktop"])
        i18n.install_translations(app)
        window = MainWindow()
        window.resize(1366, 768)
        assert window.open_path(demo)
        window.show()
        for _ in range(20):
            app.processEvents()
        for key in ("oversikt", "risker", "beroenden", "rapport"):
            if hasattr(window, "go_to"):
                try:
                    window.go_to(key)
                except KeyError:
                    pass
            app.processEvents()
        window.close()
        app.processEvents()

    step("grafiskt gränssnitt (offscreen)", gui)
    if attempts:
        print(f"FEL: {attempts}")
        return 1
    print("OK")
    return 0


def _export(cli, demo, folder):
    assert cli(["export", str(demo), "--xlsx", str(folder / "rsa.xlsx"), "--pdf", str(folder / "rsa.pdf")]) == 0
    assert cli(["export", str(demo), "--public", "--pdf", str(folder / "utdrag.pdf")]) == 0


def _import(cli, demo, folder):
    assert cli(["import-xlsx", str(demo), str(folder / "rsa.xlsx"), "--dry-run"]) in (0, 1)
    assert cli(["carry-forward", str(demo), "--from", "2026", "--to", "2027"]) == 0


def _consolidate(cli, demo, folder):
    (folder / "trasig.rsa").write_bytes(b"ingen databas")
    assert cli(["consolidate", str(folder / "stad.xlsx"), "--pdf", str(folder / "stad.pdf"), "--year", "2026",
                str(demo), str(folder / "rsa.xlsx"), str(folder / "trasig.rsa")]) == 0


# The rest of the workflow: exports, the yearly cycle and KS's consolidation.
EXTRA_STEPS: list = [("export xlsx och pdf", _export), ("import och ny årsanalys", _import),
                     ("sammanställning (KS)", _consolidate)]

if __name__ == "__main__":
    raise SystemExit(main())
