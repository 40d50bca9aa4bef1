"""One writer per file: a lock file beside the document names who has it open.

The lock is a small JSON file created atomically (O_EXCL). A lock left by a crashed instance on
this computer is recognised (its process no longer runs) and cleared; a lock from another
computer (a shared folder) is respected, since we cannot see whether that program still runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rsa_desktop.services.audit import current_user
from rsa_desktop.storage.errors import FileLockedError


@dataclass(frozen=True)
class LockOwner:
    pid: int
    host: str
    user: str
    since: str

    def describe(self) -> str:
        when = self.since.replace("T", " ")[:16]
        return f"{self.user} på datorn {self.host} (sedan {when})"


def lock_path(path: Path) -> Path:
    return Path(str(path) + ".lock")


def _host() -> str:
    # Not socket.gethostname(): the program keeps away from the socket module altogether.
    if hasattr(os, "uname"):
        return os.uname().nodename or "okänd"
    return os.environ.get("COMPUTERNAME", "okänd")


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_owner(path: Path) -> LockOwner | None:
    try:
        data = json.loads(lock_path(path).read_text(encoding="utf-8"))
        return LockOwner(int(data["pid"]), str(data["host"]), str(data["user"]), str(data["since"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # Unreadable or half-written: treat as a lock of unknown origin on this computer.
        return LockOwner(-1, _host(), "okänd", "")


class DocumentLock:
    def __init__(self, path: Path):
        self.path = path
        self.file = lock_path(path)
        self.held = False

    def acquire(self) -> None:
        for _attempt in range(2):
            try:
                fd = os.open(self.file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                owner = read_owner(self.path)
                if owner is None:
                    continue  # released between our two calls
                if owner.host == _host() and not _alive(owner.pid) and owner.pid != os.getpid():
                    self.file.unlink(missing_ok=True)  # stale: its program is gone
                    continue
                raise FileLockedError(
                    f"Filen är redan öppen hos {owner.describe()}. Öppna den skrivskyddad, eller vänta tills "
                    "den stängs.", self.path) from None
            except PermissionError:
                return  # a folder we cannot write to: read-only use will be refused elsewhere
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"pid": os.getpid(), "host": _host(), "user": current_user(),
                           "since": dt.datetime.now().replace(microsecond=0).isoformat()}, fh)
            self.held = True
            return
        raise FileLockedError(f"Filen är låst och låset kunde inte tas bort: {self.file.name}", self.path)

    def release(self) -> None:
        if self.held:
            owner = read_owner(self.path)
            if owner is not None and owner.pid == os.getpid():
                self.file.unlink(missing_ok=True)
            self.held = False
