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
from rsa_desktop.storage.database import Document, backup_file, remove_document
from rsa_desktop.storage.errors import DocumentError
from rsa_desktop.storage.lock import read_owner

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
    folder = paths.user_data_dir() / "säkerhetskopior" / f"{stem}-{tag}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


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
    raw = doc.engine.raw_connection()
    try:
        backup_file(raw.driver_connection, dest)
    except (OSError, sqlite3.Error) as exc:
        raise DocumentError(f"Säkerhetskopian kunde inte skapas: {exc}", doc.path) from None
    finally:
        raw.close()
    for old in list_backups(doc.path)[keep or keep_count():]:
        old.path.unlink(missing_ok=True)
    return Backup(dest, when, reason, dest.stat().st_size)


def restore_backup(backup: Backup | Path, document: Path) -> Path:
    """Replace `document` with a backup; the current content is backed up first. The file must be closed."""
    source = backup.path if isinstance(backup, Backup) else Path(backup)
    document = Path(document)
    if read_owner(document) is not None:
        raise DocumentError("Stäng filen innan den återställs från en säkerhetskopia.", document)
    Document.open(source, readonly=True).close()  # refuses a damaged or foreign backup
    if document.exists():
        with Document.open(document) as current:
            make_backup(current, "före-återställning")
    tmp = document.with_name(document.name + ".återställs")
    backup_file(source, tmp)
    remove_document(document)
    os.replace(tmp, document)
    return document
