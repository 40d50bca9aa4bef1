"""The one owner of the hint text colour (field help, template descriptions, "T.ex. …" hints).

Hints were `color: palette(mid)`, a light grey (#b8b8b8 on Fusion's #efefef: 1.8:1) that a newcomer
could hardly read. A hint is now the window text blended towards the background only as far as
WCAG AA allows: at least HINT_CONTRAST against the background, so it still reads as secondary but
is legible, in a light palette and a dark one alike. Qt style sheets resolve `palette(...)` against
the application palette, not the widget's, so the colour is computed here and written as a hex value.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget

WCAG_AA = 4.5  # normal-size text
HINT_CONTRAST = 5.5  # a margin above AA: a hint may sit on a group box or panel slightly darker than the window


def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 … 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _blend(fg: QColor, bg: QColor, t: float) -> QColor:
    return QColor.fromRgbF(fg.redF() + (bg.redF() - fg.redF()) * t, fg.greenF() + (bg.greenF() - fg.greenF()) * t,
                           fg.blueF() + (bg.blueF() - fg.blueF()) * t)


def hint_colour(palette: QPalette, minimum: float = HINT_CONTRAST) -> QColor:
    """The lightest blend of text towards background with at least `minimum` contrast to the background."""
    fg, bg = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    lo, hi = 0.0, 1.0  # fraction of the way from text to background
    for _ in range(20):
        mid = (lo + hi) / 2
        if contrast_ratio(_blend(fg, bg, mid), bg) >= minimum:
            lo = mid
        else:
            hi = mid
    return _blend(fg, bg, lo)


def hint_css(widget: QWidget | QPalette | None = None) -> str:
    """`color: #rrggbb` for hint text on `widget` (or in a palette, or the application's); for rich-text
    spans too (`<span style='…'>`)."""
    if widget is None:
        palette = QGuiApplication.palette()
    else:
        palette = widget if isinstance(widget, QPalette) else widget.palette()
    return f"color: {hint_colour(palette).name()};"


def style_hint(label: QLabel, extra: str = "") -> QLabel:
    """Make `label` a hint (secondary, readable). `extra`: further style sheet declarations (margins…)."""
    label.setStyleSheet(f"{hint_css(label)} {extra}".strip())
    label.setProperty("hint", True)  # tests find every hint by this
    return label


__all__ = ["HINT_CONTRAST", "WCAG_AA", "contrast_ratio", "hint_colour", "hint_css", "style_hint"]
