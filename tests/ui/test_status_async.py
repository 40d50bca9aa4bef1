"""RSA-kontroll and the step statuses are computed off the GUI thread after an edit: what is shown is
never older than the last edit, lazily built pages are still reachable, undo still works."""

from __future__ import annotations

from rsa_desktop.services.gaps import analyse_gaps
from rsa_desktop.services.review import review
from rsa_desktop.ui.commands import undo


def _settled(window, qtbot):
    qtbot.waitUntil(lambda: not window.status_pending(), timeout=30_000)


def _rename(window, item_id, name):
    s = window.session
    undo.execute(s, undo.UpdateCommand(s, "function", item_id, {"name": name}))


def test_the_result_of_an_edit_followed_by_another_is_never_shown(window, sample, qtbot, monkeypatch):
    path, ids = sample
    assert window.open_path(path)
    _settled(window, qtbot)
    window.go_to("samhallsviktig")
    shown, delivered = [], []
    apply, done = window._apply_status, window._status_done
    monkeypatch.setattr(window, "_apply_status", lambda result: (shown.append(result), apply(result)))
    monkeypatch.setattr(window, "_status_done", lambda gen, result: (delivered.append(gen), done(gen, result)))

    _rename(window, ids["V1"], "Forsta namnet")
    assert window.status_pending()
    # The first edit's recomputation has read the file and is running (or done, its result not yet delivered)…
    qtbot.waitUntil(lambda: window._status_job.running, timeout=30_000)
    _rename(window, ids["V1"], "Andra namnet")  # … when the second edit comes.
    assert window.status_pending()
    assert window.checking_label.isVisible()
    assert "kontrollerar" in window.page("samhallsviktig").findings_panel.header.text()
    _settled(window, qtbot)

    assert len(delivered) >= 2  # the first result did come back, and was dropped
    assert shown, "the statuses were never refreshed"
    for result in shown:
        texts = " ".join(f.message for f in result.findings)
        assert "Forsta namnet" not in texts
    s = window.session
    assert window.findings == review(s.svc, s.analysis_id)
    assert any("Andra namnet" in f.message for f in window.findings)
    panel = window.page("samhallsviktig").findings_panel
    assert "kontrollerar" not in panel.header.text() and not window.checking_label.isVisible()
    assert any("Andra namnet" in f.message for f in panel.findings)


def test_a_burst_of_edits_is_checked_once_and_matches_the_synchronous_result(window, sample, qtbot, monkeypatch):
    path, ids = sample
    assert window.open_path(path)
    _settled(window, qtbot)
    shown = []
    apply = window._apply_status
    monkeypatch.setattr(window, "_apply_status", lambda result: (shown.append(result), apply(result)))
    for i in range(5):
        _rename(window, ids["V2"], f"Utbetalningar {i}")
    _settled(window, qtbot)
    assert len(shown) == 1
    s = window.session
    assert window.findings == review(s.svc, s.analysis_id)
    assert shown[0].gaps == analyse_gaps(s.svc, s.analysis_id)
    # The Översikt's gap line uses the gaps computed with the statuses.
    assert window.session.cached("gap_findings", lambda: None) == shown[0].gaps


def test_undo_after_an_asynchronous_refresh_shows_the_undone_state(window, sample, qtbot):
    path, ids = sample
    assert window.open_path(path)
    _settled(window, qtbot)
    s = window.session
    before = list(window.findings)
    undo.execute(s, undo.UpdateCommand(s, "function", ids["V1"], {"critical_motivation": "Liv och hälsa"}))
    _settled(window, qtbot)
    assert not any(f.rule == "function_no_motivation" and f.item_id == ids["V1"] for f in window.findings)
    s.undo_stack.undo()
    assert window.status_pending()
    _settled(window, qtbot)
    assert window.findings == before == review(s.svc, s.analysis_id)
    s.undo_stack.redo()
    _settled(window, qtbot)
    assert window.findings == review(s.svc, s.analysis_id)


def test_pages_are_built_on_first_use_and_reachable_from_go_to_and_findings(window, sample, qtbot):
    path, ids = sample
    window.warm_pages = False  # no building in idle time: every page here is built by being asked for
    assert window.open_path(path)
    _settled(window, qtbot)
    assert window.pages.is_built("oversikt")
    assert not window.pages.is_built("atgarder") and not window.pages.is_built("kontinuitet")

    # "Gå till" on a finding of a page that was never shown: the page is built, the item selected.
    f = next(f for f in window.findings if f.step == "kontinuitet" and f.kind == "continuity_plan")
    window.go_to_finding(f)
    assert window.current_key() == "kontinuitet"
    page = window.page("kontinuitet")
    assert window.page_stack.currentWidget() is page
    assert page.section("continuity_plan").current_id() == ids["K1"]
    # It got the findings and read-only state the other pages got before it existed.
    assert page.findings_panel.findings == window.statuses["kontinuitet"].findings

    window.go_to("beroenden/kontinuitetsgap")
    assert window.current_key() == "beroenden" and window.page_stack.currentWidget() is window.page("beroenden")
    assert window.page("beroenden").tabs.currentWidget().objectName() == "kontinuitetsgap"
    assert window.open_item("action", ids["A1"])
    assert window.page("atgarder").section("action").current_id() == ids["A1"]
    # Every page is still there for whoever asks.
    assert len(window.pages.values()) == len(window.pages) == window.page_stack.count()
    assert all(window.page_stack.indexOf(p) == i for i, p in enumerate(window.pages.values()))


def test_pages_are_warmed_one_by_one_in_idle_time(window, sample, qtbot):
    path, _ids = sample
    assert window.open_path(path)
    _settled(window, qtbot)
    qtbot.waitUntil(lambda: all(window.pages.is_built(k) for k in window.pages), timeout=30_000)
    assert window.current_key() == "oversikt"  # warming does not move the user
    assert all(window.page_stack.indexOf(p) == i for i, p in enumerate(window.pages.values()))


def test_an_edit_that_changes_no_finding_leaves_no_checking_mark(window, sample, qtbot):
    path, ids = sample
    assert window.open_path(path)
    window.go_to("samhallsviktig")
    _settled(window, qtbot)
    panel = window.page("samhallsviktig").findings_panel
    header = panel.header.text()
    s = window.session
    undo.execute(s, undo.UpdateCommand(s, "function", ids["V1"], {"description": "Bara en beskrivning"}))
    assert "kontrollerar" in panel.header.text()
    _settled(window, qtbot)
    assert panel.header.text() == header and "kontrollerar" not in header
