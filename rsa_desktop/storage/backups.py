"""Rolling backups of documents in the user data folder, and restoring one.

Copies are made with SQLite's backup API (consistent even while the file is open), readable only
by the user, named by time and reason; the newest `keep` per document are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from rsa_desktop import paths
from rsa_desktop.storage import crypto, private
from rsa_desktop.storage.database import Document, backup_file, remove_document
from rsa_desktop.storage.errors import DocumentError
from rsa_desktop.storage.lock import DocumentLock, read_owner

DEFAULT_KEEP = 10
_NAME = re.compile(r"^(\d{8}-\d{6}-\d{6})-([a-zåäö-]+)\.rsa$")


@dataclass(frozen=True)
class Backup:
    path: Path
    when: dt.datetime
    reason: str
    size: int


def keep_count() -> int:
    """How many backups to keep per document: settings.json in the user data folder, default 10."""
    try:
        data = json.loads((paths.user_data_dir() / "settings.json").read_text(encoding="utf-8"))
        return max(1, int(data.get("backups_keep", DEFAULT_KEEP)))
    except (OSError, ValueError, TypeError, AttributeError):
        return DEFAULT_KEEP


def backup_dir(document: Path) -> Path:
    resolved = str(Path(document).resolve())
    tag = hashlib.sha256(resolved.encode()).hexdigest()[:10]
    stem = re.sub(r"[^\w.-]+", "_", Path(document).stem)[:40]
    root = private.mkdir(paths.user_data_dir() / "säkerhetskopior")
    return private.mkdir(root / f"{stem}-{tag}")


def list_backups(document: Path) -> list[Backup]:
    """Newest first."""
    out = []
    for p in backup_dir(document).glob("*.rsa"):
        m = _NAME.match(p.name)
        if m:
            when = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S-%f")
            out.append(Backup(p, when, m.group(2), p.stat().st_size))
    return sorted(out, key=lambda b: b.when, reverse=True)


def make_backup(doc: Document, reason: str, keep: int | None = None) -> Backup:
    folder = backup_dir(doc.path)
    when = dt.datetime.now()
    dest = folder / f"{when.strftime('%Y%m%d-%H%M%S-%f')}-{reason}.rsa"
    try:
        doc.write_copy(dest)  # encrypted like the document, when it is
    except (OSError, sqlite3.Error) as exc:
        raise DocumentError(f"Säkerhetskopian kunde inte skapas: {exc}", doc.path) from None
    for old in list_backups(doc.path)[keep or keep_count():]:
        old.path.unlink(missing_ok=True)
    return Backup(dest, when, reason, dest.stat().st_size)


def restore_backup(backup: Backup | Path, document: Path, *, passphrase: str | None = None) -> Path:
    """Replace `document` with a backup; the current content is backed up first. The file must be closed.

    `passphrase` opens an encrypted backup (and the current file, if it is protected by the same one).
    """
    source = backup.path if isinstance(backup, Backup) else Path(backup)
    document = Path(document)
    if read_owner(document) is not None:
        raise DocumentError("Stäng filen innan den återställs från en säkerhetskopia.", document)
    Document.open(source, readonly=True, passphrase=passphrase).close()  # refuses a damaged or foreign backup
    if document.exists():
        with Document.open(document, passphrase=passphrase) as current:
            make_backup(current, "före-återställning")
    tmp = document.with_name(document.name + ".återställs")
    if crypto.is_encrypted(source):
        crypto.write_atomically(tmp, source.read_bytes())
    else:
        backup_file(source, tmp)
    remove_document(document)
    os.replace(tmp, document)
    return document


def change_protection(document: Path, *, current: str | None, new: str | None) -> None:
    """Protect a closed file with a passphrase, change it, or (new=None) remove the protection.

    Its backups follow: plaintext backups are encrypted when the file is protected, and backups
    under the old passphrase get the new one, so no unprotected copy of a protected file remains
    in the backup folder. The copies kept beside the file before an upgrade of the file format
    (`namn.före-uppgradering-v1-….rsa`) follow too, kept byte for byte as the old version.
    """
    document = Path(document)
    lock = DocumentLock(document)
    lock.acquire()  # nobody else may have it open while it is rewritten
    try:
        image = _plain_image(document, current)
        new_key = crypto.new_key(new) if new is not None else None
        crypto.write_atomically(document, crypto.encrypt(image, new_key) if new_key else image)
        for side in ("-wal", "-shm"):
            Path(str(document) + side).unlink(missing_ok=True)
        for b in list_backups(document):
            was_encrypted = crypto.is_encrypted(b.path)
            if new_key is None and was_encrypted:
                continue  # stays protected by the passphrase it was made with
            try:
                old_image = _plain_image(b.path, current if was_encrypted else None)
            except DocumentError:
                continue  # another passphrase, or damaged: leave it as it is
            if new_key is not None:
                crypto.write_atomically(b.path, crypto.encrypt(old_image, new_key))
        for copy in upgrade_copies(document):
            _reprotect_raw(copy, current, new_key)
    finally:
        lock.release()


def upgrade_copies(document: Path) -> list[Path]:
    """The originals saved beside `document` before its file format was upgraded (storage/database.py)."""
    document = Path(document)
    pattern = re.compile(re.escape(document.stem) + r"\.före-uppgradering-v\d+-[\d-]+" + re.escape(document.suffix) + "$")
    return sorted(p for p in document.parent.iterdir() if pattern.match(p.name) and p.is_file())


def _reprotect_raw(path: Path, current: str | None, new_key: crypto.FileKey | None) -> None:
    """Encrypt an upgrade copy as it is (an older format: never migrated here) under the new passphrase."""
    data = path.read_bytes()
    if crypto.is_encrypted(path):
        if new_key is None:
            return  # stays protected by the passphrase it was made with
        try:
            data, _key = crypto.decrypt(data, current, path)
        except DocumentError:
            return  # another passphrase, or damaged: leave it as it is
    elif new_key is None or not data.startswith(b"SQLite format 3\x00"):
        return
    crypto.write_atomically(path, crypto.encrypt(data, new_key))


def _plain_image(path: Path, passphrase: str | None) -> bytes:
    """The database of `path` as bytes (decrypted, migrated), read without writing anything."""
    with Document.open(path, readonly=True, passphrase=passphrase) as doc:
        mem = sqlite3.connect(":memory:")
        raw = doc.engine.raw_connection()
        try:
            raw.driver_connection.backup(mem)
        finally:
            raw.close()
        try:
            return mem.serialize()
        finally:
            mem.close()
