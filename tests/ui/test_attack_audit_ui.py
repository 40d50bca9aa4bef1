"""The Ändringslogg says plainly when its hash chain is broken (issue 16, item 7)."""

from __future__ import annotations

import os
import sqlite3


def test_audit_view_reports_a_broken_chain(window, sample):
    path, _ids = sample
    assert window.open_path(path)
    dlg = window.show_audit()
    assert not dlg.chain_warning.isVisible()
    dlg.close()
    window.close_document()

    conn = sqlite3.connect(path)
    conn.execute("UPDATE audit_event SET user = 'någon annan' WHERE id = 2")
    conn.commit()
    conn.close()

    assert window.open_path(path)
    dlg = window.show_audit()
    assert dlg.chain_warning.isVisible()
    assert "ändrats utanför programmet" in dlg.chain_warning.text() and "post 2" in dlg.chain_warning.text()
    assert dlg.model.rowCount() > 0  # the trail is still shown
    shots = os.environ.get("RSA_DESKTOP_SHOTS")
    if shots:
        dlg.grab().save(os.path.join(shots, "audit-broken-chain.png"))
    dlg.close()
