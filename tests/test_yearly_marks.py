"""The schema support of the yearly cycle: archived years, "att granska" marks, where a copy came from."""

import pytest
from sqlalchemy import insert

from rsa_desktop.model import entities as e
from rsa_desktop.services.errors import ReadOnlyAnalysisError


def test_archived_year_is_read_only_until_unarchived(svc, analysis):
    f = svc.create("function", analysis.id, name="Tillsyn")
    svc.set_archived(analysis.id, True)
    with pytest.raises(ReadOnlyAnalysisError, match="arkiverad"):
        svc.update("function", f.id, name="Ändrad")
    with pytest.raises(ReadOnlyAnalysisError):
        svc.create("risk", analysis.id, title="Ny")
    svc.set_archived(analysis.id, False)
    svc.update("function", f.id, name="Ändrad")
    assert [x.field for x in svc.audit_trail(analysis_id=analysis.id) if x.field == "Arkiverad"] == ["Arkiverad"] * 2


def test_review_marks_follow_their_item(svc, analysis):
    f = svc.create("function", analysis.id, name="Tillsyn")
    assert svc.set_review_mark(analysis.id, "function", f.id, True) is False
    assert svc.review_marks(analysis.id) == {("function", f.id)}
    with svc.doc.session() as s:
        s.connection().execute(insert(e.CarriedFrom.__table__).values(
            analysis_id=analysis.id, kind="function", item_id=f.id, source_analysis_id=99, source_item_id=7))
    assert svc.carried_from(analysis.id) == {("function", f.id): (99, 7)}
    tomb = svc.delete("function", f.id)
    assert svc.review_marks(analysis.id) == set() and svc.carried_from(analysis.id) == {}
    svc.restore(tomb)
    assert svc.review_marks(analysis.id) == {("function", f.id)}
    assert svc.carried_from(analysis.id) == {("function", f.id): (99, 7)}
    assert svc.set_review_mark(analysis.id, "function", f.id, False) is True
    assert svc.review_marks(analysis.id) == set()
