"""THE rule for what an öppet utdrag (public excerpt) keeps.

Every output that can be public (PDF, workbook, drafted texts, consolidation, any later format) takes
its content through this module; none filters on its own. Pure: items are any objects with the stored
attributes (`id`, `hid`, `secret`, `function_id`, …), so it needs neither the database nor the model.

What an excerpt keeps:

- items: every item not marked sekretess, except a kontinuitetsplan for a secret verksamhet (it describes
  that verksamhet) and an övning of a plan that was left out;
- links: only those whose both ends are kept; a reservrutin only if its beroende is kept;
- derived findings (kontinuitetsgap): only those that involve no item left out;
- counts and figures: computed from what is kept (the renderers count `ReportData`, which holds only that);
- free texts of the analysis: the text as written, unless the field is marked sekretess (then its
  "text för öppet utdrag", or the placeholder WITHHELD_TEXT) or it names an item left out (then it is
  withheld automatically: a stored text written from the full analysis must not publish it);
- markings: the sekretessmarkering and säkerhetsskyddsklass are replaced by PUBLIC_MARKING;
- document metadata: title, author and subject made only of public parts (`document_subject`).

Free texts: a registrator who releases a document with secret parts masks them and states that they
were left out ("maskning"). A per-field sekretess mark does that, and because a masked sammanfattning
leaves a hole in the most read chapter, the field may carry its own text för öppet utdrag (which can be
drafted from the public data). So: per field "publicera" / "markera sekretess" + optional public text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rsa_desktop.domain.items import (
    Analysis,
    Capability,
    ContinuityPlan,
    Dependency,
    Exercise,
    Fallback,
    Function,
    Item,
    Vulnerability,
)

PUBLIC_MARKING = "Öppet utdrag"

# The analysis' free-text fields that are printed in a report, with their Swedish labels.
FREE_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("summary", "Sammanfattning"),
    ("business_description", "Verksamhetsbeskrivning"),
    ("locations", "Lokaler och geografiskt område"),
    ("assignment", "Uppdrag"),
    ("delimitations", "Avgränsningar"),
    ("method", "Arbetsprocess och metod"),
)
FREE_TEXT_NAMES = tuple(n for n, _ in FREE_TEXT_FIELDS)

WITHHELD_TEXT = "[Texten omfattas av sekretess och har utelämnats i det öppna utdraget.]"

# The order in which kinds are listed; the rules below use only these names.
ITEM_ORDER = ("function", "dependency", "risk", "vulnerability", "capability", "action", "continuity_plan",
              "exercise")


def is_marked(item: Item) -> bool:
    """Whether an item itself is marked sekretess."""
    return bool(getattr(item, "secret", False))


# -- items, links, findings ---------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """Which items an excerpt keeps, and what was left out."""
    kept: Mapping[str, frozenset[int]]
    omitted: int  # items left out (marked, or revealing a marked one)
    left_out_hids: frozenset[str]
    left_out_names: tuple[str, ...] = field(default=())  # titles of the items left out (for free texts)

    def keeps(self, kind: str, item_id: int | None) -> bool:
        return item_id is not None and item_id in self.kept.get(kind, frozenset())

    def keeps_link(self, left_kind: str, left_id: int, right_kind: str, right_id: int) -> bool:
        return self.keeps(left_kind, left_id) and self.keeps(right_kind, right_id)

    def keeps_fallback(self, fallback: Fallback) -> bool:
        dep = fallback.dependency_id
        return dep is None or self.keeps("dependency", dep)

    def keeps_finding(self, finding: Any) -> bool:
        """A derived finding (a gap) is kept only if it involves no item left out."""
        fid = getattr(finding, "function_id", None)
        did = getattr(finding, "dependency_id", None)
        if fid is not None and not self.keeps("function", fid):
            return False
        if did is not None and not self.keeps("dependency", did):
            return False
        return not (set(getattr(finding, "items", ()) or ()) & self.left_out_hids)


def select(items: Mapping[str, Sequence[Item]], *, title_of: Mapping[str, str] | None = None) -> Selection:
    """The excerpt's selection from all items of one analysis (kind → items)."""
    kept: dict[str, set[int]] = {k: {r.id for r in rs if not is_marked(r)} for k, rs in items.items()}
    if "continuity_plan" in kept:
        functions = kept.get("function")
        kept["continuity_plan"] = {
            p.id for p in items["continuity_plan"]
            if p.id in kept["continuity_plan"]
            and (functions is None or not isinstance(p, ContinuityPlan) or p.function_id is None
                 or p.function_id in functions)}
        if "exercise" in kept:
            plans = kept["continuity_plan"]
            kept["exercise"] = {x.id for x in items["exercise"] if x.id in kept["exercise"]
                                and (not isinstance(x, Exercise) or x.plan_id is None or x.plan_id in plans)}
    left_out = [(k, r) for k, rs in items.items() for r in rs if r.id not in kept[k]]
    names = []
    for k, r in left_out:
        attr = (title_of or {}).get(k)
        if attr and str(getattr(r, attr, "") or "").strip():
            names.append(str(getattr(r, attr)).strip())
    return Selection({k: frozenset(v) for k, v in kept.items()}, len(left_out),
                     frozenset(str(getattr(r, "hid", "")) for _, r in left_out if getattr(r, "hid", "")),
                     tuple(names))


def keep_items(items: Mapping[str, Sequence[Item]], selection: Selection | None) -> dict[str, list[Item]]:
    """The items an excerpt keeps, in their order (all of them when `selection` is None)."""
    if selection is None:
        return {k: list(rs) for k, rs in items.items()}
    return {k: [r for r in rs if selection.keeps(k, r.id)] for k, rs in items.items()}


# -- free texts ----------------------------------------------------------------------------------

def parse_public_texts(raw: str | None) -> dict[str, str]:
    """The stored per-field choice: {field: text för öppet utdrag ("" = the placeholder)}.

    A field that is absent is published as written. A value that cannot be read fails closed: every
    free text counts as marked sekretess.
    """
    if not raw or not str(raw).strip():
        return {}
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return {n: "" for n in FREE_TEXT_NAMES}
    if not isinstance(data, dict):
        return {n: "" for n in FREE_TEXT_NAMES}
    return {k: (v if isinstance(v, str) else "") for k, v in data.items() if k in FREE_TEXT_NAMES}


def dump_public_texts(choices: Mapping[str, str]) -> str:
    clean = {k: str(v) for k, v in choices.items() if k in FREE_TEXT_NAMES}
    return json.dumps(clean, ensure_ascii=False, sort_keys=True) if clean else ""


def names_left_out(text: str, selection: Selection) -> list[str]:
    """The IDs and titles of items left out that `text` mentions (a text written from the full analysis)."""
    if not text:
        return []
    found = []
    for hid in sorted(selection.left_out_hids):
        if re.search(rf"(?<![\w]){re.escape(hid)}(?![\w])", text):
            found.append(hid)
    low = text.casefold()
    for name in selection.left_out_names:
        if len(name) >= 4 and name.casefold() in low:
            found.append(name)
    return found


@dataclass(frozen=True)
class FreeText:
    field: str
    label: str
    text: str  # what the excerpt prints
    withheld: bool  # the written text is not published
    reason: str  # "marked", "names_secret" or ""


def free_text(analysis: Analysis, name: str, selection: Selection) -> FreeText:
    """What an excerpt prints for one free-text field of the analysis."""
    label = dict(FREE_TEXT_FIELDS)[name]
    written = str(getattr(analysis, name, "") or "")
    choices = parse_public_texts(getattr(analysis, "public_texts", ""))
    if name in choices:
        public = choices[name].strip()
        if public and not names_left_out(public, selection):
            return FreeText(name, label, public, True, "marked")
        return FreeText(name, label, WITHHELD_TEXT, True, "marked")
    if names_left_out(written, selection):
        return FreeText(name, label, WITHHELD_TEXT if written.strip() else "", True, "names_secret")
    return FreeText(name, label, written, False, "")


def free_texts(analysis: Analysis, selection: Selection) -> list[FreeText]:
    return [free_text(analysis, n, selection) for n in FREE_TEXT_NAMES]


def public_analysis_values(analysis_values: Mapping[str, Any], analysis: Analysis,
                           selection: Selection) -> dict[str, Any]:
    """The analysis' stored values as an excerpt may show them: public free texts, no secret marking."""
    out = dict(analysis_values)
    for ft in free_texts(analysis, selection):
        out[ft.field] = ft.text
    out["secrecy_marking"] = ""
    out["security_class"] = None
    out["public_texts"] = ""
    return out


# -- the analysis' decision, the review, the honest note -----------------------------------------

def has_secrecy_decision(analysis: Analysis) -> bool:
    return bool(str(getattr(analysis, "secrecy_marking", "") or "").strip()
                or getattr(analysis, "security_class", None))


def anything_marked(selection: Selection, analysis: Analysis) -> bool:
    return selection.omitted > 0 or bool(parse_public_texts(getattr(analysis, "public_texts", "")))


def review_required(analysis: Analysis, selection: Selection) -> bool:
    """A sekretessgranskning must precede the excerpt: a secrecy decision exists but nothing is marked."""
    return has_secrecy_decision(analysis) and not anything_marked(selection, analysis)


REVIEW_REQUIRED_MESSAGE = ("Analysen har ett sekretessbeslut men inget är markerat med sekretess: gör en "
                           "sekretessgranskning först (i programmet) eller ange --reviewed.")


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def omission_note(omitted: int, withheld_texts: int) -> str:
    """The excerpt's honest statement of what was left out; never claims an omission that did not happen."""
    parts = ["Detta är ett öppet utdrag ur risk- och sårbarhetsanalysen."]
    if omitted:
        parts.append(f"{_n(omitted, 'post', 'poster')} har utelämnats eftersom de omfattas av sekretess, "
                     "liksom kopplingar och kontinuitetsgap som skulle röja dem.")
    if withheld_texts:
        parts.append(f"{_n(withheld_texts, 'fritext', 'fritexter')} har ersatts med en text för öppet utdrag "
                     "eller utelämnats.")
    if not omitted and not withheld_texts:
        parts.append("Inga uppgifter har utelämnats.")
    parts.append("Numreringen kan ha luckor: en post behåller sitt nummer mellan åren och ett nummer "
                 "används aldrig igen.")
    return " ".join(parts)


def document_subject(year: int | str, marking_text: str) -> str:
    """The subject in a document's metadata: only the report's kind, year and (public) marking."""
    subject = f"Risk- och sårbarhetsanalys {year}"
    return subject + (f" – {marking_text}" if marking_text else "")


# -- the sekretessgranskning --------------------------------------------------------------------

CATEGORY_SUPPLIER = "Namngiven leverantör eller avtal"
CATEGORY_SPOF = "Enda felpunkt"
CATEGORY_NO_RESERVE = "Saknar reserv"
CATEGORY_FALLBACK = "Reservrutiner"
CATEGORY_CONTACT = "Kontaktuppgifter"
CATEGORY_VULNERABILITY = "Sårbarhet eller brist"
CATEGORY_ENDURANCE = "Personalens uthållighet"


@dataclass(frozen=True)
class Sensitive:
    """An item about to be published that falls in a category MSB names as typically secret."""
    kind: str
    id: int
    hid: str
    title: str
    categories: tuple[str, ...]


def _staff(text: str) -> bool:
    t = (text or "").casefold()
    return "personal" in t or "uthållig" in t or "bemanning" in t


def sensitive_items(items: Mapping[str, Sequence[Item]], selection: Selection | None = None, *,
                    plan_parts: Mapping[int, tuple[int, int]] | None = None) -> list[Sensitive]:
    """What the review shows: each published item in a sensitive category, with the categories.

    `plan_parts` gives, per kontinuitetsplan id, (number of reservrutiner, number of contacts).
    """
    out: list[Sensitive] = []
    parts = plan_parts or {}
    for kind in ITEM_ORDER:
        for r in items.get(kind, ()):
            if selection is not None and not selection.keeps(kind, r.id):
                continue
            cats: list[str] = []
            title = ""
            if isinstance(r, Function):
                title = r.name
                if r.operation == "extern" or str(r.supplier or "").strip() or str(r.contract or "").strip():
                    cats.append(CATEGORY_SUPPLIER)
            elif isinstance(r, Dependency):
                title = r.name
                if str(r.provider or "").strip():
                    cats.append(CATEGORY_SUPPLIER)
                if r.single_point_of_failure:
                    cats.append(CATEGORY_SPOF)
                if not r.has_reserve:
                    cats.append(CATEGORY_NO_RESERVE)
                if _staff(r.dep_type):
                    cats.append(CATEGORY_ENDURANCE)
            elif isinstance(r, Vulnerability):
                title = r.title
                cats.append(CATEGORY_VULNERABILITY)
            elif isinstance(r, Capability):
                title = r.area
                if _staff(r.area):
                    cats.append(CATEGORY_ENDURANCE)
            elif isinstance(r, ContinuityPlan):
                title = r.title
                n_fallbacks, n_contacts = parts.get(r.id, (0, 0))
                if n_fallbacks:
                    cats.append(CATEGORY_FALLBACK)
                if n_contacts:
                    cats.append(CATEGORY_CONTACT)
            if cats:
                out.append(Sensitive(kind, r.id, str(r.get("hid") or ""), str(title or ""), tuple(cats)))
    return out
