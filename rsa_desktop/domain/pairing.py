"""THE rule for which item of last year an item of this year is (Uppföljning, the matrix's "förra årets
placering", anything else that compares two years).

1. An item carried forward is paired through its carried-from link, whatever its title or ID now.
2. An item without a carried-from link is paired by human ID ("R12") with a previous item that no link
   has taken: a human ID is kept between years and never reused, so it names the same item.
3. Never by title: titles are edited, and two risks may share one.

An item carried from another analysis than `previous_analysis_id` is not paired at all (its link says it
is not last year's item with that ID). Pure: ids and human IDs in, pairs out.
"""

from __future__ import annotations

from collections.abc import Mapping


def pair_with_previous(current: Mapping[int, str], previous: Mapping[int, str],
                       carried: Mapping[int, tuple[int, int]], previous_analysis_id: int) -> dict[int, int]:
    """{current id: previous id} for one kind.

    `current` and `previous` map item id → human ID; `carried` maps a current item id → (source analysis
    id, source item id), its carried-from link (the links of other kinds must not be passed)."""
    pairs: dict[int, int] = {}
    for item_id, (src_analysis, src_item) in carried.items():
        if src_analysis == previous_analysis_id and item_id in current and src_item in previous:
            pairs[item_id] = src_item
    taken = set(pairs.values())
    by_hid: dict[str, int] = {}
    for pid, hid in previous.items():
        if pid not in taken and hid and hid not in by_hid:
            by_hid[hid] = pid
    for cid, hid in current.items():
        if cid in pairs or cid in carried or not hid:
            continue
        if hid in by_hid:
            pairs[cid] = by_hid.pop(hid)
    return pairs


__all__ = ["pair_with_previous"]
