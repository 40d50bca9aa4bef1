"""The document lock under attack: many processes racing for a stale lock, and for a busy one.

`RSA_DESKTOP_LOCK_TRIALS` sets how many trials each race runs (default 1,000; e.g. 20000 for a long run).
"""

import errno
import json
import multiprocessing
import os
import sys

import pytest

from rsa_desktop.storage import lock as lock_mod
from rsa_desktop.storage.errors import DiskFullError, FileLockedError
from rsa_desktop.storage.lock import DocumentLock, lock_path

TRIALS = int(os.environ.get("RSA_DESKTOP_LOCK_TRIALS", "1000"))
WORKERS = 3

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the race workers are forked")


def _dead_pid() -> int:
    proc = multiprocessing.get_context("fork").Process(target=lambda: None)
    proc.start()
    proc.join()
    return proc.pid


def _stale_race_worker(folder, trials, barrier, wins, errors):
    for t in range(trials):
        doc = lock_mod.Path(folder) / f"{t}.rsa"
        barrier.wait()
        lk = DocumentLock(doc)
        try:
            lk.acquire()
        except FileLockedError:
            pass
        except Exception:  # noqa: BLE001 - reported to the test
            with errors.get_lock():
                errors.value += 1
        if lk.held:
            with wins.get_lock():
                wins[t] += 1
        barrier.wait()  # everyone has tried while the winners still hold their lock
        lk.release()


def test_only_one_of_several_processes_takes_over_a_stale_lock(tmp_path):
    """Every trial: a lock left by a dead program, and WORKERS processes released at the same instant."""
    ctx = multiprocessing.get_context("fork")
    dead = _dead_pid()
    stale = json.dumps({"pid": dead, "host": lock_mod._host(), "user": "kraschad", "since": "2026-01-01T00:00:00"})
    for t in range(TRIALS):
        lock_path(tmp_path / f"{t}.rsa").write_text(stale, encoding="utf-8")
    barrier = ctx.Barrier(WORKERS)
    wins = ctx.Array("i", TRIALS)
    errors = ctx.Value("i", 0)
    procs = [ctx.Process(target=_stale_race_worker, args=(str(tmp_path), TRIALS, barrier, wins, errors))
             for _ in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
        assert p.exitcode == 0
    counts = list(wins)
    assert errors.value == 0
    assert counts.count(1) == TRIALS, {n: counts.count(n) for n in set(counts)}
    assert not any(lock_path(tmp_path / f"{t}.rsa").exists() for t in range(TRIALS))  # released cleanly


def _churn_worker(folder, rounds, overlaps, taken):
    doc = lock_mod.Path(folder) / "delad.rsa"
    marker = lock_mod.Path(folder) / "innehas"
    held = attempts = 0
    while held < rounds and attempts < rounds * 200:
        attempts += 1
        lk = DocumentLock(doc)
        try:
            lk.acquire()
        except FileLockedError:
            continue
        held += 1
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            with overlaps.get_lock():
                overlaps.value += 1
        else:
            os.close(fd)
            with taken.get_lock():
                taken.value += 1
            os.unlink(marker)
        lk.release()


def test_acquire_and_release_in_a_tight_loop_never_gives_two_holders(tmp_path):
    """The release unlinks the lock file: whoever opened the old file meanwhile must not think it holds it."""
    ctx = multiprocessing.get_context("fork")
    overlaps, taken = ctx.Value("i", 0), ctx.Value("i", 0)
    procs = [ctx.Process(target=_churn_worker, args=(str(tmp_path), TRIALS // WORKERS + 1, overlaps, taken))
             for _ in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
        assert p.exitcode == 0
    assert overlaps.value == 0
    assert taken.value >= TRIALS  # ≥ TRIALS holds, each contended by the other workers


def test_a_live_holder_is_respected_and_its_lock_survives(tmp_path):
    doc = tmp_path / "a.rsa"
    first = DocumentLock(doc)
    first.acquire()
    ctx = multiprocessing.get_context("fork")
    result = ctx.Queue()

    def other():
        try:
            DocumentLock(doc).acquire()
            result.put("tog låset")
        except FileLockedError as exc:
            result.put(str(exc))

    p = ctx.Process(target=other)
    p.start()
    p.join(30)
    assert "redan öppen hos" in result.get(timeout=5)
    assert json.loads(lock_path(doc).read_text(encoding="utf-8"))["pid"] == os.getpid()
    first.release()
    assert not lock_path(doc).exists()


def test_full_disk_gives_a_message_and_leaves_no_empty_lock(tmp_path, monkeypatch):
    """Writing the holder's name fails with ENOSPC (item 8 of issue 16)."""
    real_write = os.write

    def full(fd, data):
        if os.fstat(fd).st_ino == os.stat(lock_path(tmp_path / "a.rsa")).st_ino:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(DiskFullError, match="Disken är full"):
        DocumentLock(tmp_path / "a.rsa").acquire()
    monkeypatch.undo()
    assert not lock_path(tmp_path / "a.rsa").exists()


def test_a_symlinked_lock_file_is_not_followed(tmp_path):
    target = tmp_path / "annan.txt"
    target.write_text("orörd", encoding="utf-8")
    os.symlink(target, lock_path(tmp_path / "a.rsa"))
    with pytest.raises(FileLockedError):
        DocumentLock(tmp_path / "a.rsa").acquire()
    assert target.read_text(encoding="utf-8") == "orörd"
