"""Fuzzing: whatever bytes a file holds, opening it gives a usable document or a DocumentError – never a crash."""

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsa_desktop.services.check import run_check
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document
from rsa_desktop.storage.errors import DocumentError

# CI runs a fixed set of examples (a red build must mean a regression, not a lucky draw); for a wider,
# random search: RSA_FUZZ_EXAMPLES=2000 RSA_FUZZ_RANDOM=1 ./test.sh tests/test_fuzz_open.py
SETTINGS = settings(max_examples=int(os.environ.get("RSA_FUZZ_EXAMPLES", "60")), deadline=None,
                    derandomize=not os.environ.get("RSA_FUZZ_RANDOM"),
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


_ORIGINAL: list[bytes] = []


@pytest.fixture(scope="module")
def original(tmp_path_factory, demo_file):
    # A compact plain file (rollback journal) so that mutations hit real pages. Kept out of the test's
    # arguments so that a failure report does not print two megabytes.
    path = tmp_path_factory.mktemp("fuzz") / "liten.rsa"
    shutil.copy(demo_file, path)
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA journal_mode = DELETE")
    _ORIGINAL[:] = [path.read_bytes()]


def try_open(path: Path) -> None:
    for readonly in (True, False):
        try:
            doc = Document.open(path, readonly=readonly)
        except DocumentError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        try:
            svc = RsaService(doc)
            try:
                run_check(svc)  # reading every item of a damaged-but-openable file must not crash
            except DocumentError:
                pass
        finally:
            doc.close()


@SETTINGS
@given(mutations=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.floats(0, 1)))
@pytest.mark.usefixtures("original")
def test_mutated_files_never_crash_the_open(tmp_path, mutations, cut):
    blob = bytearray(_ORIGINAL[0])
    for where, value in mutations:
        blob[int(where * len(blob))] = value
    if cut is not None:
        blob = blob[: int(cut * len(blob))]
    path = tmp_path / "mutated.rsa"
    for side in ("", ".lock", "-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    path.write_bytes(bytes(blob))
    try_open(path)


@SETTINGS
@given(blob=st.binary(max_size=5000))
def test_random_bytes_never_crash_the_open(tmp_path, blob):
    path = tmp_path / "random.rsa"
    for side in ("", ".lock", "-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    path.write_bytes(b"SQLite format 3\x00" + blob if blob[:1] == b"\x00" else blob)
    try_open(path)
