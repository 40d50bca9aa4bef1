"""Use cases on an open document: create, read, update, delete and link every item, with validation.

No Qt. Each call is one short transaction; results are typed, immutable items (domain/items.py), and every
write returns what is needed to undo it (`Change`, `Tombstone`, the previous link attributes).

`RsaService` is composed of one part per job: base.py (the document, sessions, lookups, editability, audit
helpers, shared by every part), analyses.py (organisation and analysis years, scales), reading.py (items read,
the bulk readers), snapshot.py (a whole analysis at once), items.py (create, update, move, duplicate),
tombstones.py (delete and restore), links.py and ratings.py. Callers import it from services/rsa.py.
"""

from __future__ import annotations

from rsa_desktop.services.content.analyses import AnalysesMixin
from rsa_desktop.services.content.items import ItemsMixin
from rsa_desktop.services.content.links import LinkRecord, LinksMixin
from rsa_desktop.services.content.ratings import RatingsMixin
from rsa_desktop.services.content.reading import ReadingMixin
from rsa_desktop.services.content.snapshot import Snapshot, SnapshotMixin
from rsa_desktop.services.content.tombstones import TombstonesMixin


class RsaService(AnalysesMixin, ItemsMixin, TombstonesMixin, LinksMixin, RatingsMixin, SnapshotMixin, ReadingMixin):
    """All reading and writing of one document's content."""


__all__ = ["RsaService", "LinkRecord", "Snapshot"]
