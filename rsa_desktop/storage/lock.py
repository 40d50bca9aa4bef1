"""One writer per file: a lock file beside the document names who has it open.

The lock is held with an operating-system lock (`fcntl.flock`, `msvcrt.locking` on Windows) on the
lock file for as long as the document is open, and the file names the holder (for the message to
the next user). The OS releases that lock when a process dies, so a lock file left by a crashed
instance is recognised without guessing from process ids, and it is taken over in place, never
unlinked by anybody but its holder: "read, see it is stale, unlink, create" let two processes that
both found a stale lock both write (each unlinked the other's new lock). A holder that finds the path
no longer names the file it locked (its predecessor unlinked it on release) starts again.

A lock naming another computer (a shared folder, where OS locks may not reach) is respected, since
we cannot see whether that program still runs. Stdlib only: `filelock` would give the OS lock but not
the holder's name nor the other-computer rule, which we would then have to build around it anyway.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rsa_desktop.storage.audit_chain import current_user
from rsa_desktop.storage.errors import DiskFullError, DocumentError, FileLockedError

_WINDOWS = sys.platform == "win32"
# Windows locks are mandatory: lock a byte far beyond the JSON so others can still read who holds it.
_WIN_LOCK_OFFSET = 1 << 20


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
    if _WINDOWS:
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


def _parse(text: str) -> LockOwner | None:
    try:
        data = json.loads(text)
        return LockOwner(int(data["pid"]), str(data["host"]), str(data["user"]), str(data["since"]))
    except (ValueError, KeyError, TypeError):
        return None


def read_owner(path: Path) -> LockOwner | None:
    try:
        text = lock_path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        text = ""
    # Unreadable or half-written: a lock of unknown origin on this computer.
    return _parse(text) or LockOwner(-1, _host(), "okänd", "")


def _try_os_lock(fd: int) -> bool:
    """Take the OS lock on `fd` without waiting; False when another process holds it."""
    if _WINDOWS:
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _read_fd(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
        if sum(map(len, chunks)) > 1 << 16:
            break
    return b"".join(chunks).decode("utf-8", "replace")


class DocumentLock:
    def __init__(self, path: Path):
        self.path = path
        self.file = lock_path(path)
        self.held = False
        self._fd: int | None = None

    def _locked_error(self, owner: LockOwner) -> FileLockedError:
        return FileLockedError(
            f"Filen är redan öppen hos {owner.describe()}. Öppna den skrivskyddad, eller vänta tills "
            "den stängs.", self.path)

    def acquire(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        for _attempt in range(20):
            try:
                fd = os.open(self.file, flags, 0o600)
            except PermissionError:
                return  # a folder we cannot write to: read-only use will be refused elsewhere
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise DiskFullError("Disken är full; filen kan inte öppnas för ändring. Frigör utrymme och "
                                        "försök igen.", self.path) from None
                if exc.errno == errno.ELOOP:
                    raise FileLockedError(f"Låsfilen är en symbolisk länk och används inte: {self.file.name}",
                                          self.path) from None
                raise DocumentError(f"Låsfilen kunde inte skapas ({exc.strerror}): {self.file.name}",
                                    self.path) from None
            keep = False
            try:
                if not _try_os_lock(fd):
                    raise self._locked_error(read_owner(self.path) or LockOwner(-1, _host(), "okänd", ""))
                if not _same_file(fd, self.file):
                    continue  # its holder released (unlinked) it after we opened it: start again
                owner = _parse(_read_fd(fd))
                if owner is not None and owner.pid != os.getpid() and (
                        owner.host != _host() or _alive(owner.pid)):
                    # Another computer (OS locks may not reach across a share), or a live program on this
                    # one that did not take the OS lock (an older version): respect it.
                    raise self._locked_error(owner)
                # Ours now: a stale lock (its program is gone, so the OS lock was free) is taken over in place.
                self._write_owner(fd)
                keep = True
                self._fd = fd
                self.held = True
                return
            finally:
                if not keep:
                    os.close(fd)
        raise FileLockedError(f"Filen är låst och låset kunde inte tas: {self.file.name}", self.path)

    def _write_owner(self, fd: int) -> None:
        data = json.dumps({"pid": os.getpid(), "host": _host(), "user": current_user(),
                           "since": dt.datetime.now().replace(microsecond=0).isoformat()}).encode("utf-8")
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError as exc:
            # A full disk: leave no empty lock behind (we hold the OS lock, so the path is ours to remove).
            self._unlink_own(fd)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT if hasattr(errno, "EDQUOT") else errno.ENOSPC):
                raise DiskFullError("Disken är full; filen kan inte öppnas för ändring. Frigör utrymme och "
                                    "försök igen.", self.path) from None
            raise DocumentError(f"Låsfilen kunde inte skrivas ({exc.strerror}): {self.file.name}",
                                self.path) from None

    def _unlink_own(self, fd: int) -> None:
        if not _WINDOWS and _same_file(fd, self.file):
            try:
                self.file.unlink()
            except OSError:
                pass

    def release(self) -> None:
        if not self.held:
            return
        fd, self._fd, self.held = self._fd, None, False
        if fd is None:
            return
        # POSIX: unlink while still holding the OS lock (anyone who opened the old file sees it is gone).
        # Windows cannot delete an open file: close first, then remove it unless somebody opened it since.
        self._unlink_own(fd)
        os.close(fd)
        if _WINDOWS:
            try:
                self.file.unlink()
            except OSError:
                pass
