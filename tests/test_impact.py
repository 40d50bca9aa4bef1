"""Impact over time: the proposed acceptabel avbrottstid, and confirming or overriding it."""

import pytest

from rsa_desktop.services.errors import ValidationError
from rsa_desktop.services.impact import confirm_mtd, mtd_needs_motivation, proposal_for, propose_mtd

# default horizons: 1 h, 4 h, 1 dygn, 3 dygn, 1 vecka, 1 månad; unacceptable level 4
LABELS = ["1 h", "4 h", "1 dygn", "3 dygn", "1 vecka", "1 månad"]

CASES = [
    ("reaches 4 at 3 dygn", [1, 2, 3, 4, 5, 5], 4, 1440, "1 dygn", True),
    ("reaches 4 at 1 vecka", [1, 1, 2, 3, 4, 4], 4, 4320, "3 dygn", True),
    ("higher than 4 counts too", [1, 2, 5, 5, 5, 5], 4, 240, "4 h", True),
    ("never unacceptable", [1, 1, 1, 2, 2, 3], 4, 43200, "1 månad", False),
    ("unacceptable at once", [4, 5, 5, 5, 5, 5], 4, None, "", True),
    ("configured unacceptable level 3", [1, 2, 3, 4, 5, 5], 3, 240, "4 h", True),
    ("configured unacceptable level 5", [1, 2, 3, 4, 5, 5], 5, 4320, "3 dygn", True),
    ("unrated horizons before the limit are skipped", [1, None, None, 4, 5, 5], 4, 60, "1 h", True),
    ("unrated after the last rating", [1, 2, None, None, None, None], 4, 240, "4 h", False),
    ("nothing rated", [None] * 6, 4, None, "", False),
]


@pytest.mark.parametrize("levels, limit, minutes, label, reaches", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_proposal(svc, analysis, levels, limit, minutes, label, reaches):
    svc.update("analysis", analysis.id, unacceptable_level=limit)
    scales = svc.scales(analysis.id)
    assert [h.label for h in scales.horizons] == LABELS
    impacts = {h.id: lv for h, lv in zip(scales.horizons, levels) if lv is not None}
    p = propose_mtd(scales, impacts)
    assert (p.minutes, p.horizon_label, p.reaches_unacceptable) == (minutes, label, reaches)
    assert p.reason
    if minutes is not None:
        assert p.horizon_id == next(h.id for h in scales.horizons if h.minutes == minutes)
    if None in levels and any(lv is not None for lv in levels):
        assert p.missing and "inte bedömd" in p.reason


def test_reason_is_plain_swedish(svc, analysis):
    scales = svc.scales(analysis.id)
    p = propose_mtd(scales, {h.id: lv for h, lv in zip(scales.horizons, [1, 2, 3, 4, 5, 5])})
    assert p.reason == ("Konsekvensen når nivå 4 (Mycket allvarliga) vid 3 dygn (nivå 4), som är oacceptabel. "
                        "Den sista tidshorisonten före dess är 1 dygn.")


@pytest.fixture
def rated_function(svc, analysis):
    f = svc.create("function", analysis.id, name="Akuta ärenden", is_critical=True)
    for h, lv in zip(svc.scales(analysis.id).horizons, [1, 2, 3, 4, 5, 5]):
        svc.set_impact(f.id, h.id, lv)
    return f


def test_confirm_the_proposal(svc, rated_function):
    assert proposal_for(svc, rated_function.id).minutes == 1440
    change = confirm_mtd(svc, rated_function.id, "1 dygn")
    assert change.new["max_tolerable_downtime"] == 1440
    assert svc.get("function", rated_function.id).max_tolerable_downtime == 1440
    assert not mtd_needs_motivation(svc, rated_function.id)


def test_override_needs_a_motivation(svc, rated_function):
    with pytest.raises(ValidationError) as exc:
        confirm_mtd(svc, rated_function.id, 240)
    assert exc.value.fields == {"mtd_motivation"}
    assert "Motivering av avbrottstid" in str(exc.value) and "1 dygn" in str(exc.value)
    assert svc.get("function", rated_function.id).max_tolerable_downtime is None
    confirm_mtd(svc, rated_function.id, 240, "Tingsrätten kräver besked samma dag.")
    f = svc.get("function", rated_function.id)
    assert (f.max_tolerable_downtime, f.mtd_motivation) == (240, "Tingsrätten kräver besked samma dag.")
    # confirming the proposal later clears the old reason
    confirm_mtd(svc, rated_function.id, 1440)
    assert svc.get("function", rated_function.id).mtd_motivation == ""


def test_bad_duration_and_stored_override_without_reason(svc, rated_function):
    with pytest.raises(ValidationError) as exc:
        confirm_mtd(svc, rated_function.id, "två dagar")
    assert exc.value.fields == {"max_tolerable_downtime"}
    svc.update("function", rated_function.id, max_tolerable_downtime=60)  # set elsewhere, without a reason
    assert mtd_needs_motivation(svc, rated_function.id)


def test_no_ratings_means_a_motivation_is_needed(svc, analysis):
    f = svc.create("function", analysis.id, name="Ej bedömd")
    with pytest.raises(ValidationError):
        confirm_mtd(svc, f.id, 1440)
    confirm_mtd(svc, f.id, 1440, "Bedömd i ledningsgruppen.")
