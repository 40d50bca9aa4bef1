"""Beroendekarta: nodes from build_graph, click selects, Enter opens, keyboard and zoom."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document


def _open_map(window, path):
    window.open_path(path)
    window.go_to("beroenden/beroendekarta")
    page = window.page("beroenden")
    assert page.tabs.currentWidget() is page.depmap
    return page.depmap


def test_click_selects_and_enter_opens(window, qtbot, sample):
    path, ids = sample
    mapview = _open_map(window, path)
    view = mapview.view
    assert {"V1", "V2", "B1", "B2"} <= set(view.items_by_id)
    g = mapview.graph
    assert g.node("V1").kind == "function" and g.node("B1").kind == "dependency"
    assert g.node("B1").severity is not None  # B1 has no reserve: a gap colours it

    pos = view.mapFromScene(view.items_by_id["V1"].pos())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert view.selected == "V1" and view.items_by_id["V1"].selected
    assert "Tillsyn över ställföreträdare" in mapview.info.text()
    assert view.hasFocus()

    qtbot.keyClick(view, Qt.Key.Key_Right)  # the nearest node to the right: its dependency
    assert view.selected == "B1"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.current_key() == "beroenden"
    sec = window.page("beroenden").section("dependency")
    assert sec.current_id() == ids["B1"]

    window.go_to("beroenden/beroendekarta")
    view.select_node("V1")
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(view.items_by_id["V1"].pos()))
    assert window.current_key() == "samhallsviktig"
    assert window.page("samhallsviktig").section("function").current_id() == ids["V1"]


def test_zoom_and_repaint_after_edit(window, qtbot, sample):
    path, ids = sample
    mapview = _open_map(window, path)
    view = mapview.view
    z = view.zoom
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.zoom > z
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.zoom < z

    # a new link shows up as an edge at once
    from rsa_desktop.ui.commands import undo
    undo.execute(window.session, undo.LinkCommand(window.session, "function_dependency", ids["V2"], ids["B2"],
                                                          {"tolerance": 60}))
    assert any(e.source == "B2" and e.target == "V2" for e in mapview.graph.edges)
    window.session.undo_stack.undo()
    assert not any(e.source == "B2" and e.target == "V2" for e in mapview.graph.edges)


def test_shared_dependency_stands_out(window, sample):
    path, ids = sample
    doc = Document.open(path)
    svc = RsaService(doc)
    aid = ids["analysis"]
    with svc.batch():
        v3 = svc.create("function", aid, name="Bokföring", operation="egen").id
        for fid in (ids["V1"], ids["V2"], v3):
            svc.link("function_dependency", fid, ids["B2"])
    doc.close()
    mapview = _open_map(window, path)
    assert mapview.graph.node("B2").shared and not mapview.graph.node("B1").shared
    mapview.select("B2")
    assert "delat beroende" in mapview.info.text()


def test_every_name_is_whole_and_direct_needs_sit_at_level_one(window, qtbot, sample, tmp_path):
    """Issue 21: names were elided in the map's nodes, and a dependency every verksamhet needs directly
    was drawn in "nivå 2". Long names now wrap inside a taller node; the level rule is services/depmap's."""
    path, ids = sample
    long_name = ("Stadens gemensamma ärendehanteringssystem för ställföreträdarärenden, arvoden och "
                 "årsräkningar (driftas av Serviceförvaltningen)")
    doc = Document.open(path)
    svc = RsaService(doc)
    aid = ids["analysis"]
    with svc.batch():
        svc.update("dependency", ids["B1"], name=long_name)
        b3 = svc.create("dependency", aid, dep_type="Tele och data", name="Nätverk").id
        for fid in (ids["V1"], ids["V2"]):
            svc.link("function_dependency", fid, ids["B2"])
        svc.link("dependency_dependency", ids["B1"], ids["B2"])  # B1 needs El too; El stays at level 1
        svc.link("dependency_dependency", ids["B1"], b3)
    doc.close()
    mapview = _open_map(window, path)
    view = mapview.view
    g = mapview.graph
    assert g.node("B1").column == g.node("B2").column == 1 and g.node("B3").column == 2

    from PySide6.QtGui import QFontMetricsF

    from rsa_desktop.ui.views.depmap_view import NodeItem, _label_font, label_width
    fm = QFontMetricsF(_label_font())
    for nid, item in view.items_by_id.items():
        assert " ".join(item.lines).replace("  ", " ") == " ".join(g.node(nid).label.split()), nid  # nothing cut
        assert all(fm.horizontalAdvance(line) <= label_width() + 1 for line in item.lines), nid
        assert item.shape_rect().height() >= NodeItem.height_for(len(item.lines)) - 0.01
    assert len(view.items_by_id["B1"].lines) >= 2
    # nodes of one column do not overlap
    col1 = sorted((view.items_by_id[n.id] for n in g.column(1)), key=lambda i: i.pos().y())
    for upper, lower in zip(col1, col1[1:]):
        assert upper.sceneBoundingRect().bottom() - 10 < lower.sceneBoundingRect().top() + 10
        assert upper.pos().y() + upper.height / 2 < lower.pos().y() - lower.height / 2

    # hovering a node still gives the whole name, and clicking shows it below the map
    pos = view.mapFromScene(view.items_by_id["B1"].pos())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert long_name in mapview.info.text()
    assert long_name in view.items_by_id["B1"].toolTip()
    out = os.environ.get("RSA_SCREENSHOTS")
    if out:
        window.grab().save(os.path.join(out, "depmap_1366.png"))


def test_fit_shows_the_whole_demo_map_centred(window, qtbot, tmp_path):
    """Issue 21 follow-up: Anpassa stopped at 20 %, so the demo's 31-row map never fitted whole and the
    fitted view was not centred. Anpassa (button) and the 0 key now show the whole scene, centred."""
    from rsa_desktop.services.demo import write_demo
    path = write_demo(tmp_path / "demo.rsa")
    mapview = _open_map(window, path)
    view = mapview.view
    qtbot.waitExposed(window)
    assert max(n.row for n in mapview.graph.nodes) >= 25  # the tall map the report was about

    def check_fitted():
        scene = view.scene().sceneRect()
        shown = view.mapFromScene(scene).boundingRect()  # the scene in viewport pixels
        port = view.viewport().rect()
        assert port.contains(shown), (shown, port)
        # centred: equal room on both sides (±2 px), in the direction that has room to spare
        assert abs(shown.left() - (port.width() - shown.right())) <= 3, (shown, port)
        assert abs(shown.top() - (port.height() - shown.bottom())) <= 3, (shown, port)
        assert not view.verticalScrollBar().isVisible() and not view.horizontalScrollBar().isVisible()

    qtbot.mouseClick(mapview.fit_button, Qt.MouseButton.LeftButton)
    qtbot.wait(10)
    assert view.zoom < 0.2  # below the manual limit: that limit is what kept the map from fitting
    check_fitted()

    view.setFocus()
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Plus)
    qtbot.wait(10)
    assert view.verticalScrollBar().isVisible()  # zoomed in: the map no longer fits
    qtbot.keyClick(view, Qt.Key.Key_0)
    qtbot.wait(10)
    check_fitted()
    fitted = view.zoom
    qtbot.keyClick(view, Qt.Key.Key_Minus)  # zooming out further stops at the whole map
    assert view.zoom == fitted
    out = os.environ.get("RSA_SCREENSHOTS")
    if out:
        window.grab().save(os.path.join(out, "depmap_fit_1366.png"))
