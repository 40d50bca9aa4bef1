"""Files and folders readable only by the user, from the moment they exist (POSIX 0600 / 0700).

Creating a file with the default mode and chmod'ing it afterwards leaves a moment (and, after a
crash, for ever) in which others can read it; so files are created with os.open(..., 0o600) and
folders with mkdir(0o700), and existing ones from older versions are tightened. On Windows the
mode bits mean little: files there inherit the user profile's permissions.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIR_MODE = 0o700


def _tighten(path: Path, mode: int) -> None:
    if os.name == "posix":
        try:
            st = os.stat(path, follow_symlinks=False)
            if st.st_mode & 0o777 & ~mode and st.st_uid == os.getuid():
                os.chmod(path, mode, follow_symlinks=False)
        except (OSError, NotImplementedError):  # chmod(follow_symlinks=False) is unsupported on Linux
            pass  # best effort: the file was created with the right mode; this only tightens older ones


def mkdir(path: Path, *, parents_under: Path | None = None) -> Path:
    """Create `path` (and its missing parents below `parents_under`, default: all missing) as 0700."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists() and p != p.parent and (parents_under is None or p != Path(parents_under)):
        missing.append(p)
        p = p.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            pass
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _tighten(path, DIR_MODE)
    return path


def open_append(path: Path) -> IO[str]:
    """A text file opened for appending (a log), created 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    _tighten(Path(path), FILE_MODE)
    return os.fdopen(fd, "a", encoding="utf-8")


def touch(path: Path, *, exclusive: bool = True) -> Path:
    """An empty file created 0600 (for SQLite to fill: it keeps the mode, also for its journal files)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0) | getattr(os, "O_NOFOLLOW", 0)
    os.close(os.open(path, flags, FILE_MODE))
    _tighten(Path(path), FILE_MODE)
    return Path(path)


def restrict_process() -> None:
    """Program start: every file and folder anything in this process creates (Qt settings, exports) is
    private to the user, not only the ones our own code creates."""
    if os.name == "posix":
        os.umask(0o077)


def write_text_atomic(target: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `target` as 0600 without ever leaving a half-written file there: a temporary
    file beside it, flushed to disk, then renamed over it. OSError propagates (the caller says it in Swedish)."""
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=".part", dir=folder)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
