"""The previous-year pairing rule (domain.pairing): carried-from link, then human ID, never title – and
Uppföljning and the matrix's "förra årets placering" pair exactly the same risks."""

from __future__ import annotations

import datetime as dt

from rsa_desktop.domain.pairing import pair_with_previous
from rsa_desktop.services.carry import carry_forward
from rsa_desktop.services.followup import compare, paired
from rsa_desktop.services.matrix import matrix_data, previous_positions


def test_link_first_then_id_never_title():
    previous = {10: "R1", 11: "R2", 12: "R3"}
    current = {20: "R1", 21: "R2", 22: "R5", 23: "R3"}
    # 20 is carried from 12 (its ID changed); 22 from another analysis: it is not last year's R5 or anything.
    carried = {20: (1, 12), 22: (9, 10)}
    assert pair_with_previous(current, previous, carried, 1) == {20: 12, 21: 11}
    # R3 of this year is not paired with last year's R3: that one is taken by the carried-from link.
    assert 23 not in pair_with_previous(current, previous, carried, 1)
    # A link to an item that no longer exists pairs nothing, and the item is not paired by ID either.
    assert pair_with_previous({20: "R1"}, {10: "R1"}, {20: (1, 99)}, 1) == {}


def _rate(svc, risk, likelihood, level):
    svc.update("risk", risk.id, likelihood=likelihood)
    svc.set_consequence(risk.id, svc.scales(risk.analysis_id).dimensions[0].id, level)


def test_renamed_and_renumbered_risks_pair_the_same_in_followup_and_matrix(svc):
    first = svc.create_analysis(2026)
    power = svc.create("risk", first.id, title="Elavbrott")  # R1
    flu = svc.create("risk", first.id, title="Pandemi")  # R2
    cyber = svc.create("risk", first.id, title="IT-attack")  # R3
    for r, (l, c) in zip((power, flu, cyber), ((3, 4), (2, 2), (4, 5))):
        _rate(svc, r, l, c)

    # 2027, carried: R1 renamed to last year's R3's title, R2 deleted and written anew (gets R4).
    second = carry_forward(svc, first.id, 2027)
    r1 = svc.find_by_hid("risk", second.id, "R1")
    svc.update("risk", r1.id, title="IT-attack")
    svc.delete("risk", svc.find_by_hid("risk", second.id, "R2").id)
    again = svc.create("risk", second.id, title="Pandemi", likelihood=1)
    assert again.hid == "R4"
    r3 = svc.find_by_hid("risk", second.id, "R3")
    svc.update("risk", r3.id, title="Elavbrott")

    c = compare(svc, first.id, second.id, today=dt.date(2027, 1, 1))
    year, positions = previous_positions(svc, second.id)
    # Through the links, whatever the titles say; the rewritten Pandemi is new, not last year's R2.
    assert c.matched["risk"] == {r1.id: power.id, r3.id: cyber.id} == paired(svc, first.id, second.id, "risk")
    assert year == 2026 and positions == {r1.id: (3, 4), r3.id: (4, 5)}
    assert [x.hid for x in c.new["risk"]] == ["R4"] and [x.hid for x in c.removed["risk"]] == ["R2"]

    # 2028, written from scratch (no links): paired by ID even though the titles now sit on other IDs.
    svc.set_archived(second.id, True)
    third = svc.create_analysis(2028)
    t1 = svc.create("risk", third.id, title="Elavbrott")  # R1, the title of 2027's R3
    t2 = svc.create("risk", third.id, title="Pandemi")  # R2: 2027 has no R2, its Pandemi is R4
    t3 = svc.create("risk", third.id, title="IT-attack")  # R3, the title of 2027's R1
    c = compare(svc, second.id, third.id, today=dt.date(2028, 1, 1))
    year, positions = previous_positions(svc, third.id)
    assert c.matched["risk"] == {t1.id: r1.id, t3.id: r3.id}
    assert t2.id not in c.matched["risk"]
    old = {p.risk_id: (p.likelihood, p.consequence) for p in matrix_data(svc, second.id).points if p.placed}
    assert year == 2027 and positions == {cur: old[prev] for cur, prev in c.matched["risk"].items() if prev in old}
    assert positions == {t1.id: (3, 4), t3.id: (4, 5)}
