"""The domain's vocabulary: action statuses, the risk value and its band, and the one Scales construction."""

from __future__ import annotations

import datetime as dt

import pytest

from rsa_desktop.domain import actions
from rsa_desktop.domain.scales import (
    Band,
    band_for,
    overall_consequence,
    risk_value,
    scales_from_template,
    template_from_scales,
)

TODAY = dt.date(2027, 3, 1)


@pytest.mark.parametrize("status, open_, treats", [
    ("planerad", True, True), ("pagaende", True, True), ("genomford", False, True), ("avbruten", False, False),
    (None, False, True), ("", False, True),
])
def test_open_and_treating_statuses(status, open_, treats):
    assert actions.is_open(status) is open_
    assert actions.counts_as_treatment(status) is treats


@pytest.mark.parametrize("status, deadline, overdue", [
    ("planerad", dt.date(2027, 2, 28), True), ("pagaende", dt.date(2027, 2, 28), True),
    ("planerad", TODAY, False),  # due today is not late yet
    ("planerad", None, False), ("genomford", dt.date(2020, 1, 1), False), ("avbruten", dt.date(2020, 1, 1), False),
])
def test_overdue(status, deadline, overdue):
    assert actions.is_overdue(status, deadline, TODAY) is overdue


def test_status_labels():
    assert actions.status_label("pagaende") == "Pågående" and actions.status_label("") == ""
    assert actions.status_label("okänd") == "okänd"


def test_risk_value_band_and_overall():
    bands = (Band("Låg", "#0f0", 1), Band("Hög", "#f00", 10), Band("Måttlig", "#ff0", 5))  # any order
    assert risk_value(3, 4) == 12 and risk_value(None, 4) is None and risk_value(3, None) is None
    assert band_for(bands, 4).label == "Låg" and band_for(bands, 5).label == "Måttlig"
    assert band_for(bands, 25).label == "Hög" and band_for(bands, None) is None and band_for(bands, 0) is None
    assert overall_consequence([2, None, 4]) == 4 and overall_consequence([2, 3], "mean") == 3
    assert overall_consequence([None]) is None


def test_the_template_and_the_stored_rows_give_the_same_scales(svc, analysis):
    """A template copied into an analysis and read back is the Scales the template itself gives."""
    stored = svc.scales(analysis.id)
    from_template = scales_from_template(template_from_scales(stored))
    assert from_template.fingerprint == stored.fingerprint
    for part in ("likelihood", "consequence", "bands", "capability", "aggregation", "unacceptable_level"):
        assert getattr(from_template, part) == getattr(stored, part), part
    assert [(d.code, d.label) for d in from_template.dimensions] == [(d.code, d.label) for d in stored.dimensions]
    assert [(h.minutes, h.label) for h in from_template.horizons] == [(h.minutes, h.label) for h in stored.horizons]
    assert [d.id for d in scales_from_template(template_from_scales(stored), first_id=1).dimensions][0] == 1
    assert svc.snapshot(analysis.id).scales(analysis.id) == stored  # the snapshot (Core) and the ORM read agree


def test_severities_order_rank_and_counts():
    from rsa_desktop.domain import severity

    assert severity.SEVERITIES == ("hög", "medel", "låg")
    assert sorted(["låg", None, "hög", "okänd", "medel"], key=severity.rank) == ["hög", "medel", "låg", None, "okänd"]
    assert severity.counts(["hög", "låg", "hög", None, "x"]) == {"hög": 2, "medel": 0, "låg": 1}
    assert list(severity.counts([])) == list(severity.SEVERITIES)
    assert set(severity.LABELS) == set(severity.ACTION_PRIORITY) == set(severity.SEVERITIES)
