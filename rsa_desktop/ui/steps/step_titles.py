"""A step's title (navigator, menus, Översikt) without importing the step pages: they are imported when a
step is first built (ui/app/window_pages.py), so that start-up imports only what Översikt needs."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from rsa_desktop.ui.steps.guidance import CTX, STEP_TITLES


def step_title(key: str) -> str:
    return QCoreApplication.translate(CTX, STEP_TITLES[key])
