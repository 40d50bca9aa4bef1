"""The main window's pages: built on first use and, when the window is idle, one by one; navigation."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QTabWidget, QWidget

from rsa_desktop.ui.commands import workers
from rsa_desktop.ui.steps import completeness
from rsa_desktop.ui.steps.overview import OverviewPage

PAGE_KEYS = ("oversikt",) + completeness.STEP_KEYS


def is_step_page(page) -> bool:
    """A step page (ui/steps/pages.py, imported when the first step page is built: not imported, none exists)."""
    steps = sys.modules.get("rsa_desktop.ui.steps.pages")
    return steps is not None and isinstance(page, steps.StepPage)


class Pages(dict):
    """The pages by key, each built when first asked for. Reading (`[key]`, get, values, items) builds;
    `built()` and `is_built()` see only the pages that exist."""

    def __init__(self, build):
        super().__init__()
        self._build = build

    def __missing__(self, key):
        if key not in PAGE_KEYS:
            raise KeyError(key)
        return self._build(key)

    def put(self, key, page) -> None:
        dict.__setitem__(self, key, page)

    def get(self, key, default=None):
        return self[key] if key in PAGE_KEYS else default

    def __contains__(self, key) -> bool:
        return key in PAGE_KEYS

    def __iter__(self):
        return iter(PAGE_KEYS)

    def __len__(self) -> int:
        return len(PAGE_KEYS)

    def keys(self):
        return list(PAGE_KEYS)

    def values(self):
        return [self[k] for k in PAGE_KEYS]

    def items(self):
        return [(k, self[k]) for k in PAGE_KEYS]

    def is_built(self, key) -> bool:
        return dict.__contains__(self, key)

    def built(self) -> list:
        return [(k, dict.__getitem__(self, k)) for k in PAGE_KEYS if dict.__contains__(self, k)]


class PagesMixin:
    """Which page is shown, building a page when first asked for, the step and item navigation, and the
    Redigera menu's actions on the shown step's list."""

    def _build_page(self, key: str) -> QWidget:
        if key == "oversikt":
            page = OverviewPage(self.session, self.page_stack)
        else:  # the step pages' modules are imported with the first of them, not at start-up
            from rsa_desktop.ui.steps.pages import build_page
            page = build_page(self.session, key, self.page_stack)
        page.navigate.connect(self.go_to)
        if is_step_page(page):
            page.goToFinding.connect(self.go_to_finding)
        self.pages.put(key, page)
        i = PAGE_KEYS.index(key)
        placeholder = self.page_stack.widget(i)
        current = self.page_stack.currentIndex()
        self.page_stack.insertWidget(i, page)
        self.page_stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.page_stack.setCurrentIndex(current)
        # What the other pages got while this one did not exist yet.
        if is_step_page(page):
            page.set_read_only(self.session.read_only())
            if key in self.statuses:
                page.set_findings(self.statuses[key].findings)
        if key == "rapport" and self.statuses:
            page.set_statuses(self.statuses)
        return page

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(PAGE_KEYS):
            self.page_stack.setCurrentWidget(self.pages[PAGE_KEYS[row]])

    def _warm_one(self) -> None:
        """Build one page not yet built, then let the event loop run before the next (idle time only: not
        while the statuses are being recomputed, which starts this again when it is done)."""
        if not self.warm_pages or self.status_pending() or not self.isVisible():
            return
        if workers.busy():  # building a page reads the file, which a long operation holds now
            QTimer.singleShot(200, self._warm_one)
            return
        key = next((k for k in PAGE_KEYS if not self.pages.is_built(k)), None)
        if key is not None:
            if key != "oversikt" and "rsa_desktop.ui.steps.pages" not in sys.modules:
                # The step pages' modules in an idle slice of their own: imported and built at once, the first
                # page would hold the window longer than either does.
                import rsa_desktop.ui.steps.pages  # noqa: F401
            else:
                self.pages[key]
            QTimer.singleShot(0, self._warm_one)

    def go_to(self, key: str) -> None:
        """A step key; "step/tab" (the tab widget's objectName, e.g. "beroenden/kontinuitetsgap"); or
        "item:kind:id" to select an item on its step (gap list, dependency map)."""
        if key.startswith("item:"):
            _item, kind, item_id = key.split(":")
            self.open_item(kind, int(item_id))
            return
        if key == "uppfoljning":  # the Översikt's link (ui/views/followup_view.py)
            self.show_followup()
            return
        key, _slash, tab = key.partition("/")
        if key in PAGE_KEYS:
            self.navigator.setCurrentRow(PAGE_KEYS.index(key))
            tabs = getattr(self.pages[key], "tabs", None)
            target = tabs.findChild(QWidget, tab) if tab and isinstance(tabs, QTabWidget) else None
            if target is not None and tabs.indexOf(target) >= 0:
                tabs.setCurrentWidget(target)

    def open_item(self, kind: str, item_id: int) -> bool:
        """Show the item's step and tab with the item selected in its list."""
        from rsa_desktop.ui.steps.findings import KIND_PAGE

        key = KIND_PAGE.get(kind)
        page = self.pages.get(key) if key else None
        sec = next((s for s in getattr(page, "sections", []) if s.kind == kind), None)
        if sec is None:
            return False
        self.go_to(key)
        tabs = getattr(page, "tabs", None)
        if isinstance(tabs, QTabWidget) and tabs.indexOf(sec) >= 0:
            tabs.setCurrentWidget(sec)
        if sec._dirty:
            sec.refresh()
        ok = sec.select_id(item_id)
        sec.view.setFocus(Qt.FocusReason.OtherFocusReason)
        return ok

    def page(self, key: str):
        return self.pages[key]

    def current_key(self) -> str:
        return PAGE_KEYS[max(self.navigator.currentRow(), 0)]

    def _step(self, delta: int) -> None:
        self.navigator.setCurrentRow(max(0, min(len(PAGE_KEYS) - 1, self.navigator.currentRow() + delta)))

    def toggle_guidance(self) -> None:
        page = self.pages.get(self.current_key())
        if is_step_page(page) and page.guidance:
            page.guidance.set_expanded(not page.guidance.is_expanded())

    def active_section(self):
        page = self.pages.get(self.current_key())
        if not is_step_page(page) or not page.sections:
            return None
        tabs = getattr(page, "tabs", None)
        if isinstance(tabs, QTabWidget):
            w = tabs.currentWidget()
            for sec in page.sections:
                if sec is w:
                    return sec
        return next((s for s in page.sections if not s.config.compact), page.sections[0])

    def add_item(self) -> None:
        sec = self.active_section()
        if sec:
            sec.add_item()

    def duplicate_item(self) -> None:
        sec = self.active_section()
        if sec:
            sec.duplicate_current()

    def delete_item(self) -> None:
        sec = self.active_section()
        if sec:
            sec.delete_current()

    def focus_filter(self) -> None:
        sec = self.active_section()
        if sec and sec.filter_edit.isVisible():
            sec.filter_edit.setFocus()
