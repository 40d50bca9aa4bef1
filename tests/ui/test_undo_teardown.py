"""Undo stacks give up their commands at once when they are dropped (a file closed, a year's creation undone):
left to the stack's deferred deletion, or to a garbage-collected session, Qt deleted commands whose Python halves
were already gone – a segfault in ~QUndoStack that the suite hit about once a run under gdb."""

from __future__ import annotations

import shiboken6

from rsa_desktop.storage.database import Document
from rsa_desktop.ui.app.session import DocumentSession
from rsa_desktop.ui.commands import ops, undo


def test_closing_the_file_deletes_every_undo_command_at_once(sample, qapp):
    path, ids = sample
    s = DocumentSession()
    s.set_document(Document.open(path))
    s.set_analysis(ids["analysis"])
    commands = [undo.UpdateCommand(s, "risk", ids["R1"], {"likelihood": level}) for level in (1, 2, 4)]
    for c in commands:
        assert ops.execute(s, c)
    s.undo_stack.undo()  # one undone command above the index too
    stacks = s.stacks()
    assert stacks and all(shiboken6.isValid(c) for c in commands)
    s.close()
    assert not any(shiboken6.isValid(c) for c in commands)  # deleted now, while everything is whole
    assert all(not shiboken6.isValid(st) or st.count() == 0 for st in stacks)
