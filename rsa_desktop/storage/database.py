"""The document: one `.rsa` file, SQLite inside.

Opening never modifies a bad file: the header is read as plain bytes, then the database is opened
read-only to check application id, schema version and integrity; only a good file is opened for
writing (and migrated, after a backup, when it is older than the program).

Pragmas on every connection: foreign_keys=ON (cascades), journal_mode=WAL (readers never block
the writer, and a crash cannot corrupt the file), synchronous=FULL (each committed edit survives
a power cut: an edit is committed the moment the user makes it, so the extra fsync is cheap next to
losing work on a laptop whose battery dies), busy_timeout (a second reader waits instead of failing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool, QueuePool, StaticPool
from sqlmodel import Session

from rsa_desktop.model.entities import DamagedValue
from rsa_desktop.storage import crypto, migrations, private
from rsa_desktop.storage.errors import (
    CorruptFileError,
    DiskFullError,
    DocumentError,
    FileExistsAlreadyError,
    FileLockedError,
    FileMissingError,
    HostileFileError,
    NewerVersionError,
    NotAnRsaFileError,
    ReadOnlyFileError,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
FILE_SUFFIX = ".rsa"
BUSY_TIMEOUT_MS = 5000


def _uri(path: Path, *, readonly: bool, immutable: bool = False) -> str:
    """SQLite URI; `immutable` reads without locks or -wal/-shm side files (only when nobody writes)."""
    # as_uri() percent-encodes spaces, å ä ö and '?' or '#' in folder names correctly.
    base = path.resolve().as_uri()
    if immutable:
        return base + "?mode=ro&immutable=1"
    return base + ("?mode=ro" if readonly else "?mode=rw")


def translate_sqlite_error(exc: BaseException, path: object = None) -> DocumentError | None:
    """Map a SQLite failure to a known problem with a Swedish message; None for a bug."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, DamagedValue):
        # Raised only by the columns' tolerant reading (model/entities.py), never by a bug of ours: a
        # ValueError, whatever its message, is a bug and reaches the crash dialog.
        return CorruptFileError(f"Filen innehåller ett skadat värde som inte kan läsas ({orig}). Återställ från "
                                "en säkerhetskopia, eller kontrollera filen med rsa-desktop check.", path)
    if not isinstance(orig, sqlite3.Error):
        if isinstance(orig, OSError) and orig.errno == 28:
            return DiskFullError("Disken är full. Frigör utrymme och försök igen; inget har gått förlorat.", path)
        return None
    # Classified by SQLite's own result code (the primary code is the low byte of the extended one),
    # never by message text: messages differ between SQLite versions and may quote user data.
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == _SQLITE_FULL:
        return DiskFullError("Disken är full. Frigör utrymme och försök igen; den senaste ändringen sparades inte.", path)
    if primary in (_SQLITE_READONLY, _SQLITE_PERM):
        return ReadOnlyFileError("Filen är skrivskyddad och kan inte ändras. Spara en kopia under ett annat namn.", path)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return FileLockedError("Filen används av ett annat program just nu. Försök igen om en stund.", path)
    if primary == _SQLITE_CORRUPT:
        return CorruptFileError("Filen är skadad. Återställ den från en säkerhetskopia.", path)
    if primary == _SQLITE_NOTADB:
        return NotAnRsaFileError("Filen är inte en RSA-fil.", path)
    if primary == _SQLITE_CANTOPEN:
        return FileMissingError("Filen kunde inte öppnas (saknas den, eller saknas behörighet till mappen?).", path)
    if primary == _SQLITE_IOERR:
        return DocumentError("Filen kunde inte läsas eller skrivas (ett fel på disken eller i nätverket). "
                             "Försök igen; inget har sparats till hälften.", path)
    return None


# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 11, 13, 14, 26


def _wal_format(path: Path) -> bool:
    """Whether the file's header says WAL mode (bytes 18 and 19 are 2)."""
    try:
        with path.open("rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02"


def _check_header(path: Path) -> bool:
    """Return whether a WAL file belongs to `path`; raise for anything that is not a whole SQLite file."""
    if not path.exists():
        raise FileMissingError(f"Filen finns inte: {path}", path)
    if path.is_dir():
        raise NotAnRsaFileError(f"Det är en mapp, inte en RSA-fil: {path}", path)
    if not path.is_file():
        # A FIFO, a device (/dev/zero), a socket: reading it could block or never end.
        raise NotAnRsaFileError(f"Det är ingen vanlig fil (utan t.ex. en enhet eller ett rör), inte en RSA-fil: "
                                f"{path}", path)
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except PermissionError:
        raise ReadOnlyFileError(f"Du saknar behörighet att läsa filen: {path}", path) from None
    except OSError as exc:
        raise DocumentError(f"Filen kunde inte läsas ({exc.strerror}): {path}", path) from None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotAnRsaFileError(f"Filen är inte en RSA-fil (okänt filformat): {path.name}", path)
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, in_header_pages = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    wal = Path(str(path) + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    size = path.stat().st_size
    if page_size < 512 or page_size & (page_size - 1):
        raise CorruptFileError(f"Filen är skadad (ogiltigt sidhuvud): {path.name}", path)
    if not has_wal and (size % page_size or (valid_for == change_counter and size < in_header_pages * page_size)):
        raise CorruptFileError(
            f"Filen är ofullständig eller skadad (den kan ha avbrutits när den kopierades): {path.name}", path)
    return has_wal


def _inspect(path: Path, has_wal: bool) -> tuple[int, int]:
    """Open read-only; return (application_id, user_version) after an integrity check."""
    try:
        conn = sqlite3.connect(_uri(path, readonly=True, immutable=not has_wal), uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise translate_sqlite_error(exc, path) or CorruptFileError(
            f"Filen kunde inte öppnas: {path.name}", path) from None
    try:
        return _inspect_connection(conn, path)
    finally:
        conn.close()


def _inspect_connection(conn: sqlite3.Connection, path: Path) -> tuple[int, int]:
    """Application id, schema version, planted code and integrity of an open database."""
    conn.text_factory = _decode_text  # a damaged name in the schema must not escape as a decode error
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != migrations.APPLICATION_ID:
            raise NotAnRsaFileError(
                f"Filen är en databas men ingen RSA-fil från det här programmet: {path.name}", path)
        if version > migrations.CURRENT_VERSION:
            raise NewerVersionError(
                f"Filen är skapad med en nyare version av RSA Desktop (filformat {version}, det här "
                f"programmet läser till och med {migrations.CURRENT_VERSION}). Uppdatera programmet.", path)
        foreign = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchall()
        if foreign:
            kind, name = foreign[0]
            raise HostileFileError(
                f"Filen innehåller databaskod som inte kommer från RSA Desktop ({'trigger' if kind == 'trigger' else 'vy'} "
                f"”{name}”) och öppnas inte av säkerhetsskäl: {path.name}", path)
        planted = migrations.schema_problem(conn)
        if planted:
            raise HostileFileError(
                f"Filen har en databasstruktur som inte kommer från RSA Desktop ({planted}) och öppnas inte "
                f"av säkerhetsskäl: {path.name}", path)
        result = conn.execute("PRAGMA integrity_check(20)").fetchall()
        if [r[0] for r in result] != ["ok"]:
            raise CorruptFileError(
                f"Filen är skadad och kan inte öppnas säkert: {path.name}. Återställ från en säkerhetskopia.",
                path)
        return app_id, version
    except sqlite3.Error as exc:
        raise translate_sqlite_error(exc, path) or CorruptFileError(
            f"Filen är skadad och kan inte öppnas: {path.name}", path) from None
    except (UnicodeError, ValueError, TypeError, AttributeError):
        raise CorruptFileError(f"Filen är skadad och kan inte öppnas: {path.name}", path) from None


def _decode_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _rollback_header(image: bytes) -> bytes:
    """An in-memory database cannot use WAL: mark an image made from a WAL file as rollback-journal."""
    if image[18:20] == b"\x02\x02":
        return image[:18] + b"\x01\x01" + image[20:]
    return image


NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "sshfs", "fuse.sshfs", "9p", "afs", "ceph",
                       "glusterfs", "lustre", "davfs", "fuse.davfs2", "fuse.rclone"}


def _mount_type(path: Path, mounts_text: str) -> str:
    """The filesystem type of the mount that holds `path`, from /proc/mounts-style text."""
    best, kind = "", ""
    target = str(path)
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def on_network_share(path: Path) -> bool:
    """Whether `path` lies on a network share, where SQLite's WAL mode does not work (it needs shared memory)."""
    path = Path(path).resolve()
    if sys.platform == "win32":
        if str(path).startswith("\\\\"):
            return True
        try:
            import ctypes

            return ctypes.windll.kernel32.GetDriveTypeW(path.anchor) == 4  # DRIVE_REMOTE
        except (AttributeError, OSError):
            return False
    try:
        text = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return _mount_type(path, text) in NETWORK_FILESYSTEMS


def journal_mode_for(path: Path) -> str:
    # WAL: readers never block the writer and commits are cheap; on a network share a rollback journal.
    return "DELETE" if on_network_share(path) else "WAL"


def _configure(dbapi_conn: sqlite3.Connection, *, readonly: bool, journal: str = "WAL") -> None:
    # Autocommit at the driver level, with BEGIN emitted by SQLAlchemy's "begin" event:
    # SQLAlchemy's documented recipe for correct SQLite transactions with pysqlite.
    dbapi_conn.isolation_level = None
    # A damaged byte inside a text must not make the whole file unreadable: show it as � instead.
    dbapi_conn.text_factory = _decode_text
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA trusted_schema = OFF")  # defence in depth against functions planted in a schema
    if not readonly:
        cur.execute(f"PRAGMA journal_mode = {journal}")
        cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _make_engine(creator, *, readonly: bool, static: bool = False, journal: str = "WAL") -> Engine:
    if static:
        engine = create_engine("sqlite://", creator=creator, poolclass=StaticPool)
    elif readonly:
        engine = create_engine("sqlite://", creator=creator, poolclass=NullPool)
    else:
        # The writer keeps one connection open while the document is: the -wal file then lives
        # as long as the document is open (readers see every commit) and edits skip a checkpoint.
        engine = create_engine("sqlite://", creator=creator, poolclass=QueuePool, pool_size=1, max_overflow=4)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        _configure(dbapi_conn, readonly=readonly, journal=journal)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def backup_file(src: sqlite3.Connection | Path, dest: Path, *, immutable: bool = False) -> Path:
    """Consistent copy of a live database with SQLite's backup API (never a file copy under WAL)."""
    own = not isinstance(src, sqlite3.Connection)
    conn = sqlite3.connect(_uri(src, readonly=True, immutable=immutable), uri=True) if own else src
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        if tmp.exists():
            tmp.unlink()
        private.touch(tmp)  # 0600 before SQLite writes a byte (it gives its journal the same mode)
        out = sqlite3.connect(tmp)
        try:
            conn.backup(out)
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
        return dest
    finally:
        if own:
            conn.close()


SIDE_FILES = ("-wal", "-shm", "-journal")


def discard_orphan_journals(path: str | os.PathLike) -> list[Path]:
    """Remove the journal files (-wal, -shm, -journal) left beside a database that no longer exists.

    Without its database such a journal is of no use to anyone, and SQLite would apply it to a new file of the
    same name – which then reads as damaged. Returns what was removed, for a message. Raises DocumentError
    (what the file is, and what to do) when one cannot be removed."""
    path = Path(path)
    if path.exists():
        return []
    removed = []
    for suffix in SIDE_FILES:
        side = Path(str(path) + suffix)
        if side.is_file():
            try:
                side.unlink()
            except OSError as exc:
                raise DocumentError(
                    f"Bredvid {path.name} ligger {side.name}, en journalfil som blev kvar efter en tidigare fil med "
                    f"samma namn. Den kunde inte tas bort ({exc.strerror or exc}); ta bort den eller välj ett annat "
                    f"namn: {side}", path) from None
            removed.append(side)
    return removed


def orphan_notice(removed: list[Path]) -> str:
    """The Swedish line that says what `discard_orphan_journals` removed and why."""
    names = ", ".join(p.name for p in removed)
    return (f"{names} låg kvar efter en tidigare fil med samma namn som inte finns längre. En sådan journalfil går "
            "inte att använda utan sin fil, så den togs bort innan den nya filen skapades.")


class Document:
    """An open `.rsa` file. Use `Document.open` / `Document.create`; close when done."""

    def __init__(self, path: Path, engine: Engine, *, readonly: bool, migrated_from: int | None = None,
                 backup_path: Path | None = None, lock=None, key: crypto.FileKey | None = None,
                 memory: sqlite3.Connection | None = None):
        self.path = path
        self.engine = engine
        self.readonly = readonly
        self.migrated_from = migrated_from
        self.backup_path = backup_path
        self._lock = lock
        self._key = key  # set for a file protected by a passphrase: the database then lives in memory
        self._memory = memory

    @property
    def encrypted(self) -> bool:
        return self._key is not None

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike, *, overwrite: bool = False, passphrase: str | None = None) -> Document:
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsAlreadyError(f"Filen finns redan: {path}", path)
        path.parent.mkdir(parents=True, exist_ok=True)
        discard_orphan_journals(path)  # a new file must not inherit an old one's journal
        if passphrase is not None:
            key = crypto.new_key(passphrase)
            mem = sqlite3.connect(":memory:", isolation_level=None)
            try:
                mem.execute("BEGIN")
                migrations.create_schema(mem)
                mem.execute("COMMIT")
                crypto.write_atomically(path, crypto.encrypt(mem.serialize(), key))
            finally:
                mem.close()
            return cls.open(path, passphrase=passphrase)
        tmp = path.with_name(path.name + ".new")
        for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm"), Path(str(tmp) + "-journal")):
            if p.exists():
                p.unlink()
        try:
            # Build the schema beside the target and rename, so a half-created file never appears.
            private.touch(tmp)  # 0600 from the start, not chmod'ed afterwards
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode = DELETE")
                conn.execute("BEGIN")
                migrations.create_schema(conn)
                conn.execute("COMMIT")
            finally:
                conn.close()
            os.chmod(tmp, 0o600)
            if overwrite:
                for p in (Path(str(path) + "-wal"), Path(str(path) + "-shm")):
                    if p.exists():
                        p.unlink()
            os.replace(tmp, path)
        except sqlite3.Error as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise translate_sqlite_error(exc, path) or DocumentError(
                f"Filen kunde inte skapas: {path}", path) from None
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            if exc.errno == 28:
                raise DiskFullError(f"Disken är full; filen kunde inte skapas: {path}", path) from None
            raise DocumentError(f"Filen kunde inte skapas ({exc.strerror}): {path}", path) from None
        return cls.open(path)

    @classmethod
    def open(cls, path: str | os.PathLike, *, readonly: bool = False, passphrase: str | None = None) -> Document:
        path = Path(path)
        if path.is_file() and crypto.is_encrypted(path):
            return cls._open_encrypted(path, readonly=readonly, passphrase=passphrase)
        _check_header(path)
        # Immutable (lock-free, side-file-free) reading is only safe when nobody is writing; a writer
        # keeps its connection open, so its -shm (and -wal) exist for as long as it has the file open.
        has_wal = any(Path(str(path) + suffix).exists() for suffix in ("-wal", "-shm", "-journal"))
        if not has_wal and Path(str(path) + ".lock").exists() and not _wal_format(path):
            has_wal = True  # a writer on a network share (rollback journal) has the file open
        # The mode bits count too: an administrator (root) may write anything, but a file the user
        # has write-protected is meant to stay as it is.
        if not readonly and not (os.access(path, os.W_OK) and path.stat().st_mode & 0o222):
            raise ReadOnlyFileError(
                f"Filen är skrivskyddad: {path.name}. Öppna den som skrivskyddad eller spara en kopia.", path)
        if readonly and has_wal and not os.access(path.parent, os.W_OK):
            raise ReadOnlyFileError(f"Filen avslutades inte rent och mappen är skrivskyddad: {path.name}", path)
        _app_id, version = _inspect(path, has_wal)

        if readonly:
            if version < migrations.CURRENT_VERSION:
                # Bring an older read-only file forward in memory; the file itself is never touched.
                mem = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
                src = sqlite3.connect(_uri(path, readonly=True, immutable=not has_wal), uri=True)
                try:
                    src.backup(mem)
                finally:
                    src.close()
                migrations.migrate(mem, version)
                engine = _make_engine(lambda: mem, readonly=False, static=True)
                return cls(path, engine, readonly=True, migrated_from=version)
            # Without a -wal nobody is writing: read immutably so no side files appear beside the file.
            uri = _uri(path, readonly=True, immutable=not has_wal)
            engine = _make_engine(
                lambda: sqlite3.connect(uri, uri=True, check_same_thread=False), readonly=True)
            return cls(path, engine, readonly=True)

        from rsa_desktop.storage.lock import DocumentLock

        lock = DocumentLock(path)
        lock.acquire()
        try:
            return cls._open_for_writing(path, version, lock, has_wal)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_encrypted(cls, path: Path, *, readonly: bool, passphrase: str | None) -> Document:
        if not readonly and not (os.access(path, os.W_OK) and path.stat().st_mode & 0o222):
            raise ReadOnlyFileError(
                f"Filen är skrivskyddad: {path.name}. Öppna den som skrivskyddad eller spara en kopia.", path)
        data = path.read_bytes()
        plaintext, key = crypto.decrypt(data, passphrase, path)
        if not plaintext.startswith(SQLITE_MAGIC):
            raise CorruptFileError(f"Den krypterade filen innehåller ingen databas: {path.name}", path)
        mem = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        lock = None
        try:
            mem.deserialize(_rollback_header(plaintext))
            mem.execute("PRAGMA temp_store = MEMORY")  # no plaintext temporary files on disk
            _app_id, version = _inspect_connection(mem, path)
            if not readonly:
                from rsa_desktop.storage.lock import DocumentLock

                lock = DocumentLock(path)
                lock.acquire()
            backup_path = None
            if version < migrations.CURRENT_VERSION:
                if not readonly:
                    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                    backup_path = path.with_name(f"{path.stem}.före-uppgradering-v{version}-{stamp}{path.suffix}")
                    crypto.write_atomically(backup_path, data)  # the original, still encrypted
                migrations.migrate(mem, version)
        except BaseException:
            mem.close()
            if lock is not None:
                lock.release()
            raise
        engine = _make_engine(lambda: mem, readonly=False, static=True)
        doc = cls(path, engine, readonly=readonly, migrated_from=version if version < migrations.CURRENT_VERSION
                  else None, backup_path=backup_path, lock=lock, key=key, memory=mem)
        if doc.migrated_from is not None and not readonly:
            doc._persist()
        return doc

    def _persist(self) -> None:
        """Write the in-memory database back, encrypted, atomically (after every committed change)."""
        try:
            crypto.write_atomically(self.path, crypto.encrypt(self._memory.serialize(), self._key))
        except OSError as exc:
            if exc.errno == 28:
                raise DiskFullError("Disken är full; den senaste ändringen kunde inte sparas.", self.path) from None
            raise DocumentError(f"Filen kunde inte sparas ({exc.strerror}).", self.path) from None

    @classmethod
    def _open_for_writing(cls, path: Path, version: int, lock, has_wal: bool) -> Document:
        backup_path = None
        migrated_from = None
        uri = _uri(path, readonly=False)
        journal = journal_mode_for(path)
        if version < migrations.CURRENT_VERSION:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup_path = path.with_name(f"{path.stem}.före-uppgradering-v{version}-{stamp}{path.suffix}")
            try:
                backup_file(path, backup_path, immutable=not has_wal)
                conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
                try:
                    conn.execute(f"PRAGMA journal_mode = {journal}")
                    migrations.migrate(conn, version)
                finally:
                    conn.close()
            except sqlite3.Error as exc:
                raise translate_sqlite_error(exc, path) or CorruptFileError(
                    f"Filen kunde inte uppgraderas till den nya versionen: {path.name}. "
                    f"Originalet finns kvar i {backup_path.name}.", path) from None
            migrated_from = version
        engine = _make_engine(
            lambda: sqlite3.connect(uri, uri=True, check_same_thread=False,
                                    timeout=BUSY_TIMEOUT_MS / 1000), readonly=False, journal=journal)
        try:
            with engine.connect() as c:
                c.exec_driver_sql("PRAGMA journal_mode").fetchone()
        except Exception as exc:  # noqa: BLE001 - translated or re-raised
            engine.dispose()
            err = translate_sqlite_error(exc, path)
            if err:
                raise err from None
            raise
        return cls(path, engine, readonly=False, migrated_from=migrated_from, backup_path=backup_path, lock=lock)

    def close(self) -> None:
        if self.engine is not None:
            if not self.readonly and not self.encrypted:
                with contextlib.suppress(Exception):
                    with self.engine.connect() as c:
                        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.engine.dispose()
            self.engine = None  # type: ignore[assignment]
        if self._memory is not None:
            self._memory.close()
            self._memory = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- work ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """One short-lived session per user action; committed at the end, rolled back on error.

        SQLite failures that a user can act on come out as DocumentError with a Swedish message.
        """
        if self.engine is None:
            raise DocumentError("Filen är stängd.", self.path)
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
            if self.readonly:
                if session.new or session.dirty or session.deleted:
                    raise ReadOnlyFileError("Filen är öppnad skrivskyddad; ändringen sparades inte.", self.path)
                session.rollback()
            else:
                session.commit()
                if self._key is not None:
                    self._persist()
        except Exception as exc:
            session.rollback()
            err = translate_sqlite_error(exc, self.path)
            if err is not None and err is not exc:
                raise err from exc
            raise
        finally:
            session.close()

    def save_copy(self, dest: str | os.PathLike) -> Path:
        """Write a consistent copy of this document to `dest` ("Spara kopia som…")."""
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise DocumentError("Kopian måste få ett annat namn än originalet.", dest)
        return self.write_copy(dest)

    def write_copy(self, dest: Path) -> Path:
        """A consistent copy; protected by the same passphrase when this file is."""
        if self._key is not None:
            try:
                crypto.write_atomically(dest, crypto.encrypt(self._memory.serialize(), self._key))
                return dest
            except OSError as exc:
                if exc.errno == 28:
                    raise DiskFullError("Disken är full; kopian kunde inte sparas.", dest) from None
                raise DocumentError(f"Kopian kunde inte sparas ({exc.strerror}).", dest) from None
        raw = self.engine.raw_connection()
        try:
            return backup_file(raw.driver_connection, dest)
        except OSError as exc:
            if exc.errno == 28:
                raise DiskFullError("Disken är full; kopian kunde inte sparas.", dest) from None
            raise DocumentError(f"Kopian kunde inte sparas ({exc.strerror}).", dest) from None
        finally:
            raw.close()

    def integrity_ok(self) -> bool:
        with self.engine.connect() as c:
            return [r[0] for r in c.exec_driver_sql("PRAGMA integrity_check").fetchall()] == ["ok"]


def remove_document(path: Path) -> None:
    """Delete a document with its WAL companions."""
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        p.unlink(missing_ok=True)
