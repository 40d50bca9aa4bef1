"""ui/commands/ops.py: the one place that runs a view's operation, reports the user's errors and records undo."""

from __future__ import annotations

import pytest

from rsa_desktop.services.errors import FieldError, ValidationError
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.app.session import DocumentSession
from rsa_desktop.ui.commands import ops, undo


@pytest.fixture
def session(sample, qapp):
    path, ids = sample
    s = DocumentSession()
    s.set_document(Document.open(path))
    s.set_analysis(ids["analysis"])
    yield s, ids
    s.close()


def test_success_returns_the_value(messages):
    res = ops.run_op(None, lambda a, b: a + b, 2, 3)
    assert res.ok and res.value == 5 and res.error is None
    assert messages == []


def test_a_bug_is_raised_unchanged(messages):
    def broken():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        ops.run_op(None, broken)
    with pytest.raises(ValueError):  # a plain ValueError is a bug, not a user's message
        ops.run_op(None, lambda: int("x"))
    assert messages == []


def test_a_command_is_recorded_on_the_undo_stack(session, messages):
    s, ids = session
    stack = s.undo_stack
    before = stack.count()
    res = ops.run_command(None, s, undo.UpdateCommand(s, "risk", ids["R1"], {"likelihood": 5}))
    assert res.ok and res.value is True
    assert stack.count() == before + 1
    assert s.svc.get("risk", ids["R1"]).likelihood == 5
    stack.undo()
    assert s.svc.get("risk", ids["R1"]).likelihood == 3
    # An operation that changes nothing is not an undo step.
    res = ops.run_command(None, s, undo.UpdateCommand(s, "risk", ids["R1"], {"likelihood": 3}))
    assert res.ok and res.value is False
    assert messages == []


def test_known_error_shows_the_swedish_text_and_changes_nothing(session, messages):
    s, ids = session
    s.svc.set_archived(ids["analysis"], True)
    stack = s.undo_stack
    before = stack.count()
    res = ops.run_command(None, s, undo.UpdateCommand(s, "risk", ids["R1"], {"likelihood": 5}))
    assert not res.ok and res.value is None
    assert [(kind, title) for kind, title, _ in messages] == [("warning", "Analysen är arkiverad")]
    assert "arkiverad" in messages[0][2] and "Avarkivera den först" in messages[0][2]
    assert s.svc.get("risk", ids["R1"]).likelihood == 3
    assert stack.count() == before


def test_known_error_title_can_be_given(session, messages):
    s, ids = session
    s.svc.set_archived(ids["analysis"], True)
    ops.run_op(None, s.svc.update, "risk", ids["R1"], title="Sekretessgranskning")
    assert messages and messages[0][1] == "Sekretessgranskning"


def test_validation_error_goes_to_the_form(session, messages):
    s, ids = session
    seen = []
    res = ops.run_command(None, s, undo.UpdateCommand(s, "risk", ids["R1"], {"likelihood": 99}),
                          on_error=seen.append)
    assert not res.ok and isinstance(res.error, ValidationError)
    assert seen == [res.error] and messages == []
    assert s.svc.get("risk", ids["R1"]).likelihood == 3


def test_validation_error_without_a_form_is_a_message_box(messages):
    def bad():
        raise ValidationError([FieldError("title", "Titel", "måste fyllas i")])

    res = ops.run_op(None, bad, title="Sammanfattning")
    assert not res.ok
    assert messages == [("warning", "Sammanfattning", "Titel: måste fyllas i")]


def test_expected_errors_are_the_callers_own(messages):
    class ExportProblem(Exception):
        pass

    def fail():
        raise ExportProblem("Filen kunde inte skrivas.")

    res = ops.run_op(None, fail, title="Exporten misslyckades", expected=(ExportProblem,))
    assert not res.ok and messages == [("warning", "Exporten misslyckades", "Filen kunde inte skrivas.")]
    with pytest.raises(ExportProblem):  # not expected by this caller: a bug
        ops.run_op(None, fail)


def test_worker_failure_bug_goes_to_the_crash_handler(monkeypatch, messages):
    crashed = []
    monkeypatch.setattr("rsa_desktop.ui.app.errors.excepthook", lambda *a: crashed.append(a[1]))
    bug = RuntimeError("bug")
    ops.report_worker_failure(None, bug, title="Exporten misslyckades")
    assert crashed == [bug] and messages == []
    ops.report_worker_failure(None, OSError("Disken är full."), title="Exporten misslyckades", expected=(OSError,))
    assert crashed == [bug] and messages == [("warning", "Exporten misslyckades", "Disken är full.")]


def test_undo_that_meets_a_known_error_is_reported(session, messages):
    s, ids = session
    ops.run_command(None, s, undo.UpdateCommand(s, "risk", ids["R1"], {"likelihood": 5}))
    s.svc.set_archived(ids["analysis"], True)
    s.undo_stack.undo()
    assert [title for _, title, _ in messages] == ["Analysen är arkiverad"]
    assert s.svc.get("risk", ids["R1"]).likelihood == 5


def test_commands_execute_is_the_same_recording():
    assert undo.execute is ops.execute
