"""Every item model passes Qt's model tester."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel
from pytestqt.modeltest import ModelTester

from rsa_desktop.ui.dialogs.common import GlossaryDialog
from rsa_desktop.ui.widgets.links import LinkPanel


def test_item_models(window, qtmodeltester, sample, pytestconfig):
    """One tester per model: a proxy resets inside its source's reset, which one shared tester
    would misread as a nested reset of the same model."""
    path, ids = sample
    testers = []

    def check(model):
        tester = ModelTester(pytestconfig)
        testers.append(tester)
        tester.check(model, force_py=True)

    window.open_path(path)
    checked = 0
    for key in ("uppdrag", "samhallsviktig", "beroenden", "risker", "sarbarheter", "atgarder", "kontinuitet"):
        window.go_to(key)
        page = window.page(key)
        for sec in page.sections:
            sec.refresh()
            check(sec.model)
            check(sec.proxy)
            checked += 1
            for extra in sec.extras:
                if isinstance(extra, LinkPanel):
                    check(extra.model)
                elif hasattr(extra, "section"):
                    extra.section.refresh()
                    check(extra.section.model)
    assert checked >= 8
    qtmodeltester.check(window.navigator.model())
    # the models keep passing while the data changes under them
    window.go_to("risker")
    sec = window.page("risker").section("risk")
    sec.add_item({"title": "Ny testrisk"})
    window.session.undo_stack.undo()
    window.session.undo_stack.redo()


def test_filter_and_sort(window, qtbot, sample):
    path, ids = sample
    window.open_path(path)
    window.go_to("samhallsviktig")
    sec = window.page("samhallsviktig").section("function")
    assert sec.proxy.rowCount() == 2
    sec.filter_edit.setText("utbetal")
    assert sec.proxy.rowCount() == 1
    sec.filter_edit.clear()
    sec.view.sortByColumn(1, sec.view.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    assert sec.proxy.index(0, 1).data() == "Utbetalningar"


def test_glossary_is_searchable(qtbot, qtmodeltester, pytestconfig):
    dlg = GlossaryDialog()
    qtbot.addWidget(dlg)
    qtmodeltester.check(dlg.model)
    ModelTester(pytestconfig).check(dlg.proxy)
    total = dlg.proxy.rowCount()
    assert total > 5
    dlg.search.setText("sannolikhet")
    assert 0 < dlg.proxy.rowCount() < total
    assert isinstance(dlg.proxy, QSortFilterProxyModel)
