"""Views that follow the data: a change refreshes a visible view now, a hidden one when it is shown."""

from __future__ import annotations


class RefreshWhenVisible:
    """Mixin (before the Qt base class): connect the session's changes to `_on_changed`; define `refresh()`,
    which should set `self._dirty = False`. Hidden pages are then not rebuilt on every edit."""

    _dirty = True

    def _on_changed(self, _kind: str = "") -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        if self._dirty:
            self.refresh()
        super().showEvent(event)
