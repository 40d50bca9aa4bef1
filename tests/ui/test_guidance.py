"""Guidance for a förvaltning without a risk specialist: RSA-kontroll drives the UI, "Gå till", help texts,
the VoR link, drafted sammanfattning and scale confirmation."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtWidgets import QApplication, QPushButton

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.services.review import review, step_states
from rsa_desktop.ui.app import i18n
from rsa_desktop.ui.steps import drafting
from rsa_desktop.ui.steps.completeness import STEP_KEYS, snapshot, started
from rsa_desktop.ui.steps.guidance import CTX, GUIDANCE
from rsa_desktop.ui.steps.pages import StepPage


def _open(window, sample):
    path, ids = sample
    assert window.open_path(path)
    window.refresh_status()
    return ids


def test_navigator_overview_and_report_are_driven_by_review(window, sample):
    ids = _open(window, sample)
    s = window.session
    found = review(s.svc, s.analysis_id)
    assert window.findings == found
    states = step_states(found, started(snapshot(s.svc, s.analysis_id)))
    for key in STEP_KEYS:
        st = window.statuses[key]
        assert st.findings == [f for f in found if f.step == key]
        if key != "rapport":
            assert st.state == states[key]
            page = window.page(key)
            assert isinstance(page, StepPage)
            assert page.findings_panel.findings == st.findings
    # Navigator tooltips and the Översikt progress come from the same statuses.
    item = window.navigator.item(1 + STEP_KEYS.index("risker"))
    assert "varning" in item.toolTip()
    done = sum(window.statuses[k].complete for k in STEP_KEYS if k != "rapport")
    assert window.page("oversikt").progress.value() == done
    report = window.page("rapport").browser.toPlainText()
    for f in found:
        assert f.message in report
    assert "Gå till" in report
    export = window.page("rapport").export_group
    assert export.title() == "Export till kommunstyrelsen"
    assert {b.text() for b in export.findChildren(QPushButton)} == {"Exportera Excel…", "Exportera PDF…",
                                                                     "Exportera Word…"}

    # "Gå till" from the Rapport page: the risk is selected and its field has the focus.
    report_page = window.page("rapport")
    i = next(n for n, f in enumerate(report_page.findings) if f.rule == "risk_no_motivation")
    report_page._anchor(QUrl(f"fynd:{i}"))
    assert window.current_key() == "risker"
    sec = window.page("risker").section("risk")
    assert sec.current_id() == ids["R1"]
    assert QApplication.focusWidget() is sec.form.editors["motivation"].focus_widget()

    # A finding on the impacts grid focuses the grid; one on the working group focuses that section.
    f = next(f for f in window.findings if f.field == "impacts")
    window.go_to_finding(f)
    funcs = window.page("samhallsviktig").section("function")
    assert window.current_key() == "samhallsviktig" and funcs.current_id() == f.item_id
    grid = next(w for w in funcs.extras if getattr(w, "which", "") == "impact")
    assert QApplication.focusWidget() in grid.combos.values()


def test_scales_confirmation_resolves_the_finding_and_undoes(window, sample, monkeypatch):
    _open(window, sample)
    s = window.session
    f = next(f for f in window.findings if f.rule == "scales_unconfirmed")
    window.go_to_finding(f)
    page = window.page("uppdrag")
    assert QApplication.focusWidget() is page.scales_button
    shown = []
    monkeypatch.setattr(drafting, "review_scales", lambda _p, scales, confirmed, ro: shown.append(confirmed) or True)
    page.scales_button.click()
    assert shown == [False]
    window.refresh_status()
    assert not any(x.rule == "scales_unconfirmed" for x in window.findings)
    assert "bekräftade" in page.scales_box.status.text()
    assert s.undo_stack.undoText() == "Bekräfta skalorna"
    s.undo_stack.undo()
    window.refresh_status()
    assert any(x.rule == "scales_unconfirmed" for x in window.findings)
    # The read-only table of the scales renders every level.
    dlg = drafting.ScalesDialog(s.scales(), confirmed=False, read_only=False)
    text = dlg.browser.toPlainText()
    assert all(lv.label in text for lv in s.scales().likelihood) and dlg.confirm_button.isEnabled()
    dlg.deleteLater()


def test_every_field_has_tooltip_and_whats_this(window, sample):
    _open(window, sample)
    for kind, spec in KINDS.items():
        for f in spec.fields:
            assert i18n.help_text(kind, f), f"{kind}.{f.name} saknar hjälptext"
    checked = set()
    for page in window.pages.values():
        if not isinstance(page, StepPage):
            continue
        forms = [(g.kind, g.form) for g in page.record_groups]
        for sec in page.sections:
            forms.append((sec.kind, sec.form))
            for extra in sec.extras:
                inner = getattr(extra, "section", None)
                if inner is not None:
                    forms.append((inner.kind, inner.form))
        for kind, form in forms:
            for name, editor in form.editors.items():
                w = editor.focus_widget()
                assert w.toolTip() and w.whatsThis(), f"{kind}.{name}"
                checked.add(f"{kind}.{name}")
    assert "function.styrel_class" in checked and "dependency.single_point_of_failure" in checked
    assert "risk.residual_likelihood" in checked and "fallback.duration" in checked


def test_guidance_explains_and_links_vor_to_the_glossary(window, sample):
    _open(window, sample)
    for key, text in GUIDANCE.items():
        shown = QCoreApplication.translate(CTX, text)
        for part in ("Vad:", "Varför:", "Gör så här:", "Exempel:"):
            assert part in shown, (key, part)
    label = window.page("uppdrag").guidance.label
    assert "Vad är skillnaden mot VoR?" in label.text() and "ordlista:VoR" in label.text()
    label.linkActivated.emit("ordlista:VoR")
    dlg = window.page("uppdrag").guidance.glossary
    assert dlg.isVisible() and dlg.search.text() == "VoR"
    assert "(VoR)" in dlg.list.currentIndex().data()
    assert "internkontroll" in dlg.text.toPlainText() or "interna kontroll" in dlg.text.toPlainText()
    for r in range(dlg.proxy.rowCount()):
        idx = dlg.proxy.index(r, 0)
        assert "vor" in (idx.data() + idx.data(256)).casefold()
    dlg.close()


def test_drafted_summary_is_offered_never_forced(window, sample, monkeypatch):
    _open(window, sample)
    s = window.session
    window.go_to("verksamhet")
    button = window.page("verksamhet").summary_button
    asked = []

    def answer(_parent, draft, existing):
        asked.append((draft, existing))
        return draft + " Redigerad."
    monkeypatch.setattr(drafting, "ask_summary", answer)
    button.click()
    draft, existing = asked[0]
    assert existing == "" and "har genomfört risk- och sårbarhetsanalysen för 2026" in draft
    assert s.analysis().summary == draft + " Redigerad."
    s.undo_stack.undo()
    assert s.analysis().summary == ""

    # With the user's own text the dialog says so and offers only "Ersätt".
    dlg = drafting.SummaryDraftDialog("Förslag", "Vår egen text")
    names = [b.text() for b in dlg.buttons.buttons()]
    assert dlg.apply_button.text() == "Ersätt" and "Använd" not in names
    assert dlg.current.toPlainText() == "Vår egen text"
    dlg.deleteLater()
    fresh = drafting.SummaryDraftDialog("Förslag", "")
    assert fresh.apply_button.text() == "Använd"
    fresh.deleteLater()
    s.svc.update("analysis", s.analysis_id, summary="Vår egen text")
    monkeypatch.setattr(drafting, "ask_summary", lambda *_a: None)  # the user cancels
    button.click()
    assert s.analysis().summary == "Vår egen text"
