"""Screenshots of every step at 1366×768 with the demo analysis loaded (offscreen).

    python scripts/screenshots.py [FOLDER]      (default ./screenshots)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RSA_DESKTOP_DATA", tempfile.mkdtemp(prefix="rsa-screens-"))


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    from rsa_desktop.services.demo import write_demo
    from rsa_desktop.ui import i18n
    from rsa_desktop.ui.dialogs import GlossaryDialog
    from rsa_desktop.ui.main_window import PAGE_KEYS, MainWindow

    out = Path(argv[0]) if argv else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    i18n.install_translations(app)
    window = MainWindow()
    window.resize(1366, 768)
    window.show()

    def shot(name: str, widget=None) -> None:
        for _ in range(3):
            app.processEvents()
        (widget or window).grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

    shot("00-valkommen")
    demo = write_demo(Path(tempfile.mkdtemp(prefix="rsa-exempel-")) / "exempel.rsa")
    window.open_path(demo)
    window.refresh_status()
    for i, key in enumerate(PAGE_KEYS):
        window.go_to(key)
        shot(f"{i + 1:02d}-{key}")
        page = window.page(key)
        tabs = getattr(page, "tabs", None)
        if tabs is not None:
            for t in range(1, tabs.count()):
                tabs.setCurrentIndex(t)
                shot(f"{i + 1:02d}-{key}-flik{t + 1}")
            tabs.setCurrentIndex(0)
    glossary = GlossaryDialog(window)
    glossary.show()
    shot("20-ordlista", glossary)
    glossary.close()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
