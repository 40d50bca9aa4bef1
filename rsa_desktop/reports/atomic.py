"""Write a file so that a half-written one never replaces a good one: temporary file beside it, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


class ExportError(Exception):
    """An export could not be written; the message is Swedish and fit to show the user."""


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `target` in one step.

    On any error the temporary file is removed and an existing `target` is left untouched. The file
    keeps mkstemp's owner-only permissions, like the .rsa document itself (an export may be secret).
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"Mappen finns inte: {folder}")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=".part" + target.suffix, dir=folder)
    except OSError as exc:
        raise ExportError(f"Kan inte skriva i mappen {folder} ({exc.strerror}).") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # the bytes are on disk before the rename makes them visible
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if exc.errno == 28:
            raise ExportError(f"Disken är full; {target.name} skrevs inte.") from None
        if isinstance(exc, PermissionError):
            raise ExportError(f"Filen {target.name} kunde inte skrivas (saknas behörighet, eller är den "
                              "öppen i ett annat program?).") from None
        raise ExportError(f"Filen {target.name} kunde inte skrivas ({exc.strerror or exc}).") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomic(target: str | os.PathLike, writer: Callable[[Path], None]) -> Path:
    """Call `writer(tmp_path)` and move the result onto `target`."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def save_workbook(wb, tmp: Path) -> None:
    """An openpyxl workbook to `tmp`, built in memory first: openpyxl leaves its ZipFile open when a
    write fails, and on a full disk the ZipFile's __del__ then printed a stray traceback."""
    import io

    buf = io.BytesIO()
    wb.save(buf)
    with open(tmp, "wb") as fh:
        fh.write(buf.getbuffer())
