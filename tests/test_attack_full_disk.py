"""A really full disk (a small tmpfs; needs root, else skipped): one Swedish line, no traceback, no
empty lock left behind (issue 16, item 8)."""

import os
import shutil
import subprocess
import sys
import uuid

import pytest

from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import DiskFullError
from rsa_desktop.storage.lock import lock_path


@pytest.fixture
def full_disk(tmp_path, demo_file):
    mount = tmp_path / "full"
    mount.mkdir()
    size = os.path.getsize(demo_file) + 64 * 1024
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True,
                       capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("cannot mount a small tmpfs here (not root?)")
    try:
        shutil.copy(demo_file, mount / "analys.rsa")
        fd = os.open(mount / "fyllnad", os.O_WRONLY | os.O_CREAT, 0o600)  # fill every remaining block
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False, timeout=30)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "rsa_desktop.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": os.getcwd()})


@pytest.mark.parametrize("option", ["--xlsx", "--pdf"])
def test_export_on_a_full_disk_says_so_in_one_line(full_disk, demo_file, option):
    out = full_disk / f"rapport-{uuid.uuid4().hex[:6]}{'.xlsx' if option == '--xlsx' else '.pdf'}"
    result = _cli("export", demo_file, option, out)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"rsa-desktop: Disken är full; {out.name} skrevs inte."]
    assert not out.exists() and not [p for p in full_disk.iterdir() if ".part" in p.name]


def test_opening_for_writing_on_a_full_disk_leaves_no_empty_lock(full_disk):
    doc_path = full_disk / "analys.rsa"
    try:
        Document.open(doc_path).close()
    except DiskFullError as exc:
        assert "Disken är full" in str(exc)
    assert not lock_path(doc_path).exists()
    os.unlink(full_disk / "fyllnad")
    Document.open(doc_path).close()  # and once there is room, it opens
