"""Run a user's operation from a view: report what the user can act on, let bugs through, record undo.

This is the UI's one copy of "known error → message box, else raise" (in the spirit of Anki's
`CollectionOp`). Every view calls it instead of writing its own `try/except`:

- `run_op(parent, fn, *args)` runs `fn(*args)` and returns an `OpResult` (`.ok`, `.value`, `.error`).
- `run_command(parent, session, command)` does the same for a `ui.commands.undo` command and records it on the
  undo stack (`execute`).
- `report_worker_failure(parent, exc)` is the same decision for an exception that a background worker
  (`ui.commands.workers`) delivers to its `on_error` callback (`report_failure` is the decision itself).

What goes where:

- a known problem (`errors.is_known`: the file is locked/damaged/read-only, the analysis is fastställd or
  arkiverad, the item is gone) → a message box with its Swedish sentence (`errors.show_known_error`; `title`
  overrides the box's title). The service's transaction rolled back, so nothing changed and nothing is
  pushed on the undo stack;
- a `ValidationError`, and the caller's own user-facing errors named in `expected` (e.g. `ExportError`,
  `ScaleFileError`) → `on_error(exc)` when given, so a form shows it beside its fields; without `on_error`,
  a message box with `str(exc)` (every such error's text is a complete Swedish sentence);
- anything else is a bug: `run_op` re-raises it unchanged (Qt hands it to `sys.excepthook`, the crash
  dialog and log), `report_worker_failure` gives it to `errors.excepthook` (there is no caller to raise to).

Why the undo recording lives here and not in `undo.py`: running a command and reporting its failure
are one step – "do it once; if it failed, say so and push nothing; if it changed something, push it". With
the push here, a view cannot record a command whose first run failed, and `undo.py` is left with
what each command does and undoes. `undo.execute` stays as a name for the same function (callers not
converted yet import it from there); `undo.ServiceCommand`'s undo/redo report through `run_op` too,
so this module imports nothing from `undo` (no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from rsa_desktop.services.errors import ValidationError
from rsa_desktop.ui.app import errors

T = TypeVar("T")
ErrorTypes = tuple[type[BaseException], ...]


def _t(text: str) -> str:
    return QCoreApplication.translate("ops", text)


@dataclass(frozen=True)
class OpResult(Generic[T]):
    """What an operation gave: its return value, or the error that was reported (then `value` is None)."""

    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def error_text(exc: BaseException) -> str:
    """One line for a form's error label: each wrong field as "Etikett: meddelande", or the error's sentence."""
    if isinstance(exc, ValidationError) and exc.errors:
        return "; ".join(str(e) for e in exc.errors)
    return str(exc)


def report_failure(parent: QWidget | None, exc: BaseException, *, title: str | None = None,
                   on_error: Callable[[BaseException], Any] | None = None,
                   expected: ErrorTypes = ()) -> bool:
    """Show `exc` to the user if it is meant for them; return False if it is a bug (then nothing is shown)."""
    if errors.is_known(exc):
        errors.show_known_error(parent, exc, title)
        return True
    if isinstance(exc, ValidationError) or (expected and isinstance(exc, expected)):
        if on_error is not None:
            on_error(exc)
        else:
            QMessageBox.warning(parent, title or _t("Åtgärden kunde inte utföras"), str(exc))
        return True
    return False


def report_worker_failure(parent: QWidget | None, exc: BaseException, *, title: str | None = None,
                          on_error: Callable[[BaseException], Any] | None = None,
                          expected: ErrorTypes = ()) -> None:
    """For a background worker's `on_error`: a user's error is shown, a bug goes to the crash handler."""
    if not report_failure(parent, exc, title=title, on_error=on_error, expected=expected):
        errors.excepthook(type(exc), exc, exc.__traceback__)  # logged, crash dialog with details


def run_op(parent: QWidget | None, fn: Callable[..., T], *args: Any, title: str | None = None,
           on_error: Callable[[BaseException], Any] | None = None, expected: ErrorTypes = ()) -> OpResult[T]:
    """Run `fn(*args)`; a user's error is reported and returned in the result, a bug is raised unchanged."""
    try:
        return OpResult(fn(*args))
    except Exception as exc:  # noqa: BLE001 - the user's errors are reported, bugs re-raised below
        if not report_failure(parent, exc, title=title, on_error=on_error, expected=expected):
            raise
        return OpResult(None, exc)


def execute(session, command) -> bool:
    """Run `command` once and put it on its analysis' undo stack; return whether anything changed.

    Exceptions propagate and nothing is pushed (a failed service call rolled back its transaction). An
    operation that changed nothing is not pushed either (an undo step that does nothing would confuse)."""
    changed = command.do()
    session.notify(command.notify_kind)
    if changed is False:
        return False
    command._done_once = False  # the stack calls redo() on push; the command skips that first one
    session.push(command, getattr(command, "stack_analysis_id", None))
    return True


def run_command(parent: QWidget | None, session, command, *, title: str | None = None,
                on_error: Callable[[BaseException], Any] | None = None,
                expected: ErrorTypes = ()) -> OpResult[bool]:
    """`run_op` for an undoable command: `.value` is True when it changed something and was recorded."""
    return run_op(parent, execute, session, command, title=title, on_error=on_error, expected=expected)


__all__ = ["OpResult", "run_op", "run_command", "execute", "report_failure", "report_worker_failure",
           "error_text"]
