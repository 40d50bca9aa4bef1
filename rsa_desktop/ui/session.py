"""The open document as the UI sees it: the file, its service, the current analysis year and the undo stack.

Widgets never talk to SQLite; they call `session.svc` for snapshots and push commands
(ui/commands.py) for edits. After each edit the session emits `changed(kind)` and views refresh from
fresh snapshots.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from rsa_desktop.model.kinds import KINDS
from rsa_desktop.services import scales as scale_svc
from rsa_desktop.services.records import Record
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


class DocumentSession(QObject):
    documentChanged = Signal()  # another file (or none) is open
    analysisChanged = Signal()  # another analysis year is shown
    changed = Signal(str)  # data of this kind ("" = anything) changed

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.doc: Document | None = None
        self.svc: RsaService | None = None
        self.analysis_id: int | None = None
        self.undo_stack = QUndoStack(self)
        self._scales: scale_svc.Scales | None = None
        self._labels: dict[tuple[str, int], str] = {}
        self._cache: dict[str, object] = {}

    # -- document ------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.doc is not None

    @property
    def path(self) -> Path | None:
        return self.doc.path if self.doc else None

    def set_document(self, doc: Document | None) -> None:
        """Take over `doc` (closing the previous one) and show its newest analysis."""
        old = self.doc
        self.undo_stack.clear()
        self.doc = doc
        self.svc = RsaService(doc) if doc else None
        self._invalidate()
        self.analysis_id = None
        if self.svc:
            analyses = self.svc.analyses()
            drafts = [a for a in analyses if a.status == "utkast"]
            chosen = (drafts or analyses)[-1] if analyses else None
            self.analysis_id = chosen.id if chosen else None
        if old is not None and old is not doc:
            old.close()
        self.documentChanged.emit()
        self.analysisChanged.emit()

    def close(self) -> None:
        self.set_document(None)

    def set_analysis(self, analysis_id: int | None) -> None:
        if analysis_id == self.analysis_id:
            return
        self.analysis_id = analysis_id
        self._invalidate()
        self.analysisChanged.emit()

    # -- snapshots -------------------------------------------------------------------------------

    def _invalidate(self) -> None:
        self._scales = None
        self._labels.clear()
        self._cache.clear()

    def cached(self, key: str, compute):
        """A value derived from the data, kept until the next change (e.g. all risks' consequences)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def analysis(self) -> Record | None:
        if not self.svc or self.analysis_id is None:
            return None
        return self.svc.analysis(self.analysis_id)

    def organisation(self) -> Record | None:
        return self.svc.organisation() if self.svc else None

    def scales(self) -> scale_svc.Scales | None:
        if self._scales is None and self.svc and self.analysis_id is not None:
            self._scales = self.svc.scales(self.analysis_id)
        return self._scales

    def read_only(self) -> bool:
        a = self.analysis()
        return a is None or a.status == "faststalld" or bool(self.doc and self.doc.readonly)

    def items(self, kind: str, owner_id: int | None = None) -> list[Record]:
        if not self.svc:
            return []
        owner = owner_id if owner_id is not None else self.analysis_id
        if owner is None:
            return []
        return self.svc.list(kind, owner)

    def label_of(self, kind: str, item_id: int | None) -> str:
        """`R3 Långvarigt elavbrott` for an id (cached until the next change)."""
        if item_id is None or not self.svc:
            return ""
        key = (kind, item_id)
        if key not in self._labels:
            try:
                self._labels[key] = self.svc.get(kind, item_id).label
            except Exception:  # noqa: BLE001 - a deleted item simply has no label
                self._labels[key] = ""
        return self._labels[key]

    def short_name(self, kind: str, item_id: int) -> str:
        """How the undo history names an item: its human ID, else its title."""
        if kind == "analysis":
            a = self.svc.analysis(item_id) if self.svc else None
            return self.tr("analysen {0}").format(a.year) if a else self.tr("analysen")
        if kind == "organisation":
            return self.tr("organisationen")
        try:
            rec = self.svc.get(kind, item_id)
        except Exception:  # noqa: BLE001
            return KINDS[kind].label.lower()
        return rec.get("hid") or rec.label or KINDS[kind].label.lower()

    # -- notification ------------------------------------------------------------------------------

    def notify(self, kind: str = "") -> None:
        self._labels.clear()
        self._cache.clear()
        if kind in ("analysis", ""):
            self._scales = None
        self.changed.emit(kind)
