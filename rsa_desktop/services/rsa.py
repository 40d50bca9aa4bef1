"""Use cases on an open document: create, read, update, delete and link every item, with validation.

No Qt. Each call is one short transaction; results are typed, immutable items (domain/items.py), and every
write returns what is needed to undo it (`Change`, `Tombstone`, the previous link attributes).

The service lives in the package services/content/, one module per job; this module is where callers import it
from.
"""

from __future__ import annotations

from rsa_desktop.domain.kinds import CHILD_KINDS
from rsa_desktop.services.content import LinkRecord, RsaService, Snapshot
from rsa_desktop.services.records import TABLE_LABELS

__all__ = ["RsaService", "LinkRecord", "Snapshot", "TABLE_LABELS", "CHILD_KINDS"]
