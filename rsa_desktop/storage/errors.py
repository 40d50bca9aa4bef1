"""Known problems with a document file, each with a one-line Swedish message for the user."""

from __future__ import annotations


class DocumentError(Exception):
    """A file cannot be used. `str(err)` is a complete Swedish sentence for the user."""

    kind = "unknown"

    def __init__(self, message: str, path: object = None):
        super().__init__(message)
        self.path = path


class FileMissingError(DocumentError):
    kind = "missing"


class NotAnRsaFileError(DocumentError):
    kind = "foreign"


class HostileFileError(DocumentError):
    """The file holds database code (triggers, views) someone else put there."""
    kind = "hostile"


class CorruptFileError(DocumentError):
    kind = "corrupt"


class NewerVersionError(DocumentError):
    kind = "newer"


class ReadOnlyFileError(DocumentError):
    kind = "readonly"


class FileLockedError(DocumentError):
    kind = "locked"


class DiskFullError(DocumentError):
    kind = "disk_full"


class FileExistsAlreadyError(DocumentError):
    kind = "exists"
