"""Planning an import into an existing analysis: every problem and every change, for the preview
(Qt-free). `plan_import()` returns an `ImportPlan` whose `changes` say in Swedish, with labels and
never internal codes, what applying it would do. Part of the import: see `services/xlsx_import.py`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rsa_desktop.domain import excel_format as fmt
from rsa_desktop.domain.excel_format import CHILD_SHEETS, ITEM_SHEETS, LINK_COLUMNS, SHEET_OF_KIND
from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.items import Item
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS, LINKS, FieldSpec
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.validation import ScaleRanges, clean_values
from rsa_desktop.services.xlsx_decode import (
    HID_PATTERN,
    PREFIX_KIND,
    DecodeContext,
    Decoded,
    DRow,
    Problems,
    cell_text,
    decode_context,
    decode_parsed,
    differs,
)
from rsa_desktop.services.xlsx_read import ImportProblem, ParsedWorkbook

# Analysis fields an import into an existing analysis may change (not year, status, adoption, scales).
ANALYSIS_TEXT_FIELDS = ("assignment", "delimitations", "method", "business_description", "locations", "summary",
                        "secrecy_marking", "security_class")



class ImportRefusedError(ValueError):
    """apply_import was asked to apply a plan that has errors (and not only its valid rows)."""

    def __init__(self, message: str, plan: ImportPlan | None = None):
        super().__init__(message)
        self.plan = plan



@dataclass(frozen=True)
class PlannedChange:
    action: str  # "ny", "ändra", "ta bort", "koppla", "koppla bort"; "behålls": missing from the workbook, kept
    kind: str
    hid: str  # "" for a new item (it gets its ID when applied)
    field: str = ""  # Swedish label of the field or link
    old: Any = None  # the stored values (codes, minutes); `shown_old`/`shown_new` are what a person reads
    new: Any = None
    sheet: str = ""
    row: int | None = None
    spec: FieldSpec | None = dataclasses.field(default=None, compare=False, repr=False)  # the field, for showing values

    @property
    def shown_old(self) -> str:
        return show_value(self.spec, self.old)

    @property
    def shown_new(self) -> str:
        return show_value(self.spec, self.new)

    @property
    def what(self) -> str:
        """"Åtgärd Å19" – the kind's label and the ID."""
        label = KINDS[self.kind].label if self.kind in KINDS else self.kind
        return f"{label} {self.hid}".strip()

    def __str__(self) -> str:
        label = KINDS[self.kind].label if self.kind in KINDS else self.kind
        what = self.what
        if self.action == "ny":
            return f"Ny {label.lower()}: {self.new}"
        if self.action == "ta bort":
            return f"Tas bort: {what}" + (f" ({_quoted(self.old)})" if self.old else "")
        if self.action == "behålls":
            return (f"Finns inte i arbetsboken men behålls: {what}" + (f" ({_quoted(self.old)})" if self.old else ""))
        if self.action in ("koppla", "koppla bort"):
            verb = "kopplas till" if self.action == "koppla" else "kopplas bort från"
            return f"{what} {verb} {self.new if self.action == 'koppla' else self.old} ({self.field})"
        if self.spec is not None and not (field_type(self.spec).free_text or field_type(self.spec).suggested):
            def plain(text: str) -> str:
                return text or "(tomt)"
        else:
            plain = _shown  # free text in quotes, so that spaces and emptiness show
        return f"{what}: {self.field} ändras från {plain(self.shown_old)} till {plain(self.shown_new)}"


def show_value(spec: FieldSpec | None, value: Any) -> str:
    """A stored value as a person reads it: a choice's label (”Hög”, never ”hog”), Ja/Nej, a duration in
    words, a date; other values as they are. "" for no value."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if spec is not None:
        return field_type(spec).display(spec, value, whole=True)  # the field type's rule, the text whole
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _shown(text: str) -> str:
    return _quoted(text) if text else "(tomt)"


def _quoted(value: Any) -> str:
    text = str(value)
    return f"”{text[:60]}…”" if len(text) > 60 else f"”{text}”"


@dataclass
class Op:
    sheet: str
    row: int | None
    run: Callable[[RsaService, dict], None]
    order: int = 0


# One step of an import, bound to its own values (a closure over loop variables would see their last values).
def _create_op(kind: str, owner_id: int, values: dict) -> Callable:
    return lambda s, c: s.create(kind, owner_id, **values)


def _update_op(kind: str, item_id: int, values: dict) -> Callable:
    return lambda s, c: s.update(kind, item_id, **values)


def _delete_op(kind: str, item_id: int) -> Callable:
    return lambda s, c: s.delete(kind, item_id)



@dataclass
class ImportPlan:
    analysis_id: int
    problems: list[ImportProblem]
    changes: list[PlannedChange]
    ops: list[Op] = field(default_factory=list, repr=False)
    source: str = ""
    # Rows the analysis has and the workbook lacks. Without delete_missing they are kept, and the
    # preview says so (action "behålls"); `with_delete_missing(True)` deletes them instead.
    missing: list[PlannedChange] = field(default_factory=list)
    missing_ops: list[Op] = field(default_factory=list, repr=False)
    delete_missing: bool = False

    @property
    def kept(self) -> list[PlannedChange]:
        """What stays although its row is gone from the workbook (empty when the plan deletes it)."""
        if self.delete_missing:
            return []
        return [PlannedChange("behålls", c.kind, c.hid, c.field, c.old, c.new, c.sheet, c.row, c.spec)
                for c in self.missing]

    def with_delete_missing(self, on: bool) -> ImportPlan:
        """The same plan, deleting (on) or keeping (off) the rows missing from the workbook."""
        if on == self.delete_missing:
            return self
        if on:
            changes, ops = [*self.changes, *self.missing], [*self.ops, *self.missing_ops]
        else:
            gone_changes, gone_ops = set(map(id, self.missing)), set(map(id, self.missing_ops))
            changes = [c for c in self.changes if id(c) not in gone_changes]
            ops = [o for o in self.ops if id(o) not in gone_ops]
        from dataclasses import replace

        return replace(self, changes=changes, ops=ops, delete_missing=on)

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "fel"]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity != "fel"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def blocking(self) -> list[ImportProblem]:
        """Errors that are not one row's: nothing can be applied, not even the valid rows."""
        return [p for p in self.errors if p.row is None]

    @property
    def bad_rows(self) -> set[tuple[str, int]]:
        return {(p.sheet, p.row) for p in self.errors if p.row is not None}

    def changes_applied(self, only_valid: bool = False) -> list[PlannedChange]:
        if not only_valid:
            return list(self.changes)
        bad = self.bad_rows
        return [c for c in self.changes if (c.sheet, c.row) not in bad]



# -- planning an import into an existing analysis -------------------------------------------------

def _analysis_ctx(svc: RsaService, analysis_id: int, current: Callable) -> DecodeContext:
    return decode_context(svc.scales(analysis_id), current)


def plan_import(svc: RsaService, analysis_id: int, parsed: ParsedWorkbook, *,
                delete_missing: bool = False, other_organisation: bool = False) -> ImportPlan:
    """Validate the workbook against the analysis and list every problem and every change.

    A workbook from another organisation is refused (its items, matched by ID alone, would overwrite
    ours and its name would rename our organisation) unless `other_organisation`; even then the
    file's organisation keeps its own name and details.
    """
    analysis = svc.analysis(analysis_id)
    problems: list[ImportProblem] = list(parsed.problems)
    p = Problems(problems)
    changes: list[PlannedChange] = []
    ops: list[Op] = []
    if parsed.public:
        p.add(fmt.SUMMARY_SHEET, None, "", "", "Arbetsboken är ett öppet utdrag: sekretessmarkerade uppgifter och "
              "kopplingar saknas i den, så den kan inte läsas in i en befintlig analys. Läs in den som en ny analys "
              "i stället.")
    if analysis.status == "faststalld":
        p.add("", None, "", "", f"Analysen för {analysis.year} är fastställd. Återöppna den som utkast innan du "
              "läser in ändringar.")
    if analysis.archived:
        p.add("", None, "", "", f"Analysen för {analysis.year} är arkiverad (en senare årsanalys bygger på den) "
              "och kan inte ändras.")
    if parsed.year is not None and parsed.year != analysis.year:
        p.add(fmt.SUMMARY_SHEET, parsed.summary_rows.get("analysis.year"), "", "År",
              f"arbetsboken gäller {parsed.year} men läses in i analysen för {analysis.year}.", "varning")
    org = svc.organisation()
    foreign = (org is not None and bool(parsed.organisation)
               and " ".join(parsed.organisation.split()).casefold() != " ".join(org.name.split()).casefold())
    if foreign and not other_organisation:
        p.add(fmt.SUMMARY_SHEET, None, "", "Namn",
              f"Arbetsboken kommer från en annan organisation ({parsed.organisation}) än filen ({org.name}) och "
              "läses inte in: dess rader skulle skriva över filens med samma ID.")
    elif foreign:
        p.add(fmt.SUMMARY_SHEET, parsed.summary_rows.get("organisation.name"), "", "Namn",
              f"arbetsboken gäller {parsed.organisation}, filen {org.name}; organisationens uppgifter behålls.",
              "varning")

    db: dict[str, dict[str, Item]] = {k: {r.hid: r for r in svc.list(k, analysis_id)} for k in ITEM_KINDS}
    fd_now = {(lr.left_id, lr.right_id): lr for lr in svc.links("function_dependency", analysis_id=analysis_id)}
    by_id = {(k, r.id): r for k in ITEM_KINDS for r in db[k].values()}

    def current(kind: str, hid: str):
        if kind == "function_dependency":
            fh, dh = hid.split("|")
            f, d = db["function"].get(fh), db["dependency"].get(dh)
            lr = fd_now.get((f.id, d.id)) if f and d else None
            return dict(lr.attrs) if lr else None
        rec = db.get(kind, {}).get(hid)
        return rec.values if rec else None

    ctx = _analysis_ctx(svc, analysis_id, current)
    dec = decode_parsed(parsed, ctx)
    problems.extend(dec.problems)
    missing: list[PlannedChange] = []
    missing_ops: list[Op] = []
    _plan_rows(svc, analysis_id, dec, db, by_id, ctx, p, changes, ops, parsed, (missing, missing_ops))
    _plan_summary(svc, analysis_id, analysis, None if foreign else org, dec, changes, ops)
    plan = ImportPlan(analysis_id, problems, changes, ops, str(parsed.path), missing, missing_ops)
    return plan.with_delete_missing(delete_missing)


def _plan_summary(svc, analysis_id, analysis, org, dec: Decoded, changes, ops) -> None:
    a_changed = {k: v for k, v in dec.analysis.items()
                 if k in ANALYSIS_TEXT_FIELDS and differs(analysis.get(k), v)}
    for k, v in a_changed.items():
        f = KINDS["analysis"].field(k)
        changes.append(PlannedChange("ändra", "analysis", str(analysis.year), f.label,
                                     analysis.get(k), v, fmt.SUMMARY_SHEET, None, f))
    if a_changed:
        ops.append(Op(fmt.SUMMARY_SHEET, None, lambda s, c: s.update("analysis", analysis_id, **a_changed), 0))
    if org is not None:
        o_changed = {k: v for k, v in dec.organisation.items() if differs(org.get(k), v)
                     and not (k == "name" and not v)}
        for k, v in o_changed.items():
            f = KINDS["organisation"].field(k)
            changes.append(PlannedChange("ändra", "organisation", org.name, f.label,
                                         org.get(k), v, fmt.SUMMARY_SHEET, None, f))
        if o_changed:
            ops.append(Op(fmt.SUMMARY_SHEET, None, lambda s, c: s.set_organisation(**o_changed), 0))


def _plan_rows(svc, aid, dec: Decoded, db, by_id, ctx: DecodeContext, p: Problems, changes, ops, parsed,
               missing: tuple[list[PlannedChange], list[Op]]) -> None:
    ranges = ctx.ranges
    link_now: dict[str, dict[int, set[int]]] = {}
    for name in {n for cols in LINK_COLUMNS.values() for n in cols.values()}:
        m: dict[int, set[int]] = {}
        for lr in svc.links(name, analysis_id=aid):
            m.setdefault(lr.left_id, set()).add(lr.right_id)
        link_now[name] = m
    dd_final = {k: set(v) for k, v in link_now["dependency_dependency"].items()}
    dd_rows: dict[int, DRow] = {}
    impacts_now = svc.all_impacts(aid)
    cons_now = svc.all_consequences(aid)
    scales = svc.scales(aid)
    hor_id = {h.minutes: h.id for h in scales.horizons}
    dim_id = {d.code: d.id for d in scales.dimensions}

    for row in dec.rows:
        spec = KINDS[row.kind]
        existing = db[row.kind].get(row.hid) if row.hid else None
        bad = False
        if row.hid and existing is None:
            p.add(row.sheet, row.row, row.columns.get("hid", (parsed.sheets[row.sheet].headers.get(fmt.ID, ""),))[0],
                  fmt.ID, f"{row.hid} finns inte i analysen (borttagen sedan exporten, eller felskrivet). Lämna ID tomt "
                        "för en ny rad.")
            continue
        values = dict(row.values)
        for f in spec.fields:
            if field_type(f).references and f.name in values:
                hid = values[f.name]
                if not hid:
                    values[f.name] = None
                    continue
                target = db[f.ref].get(hid)
                if target is None:
                    letter, heading = row.columns[f.name]
                    p.add(row.sheet, row.row, letter, heading, f"{hid} finns inte i analysen.")
                    values.pop(f.name)
                    bad = True
                else:
                    values[f.name] = target.id
        try:
            current = {f: existing.get(f) for f in spec.field_names} if existing else None
            clean_values(spec, values, ranges, creating=existing is None, current=current)
        except ValidationError as exc:
            for err in exc.errors:
                letter, heading = row.columns.get(err.field, ("", err.label))
                p.add(row.sheet, row.row, letter, heading, err.message)
            bad = True
        # Links owned by this row.
        targets: dict[str, set[int]] = {}
        for link, hids in row.links.items():
            lspec = LINKS[link]
            ids = set()
            for h in hids:
                target = db[lspec.right].get(h)
                if target is None:
                    letter, heading = row.columns[link]
                    kind_label = KINDS[lspec.right].label.lower()
                    p.add(row.sheet, row.row, letter, heading, f"{h} är ingen {kind_label} i analysen.")
                    bad = True
                    continue
                if link == "dependency_dependency" and existing is not None and target.id == existing.id:
                    letter, heading = row.columns[link]
                    p.add(row.sheet, row.row, letter, heading, "ett beroende kan inte bero på sig självt.")
                    bad = True
                    continue
                ids.add(target.id)
            targets[link] = ids
        if bad:
            continue
        if existing is not None and "dependency_dependency" in targets:
            dd_final[existing.id] = targets["dependency_dependency"]
            dd_rows[existing.id] = row
        item_changes: list[PlannedChange] = []
        changed = {}
        if existing is None:
            title = values.get(spec.title_field) or ""
            item_changes.append(PlannedChange("ny", row.kind, "", "", None, title, row.sheet, row.row))
        else:
            for k, v in values.items():
                if differs(existing.get(k), v):
                    changed[k] = v
                    old, new = existing.get(k), v
                    if field_type(spec.field(k)).references:
                        old = by_id.get((spec.field(k).ref, old)).hid if old is not None else None
                        new = row.values[k] or None
                    item_changes.append(PlannedChange("ändra", row.kind, row.hid, spec.field(k).label, old, new,
                                                      row.sheet, row.row, spec.field(k)))
        link_ops: list[tuple[str, str, int]] = []
        for link, ids in targets.items():
            lspec = LINKS[link]
            now = link_now[link].get(existing.id, set()) if existing else set()
            for t in sorted(ids - now):
                link_ops.append(("link", link, t))
                item_changes.append(PlannedChange("koppla", row.kind, row.hid, lspec.label, None,
                                                  by_id[(lspec.right, t)].hid, row.sheet, row.row))
            for t in sorted(now - ids):
                link_ops.append(("unlink", link, t))
                item_changes.append(PlannedChange("koppla bort", row.kind, row.hid, lspec.label,
                                                  by_id[(lspec.right, t)].hid, None, row.sheet, row.row))
        rating_ops: list[tuple[str, int, int | None]] = []
        if row.kind == "function":
            now = impacts_now.get(existing.id, {}) if existing else {}
            for minutes, level in row.impacts.items():
                hid_ = hor_id[minutes]
                if now.get(hid_) != level:
                    rating_ops.append(("impact", hid_, level))
                    label = next(h.label for h in scales.horizons if h.id == hid_)
                    item_changes.append(PlannedChange("ändra", row.kind, row.hid, f"Konsekvens efter {label}",
                                                      now.get(hid_), level, row.sheet, row.row))
        if row.kind == "risk":
            now = cons_now.get(existing.id, {}) if existing else {}
            for code, level in row.consequences.items():
                did = dim_id[code]
                if now.get(did) != level:
                    rating_ops.append(("consequence", did, level))
                    label = next(d.label for d in scales.dimensions if d.id == did)
                    item_changes.append(PlannedChange("ändra", row.kind, row.hid, f"Konsekvens – {label}",
                                                      now.get(did), level, row.sheet, row.row))
        if existing is not None and not item_changes:
            continue
        if existing is None and not any(v not in (None, "", False) for v in values.values()) and not targets:
            continue
        changes.extend(item_changes)
        ops.append(Op(row.sheet, row.row, _row_runner(aid, row.kind, existing.id if existing else None,
                                                       values if existing is None else changed, link_ops,
                                                       rating_ops), 1))

    _check_cycles(dd_final, dd_rows, by_id, p)
    _plan_fd_links(svc, aid, dec, db, by_id, p, changes, ops, missing, parsed)
    _plan_children(svc, aid, dec, db, p, changes, ops, missing, parsed)
    mchanges, mops = missing
    if True:  # rows gone from the item sheets: deleted only with delete_missing (ImportPlan.missing)
        present: dict[str, set[str]] = {k: set() for k in ITEM_KINDS}
        for sheet_name, sheet in parsed.sheets.items():
            if sheet_name in ITEM_SHEETS:
                for r in sheet.rows:
                    present_hid = cell_text(r.get(fmt.ID)).strip().upper()
                    if present_hid:
                        m = HID_PATTERN.match(present_hid)
                        if m and m.group(1) in PREFIX_KIND:
                            present[PREFIX_KIND[m.group(1)]].add(present_hid)
        for kind in ITEM_KINDS:
            if SHEET_OF_KIND[kind] not in parsed.sheets:
                continue
            for hid, rec in db[kind].items():
                if hid not in present[kind]:
                    title = rec.get(KINDS[kind].title_field) or ""  # the ID is shown beside it
                    mchanges.append(PlannedChange("ta bort", kind, hid, "", title, None, SHEET_OF_KIND[kind], None))
                    mops.append(Op(SHEET_OF_KIND[kind], None,
                                   _delete_op(kind, rec.id), 9))


def _row_runner(aid, kind, item_id, values, link_ops, rating_ops):
    def run(svc: RsaService, ctx: dict) -> None:
        nonlocal item_id
        if item_id is None:
            item_id = svc.create(kind, aid, **values).id
        elif values:
            svc.update(kind, item_id, **values)
        for op, link, target in link_ops:
            if op == "link":
                svc.link(link, item_id, target)
            else:
                svc.unlink(link, item_id, target)
        for what, key, level in rating_ops:
            if what == "impact":
                svc.set_impact(item_id, key, level)
            else:
                svc.set_consequence(item_id, key, level)
    return run


def _check_cycles(dd_final: dict[int, set[int]], dd_rows: dict[int, DRow], by_id, p: Problems) -> None:
    """Refuse rows of Beroenden whose "Beror på" would close a circle of dependencies."""
    state: dict[int, int] = {}
    in_cycle: set[int] = set()

    def visit(node: int, stack: list[int]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in dd_final.get(node, ()):
            if state.get(nxt) == 1:
                in_cycle.update(stack[stack.index(nxt):])
            elif state.get(nxt) is None:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in list(dd_final):
            if state.get(node) is None:
                visit(node, [])
    finally:
        sys.setrecursionlimit(limit)
    for node in sorted(in_cycle):
        row = dd_rows.get(node)
        if row is not None:
            letter, heading = row.columns["dependency_dependency"]
            p.add(row.sheet, row.row, letter, heading, f"{row.hid} skulle (direkt eller indirekt) bero på sig självt; "
                  "en cirkel av beroenden är inte tillåten.")


def _plan_fd_links(svc, aid, dec: Decoded, db, by_id, p: Problems, changes, ops, missing, parsed) -> None:
    now = {(lr.left_id, lr.right_id): lr for lr in svc.links("function_dependency", analysis_id=aid)}
    spec = LINKS["function_dependency"]
    labels = {f.name: f.label for f in spec.fields}
    fields = {f.name: f for f in spec.fields}
    sheet = parsed.sheets.get(fmt.LINK_SHEET)
    seen: set[tuple[int, int]] = set()
    for link in dec.links:
        f, d = db["function"].get(link.function), db["dependency"].get(link.dependency)
        bad = False
        for hid, rec, heading, kind in ((link.function, f, "Verksamhet", "verksamhet"),
                                        (link.dependency, d, "Beroende", "beroende")):
            if rec is None:
                p.add(fmt.LINK_SHEET, link.row, sheet.headers.get(heading, ""), heading,
                      f"{hid} är ingen {kind} i analysen.")
                bad = True
        if bad:
            continue
        key = (f.id, d.id)
        seen.add(key)
        existing = now.get(key)
        label = f"{spec.label} {f.hid}–{d.hid}"
        if existing is None:
            changes.append(PlannedChange("koppla", "function", f.hid, spec.label, None, d.hid, fmt.LINK_SHEET, link.row))
            attrs = dict(link.attrs)
        else:
            attrs = {k: v for k, v in link.attrs.items() if differs(existing.attrs.get(k), v)}
            for k, v in attrs.items():
                changes.append(PlannedChange("ändra", "function", f.hid, f"{label}: {labels[k]}",
                                             existing.attrs.get(k), v, fmt.LINK_SHEET, link.row, fields[k]))
            if not attrs:
                continue
        ops.append(Op(fmt.LINK_SHEET, link.row, (lambda a, b, at: lambda s, c: s.link("function_dependency", a, b,
                                                                                       **at))(f.id, d.id, attrs), 2))
    mchanges, mops = missing
    if sheet is not None:
        for key, _lr in now.items():
            if key not in seen:
                fh, dh = by_id[("function", key[0])].hid, by_id[("dependency", key[1])].hid
                mchanges.append(PlannedChange("koppla bort", "function", fh, spec.label, dh, None, fmt.LINK_SHEET, None))
                mops.append(Op(fmt.LINK_SHEET, None, (lambda a, b: lambda s, c: s.unlink("function_dependency", a, b))(
                    *key), 9))


def _plan_children(svc, aid, dec: Decoded, db, p: Problems, changes, ops, missing, parsed) -> None:
    plans = db["continuity_plan"]
    existing: dict[tuple[str, str], list[Item]] = {("participant", ""): svc.list("participant", aid)}
    for hid, plan in plans.items():
        existing[("fallback", hid)] = svc.list("fallback", plan.id)
        existing[("contact", hid)] = svc.list("contact", plan.id)
    seen: set[tuple[str, int]] = set()
    for ch in dec.children:
        spec = KINDS[ch.kind]
        if ch.kind != "participant" and ch.owner not in plans:
            sheet = parsed.sheets[ch.sheet]
            p.add(ch.sheet, ch.row, sheet.headers.get("Plan", ""), "Plan", f"{ch.owner} är ingen kontinuitetsplan i "
                  "analysen.")
            continue
        owner_id = aid if ch.kind == "participant" else plans[ch.owner].id
        values = dict(ch.values)
        bad = False
        for f in spec.fields:
            if field_type(f).references and f.name in values:
                h = values[f.name]
                if not h:
                    values[f.name] = None
                elif h in db[f.ref]:
                    values[f.name] = db[f.ref][h].id
                else:
                    letter, heading = ch.columns[f.name]
                    p.add(ch.sheet, ch.row, letter, heading, f"{h} finns inte i analysen.")
                    values.pop(f.name)
                    bad = True
        rows = existing.get((ch.kind, ch.owner), [])
        target = rows[ch.nr - 1] if ch.nr is not None and 0 < ch.nr <= len(rows) else None
        try:
            current = {f: target.get(f) for f in spec.field_names} if target else None
            clean_values(spec, values, ScaleRanges(), creating=target is None, current=current)
        except ValidationError as exc:
            for err in exc.errors:
                letter, heading = ch.columns.get(err.field, ("", err.label))
                p.add(ch.sheet, ch.row, letter, heading, err.message)
            bad = True
        if bad:
            continue
        name = f"{ch.owner}.{ch.nr}" if ch.owner else str(ch.nr or "")
        if target is None:
            changes.append(PlannedChange("ny", ch.kind, ch.owner, "", None, values.get(spec.title_field, ""),
                                         ch.sheet, ch.row))
            ops.append(Op(ch.sheet, ch.row, _create_op(ch.kind, owner_id, values), 3))
        else:
            seen.add((ch.kind, target.id))
            changed = {k: v for k, v in values.items() if differs(target.get(k), v)}
            for k, v in changed.items():
                changes.append(PlannedChange("ändra", ch.kind, name, spec.field(k).label, target.get(k), v,
                                             ch.sheet, ch.row, spec.field(k)))
            if changed:
                ops.append(Op(ch.sheet, ch.row, _update_op(ch.kind, target.id, changed), 3))
    mchanges, mops = missing
    if True:  # parts gone from their sheets: deleted only with delete_missing (ImportPlan.missing)
        for (kind, owner), rows in existing.items():
            sheet_name = {v: k for k, v in CHILD_SHEETS.items()}[kind]
            if sheet_name not in parsed.sheets:
                continue
            for rec in rows:
                if (kind, rec.id) not in seen:
                    mchanges.append(PlannedChange("ta bort", kind, owner, "", rec.label, None, sheet_name, None))
                    mops.append(Op(sheet_name, None, _delete_op(kind, rec.id), 8))
