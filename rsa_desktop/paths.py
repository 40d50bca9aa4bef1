"""Where the program finds its resources and keeps user data (Qt-free)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The `resources/` folder: in the bundle when frozen, beside the package in a checkout (also an
    editable install), else inside the installed package as `rsa_desktop/_resources` (a wheel install)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    override = os.environ.get("RSA_DESKTOP_RESOURCES")
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent
    checkout = package.parent / "resources"
    if (checkout / "scales").is_dir():
        return checkout
    installed = package / "_resources"
    return installed if installed.is_dir() else checkout


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def user_data_dir() -> Path:
    """Per-user data folder (default document, logs, settings); created on demand."""
    override = os.environ.get("RSA_DESKTOP_DATA")
    if override:
        base = Path(override)
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "RSA Desktop"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "RSA Desktop"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "rsa-desktop"
    if not base.is_dir():
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and base.stat().st_mode & 0o077 and base.stat().st_uid == os.getuid():
        os.chmod(base, 0o700)  # an older version created it 0755
    return base


def default_document_path() -> Path:
    return user_data_dir() / "analys.rsa"
