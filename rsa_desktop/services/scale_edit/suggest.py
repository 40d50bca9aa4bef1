"""Suggestions for the user to confirm: colour bands that keep the risks' classes, a starting re-mapping."""

from __future__ import annotations

from typing import Any

from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.scale_edit.mapping import normalise_mapping
from rsa_desktop.services.scale_edit.preview import new_places, preview_scale_change
from rsa_desktop.services.scale_edit.template import LEVEL_KEYS, LEVEL_PARTS, validate_template


def suggest_bands(svc: RsaService, analysis_id: int, new_template: dict[str, Any],
                  mapping: dict | None = None) -> list[dict[str, Any]]:
    """`new_template`'s colour bands with lowest scores chosen so that as few risks as possible change class.

    The bands keep their labels, colours and order, and the first band its lowest score; the others get the
    scores that keep the most risks in the band (by label) they have today, then the scores closest to the
    present ones. Sometimes not every class can be kept (two risks with different classes land on one cell);
    the preview then still lists those. Only a suggestion for the user to look at and adjust.
    """
    # The bands as the user has them, even with scores that clash (that may be why a suggestion is wanted):
    # only their order, labels and colours, and the first one's score, are used.
    raw = [dict(b) for b in new_template.get("colour_bands") or [] if isinstance(b, dict)]
    raw.sort(key=lambda b: b["min_score"] if isinstance(b.get("min_score"), int) else 0)
    first = raw[0]["min_score"] if raw and isinstance(raw[0].get("min_score"), int) and raw[0]["min_score"] > 0 else 1
    tpl = validate_template(dict(new_template, colour_bands=[dict(b, min_score=i + 1) for i, b in enumerate(raw)]))
    mp = normalise_mapping(mapping)
    scales = svc.scales(analysis_id)
    present = [b["min_score"] if isinstance(b.get("min_score"), int) else 0 for b in raw]  # to stay close to
    bands = [{**b, "min_score": m} for b, m in zip(tpl["colour_bands"], present)]  # checked labels and colours
    top = max(lv["value"] for lv in tpl["likelihood_levels"]) * max(lv["value"] for lv in tpl["consequence_levels"])
    k = len(bands)
    if k < 2 or top - first + 1 < k:
        return bands
    new_values = {p: {lv["value"] for lv in tpl[LEVEL_KEYS[p]]} for p in LEVEL_PARTS}
    new_values["dimensions"] = {d["code"] for d in tpl["consequence_dimensions"]}
    index = {b["label"]: i for i, b in enumerate(bands)}
    consequences = svc.all_consequences(analysis_id)
    # mismatch[score][j]: risks at this score on the new scale whose present class is not band j
    wanted: dict[int, list[int]] = {}
    for r, lik, con in new_places(svc, analysis_id, scales, tpl, mp, new_values):
        old = scales.band(r.likelihood, scales.overall(consequences.get(r.id, {})))
        if lik is None or con is None or old is None or old.label not in index:
            continue
        wanted.setdefault(lik * con, []).append(index[old.label])
    scores = range(first, top + 1)
    inf = (float("inf"), float("inf"))
    # best[j] = (mismatches, distance from today's lowest scores, thresholds) with the score just seen in band j
    best: list[tuple] = [inf] * k
    for s_ in scores:
        here = wanted.get(s_, [])
        miss = [sum(1 for w in here if w != j) for j in range(k)]
        new_best: list[tuple] = [inf] * k
        for j in range(k):
            if s_ == first:
                if j == 0:
                    new_best[0] = (miss[0], 0, ())
                continue
            stay = best[j]
            enter = best[j - 1] if j > 0 else inf
            if enter[0] != float("inf"):
                enter = (enter[0], enter[1] + abs(s_ - bands[j]["min_score"]), enter[2] + (s_,))
            choice = min(stay, enter, key=lambda t: (t[0], t[1]))
            if choice[0] != float("inf"):
                new_best[j] = (choice[0] + miss[j], choice[1], choice[2])
        best = new_best
    found = best[k - 1]
    if found[0] == float("inf"):
        return bands
    mins = (first,) + found[2]
    return [{**b, "min_score": m} for b, m in zip(bands, mins)]


def suggest_mapping(svc: RsaService, analysis_id: int, new_template: dict[str, Any]) -> dict[str, dict]:
    """A starting point for the re-mapping dialog: nearest new level, same-label dimension, nearest horizon.

    Only a suggestion for the user to confirm or change: `apply_scale` never maps on its own.
    """
    tpl = validate_template(new_template)
    preview = preview_scale_change(svc, analysis_id, tpl)
    scales = svc.scales(analysis_id)
    out: dict[str, dict] = {}
    for part in LEVEL_PARTS:
        values = sorted(lv["value"] for lv in tpl[LEVEL_KEYS[part]])
        for old in preview.needs_mapping.get(part, ()):
            if values:
                out.setdefault(part, {})[old] = min(values, key=lambda v: (abs(v - old), -v))
    by_label = {d["label"].lower(): d["code"] for d in tpl["consequence_dimensions"]}
    old_labels = {d.code: d.label.lower() for d in scales.dimensions}
    for code in preview.needs_mapping.get("dimensions", ()):
        out.setdefault("dimensions", {})[code] = by_label.get(old_labels.get(code, ""))
    minutes = sorted(h["minutes"] for h in tpl["time_horizons"])
    for old in preview.needs_mapping.get("horizons", ()):
        # the nearest shorter horizon is the cautious choice (a rating for 3 dygn holds at least from 1 dygn)
        shorter = [m for m in minutes if m <= old]
        out.setdefault("horizons", {})[old] = shorter[-1] if shorter else minutes[0]
    return out
