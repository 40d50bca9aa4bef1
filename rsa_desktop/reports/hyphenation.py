"""Swedish hyphenation for the reports (pyphen's sv_SE dictionary), made once and shared by the PDF's
paragraphs and the map drawings, so both break words at the same points."""

from __future__ import annotations

from typing import Any

_PYPHEN: Any = None


def swedish() -> Any:
    """The shared pyphen hyphenator, or None when pyphen is not installed (words are then not hyphenated)."""
    global _PYPHEN
    if _PYPHEN is None:
        try:
            import pyphen
        except ImportError:
            _PYPHEN = False
        else:
            _PYPHEN = pyphen.Pyphen(lang="sv_SE", left=2, right=3)
    return _PYPHEN or None


def hyphenator():
    """reportlab's `hyphenationLang` callable, made once: given a string reportlab builds a new Pyphen for
    every paragraph it breaks. '' without pyphen."""
    h = swedish()
    return h.iterate if h else ""


__all__ = ["swedish", "hyphenator"]
