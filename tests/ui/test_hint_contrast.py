"""Issue 21 follow-up: hint texts (template descriptions, field help under form fields, "T.ex. …" hints)
were light grey (palette(mid), 1.8:1) on the grey window. Every hint now has WCAG AA contrast (4.5:1)
against the background it is drawn on, computed from the colours Qt actually uses (ui/widgets/hints.py)."""

from __future__ import annotations

import os

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from rsa_desktop.storage.database import Document
from rsa_desktop.ui.widgets import hints


def _background(w: QWidget) -> QColor:
    """The colour behind `w`: the nearest widget (itself or an ancestor) that paints its own background."""
    p = w
    while p is not None:
        if p.autoFillBackground() or p.isWindow():
            return p.palette().color(p.backgroundRole())
        p = p.parentWidget()
    return QApplication.palette().color(QPalette.ColorRole.Window)


def _contrast(label: QLabel) -> float:
    label.ensurePolished()  # the style sheet's colour lands in the label's palette
    return hints.contrast_ratio(label.palette().color(label.foregroundRole()), _background(label))


def _hint_labels(root: QWidget) -> list[QLabel]:
    return [lab for lab in root.findChildren(QLabel) if lab.property("hint") and lab.isVisible() and lab.text()]


def test_the_old_grey_failed_and_the_hint_colour_passes_in_light_and_dark():
    app_palette = QApplication.palette()
    bg = app_palette.color(QPalette.ColorRole.Window)
    assert hints.contrast_ratio(app_palette.color(QPalette.ColorRole.Mid), bg) < 3  # what the hints used to be
    assert hints.contrast_ratio(QColor("#000000"), QColor("#ffffff")) > 20.9
    dark = QPalette(app_palette)
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    for pal in (app_palette, dark):
        hint = hints.hint_colour(pal)
        ratio = hints.contrast_ratio(hint, pal.color(QPalette.ColorRole.Window))
        assert hints.WCAG_AA <= ratio < 7  # readable, and still lighter than body text
        assert hint != pal.color(QPalette.ColorRole.WindowText)
    # rich-text hints (hint_css in <span style>) sit on the window or on a text browser's base
    css_colour = QColor(hints.hint_css().split(":")[1].strip(" ;"))
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert hints.contrast_ratio(css_colour, app_palette.color(role)) >= hints.WCAG_AA


def test_template_descriptions_and_field_help_are_readable(window, qtbot, tmp_path):
    path = tmp_path / "tom.rsa"
    Document.create(path).close()
    assert window.open_path(path)
    picker = window.setup.template
    picker.enabled.setChecked(True)
    picker.combo.setCurrentIndex(1)  # a template: its description and one description per verksamhet
    qtbot.wait(100)  # the list's word-wrapped rows settle (a screenshot taken earlier shows them mid-layout)
    labels = _hint_labels(picker)
    assert picker.description in labels and len(labels) > 2
    for lab in labels:
        assert _contrast(lab) >= hints.WCAG_AA, (lab.text()[:40], _contrast(lab))
    out = os.environ.get("RSA_SCREENSHOTS")
    if out:
        window.grab().save(os.path.join(out, "template_hints_1366.png"))

    # field help under the form fields (forms.py), e.g. a beroende's sector fields
    from tests.ui.conftest import build_sample
    other = tmp_path / "exempel.rsa"
    build_sample(other)
    assert window.open_path(other)
    window.go_to("beroenden")
    window.page("beroenden").section("dependency")
    qtbot.wait(50)
    page = window.page("beroenden")
    helps = [lab for lab in page.findChildren(QLabel, "fieldHelp") if lab.isVisible()]
    assert helps, "no field help visible under the dependency form"
    for lab in helps:
        assert lab.property("hint")
        assert _contrast(lab) >= hints.WCAG_AA, (lab.text()[:40], _contrast(lab))
    if out:
        window.grab().save(os.path.join(out, "field_help_1366.png"))
