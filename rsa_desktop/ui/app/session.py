"""The open document as the UI sees it: the file, its service, the current analysis year and the undo stacks.

Widgets never talk to SQLite; they call `session.svc` for snapshots and push commands
(ui/commands/undo.py) for edits. After each edit the session emits `changed(kind)` and views refresh from
fresh snapshots.

Undo is per analysis year: one QUndoStack per analysis in a QUndoGroup whose active stack follows the
year switcher, so Ctrl+Z never undoes a change in a year that is not shown. Creating a year is the first
command on that year's stack; when it is undone the year disappears, and its stack stays active (with
"Gör om" only) until the user does something else.

Backups: a copy is made right after a file is opened for writing (on a worker thread, so the window
paints first) and right before it is closed (storage/backups.py); a failed backup is reported, never a
reason not to open or close.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS
from rsa_desktop.services import scales as scale_svc
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import backups
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import DocumentError


class DocumentSession(QObject):
    documentChanged = Signal()  # another file (or none) is open
    analysisChanged = Signal()  # another analysis year is shown
    changed = Signal(str)  # data of this kind ("" = anything) changed
    notice = Signal(str)  # a message for the status bar (e.g. a backup could not be made)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.doc: Document | None = None
        self.svc: RsaService | None = None
        self.passphrase: str | None = None  # of a protected file; kept in memory only, for restore
        self.analysis_id: int | None = None
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[int | None, QUndoStack] = {}
        self._dead: set[int | None] = set()  # stacks of analyses whose creation was undone
        self._scales: scale_svc.Scales | None = None
        self._labels: dict[tuple[str, int], str] = {}
        self._cache: dict[object, object] = {}
        self._backup_job = None  # ui/workers.Job of the backup on open
        self._readers: list = []
        self.catalogue_upgrade = None  # what opening the file mapped to the catalogues in use (CataloguePreview)

    # -- document ------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.doc is not None

    @property
    def path(self) -> Path | None:
        return self.doc.path if self.doc else None

    # -- undo per analysis year ------------------------------------------------------------------

    @property
    def undo_stack(self) -> QUndoStack:
        """The active stack: the shown analysis year's (or, right after undoing a year's creation, that one's)."""
        return self.undo_group.activeStack() or self.stack_for(self.analysis_id)

    def stack_for(self, analysis_id: int | None) -> QUndoStack:
        if analysis_id in self._dead and self._stacks.get(analysis_id) is not self.undo_group.activeStack():
            self._drop_stack(analysis_id)
        if analysis_id not in self._stacks:
            stack = QUndoStack(self)
            self.undo_group.addStack(stack)
            self._stacks[analysis_id] = stack
        return self._stacks[analysis_id]

    def stacks(self) -> list[QUndoStack]:
        return list(self._stacks.values())

    def _drop_stack(self, analysis_id: int | None) -> None:
        stack = self._stacks.pop(analysis_id, None)
        self._dead.discard(analysis_id)
        if stack is not None:
            self.undo_group.removeStack(stack)
            # Its commands are deleted now, while they and their stack are whole. Left to the stack's
            # deferred deletion (or to a collected session's children) they could be freed after their
            # Python halves: a segfault in ~QUndoStack, seen in the suite (tests/ui/test_undo_teardown.py).
            stack.clear()
            stack.deleteLater()

    def _drop_dead(self) -> None:
        active = self.undo_group.activeStack()
        for aid in [a for a in self._dead if self._stacks.get(a) is not active]:
            self._drop_stack(aid)

    def push(self, command: QUndoCommand, analysis_id: int | None = None) -> None:
        """Put a performed command on the stack of its analysis (default: the shown one) and make it active."""
        target = self.analysis_id if analysis_id is None else analysis_id
        if target in self._dead:  # a new year that reuses the id of one whose creation was undone
            self.undo_group.setActiveStack(None)
            self._drop_stack(target)
        stack = self.stack_for(target)
        self.undo_group.setActiveStack(stack)
        self._drop_dead()
        stack.push(command)

    def mark_dead(self, analysis_id: int, dead: bool = True) -> None:
        """The analysis was removed by undoing its creation (or came back by redoing it)."""
        if dead:
            self._dead.add(analysis_id)
        else:
            self._dead.discard(analysis_id)

    def is_modified(self) -> bool:
        """Any year has changes since the last save point."""
        return any(not st.isClean() for st in self._stacks.values())

    def set_clean(self) -> None:
        for st in self._stacks.values():
            st.setClean()

    def _clear_stacks(self) -> None:
        self.undo_group.setActiveStack(None)
        for aid in list(self._stacks):
            self._drop_stack(aid)

    # -- backups ---------------------------------------------------------------------------------

    def _backup(self, doc: Document, reason: str) -> None:
        self.wait_for_backup()
        try:
            backups.make_backup(doc, reason)
        except (DocumentError, OSError) as exc:
            self._backup_failed(exc)

    def _backup_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, (DocumentError, OSError)):
            raise exc
        self.notice.emit(self.tr("Säkerhetskopian kunde inte göras: {0}").format(exc))

    def _backup_in_background(self, doc: Document, reason: str) -> None:
        """The backup on open, on a worker thread (SQLite's backup API copies a consistent state while the
        window is already in use); the document is not closed before it is done (wait_for_backup)."""
        from rsa_desktop.ui.commands import workers
        if self._backup_job is None:
            self._backup_job = workers.Job(self)
        self._backup_job.start(lambda: backups.make_backup(doc, reason), lambda _b: None, self._backup_failed)

    def wait_for_backup(self) -> None:
        """Block until a backup under way has been written (before the file is closed or replaced)."""
        if self._backup_job is not None and self._backup_job.running:
            self._backup_job.wait()

    def add_reader(self, job) -> None:
        """A ui/workers.Job that reads the open file on another thread: waited for before the file closes."""
        self._readers.append(job)

    def _wait_for_readers(self) -> None:
        self.wait_for_backup()
        for job in self._readers:
            job.wait()

    # -- document (continued) --------------------------------------------------------------------

    def set_document(self, doc: Document | None) -> None:
        """Take over `doc` (closing the previous one) and show its newest analysis."""
        old = self.doc
        self._wait_for_readers()
        if old is not None and old is not doc and not old.readonly:
            self._backup(old, "stängd")
        self._clear_stacks()
        self.doc = doc
        self.svc = RsaService(doc) if doc else None
        self.catalogue_upgrade = self._use_catalogues()
        self._invalidate()
        self.analysis_id = None
        if self.svc:
            analyses = self.svc.analyses()
            drafts = [a for a in analyses if a.status == "utkast"]
            chosen = (drafts or analyses)[-1] if analyses else None
            self.analysis_id = chosen.id if chosen else None
            if not doc.readonly:
                self._backup_in_background(doc, "öppnad")
        self.undo_group.setActiveStack(self.stack_for(self.analysis_id) if doc else None)
        if old is not None and old is not doc:
            old.close()
        self.documentChanged.emit()
        self.analysisChanged.emit()

    def _use_catalogues(self):
        """The file's catalogues become the ones in use; years made with older ones are mapped to them."""
        from rsa_desktop.services import catalogue_update, catalogues
        from rsa_desktop.services.errors import ValidationError

        if self.svc is None:
            catalogues.activate(None)
            return None
        try:
            return catalogue_update.upgrade_on_open(self.svc)
        except ValidationError:  # a value the mapping cannot write: keep the file as it is
            catalogue_update.activate_for(self.svc)
            return None

    def close(self) -> None:
        self.passphrase = None
        self.set_document(None)

    def set_analysis(self, analysis_id: int | None, keep_stack: bool = False) -> None:
        """Show another analysis year; its undo stack becomes active (`keep_stack`: not now, see above)."""
        if not keep_stack and self.doc is not None:
            self.undo_group.setActiveStack(self.stack_for(analysis_id))
            self._drop_dead()
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

    def cached(self, key, compute):
        """A value derived from the data, kept until the next change (e.g. all risks' consequences)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def analysis(self) -> Item | None:
        if not self.svc or self.analysis_id is None:
            return None
        return self.svc.analysis(self.analysis_id)

    def organisation(self) -> Item | None:
        return self.svc.organisation() if self.svc else None

    def scales(self) -> scale_svc.Scales | None:
        if self._scales is None and self.svc and self.analysis_id is not None:
            self._scales = self.svc.scales(self.analysis_id)
        return self._scales

    def read_only(self) -> bool:
        a = self.analysis()
        return (a is None or a.status == "faststalld" or bool(a.get("archived"))
                or bool(self.doc and self.doc.readonly))

    def items(self, kind: str, owner_id: int | None = None) -> list[Item]:
        if not self.svc:
            return []
        owner = owner_id if owner_id is not None else self.analysis_id
        if owner is None:
            return []
        # Kept until the next change, like the labels: several views read the same list (the step's
        # table, the link panels' candidates, the reference pickers) every time a step is shown.
        return list(self.cached(("items", kind, owner), lambda: self.svc.list_fast(kind, owner)))

    def label_of(self, kind: str, item_id: int | None) -> str:
        """`R3 Långvarigt elavbrott` for an id (cached until the next change)."""
        if item_id is None or not self.svc:
            return ""
        key = (kind, item_id)
        if key not in self._labels and kind in ITEM_KINDS and ("labels", kind) not in self._cache \
                and self.analysis_id is not None:
            # One query for all of the shown analysis' items of this kind instead of one per item (a
            # column of references asks for hundreds of labels).
            self._cache[("labels", kind)] = True
            for rec in self.items(kind):
                self._labels.setdefault((kind, rec.id), rec.label)
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
