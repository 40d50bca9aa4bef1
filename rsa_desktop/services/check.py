"""`rsa-desktop check`: is the file sound, and does every stored value still satisfy the rules?

Values can break rules after the fact (a scale shrank, a file was edited by another tool), so
every item is validated again against its analysis' scales, and SQLite checks the file itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS
from rsa_desktop.services.errors import ValidationError
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.services.validation import clean_values

ERROR, WARNING, INFO = "fel", "varning", "info"


@dataclass(frozen=True)
class Finding:
    severity: str
    year: int | None
    item: str  # "R3 Långvarigt elavbrott" or "" for the file
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (str(self.year) if self.year else "", self.item) if p)
        return f"[{self.severity}] {where + ': ' if where else ''}{self.message}"


def check_integrity(svc: RsaService) -> list[Finding]:
    out: list[Finding] = []
    with svc.doc.engine.connect() as c:
        res = [r[0] for r in c.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        if res != ["ok"]:
            out += [Finding(ERROR, None, "", f"Filen är skadad: {r}") for r in res[:10]]
        for table, rowid, parent, _ in c.exec_driver_sql("PRAGMA foreign_key_check").fetchall()[:10]:
            out.append(Finding(ERROR, None, "", f"Trasig koppling i tabellen {table} (rad {rowid} pekar på {parent})."))
    return out


def check_audit(svc: RsaService) -> list[Finding]:
    """The audit trail's hash chain (services/audit.py): every entry as the program wrote it."""
    return [Finding(ERROR, None, "Ändringsloggen", str(b)) for b in svc.audit_chain_breaks()]


def check_validation(svc: RsaService) -> list[Finding]:
    out: list[Finding] = []
    org = svc.organisation()
    if org is None:
        out.append(Finding(ERROR, None, "", "Filen saknar organisation."))
    else:
        out += _validate(KINDS["organisation"], org, None, None)
    for analysis in svc.analyses():
        year = analysis.year
        scales = svc.scales(analysis.id)
        ranges = scales.ranges
        out += _validate(KINDS["analysis"], analysis, ranges, year)
        if not scales.likelihood or not scales.consequence:
            out.append(Finding(ERROR, year, "", "Skalan saknar nivåer för sannolikhet eller konsekvens."))
        for kind in ("participant", *ITEM_KINDS):
            for rec in svc.list(kind, analysis.id):
                out += _validate(KINDS[kind], rec, ranges, year)
                if kind == "continuity_plan":
                    for child in ("fallback", "contact"):
                        for sub in svc.list(child, rec.id):
                            out += _validate(KINDS[child], sub, ranges, year, prefix=f"{rec.label} – ")
        allowed = set(ranges.consequence)
        for risk_id, levels in svc.all_consequences(analysis.id).items():
            bad = [lv for lv in levels.values() if lv not in allowed]
            if bad:
                out.append(Finding(ERROR, year, svc.get("risk", risk_id).label,
                                   f"konsekvensnivå {bad[0]} finns inte på skalan."))
        for function_id, levels in svc.all_impacts(analysis.id).items():
            bad = [lv for lv in levels.values() if lv not in allowed]
            if bad:
                out.append(Finding(ERROR, year, svc.get("function", function_id).label,
                                   f"konsekvens över tid med nivå {bad[0]} finns inte på skalan."))
    return out


def _validate(kind, rec, ranges, year, prefix: str = "") -> list[Finding]:
    from rsa_desktop.services.validation import ScaleRanges

    values = {f: rec.get(f) for f in kind.field_names}
    try:
        clean_values(kind, values, ranges or ScaleRanges(), creating=True)
    except ValidationError as exc:
        return [Finding(ERROR, year, prefix + rec.label, str(err)) for err in exc.errors]
    return []


def check_public(svc: RsaService) -> list[Finding]:
    """Warnings about the öppet utdrag: a review that is still needed, free texts that name secret items."""
    from rsa_desktop.domain import public as public_rule

    out: list[Finding] = []
    titles = {k: KINDS[k].title_field for k in ITEM_KINDS}
    for analysis in svc.analyses():
        selection = public_rule.select({k: svc.list(k, analysis.id) for k in ITEM_KINDS}, title_of=titles)
        if public_rule.review_required(analysis, selection):
            out.append(Finding(WARNING, analysis.year, "", "analysen har ett sekretessbeslut men inget är markerat "
                               "med sekretess; ett öppet utdrag kräver en sekretessgranskning."))
        for ft in public_rule.free_texts(analysis, selection):
            if ft.reason == "names_secret":
                names = ", ".join(public_rule.names_left_out(getattr(analysis, ft.field), selection)[:3])
                out.append(Finding(WARNING, analysis.year, ft.label,
                                   f"nämner sekretessmarkerade uppgifter ({names}) och utelämnas därför i ett "
                                   "öppet utdrag; skriv en text för öppet utdrag."))
    return out


def run_check(svc: RsaService) -> list[Finding]:
    return check_integrity(svc) + check_audit(svc) + check_validation(svc) + check_public(svc)


__all__ = ["Finding", "run_check", "check_integrity", "check_audit", "check_validation", "check_public"]
