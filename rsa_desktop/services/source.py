"""One read of an analysis for the checks: RSA-kontroll (services/review.py), the continuity gaps
(services/gaps.py) and the step statuses all read the same ReviewSource, so they see one state of the file
and can run off the GUI thread. It lives apart from both so that neither imports the other."""

from __future__ import annotations

from rsa_desktop.domain.kinds import ITEM_KINDS
from rsa_desktop.services.rsa import RsaService

# What review() and gaps.analyse_gaps() read (services/gaps.py), and Översikt's counts (ui/steps/completeness.py).
SOURCE_KINDS = ("participant", *ITEM_KINDS, "fallback")
SOURCE_LINKS = ("function_dependency", "dependency_dependency", "action_risk", "risk_function")


class ReviewSource:
    """One analysis read at once, in one transaction: it answers the reading calls of RsaService that
    review(), gaps.analyse_gaps() and the step statuses make (same records, same order), without touching
    the file again. It holds plain frozen records only, so the checks can run on another thread, and they
    all see one state of the file (the UI computes RSA-kontroll off the GUI thread from one of these).
    Asking for something it does not hold raises KeyError rather than reading the file."""

    def __init__(self, svc: RsaService, analysis_id: int):
        with svc.batch():
            self.snapshot = svc.snapshot(analysis_id, SOURCE_KINDS, SOURCE_LINKS)
            self._analysis = svc.analysis(analysis_id)
            self._analyses = svc.analyses()
            self._organisation = svc.organisation()
            self._marks = frozenset(svc.review_marks(analysis_id))
            self._carried = dict(svc.carried_from(analysis_id))
        self.analysis_id = analysis_id
        self._index: dict[tuple[str, int], object] | None = None

    def _check(self, analysis_id: int) -> None:
        if analysis_id != self.analysis_id:
            raise KeyError(f"analysis {analysis_id} is not in the source")

    def analysis(self, analysis_id: int):
        self._check(analysis_id)
        return self._analysis

    def analyses(self):
        return list(self._analyses)

    def organisation(self):
        return self._organisation

    def list(self, kind: str, owner_id: int):
        return self.snapshot.list(kind, owner_id)

    def links(self, name: str, **kw):
        return self.snapshot.links(name, **kw)

    def scales(self, analysis_id: int):
        self._check(analysis_id)
        return self.snapshot.scales(analysis_id)

    def all_impacts(self, analysis_id: int):
        self._check(analysis_id)
        return self.snapshot.all_impacts(analysis_id)

    def all_consequences(self, analysis_id: int):
        self._check(analysis_id)
        return self.snapshot.all_consequences(analysis_id)

    def get(self, kind: str, item_id: int):
        if self._index is None:
            snap = self.snapshot
            index = {(k, r.id): r for k, recs in snap.records.items() for r in recs}
            index.update({(k, r.id): r for k, plans in snap.children.items() for recs in plans.values()
                          for r in recs})
            self._index = index
        return self._index[(kind, item_id)]

    def review_marks(self, analysis_id: int) -> set[tuple[str, int]]:
        self._check(analysis_id)
        return set(self._marks)

    def carried_from(self, analysis_id: int) -> dict[tuple[str, int], tuple[int, int]]:
        self._check(analysis_id)
        return dict(self._carried)


def reads_on_any_thread(svc: RsaService) -> bool:
    """Whether another RsaService on the same document may read it on another thread: the file has a pool
    of connections (not the one in-memory connection every caller shares, as a protected file has)."""
    from sqlalchemy.pool import StaticPool

    engine = svc.doc.engine
    return engine is not None and not isinstance(engine.pool, StaticPool)


def read_source(svc, analysis_id: int):
    """`svc` as a ReviewSource: a service is read once (not inside a running batch, whose pending ORM
    changes a Core read would not see); a source (or any other reader) is used as it is."""
    if isinstance(svc, RsaService) and svc._batch is None:
        return ReviewSource(svc, analysis_id)
    return svc
