"""Catalogue versions in a file: which catalogues it uses, and moving its stored values to a new set (Qt-free).

Stored values name catalogue entries by their label (catalogue fields allow free text). Each analysis
year remembers the catalogue version its values were mapped to (`analysis.catalogue_version`, '' for
files made before catalogue versions). When a file meets another set – the program's newer catalogues
when it is opened (`upgrade_on_open`), or a catalogue package from KS (`preview` → `import_package`) –
every stored value is resolved against the new set:

* a current label stays;
* a label the new set lists in an entry's "previous_labels", or the label of an entry of the old set whose
  stable identity (code) the new set still has, is rewritten to the new label;
* a label of an old entry that the new set no longer has, or (in a closed catalogue such as the
  beredskapssektorer) a value that is not in the list, is kept and its item is marked "att granska":
  a person must choose.

Archived (read-only) years keep the catalogues they were made with. Everything is one transaction and
lands in the audit trail; the UI makes an import undoable by capturing the analyses (ui/commands/undo.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import select

from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS, FieldSpec
from rsa_desktop.model import entities as e
from rsa_desktop.services import audit, catalogues
from rsa_desktop.services.catalogues import CatalogueError, CatalogueSet
from rsa_desktop.services.rsa import RsaService

__all__ = ["ValueChange", "CataloguePreview", "stored_package", "activate_for", "analysis_version",
           "catalogue_fields", "preview", "import_package", "remove_package", "export_package",
           "upgrade_on_open", "invalid_values", "package_state", "restore_package_state",
           "CatalogueError"]


@dataclass(frozen=True)
class ValueChange:
    """One stored value and what the new catalogues do to it."""
    analysis_id: int | None
    kind: str
    item_id: int
    item: str  # "V3 Utbetalningar" at preview time
    field: str
    field_label: str
    catalogue: str
    old: str
    new: str | None  # None: kept as it is, and the item is marked "att granska"
    reason: str

    def describe(self) -> str:
        if self.new is None:
            return f"{self.item}, {self.field_label}: ”{self.old}” – att granska: {self.reason}"
        return f"{self.item}, {self.field_label}: ”{self.old}” → ”{self.new}” ({self.reason})"


@dataclass(frozen=True)
class CataloguePreview:
    old_version: str
    new_version: str
    new_name: str
    entries: tuple[str, ...]  # Swedish lines: entries added, renamed and removed per catalogue
    mapped: tuple[ValueChange, ...]
    review: tuple[ValueChange, ...]
    analysis_ids: tuple[int, ...]  # the editable years the change applies to

    @property
    def changes_anything(self) -> bool:
        return bool(self.entries or self.mapped or self.review) or self.old_version != self.new_version

    def describe(self) -> list[str]:
        lines = [f"Katalogversion {self.old_version} → {self.new_version}"
                 + (f" ({self.new_name})" if self.new_name else "")]
        lines += list(self.entries)
        lines += [c.describe() for c in self.mapped]
        lines += [c.describe() for c in self.review]
        if not self.mapped and not self.review:
            lines.append("Inga lagrade värden behöver ändras eller granskas.")
        return lines


# -- which catalogues a file uses ---------------------------------------------------------------------

def stored_package(svc: RsaService) -> CatalogueSet | None:
    """The file's catalogue package, or None (the program's catalogues apply).

    A stored package that no longer passes validation (a damaged file) is ignored rather than trusted.
    """
    with svc.transaction() as s:
        row = s.exec(select(e.CataloguePackage).order_by(e.CataloguePackage.id)).first()
        content = row.content if row else ""
    if not content:
        return None
    try:
        return catalogues.parse_package(content, source="filens katalogpaket")
    except CatalogueError:
        return None


def package_state(svc: RsaService) -> str:
    """The stored package exactly as it is in the file ('' = none), for undo."""
    with svc.transaction() as s:
        row = s.exec(select(e.CataloguePackage).order_by(e.CataloguePackage.id)).first()
        return json.dumps([row.version, row.name, row.content, row.imported_at], ensure_ascii=False) if row else ""


def restore_package_state(svc: RsaService, state: str) -> None:
    """Put back what `package_state` returned (undo/redo of an import), and use it."""
    with svc.transaction() as s:
        s.connection().execute(delete(e.CataloguePackage.__table__))
        s.expunge_all()
        if state:
            version, name, content, imported_at = json.loads(state)
            s.add(e.CataloguePackage(version=version, name=name, content=content, imported_at=imported_at))
    activate_for(svc)


def activate_for(svc: RsaService | None) -> CatalogueSet:
    """Make the file's catalogues the ones every lookup uses; returns the active set."""
    catalogues.activate(stored_package(svc) if svc is not None else None)
    return catalogues.active_set()


def analysis_version(analysis) -> str:
    """The catalogue version an analysis' values belong to ("1" for files made before versions)."""
    return str(analysis.get("catalogue_version") or "") or catalogues.LEGACY_VERSION


def catalogue_fields() -> list[tuple[str, FieldSpec]]:
    """(kind, field) of every field that stores a catalogue value."""
    return [(kind, f) for kind in ("organisation", *ITEM_KINDS) for f in KINDS[kind].fields
            if field_type(f).suggested]


# -- resolving values ------------------------------------------------------------------------------------

def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Resolver:
    def __init__(self, name: str, new: CatalogueSet, old: CatalogueSet | None):
        self.name = name
        self.title = catalogues.entries_name(name)
        base = catalogues.builtin_set()
        new_items = new.items(name) if name in new.catalogues else base.items(name)
        self.closed = (new if name in new.catalogues else base).is_closed(name)
        self.version = new.version
        self.labels = {catalogues.item_label(i) for i in new_items}
        self.aliases = {str(a): catalogues.item_label(i) for i in new_items for a in (i.get("aliases") or [])
                        if isinstance(a, str)}
        self.by_id = {catalogues.item_id(i): catalogues.item_label(i) for i in new_items}
        self.by_previous = {p: catalogues.item_label(i) for i in new_items for p in (i.get("previous_labels") or [])}
        self.by_fold = {_fold(label): label for label in self.labels}
        self.old_ids: dict[str, str] = {}
        if old is not None:
            old_items = old.items(name) if name in old.catalogues else base.items(name)
            self.old_ids = {catalogues.item_label(i): catalogues.item_id(i) for i in old_items}

    def resolve(self, value: str) -> tuple[str | None, str] | None:
        """None: the value stays as it is; (new, reason) to rewrite it; (None, reason) to review it."""
        if not value.strip() or value in self.labels:
            return None
        if value in self.aliases:
            # A closed list allows only its labels: another name for an entry becomes that entry.
            return (self.aliases[value], "annan benämning av samma post") if self.closed else None
        if value in self.by_previous:
            return self.by_previous[value], f"bytt namn i katalogversion {self.version}"
        if value in self.old_ids:
            ident = self.old_ids[value]
            if ident in self.by_id:
                return self.by_id[ident], f"bytt namn i katalogversion {self.version}"
            return None, (f"finns inte längre bland {self.title} i katalogversion {self.version}; "
                          "välj ett nytt värde")
        if _fold(value) in self.by_fold:
            return self.by_fold[_fold(value)], "samma benämning som i katalogen"
        if self.closed:
            return None, f"finns inte bland {self.title} i katalogversion {self.version}; välj en"
        return None  # free text in an open catalogue is a valid value


def _entry_lines(new: CatalogueSet, old: CatalogueSet | None) -> tuple[str, ...]:
    if old is None:
        return ()
    base = catalogues.builtin_set()
    lines = []
    for name, title in catalogues.CATALOGUE_NAMES.items():
        before = {catalogues.item_id(i): catalogues.item_label(i)
                  for i in (old.items(name) if name in old.catalogues else base.items(name))}
        after = {catalogues.item_id(i): catalogues.item_label(i)
                 for i in (new.items(name) if name in new.catalogues else base.items(name))}
        added = [after[k] for k in after if k not in before]
        removed = [before[k] for k in before if k not in after]
        renamed = [f"”{before[k]}” → ”{after[k]}”" for k in after if k in before and before[k] != after[k]]
        if added:
            lines.append(f"{title}: {len(added)} nya ({', '.join(added[:6])}{' …' if len(added) > 6 else ''})")
        if renamed:
            lines.append(f"{title}: {len(renamed)} med nytt namn ({', '.join(renamed[:4])}"
                         f"{' …' if len(renamed) > 4 else ''})")
        if removed:
            lines.append(f"{title}: {len(removed)} borttagna ({', '.join(removed[:6])}"
                         f"{' …' if len(removed) > 6 else ''})")
    if (old.report_template or base.report_template) != (new.report_template or base.report_template):
        lines.append("Rapportrubrikerna ändras.")
    return tuple(lines)


def _plan(svc: RsaService, analysis_ids: Iterable[int], new: CatalogueSet,
          old: CatalogueSet | None) -> tuple[list[ValueChange], list[ValueChange]]:
    resolvers: dict[str, _Resolver] = {}
    mapped: list[ValueChange] = []
    review: list[ValueChange] = []

    def judge(analysis_id, kind, rec, spec):
        value = str(rec.get(spec.name) or "")
        r = resolvers.setdefault(spec.catalog, _Resolver(spec.catalog, new, old))
        outcome = r.resolve(value)
        if outcome is None:
            return
        target, reason = outcome
        change = ValueChange(analysis_id, kind, rec.id, rec.label, spec.name, spec.label, spec.catalog, value,
                             target, reason)
        if target is None:
            if analysis_id is not None:  # the organisation belongs to no year: nothing to mark, nothing lost
                review.append(change)
        elif target != value:
            mapped.append(change)

    org = svc.organisation()
    fields = catalogue_fields()
    if org is not None:
        for kind, spec in fields:
            if kind == "organisation":
                judge(None, kind, org, spec)
    for aid in analysis_ids:
        for kind, spec in fields:
            if kind == "organisation":
                continue
            for rec in svc.list(kind, aid):
                judge(aid, kind, rec, spec)
    return mapped, review


def invalid_values(svc: RsaService, analysis_id: int) -> list[ValueChange]:
    """Stored values of closed catalogues (the sector lists) that the catalogues in use do not have."""
    out = []
    for kind, spec in catalogue_fields():
        if kind == "organisation" or not catalogues.is_closed(spec.catalog):
            continue
        for rec in svc.list(kind, analysis_id):
            value = str(rec.get(spec.name) or "")
            if not catalogues.is_valid(spec.catalog, value):
                out.append(ValueChange(analysis_id, kind, rec.id, rec.label, spec.name, spec.label, spec.catalog,
                                       value, None, f"finns inte bland {catalogues.entries_name(spec.catalog)} i "
                                                    f"katalogversion {catalogues.active_set().version}; välj en"))
    return out


def _editable(svc: RsaService) -> list:
    return [a for a in svc.analyses() if not a.archived]


def preview(svc: RsaService, new: CatalogueSet, *, old: CatalogueSet | None = None) -> CataloguePreview:
    """What moving the file's editable years to `new` would change (nothing is written)."""
    old = old or (stored_package(svc) or catalogues.builtin_set())
    analyses = _editable(svc)
    mapped, review = _plan(svc, [a.id for a in analyses], new, old)
    versions = sorted({analysis_version(a) for a in analyses}, key=catalogues.version_key) or [old.version]
    return CataloguePreview(", ".join(versions), new.version, new.name, _entry_lines(new, old), tuple(mapped),
                            tuple(review), tuple(a.id for a in analyses))


def _apply(svc: RsaService, plan: CataloguePreview, new: CatalogueSet, *, store: bool) -> None:
    with svc.batch():
        for c in plan.mapped:
            svc.update(c.kind, c.item_id, **{c.field: c.new})
        for c in plan.review:
            svc.set_review_mark(c.analysis_id, c.kind, c.item_id, True)
        with svc.transaction() as s:
            for aid in plan.analysis_ids:
                row = s.get(e.Analysis, aid)
                old = row.catalogue_version or catalogues.LEGACY_VERSION
                if row.catalogue_version != new.version:
                    row.catalogue_version = new.version
                    audit.record(s, analysis_id=aid, kind="analysis", item_id=aid, item=str(row.year),
                                 action="ändrad", field="Katalogversion", old=old, new=new.version)
            if store:
                before = s.exec(select(e.CataloguePackage)).first()
                s.connection().execute(delete(e.CataloguePackage.__table__))
                s.expunge_all()
                if not new.builtin:
                    s.add(e.CataloguePackage(
                        version=new.version, name=new.name,
                        content=json.dumps(catalogues.package_data(new), ensure_ascii=False),
                        imported_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()))
                audit.record(s, analysis_id=None, kind="catalogue_package", item_id=None,
                             item=new.name or "Katalogpaket", action="inläst" if not new.builtin else "borttagen",
                             field="Katalogpaket", old=(before.version if before else None),
                             new=(new.version if not new.builtin else None))


def import_package(svc: RsaService, new: CatalogueSet) -> CataloguePreview:
    """Use catalogue package `new` in this file: map every editable year's values, store the package,
    make it active. One transaction; returns what was done."""
    if svc.doc.readonly:
        raise CatalogueError("Filen är öppnad skrivskyddad; katalogpaketet kan inte läsas in.")
    plan = preview(svc, new)
    _apply(svc, plan, new, store=True)
    catalogues.activate(None if new.builtin else new)
    return plan


def remove_package(svc: RsaService) -> CataloguePreview:
    """Go back to the program's own catalogues (values mapped the same way)."""
    return import_package(svc, catalogues.builtin_set())


def export_package(svc: RsaService | None, path: str | os.PathLike, *, version: str = "", name: str = "") -> Path:
    """Write the catalogues in use (the file's package, or the program's) as a package file to edit and
    distribute; `version` and `name` replace the set's own."""
    current = (stored_package(svc) if svc is not None else None) or catalogues.builtin_set()
    if version or name:
        from dataclasses import replace
        current = replace(current, version=version or current.version, name=name or current.name)
        catalogues.validate_package(catalogues.package_data(current))  # a bad version is refused here
    return catalogues.write_package(current, path)


def upgrade_on_open(svc: RsaService) -> CataloguePreview | None:
    """Bring every editable year whose values belong to another catalogue version to the file's catalogues
    (the program's, unless the file holds a package). Not undoable, like a schema upgrade; audited."""
    active = activate_for(svc)
    if svc.doc.readonly:
        return None
    targets = [a.id for a in _editable(svc) if analysis_version(a) != active.version]
    if not targets:
        return None
    # The old entries are not kept in the file, so identity comes from "previous_labels" of the new set.
    mapped, review = _plan(svc, targets, active, None)
    versions = sorted({analysis_version(svc.analysis(a)) for a in targets}, key=catalogues.version_key)
    plan = CataloguePreview(", ".join(versions), active.version, active.name, (), tuple(mapped), tuple(review),
                            tuple(targets))
    _apply(svc, plan, active, store=False)
    return plan
