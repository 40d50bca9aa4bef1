"""Settings (recent files, last file, window geometry) in an INI file under user_data_dir()."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from rsa_desktop import paths
from rsa_desktop.storage import private

MAX_RECENT = 8


def settings() -> QSettings:
    """A QSettings in INI format; the folder follows RSA_DESKTOP_DATA so tests can redirect it."""
    path = paths.user_data_dir() / "settings.ini"
    if not path.exists():
        private.touch(path, exclusive=False)  # 0600 from the start; Qt keeps the mode when it rewrites it
    return QSettings(str(path), QSettings.Format.IniFormat)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if v]


def recent_files() -> list[str]:
    return [p for p in _as_list(settings().value("files/recent")) if Path(p).exists()]


def add_recent_file(path: str | Path) -> None:
    path = str(Path(path).resolve())
    s = settings()
    items = [p for p in _as_list(s.value("files/recent")) if p != path]
    items.insert(0, path)
    s.setValue("files/recent", items[:MAX_RECENT])
    s.setValue("files/last", path)
    s.sync()


def remove_recent_file(path: str | Path) -> None:
    path = str(Path(path).resolve())
    s = settings()
    s.setValue("files/recent", [p for p in _as_list(s.value("files/recent")) if p != path])
    if s.value("files/last") == path:
        s.remove("files/last")
    s.sync()


def last_file() -> str | None:
    value = settings().value("files/last")
    return str(value) if value and Path(str(value)).exists() else None


def forget_last_file() -> None:
    s = settings()
    s.remove("files/last")
    s.sync()


def save_geometry(geometry: QByteArray, state: QByteArray) -> None:
    s = settings()
    s.setValue("window/geometry", geometry)
    s.setValue("window/state", state)
    s.sync()


def geometry() -> tuple[QByteArray | None, QByteArray | None]:
    s = settings()
    g, st = s.value("window/geometry"), s.value("window/state")
    return (g if isinstance(g, QByteArray) else None, st if isinstance(st, QByteArray) else None)
