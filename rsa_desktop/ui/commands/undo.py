"""One QUndoCommand per domain operation; redo()/undo() call the service.

`ops.execute(session, command)` (also reachable as `undo.execute`) performs the operation once (so a
ValidationError reaches the form and nothing lands on the stack), then pushes the command; the stack's first
redo() is skipped. Views call `ops.run_command`, which adds the error reporting.
Every service call commits, so each step – do, undo, redo – is on disk when it returns.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from rsa_desktop.domain.kinds import KINDS, LINKS
from rsa_desktop.services.records import Tombstone
from rsa_desktop.ui.app.session import DocumentSession
from rsa_desktop.ui.commands import ops


def _t(text: str) -> str:
    return QCoreApplication.translate("commands", text)


def label_undo_actions(group, undo_action, redo_action) -> None:
    """Toolbar buttons say just "Ångra" / "Gör om" (a command's text is long and would be elided or
    pushed out of a narrow toolbar); what would be undone is in the menu, the tooltip and the status tip.

    `group` is the QUndoGroup (or stack) the actions were created from."""
    def update(action, short: str, shortcut: str, nothing: str, text: str) -> None:
        action.setIconText(short)
        full = _t("{0}: {1}").format(short, text) if text else short
        action.setToolTip(f"{full} ({shortcut})")
        action.setStatusTip(full if text else nothing)

    undo = (undo_action, _t("Ångra"), "Ctrl+Z", _t("Det finns inget att ångra."))
    redo = (redo_action, _t("Gör om"), "Ctrl+Shift+Z", _t("Det finns inget att göra om."))
    group.undoTextChanged.connect(lambda text: update(*undo, text))
    group.redoTextChanged.connect(lambda text: update(*redo, text))
    update(*undo, group.undoText())
    update(*redo, group.redoText())


class ServiceCommand(QUndoCommand):
    """Base: `do()` runs the first time (may raise), `_redo()`/`_undo()` afterwards."""

    notify_kind = ""

    def __init__(self, session: DocumentSession, text: str = ""):
        super().__init__(text)
        self.session = session
        self._done_once = False

    @property
    def svc(self):
        return self.session.svc

    def do(self) -> bool:
        """Perform the operation; return False if nothing changed (then nothing is pushed)."""
        raise NotImplementedError

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if not self._done_once:
            self._done_once = True
            return
        self._guard(self._redo)

    def undo(self) -> None:
        self._guard(self._undo)

    def _guard(self, fn) -> None:
        try:
            ops.run_op(None, fn)  # a known problem is shown, a bug re-raised
        finally:
            self.session.notify(self.notify_kind)


# Run once and record on the undo stack: defined in ui/commands/ops.py (views call ops.run_command, which also reports).
execute = ops.execute


class UpdateCommand(ServiceCommand):
    def __init__(self, session: DocumentSession, kind: str, item_id: int, values: dict):
        super().__init__(session)
        self.kind, self.item_id, self.values = kind, item_id, dict(values)
        self.notify_kind = kind
        self.change = None
        name = session.short_name(kind, item_id)
        if len(values) == 1:
            field = KINDS[kind].field(next(iter(values)))
            label = QCoreApplication.translate("kinds", field.label)
            self.setText(_t("Ändra {0} på {1}").format(label[:1].lower() + label[1:], name))
        else:
            self.setText(_t("Ändra {0}").format(name))

    def _apply(self, values) -> None:
        if self.kind == "organisation":
            self.svc.set_organisation(**values)
        else:
            self.svc.update(self.kind, self.item_id, **values)

    def do(self) -> bool:
        if self.kind == "organisation":
            self.change = self.svc.set_organisation(**self.values)
        else:
            self.change = self.svc.update(self.kind, self.item_id, **self.values)
        return self.change.changed

    def _redo(self) -> None:
        self._apply(dict(self.change.new))

    def _undo(self) -> None:
        self._apply(dict(self.change.old))


class CreateCommand(ServiceCommand):
    """Create an item (or duplicate one); undo deletes it, redo restores the very same row."""

    def __init__(self, session: DocumentSession, kind: str, owner_id: int, values: dict | None = None,
                 duplicate_of: int | None = None):
        super().__init__(session)
        self.kind, self.owner_id, self.values = kind, owner_id, dict(values or {})
        self.duplicate_of = duplicate_of
        self.notify_kind = kind
        self.record = None
        self.tomb: Tombstone | None = None

    def do(self) -> bool:
        spec = KINDS[self.kind]
        label = QCoreApplication.translate("kinds", spec.label).lower()
        if self.duplicate_of is not None:
            source = self.session.short_name(self.kind, self.duplicate_of)
            self.record = self.svc.duplicate(self.kind, self.duplicate_of)
            self.setText(_t("Duplicera {0}").format(source))
        else:
            self.record = self.svc.create(self.kind, self.owner_id, **self.values)
            name = self.record.get("hid") or self.record.label
            self.setText(_t("Lägg till {0} {1}").format(label, name).strip())
        return True

    @property
    def item_id(self) -> int:
        return self.record.id

    def _undo(self) -> None:
        self.tomb = self.svc.delete(self.kind, self.record.id)

    def _redo(self) -> None:
        if self.tomb is not None:
            self.svc.restore(self.tomb)


class DeleteCommand(ServiceCommand):
    def __init__(self, session: DocumentSession, kind: str, item_id: int):
        super().__init__(session)
        self.kind, self.item_id = kind, item_id
        self.notify_kind = kind
        self.tomb: Tombstone | None = None
        self.setText(_t("Ta bort {0}").format(session.label_of(kind, item_id) or session.short_name(kind, item_id)))

    def do(self) -> bool:
        self.tomb = self.svc.delete(self.kind, self.item_id)
        return True

    def _undo(self) -> None:
        self.svc.restore(self.tomb)

    def _redo(self) -> None:
        self.tomb = self.svc.delete(self.kind, self.item_id)


def _link_names(session: DocumentSession, name: str, left_id: int, right_id: int) -> tuple[str, str]:
    spec = LINKS[name]
    return session.short_name(spec.left, left_id), session.short_name(spec.right, right_id)


class LinkCommand(ServiceCommand):
    """Create a link or change its attributes (e.g. the tolerance); undo restores the previous state."""

    notify_kind = "links"

    def __init__(self, session: DocumentSession, name: str, left_id: int, right_id: int, attrs: dict | None = None):
        super().__init__(session)
        self.name, self.left_id, self.right_id, self.attrs = name, left_id, right_id, dict(attrs or {})
        self.previous = None

    def do(self) -> bool:
        left, right = _link_names(self.session, self.name, self.left_id, self.right_id)
        self.previous = self.svc.link(self.name, self.left_id, self.right_id, **self.attrs)
        if self.previous is None:
            self.setText(_t("Koppla {0} till {1}").format(left, right))
            return True
        self.setText(_t("Ändra kopplingen {0}–{1}").format(left, right))
        after = self.svc.links(self.name, left_id=self.left_id, right_id=self.right_id)
        return not after or dict(after[0].attrs) != dict(self.previous.attrs)

    def _redo(self) -> None:
        self.svc.link(self.name, self.left_id, self.right_id, **self.attrs)

    def _undo(self) -> None:
        if self.previous is None:
            self.svc.unlink(self.name, self.left_id, self.right_id)
        else:
            self.svc.link(self.name, self.left_id, self.right_id, **dict(self.previous.attrs))


class UnlinkCommand(ServiceCommand):
    notify_kind = "links"

    def __init__(self, session: DocumentSession, name: str, left_id: int, right_id: int):
        super().__init__(session)
        self.name, self.left_id, self.right_id = name, left_id, right_id
        self.removed = None
        left, right = _link_names(session, name, left_id, right_id)
        self.setText(_t("Ta bort kopplingen {0}–{1}").format(left, right))

    def do(self) -> bool:
        self.removed = self.svc.unlink(self.name, self.left_id, self.right_id)
        return self.removed is not None

    def _redo(self) -> None:
        self.svc.unlink(self.name, self.left_id, self.right_id)

    def _undo(self) -> None:
        self.svc.link(self.name, self.left_id, self.right_id, **dict(self.removed.attrs))


class RatingCommand(ServiceCommand):
    """A risk's consequence in one dimension, or a function's impact at one time horizon."""

    notify_kind = "ratings"

    def __init__(self, session: DocumentSession, which: str, owner_id: int, key_id: int, level: int | None,
                 key_label: str = ""):
        super().__init__(session)
        assert which in ("consequence", "impact")
        self.which, self.owner_id, self.key_id, self.level = which, owner_id, key_id, level
        self.old = None
        owner_kind = "risk" if which == "consequence" else "function"
        name = session.short_name(owner_kind, owner_id)
        if which == "consequence":
            self.setText(_t("Ändra konsekvens för {0} ({1})").format(name, key_label.lower()))
        else:
            self.setText(_t("Ändra konsekvens över tid för {0} ({1})").format(name, key_label))

    def _set(self, level):
        if self.which == "consequence":
            return self.svc.set_consequence(self.owner_id, self.key_id, level)
        return self.svc.set_impact(self.owner_id, self.key_id, level)

    def do(self) -> bool:
        self.old = self._set(self.level)
        return self.old != self.level

    def _redo(self) -> None:
        self._set(self.level)

    def _undo(self) -> None:
        self._set(self.old)


class CreateAnalysisCommand(ServiceCommand):
    """A new analysis year, optionally started from a template (services/templates.py), in one transaction.

    It is the first command on the new year's undo stack. Undo deletes the analysis (everything in it goes
    into the tombstone) and shows the previous year; redo restores the very same rows and shows it again.
    """

    def __init__(self, session: DocumentSession, year: int, template_code: str | None = None,
                 selected: list[int] | None = None, template_label: str = ""):
        super().__init__(session)
        self.year, self.template_code, self.selected = year, template_code, selected
        self.template_label = template_label
        self.previous = session.analysis_id
        self.analysis_id: int | None = None
        self.stack_analysis_id: int | None = None
        self.applied = None
        self.tomb: Tombstone | None = None

    def do(self) -> bool:
        from rsa_desktop.services.templates import apply_template
        with self.svc.batch():
            rec = self.svc.create_analysis(self.year)
            if self.template_code:
                self.applied = apply_template(self.svc, rec.id, self.template_code, self.selected)
        self.analysis_id = self.stack_analysis_id = rec.id
        if self.template_code:
            self.setText(_t("Skapa analysen för {0} från mallen {1}").format(self.year, self.template_label.lower()))
        else:
            self.setText(_t("Skapa analysen för {0}").format(self.year))
        return True

    def _fallback_analysis(self) -> int | None:
        ids = [a.id for a in self.svc.analyses()]
        if self.previous in ids:
            return self.previous
        return ids[-1] if ids else None

    def _undo(self) -> None:
        self.tomb = self.svc.delete("analysis", self.analysis_id)
        self.session.mark_dead(self.analysis_id)
        self.session.set_analysis(self._fallback_analysis(), keep_stack=True)

    def _redo(self) -> None:
        if self.tomb is not None:
            self.svc.restore(self.tomb)
        self.session.mark_dead(self.analysis_id, False)
        self.session.set_analysis(self.analysis_id)


class ConfirmScalesCommand(ServiceCommand):
    """The user has reviewed the scales (RSA-kontroll's "scales_unconfirmed" goes away)."""

    notify_kind = "analysis"

    def __init__(self, session: DocumentSession, analysis_id: int):
        super().__init__(session, _t("Bekräfta skalorna"))
        self.analysis_id = analysis_id
        self.change = None

    def do(self) -> bool:
        self.change = self.svc.confirm_scales(self.analysis_id)
        return self.change.old["scales_confirmed"] != self.change.new["scales_confirmed"]

    def _redo(self) -> None:
        self.svc.confirm_scales(self.analysis_id)

    def _undo(self) -> None:
        self.svc.confirm_scales(self.analysis_id, self.change.old["scales_confirmed"])


class ReplaceAnalysisCommand(ServiceCommand):
    """An operation that rewrites much of one analysis (a scale change): undo puts the whole analysis back.

    `operation()` runs once; the analysis is captured before and after (delete_preview), and undo/redo
    delete the analysis and restore the captured state with the same ids, links and ratings.
    """

    notify_kind = ""

    def __init__(self, session: DocumentSession, analysis_id: int, text: str, operation):
        super().__init__(session, text)
        self.analysis_id = analysis_id
        self.operation = operation
        self.before: Tombstone | None = None
        self.after: Tombstone | None = None

    def do(self) -> bool:
        self.before = self.svc.delete_preview("analysis", self.analysis_id)
        self.operation()
        self.after = self.svc.delete_preview("analysis", self.analysis_id)
        return self.before.rows != self.after.rows

    def _redo(self) -> None:
        # One transaction (the analysis is never missing on disk), logged as the change in words.
        self.svc.replace_analysis(self.after, action="gjord om")

    def _undo(self) -> None:
        self.svc.replace_analysis(self.before, action="ångrad")


# -- the yearly cycle and the Excel import (ui/views/yearly.py, ui/dialogs/import_dialog.py) ----------------------------

class _NewAnalysisCommand(ServiceCommand):
    """Base for commands that bring a whole new analysis year: the first command on its undo stack.

    The work may already have been done in a worker (`performed`: the new analysis); `do()` then only
    records it. Undo deletes the analysis (keeping its Tombstone) and shows the previous year; redo
    restores the very same rows.
    """

    def __init__(self, session: DocumentSession, performed=None):
        super().__init__(session)
        self.previous = session.analysis_id
        self.performed = performed
        self.analysis_id: int | None = None
        self.stack_analysis_id: int | None = None
        self.tomb: Tombstone | None = None

    def perform(self):
        raise NotImplementedError

    def describe(self, rec) -> str:
        raise NotImplementedError

    def do(self) -> bool:
        rec = self.performed if self.performed is not None else self.perform()
        self.performed = None
        self.analysis_id = self.stack_analysis_id = rec.id
        self.setText(self.describe(rec))
        return True

    def _fallback_analysis(self) -> int | None:
        ids = [a.id for a in self.svc.analyses()]
        if self.previous in ids:
            return self.previous
        return ids[-1] if ids else None

    def _after_undo(self) -> None:
        """Further changes in the same transaction as the delete (e.g. unarchive the source year)."""

    def _after_redo(self) -> None:
        pass

    def _undo(self) -> None:
        with self.svc.batch():
            self.tomb = self.svc.delete("analysis", self.analysis_id)
            self._after_undo()
        self.session.mark_dead(self.analysis_id)
        self.session.set_analysis(self._fallback_analysis(), keep_stack=True)

    def _redo(self) -> None:
        with self.svc.batch():
            if self.tomb is not None:
                self.svc.restore(self.tomb)
            self._after_redo()
        self.session.mark_dead(self.analysis_id, False)
        self.session.set_analysis(self.analysis_id)


class CarryForwardCommand(_NewAnalysisCommand):
    """Ny årsanalys från föregående år (services/carry.py): the new year and the source year's archiving.

    Undo deletes the new analysis and gives the source year back its earlier archived state; redo
    restores the analysis and archives the source year again.
    """

    def __init__(self, session: DocumentSession, source_id: int, year: int, performed=None,
                 source_was_archived: bool | None = None):
        super().__init__(session, performed)
        self.source_id, self.year = source_id, year
        src = session.svc.analysis(source_id)
        self.source_year = src.year
        self.source_was_archived = bool(src.archived) if source_was_archived is None else source_was_archived

    def perform(self):
        from rsa_desktop.services.carry import carry_forward

        return carry_forward(self.svc, self.source_id, self.year)

    def describe(self, rec) -> str:
        return _t("Skapa analysen för {0} från {1}").format(rec.year, self.source_year)

    def _after_undo(self) -> None:
        self.svc.set_archived(self.source_id, self.source_was_archived)

    def _after_redo(self) -> None:
        self.svc.set_archived(self.source_id, True)


class ImportAsNewCommand(_NewAnalysisCommand):
    """Läs in som nytt år (services/xlsx_import.import_as_new); undo deletes the new analysis.

    The organisation, if the import set it (the file had none), stays: it is the file's starting point.
    """

    def __init__(self, session: DocumentSession, performed, source_name: str = ""):
        super().__init__(session, performed)
        self.source_name = source_name

    def describe(self, rec) -> str:
        return _t("Läs in {0} som analysen för {1}").format(self.source_name, rec.year)


class SetArchivedCommand(ServiceCommand):
    """Arkivera / avarkivera an analysis year (RsaService.set_archived, services/content/analyses.py)."""

    notify_kind = "analysis"

    def __init__(self, session: DocumentSession, analysis_id: int, archived: bool):
        super().__init__(session)
        self.analysis_id, self.archived = analysis_id, archived
        self.stack_analysis_id = analysis_id
        self.change = None
        year = session.svc.analysis(analysis_id).year
        self.setText(_t("Arkivera analysen för {0}").format(year) if archived
                     else _t("Avarkivera analysen för {0}").format(year))

    def do(self) -> bool:
        self.change = self.svc.set_archived(self.analysis_id, self.archived)
        return self.change.old["archived"] != self.change.new["archived"]

    def _redo(self) -> None:
        self.svc.set_archived(self.analysis_id, self.archived)

    def _undo(self) -> None:
        self.svc.set_archived(self.analysis_id, self.change.old["archived"])


class ReviewMarkCommand(ServiceCommand):
    """Markera som granskad (pending=False) or att granska again (pending=True)."""

    notify_kind = "review"

    def __init__(self, session: DocumentSession, analysis_id: int, kind: str, item_id: int, pending: bool = False):
        super().__init__(session)
        self.analysis_id, self.kind, self.item_id, self.pending = analysis_id, kind, item_id, pending
        self.stack_analysis_id = analysis_id
        self.before: bool | None = None
        name = session.short_name(kind, item_id)
        self.setText(_t("Markera {0} som granskad").format(name) if not pending
                     else _t("Markera {0} att granska").format(name))

    def do(self) -> bool:
        self.before = self.svc.set_review_mark(self.analysis_id, self.kind, self.item_id, self.pending)
        return self.before != self.pending

    def _redo(self) -> None:
        self.svc.set_review_mark(self.analysis_id, self.kind, self.item_id, self.pending)

    def _undo(self) -> None:
        self.svc.set_review_mark(self.analysis_id, self.kind, self.item_id, bool(self.before))


class ImportCommand(ServiceCommand):
    """An Excel import into the analysis (services/xlsx_import.apply_import), as one step.

    `performed` is the ImportResult when the import ran in a worker. Undo puts the analysis back with
    `undo_import(svc, tombstone)` after keeping the imported state; redo puts that state back the same way.
    """

    def __init__(self, session: DocumentSession, analysis_id: int, plan=None, only_valid: bool = False,
                 performed=None, source_name: str = ""):
        super().__init__(session)
        self.analysis_id, self.plan, self.only_valid = analysis_id, plan, only_valid
        self.stack_analysis_id = analysis_id
        self.result = performed
        self.before: Tombstone | None = None
        self.after: Tombstone | None = None
        self.setText(_t("Läs in {0}").format(source_name) if source_name else _t("Läs in från Excel"))

    def do(self) -> bool:
        if self.result is None:
            from rsa_desktop.services.xlsx_import import apply_import

            self.result = apply_import(self.svc, self.analysis_id, self.plan, self.only_valid)
        self.before = self.result.tombstone
        return True

    def _undo(self) -> None:
        from rsa_desktop.services.xlsx_import import undo_import

        self.after = self.svc.delete_preview("analysis", self.analysis_id)
        undo_import(self.svc, self.before)

    def _redo(self) -> None:
        from rsa_desktop.services.xlsx_import import undo_import

        undo_import(self.svc, self.after)
