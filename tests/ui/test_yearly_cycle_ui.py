"""The yearly cycle says what it means (issue 22), in the window: year states in the year lists, a refused
status change shows the stored status again, a step with items att granska is not done, Uppföljning lists
an action once, a scale change shows (and lets the user fix) every risk whose colour band changes, the
Ändringslogg words scale changes and filters by type and date, and removing the protection asks first."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

from PySide6.QtCore import QDate, Qt

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage import backups, crypto
from rsa_desktop.storage.database import Document
from rsa_desktop.ui.commands import undo
from rsa_desktop.ui.dialogs import common
from rsa_desktop.ui.dialogs.scale_editor import MappingDialog, ScaleEditorDialog
from rsa_desktop.ui.views import audit_view


def _carry(window, qtbot, year=2027):
    created = []
    assert window.carry_forward(year=year, ask=False, on_done=created.append)
    qtbot.waitUntil(lambda: bool(created), timeout=30_000)
    return created[0]


def _combo_texts(combo):
    return [combo.itemText(i) for i in range(combo.count())]


def test_year_lists_show_the_real_state(window, qtbot, sample):
    from rsa_desktop.ui.views.yearly import CarryForwardDialog

    path, ids = sample
    assert window.open_path(path)
    assert _combo_texts(window.year_combo) == ["2026 (utkast)"]
    _carry(window, qtbot)
    assert _combo_texts(window.year_combo) == ["2026 (arkiverad)", "2027 (utkast)"]
    dlg = CarryForwardDialog(window, window.session.svc.analyses())
    qtbot.addWidget(dlg)
    assert _combo_texts(dlg.source) == ["2026 (arkiverad)", "2027 (utkast)"]
    # A fastställd year says so, and a fastställd year that is archived says both.
    s = window.session
    s.svc.set_archived(ids["analysis"], False)
    s.svc.adopt_analysis(ids["analysis"], dt.date(2026, 11, 1), "KS 2026:12")
    s.notify("analysis")
    assert window.year_combo.itemText(0) == "2026 (fastställd)"
    s.svc.set_archived(ids["analysis"], True)
    s.notify("analysis")
    assert window.year_combo.itemText(0) == "2026 (fastställd, arkiverad)"


def test_a_refused_status_change_shows_the_stored_status_again(window, qtbot, sample):
    path, ids = sample
    assert window.open_path(path)
    window.go_to("uppdrag")
    form = window.page("uppdrag").analysis_group.form
    combo = form.editors["status"].widget
    assert combo.currentText() == "Utkast"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # to "Fastställd", as a keyboard user chooses it
    s = window.session
    assert s.analysis().status == "utkast" and not s.read_only()  # refused: no decision date
    assert combo.currentText() == "Utkast"  # the combo says what is true
    assert form.error_labels["adopted_date"].isVisibleTo(form)
    assert "datum för beslutet" in form.error_labels["adopted_date"].text()
    status_error = form.error_labels["status"]
    assert status_error.isVisibleTo(form) and status_error.text().startswith("Inte ändrad:")
    # With the date, the same choice is accepted.
    form.editors["adopted_date"].edit.setText("2026-11-01")  # the date field takes a typed ISO date
    form.editors["adopted_date"].edit.editingFinished.emit()
    assert s.analysis().status == "utkast"
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert s.analysis().status == "faststalld" and s.read_only()


def test_steps_with_items_att_granska_are_not_done(window, qtbot, sample):
    path, ids = sample
    assert window.open_path(path)
    window.refresh_status()
    assert window.statuses["sarbarheter"].state == "klar"  # 2026: nothing missing in step 6
    _carry(window, qtbot)
    window.refresh_status()
    st = window.statuses["sarbarheter"]
    assert st.state == "paborjad"
    assert any("är ännu inte granskad" in m for m in st.missing)
    ov = window.page("oversikt")
    assert ov.step_state["sarbarheter"].text() == "Påbörjad"
    row = next(i for i in range(window.navigator.count())
               if window.navigator.item(i).data(Qt.ItemDataRole.UserRole) == "sarbarheter")
    assert window.navigator.item(row).toolTip().startswith("Påbörjat")
    # Reviewing both items (with the bar's button) makes the step done again.
    window.go_to("sarbarheter")
    page = window.page("sarbarheter")
    for kind in ("vulnerability", "capability"):
        sec = page.section(kind)
        if page.tabs is not None:
            page.tabs.setCurrentWidget(sec)
        assert sec.current() is not None
        assert sec.review_bar.isVisibleTo(sec)
        qtbot.mouseClick(sec.review_bar.button, Qt.MouseButton.LeftButton)
    window.refresh_status()
    assert window.statuses["sarbarheter"].state == "klar"
    assert ov.step_state["sarbarheter"].text() == "Klar"


def test_followup_lists_an_overdue_action_once_and_says_moves_in_words(window, qtbot, sample):
    path, ids = sample
    assert window.open_path(path)
    s = window.session
    new = _carry(window, qtbot)
    a1 = s.svc.find_by_hid("action", new, "Å1")
    undo.execute(s, undo.UpdateCommand(s, "action", a1.id, {"deadline": dt.date.today() - dt.timedelta(1)}))
    r1 = s.svc.find_by_hid("risk", new, "R1")
    undo.execute(s, undo.UpdateCommand(s, "risk", r1.id, {"likelihood": 1}))
    dlg = window.show_followup()
    rows = dlg.view.items()
    groups = [g for g, text, _d in rows if text.startswith("Å1 ")]
    assert groups == ["Försenade åtgärder (1)"]
    assert next(d for g, t, d in rows if t.startswith("Å1 ")).endswith("överförd från 2026")
    assert ("Risker som har flyttats i riskmatrisen (1)", "R1 Långvarigt elavbrott",
            "sannolikhet 3 → 1, konsekvens 4 (lägre; Hög risk → Låg risk)") in rows
    assert "1 försenade, 0 överförda och öppna i tid" in dlg.view.summary.text()
    dlg.close()


def _scale_dialog(window, qtbot, path):
    window.open_path(path)
    dlg = ScaleEditorDialog(window.session, window)
    qtbot.addWidget(dlg)
    return dlg


def test_a_scale_change_shows_every_risk_that_changes_class_and_the_bands_can_be_fixed(window, qtbot, sample,
                                                                                     monkeypatch, pytestconfig):
    from pytestqt.modeltest import ModelTester

    path, ids = sample
    s = window.session
    dlg = _scale_dialog(window, qtbot, path)
    svc, aid = s.svc, ids["analysis"]
    svc.confirm_scales(aid)
    s.notify("analysis")
    window.refresh_status()
    uppdrag_before = [f.rule for f in window.statuses["uppdrag"].findings]
    assert "scales_unconfirmed" not in uppdrag_before
    # Likelihood 5 goes (unused): no rating moves, but R1 (3 × 4 = 12, Hög) is untouched – while the band
    # Hög is moved up to 13 here, so R1 would silently become Måttlig.
    bands = dlg.editors["colour_bands"].model
    hog = next(i for i, b in enumerate(bands.rows) if b["label"] == "Hög risk")
    bands.setData(bands.index(hog, 0), "13")
    seen = {}

    def run(self, mapping: MappingDialog) -> bool:
        seen["dialog"] = mapping
        ModelTester(pytestconfig).check(mapping.classes, force_py=True)
        ok = mapping.buttons.button(mapping.buttons.StandardButton.Ok)
        assert ok.isEnabled()  # nothing to map: the class change is shown, not forced
        assert [r[0] for r in mapping.classes.rows] == ["R1 Långvarigt elavbrott"]
        assert mapping.classes.rows[0][1:4] == ("Hög risk", "Måttlig risk", "nya färggränser, poäng 12")
        assert mapping.class_title.text() == "1 risk byter färgklass"
        # The user puts the band back in the same step, in the dialog's band table …
        row = next(i for i, b in enumerate(mapping.bands.model.rows) if b["label"] == "Hög risk")
        assert mapping.set_band_score(row, 11)
        assert mapping.classes.rows == [] and mapping.class_title.text() == "Inga risker byter färgklass."
        # … an invalid band is refused with a message …
        assert mapping.set_band_score(row, 5)  # the same lowest score as Måttlig
        assert not ok.isEnabled() and "5" in mapping.status.text()
        # … and the suggestion keeps every class (real click).
        qtbot.mouseClick(mapping.keep_button, Qt.MouseButton.LeftButton)
        assert ok.isEnabled() and mapping.classes.rows == []
        return True

    monkeypatch.setattr(ScaleEditorDialog, "exec_mapping", run)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert "dialog" in seen
    stored = svc.scales(aid)
    assert stored.band(3, 4).label == "Hög risk"  # R1 kept its class
    # The scales stay confirmed (the user reviewed the change), so step 1 does not fall back for it – and says so.
    assert "fortfarande bekräftade" in dlg.saved.text() and dlg.saved.isVisibleTo(dlg)
    window.refresh_status()
    assert "scales_unconfirmed" not in [f.rule for f in window.statuses["uppdrag"].findings]


def test_unconfirmed_scales_say_why_step_1_is_not_done_after_a_change(window, qtbot, sample):
    path, ids = sample
    dlg = _scale_dialog(window, qtbot, path)
    model = dlg.editors["likelihood_levels"].model
    model.setData(model.index(2, 1), "Ganska trolig")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert "steg 1 (Uppdrag och avgränsning) visas som Påbörjad" in dlg.saved.text()


def test_audit_view_words_a_scale_change_and_its_undo_and_filters_by_type_and_date(window, qtbot, sample,
                                                                                  monkeypatch, qtmodeltester):
    path, ids = sample
    dlg = _scale_dialog(window, qtbot, path)
    s = window.session
    model = dlg.editors["consequence_levels"].model
    model.remove_row(4)  # level 5, unused in the sample
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    window.undo_action.trigger()
    log = audit_view.AuditDialog(s, window)
    qtbot.addWidget(log)
    qtmodeltester.check(log.model)
    rows = [audit_view.row_values(e) for e in log.model.entries]
    undone, changed = rows[0], rows[1]
    assert undone[4:6] == ["ångrad", "Skalor"] and undone[7] == "Konsekvensskalan: nivå 5 ”Katastrofala” tillagd"
    assert changed[4:6] == ["ändrad", "Skalor"] and changed[7] == "Konsekvensskalan: nivå 5 ”Katastrofala” borttagen"
    assert not [r for r in rows if r[2] == "Analys" and r[4] in ("borttagen", "återställd")]
    # Type filter: only the risks' changes.
    total = log.model.rowCount()
    types = _combo_texts(log.kind_combo)
    assert types[0] == "Alla typer" and "Risk" in types and "Analys" in types
    log.kind_combo.setCurrentIndex(types.index("Risk"))
    assert 0 < log.model.rowCount() < total and {e.kind for e in log.model.entries} == {"risk"}
    assert log.count_label.text().startswith(f"{log.model.rowCount()} av {total} ändringar")
    # Date filter: a range before today shows nothing; back to the whole range shows the risks again.
    yesterday = dt.date.today() - dt.timedelta(days=1)
    log.to_date.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    assert log.model.rowCount() == 0
    today = dt.date.today()
    log.to_date.setDate(QDate(today.year, today.month, today.day))
    assert log.model.rowCount() > 0
    # The text filter still works beside them.
    log.kind_combo.setCurrentIndex(0)
    log.filter_edit.setText("Katastrofala")
    log.reload()
    # The change, its undo, and the analysis' creation (which records the whole scales, level 5 included).
    assert log.model.rowCount() == 3


def test_removing_the_protection_asks_first_and_says_what_happens_to_backups(qtbot, monkeypatch, tmp_path):
    asked = []
    answer = {"yes": False}

    def confirm(_parent, title, text, informative=""):
        asked.append((title, text, informative))
        return answer["yes"]

    monkeypatch.setattr(common, "confirm", confirm)
    dlg = common.NewPassphraseDialog(None, protected=True)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.mouseClick(dlg.remove_button, Qt.MouseButton.LeftButton)
    assert asked and not dlg.remove and dlg.result() == 0 and dlg.isVisible()  # "Nej": nothing happens
    title, text, informative = asked[0]
    assert title == "Ta bort skyddet" and "okrypterad" in informative
    assert "Säkerhetskopior som tas från och med nu blir också okrypterade" in informative
    assert "Säkerhetskopior som redan finns förblir krypterade" in informative
    answer["yes"] = True
    qtbot.mouseClick(dlg.remove_button, Qt.MouseButton.LeftButton)
    assert dlg.remove and dlg.result() == 1

    # What the message says is what happens to the backups.
    path = tmp_path / "skyddad.rsa"
    Document.create(path, passphrase="gammal lösenfras").close()
    with Document.open(path, passphrase="gammal lösenfras") as doc:
        old = backups.make_backup(doc, "öppnad").path
    backups.change_protection(path, current="gammal lösenfras", new=None)
    assert not crypto.is_encrypted(path) and crypto.is_encrypted(old)
    with Document.open(old, readonly=True, passphrase="gammal lösenfras"):
        pass
    with Document.open(path) as doc:
        assert not crypto.is_encrypted(backups.make_backup(doc, "öppnad").path)


def test_new_file_beside_an_orphaned_journal(window, tmp_path):
    src = tmp_path / "gammal.rsa"
    conn = sqlite3.connect(src)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.commit()
    target = tmp_path / "ny.rsa"
    shutil.copy(str(src) + "-wal", str(target) + "-wal")
    conn.close()
    assert window.new_file(target)
    assert window.session.is_open and "ny.rsa-wal" in window.statusBar().currentMessage()
    window.close_document()
    with Document.open(target, readonly=True) as doc:
        assert doc.integrity_ok() and RsaService(doc).organisation() is None


def test_audit_view_shows_the_selected_scale_change_in_full(window, qtbot, sample):
    path, ids = sample
    dlg = _scale_dialog(window, qtbot, path)
    bands = dlg.editors["colour_bands"].model
    bands.setData(bands.index(1, 0), "6")  # Måttlig from 6: R1 (12) keeps Hög, nothing to review
    dlg.save()
    log = audit_view.AuditDialog(window.session, window)
    qtbot.addWidget(log)
    assert not log.detail.isVisibleTo(log)
    log.view.setCurrentIndex(log.model.index(0, 0))
    text = log.detail.text()
    assert log.detail.isVisibleTo(log) and "Skalor" in text and "Färggränsen Måttlig risk: från poäng 5 → 6" in text
