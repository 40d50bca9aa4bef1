"""The city-wide consolidation for kommunstyrelsen as Excel and PDF (services/consolidate.py).

Reuses the submission export's machinery: `reports.xlsx._Workbook` (Excel Tables, text never a formula,
long texts kept whole, marking in every sheet's header and footer) and `reports.pdf` (embedded DejaVu
fonts, page template with the marking on every page, "Sida X av Y", tables with a repeated header).
Both are driven by a small stand-in for ReportData (`_Frame`) that carries the marking and the title.

Workbook sheets: Översikt, Inlämningar, Saknas, Samhällsviktiga verksamheter, Gemensamma beroenden,
Riskmatris, Allvarligaste risker, Alla risker (every risk of every submission: a city-wide RSA needs
them all), Kontinuitetsgap, Försenade åtgärder (plus Långa texter and the
hidden Listor of the export machinery).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rsa_desktop import __version__
from rsa_desktop.domain import severity
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.reports.common import SECRET_LEGEND, SECRET_MARK, Marking, yes_no
from rsa_desktop.reports.prose import fixed_text
from rsa_desktop.services.consolidate import CLASS_LABEL, Consolidation, band_for

TITLE = "Stockholms stad – sammanställning av risk- och sårbarhetsanalyser"
SHEETS = ("Översikt", "Inlämningar", "Saknas", "Samhällsviktiga verksamheter", "Gemensamma beroenden", "Riskmatris",
          "Allvarligaste risker", "Alla risker", "Kontinuitetsgap", "Försenade åtgärder")
ORG = "Stockholms stad"


@dataclass
class _Frame:
    """What the export machinery reads from ReportData: marking, title, stamps."""
    marking: Marking
    organisation: Any
    analysis: Any
    exported_at: dt.datetime
    program_version: str = __version__
    public: bool = False

    @property
    def title(self) -> str:
        return f"{TITLE} {self.analysis.year}"


def _frame(c: Consolidation) -> _Frame:
    marking = Marking(True) if c.public else Marking(False, c.marking_security_class, c.marking_secrecy)
    org = SimpleNamespace(name=ORG, committee="Kommunstyrelsen", contact_person="", security_coordinator="")
    analysis = SimpleNamespace(year=c.year, status="Sammanställning", adopted_date=None, adopted_decision="")
    return _Frame(marking, org, analysis, c.created_at, public=c.public)


def _status(code: str) -> str:
    return KINDS["action"].field("status").choice_label(code)


def _overview_rows(c: Consolidation) -> list[tuple[str, Any]]:
    n = c.counts()
    return [
        ("Analysår", c.year),
        ("Sammanställd", c.created_at),
        ("Inlämningar som ingår", n["submissions"]),
        ("Inlästa filer som inte ingår", n["listed"] - n["submissions"]),
        ("Filer som inte kunde läsas", n["errors"]),
        ("Organisationer som inte lämnat in", n["missing"]),
        ("Samhällsviktiga verksamheter", n["functions"]),
        ("Kritiska beroenden", n["dependencies"]),
        ("Förvaltningsgemensamma beroenden", n["shared"]),
        ("Risker", n["risks"]),
        ("Kontinuitetsgap", n["gaps"]),
        ("Försenade åtgärder", n["overdue"]),
        ("Markering", _frame(c).marking.text),
        ("Sekretess", _secrecy_note(c)),
    ]


def _secrecy_note(c: Consolidation) -> str:
    from rsa_desktop.reports.common import load_template

    if c.public:
        return fixed_text(load_template(), "consolidated_public_note")
    n = sum(1 for s in c.included for f in s.functions if f.critical and f.secret) + \
        sum(1 for s in c.included for r in s.risks if r.secret)
    return fixed_text(load_template(), "consolidated_secret_note", count=n)


def build_workbook(c: Consolidation):
    from rsa_desktop.reports.xlsx import Col, WorkbookBuilder

    book = WorkbookBuilder(_frame(c))  # type: ignore[arg-type] - duck-typed ReportData
    book.context = f"{ORG} – sammanställning RSA {c.year}"
    T = lambda h, i, t="text", w=None: Col(h, (lambda r: r[i]), t, width=w)  # noqa: E731

    book.table_sheet("Översikt", "Oversikt", [T("Uppgift", 0, w=40), T("Värde", 1, "long", 60)], _overview_rows(c),
                     freeze_first_col=False)  # its "Sekretess" row says how secret items are treated
    rows = [(s.organisation, s.city_org, s.committee, s.year, s.source.name,
             "Excel" if s.source_kind == "xlsx" else "RSA-fil",
             "Öppet utdrag" if s.public else "Fullständig", KINDS["analysis"].field("status").choice_label(s.status),
             "Ja" if s.included else "Nej", s.note or "; ".join(s.warnings),
             " – ".join(p for p in (CLASS_LABEL.get(s.security_class, ""), s.secrecy) if p)) for s in c.submissions]
    rows += [("", "", "", None, e.path.name, "", "", "", "Nej", f"Kunde inte läsas: {e.reason}", "")
             for e in c.errors]
    book.table_sheet("Inlämningar", "Inlamningar",
                     [T("Organisation", 0), T("Enligt katalogen", 1), T("Nämnd eller styrelse", 2),
                      T("År", 3, "int"), T("Fil", 4, w=30), T("Format", 5, "enum"), T("Utdrag", 6, "enum"),
                      T("Status", 7, "enum"), T("Ingår", 8, "enum"), T("Anmärkning", 9, "long"),
                      T("Sekretess", 10, w=30)], rows)
    book.table_sheet("Saknas", "Saknas", [T("Organisation", 0, w=40), T("Förvaltning", 1, w=40),
                                          T("Sekretess", 2, "enum")],
                     [(o.name, o.administration, "Nej") for o in c.missing])
    rows = [(s.organisation, f.hid, f.name, f.msb_sector or "Utan sektor", f.preparedness_sector,
             format_duration(f.mtd), f.mtd, "Extern regi" if f.operation == "extern" else "Egen regi",
             yes_no(f.secret))
            for s in c.included for f in s.functions if f.critical]
    rows.sort(key=lambda r: (r[3].casefold(), r[0].casefold(), r[1]))
    book.table_sheet("Samhällsviktiga verksamheter", "SamhallsviktigaVerksamheter",
                     [T("Samhällssektor (MSB)", 3, w=28), T("Organisation", 0, w=30), T("ID", 1, "id"),
                      T("Verksamhet", 2, w=40), T("Beredskapssektor", 4), T("Acceptabel avbrottstid", 5, "enum"),
                      T("Acceptabel avbrottstid (minuter)", 6, "minutes"), T("Regi", 7, "enum"),
                      T("Sekretess", 8, "enum")], rows)
    rows = []
    for p in c.shared:
        for org, u in p.uses:
            rows.append((p.name, p.city_org or "Extern", len(p.organisations), format_duration(p.strictest),
                         p.strictest, org, u.dependency_hid, u.dependency, u.dep_type, u.function_hid, u.function,
                         format_duration(u.tolerance), u.tolerance, u.expected_outage, yes_no(u.has_reserve),
                         u.provider, yes_no(u.secret), "; ".join(p.variants)))
    book.table_sheet("Gemensamma beroenden", "GemensammaBeroenden",
                     [T("Leverantör", 0, w=30), T("Stadens organisation", 1, w=24), T("Antal organisationer", 2, "int"),
                      T("Strängaste tolerans", 3, "enum"), T("Strängaste tolerans (minuter)", 4, "minutes"),
                      T("Organisation", 5, w=30), T("Beroende", 6, "id"), T("Beroendets namn", 7, w=30),
                      T("Typ", 8), T("Verksamhet", 9, "id"), T("Verksamhetens namn", 10, w=30),
                      T("Tolerans", 11, "enum"), T("Tolerans (minuter)", 12, "minutes"),
                      T("Förväntad avbrottstid (minuter)", 13, "minutes"), T("Reserv finns", 14, "enum"),
                      T("Leverantör enligt inlämningen", 15, w=30), T("Sekretess", 16, "enum"),
                      T("Stavningar som räknats som samma leverantör", 17, "long", 40)], rows)
    _matrix_sheet(book, c)
    rows = [(s.organisation, r.hid, r.title, r.category, r.likelihood, r.consequence, r.score, r.band,
             yes_no(r.secret)) for s, r in c.top_risks]
    book.table_sheet("Allvarligaste risker", "AllvarligasteRisker",
                     [T("Organisation", 0, w=30), T("ID", 1, "id"), T("Rubrik", 2, w=40), T("Kategori", 3),
                      T("Sannolikhet", 4, "level"), T("Sammanvägd konsekvens", 5, "level"), T("Riskvärde", 6, "int"),
                      T("Riskklass", 7, "enum"), T("Sekretess", 8, "enum")], rows)
    rows = [(s.organisation, r.hid, r.title, r.category, r.likelihood, r.consequence, r.score, r.band,
             yes_no(r.secret)) for s, r in c.all_risks]
    book.table_sheet("Alla risker", "AllaRisker",
                     [T("Organisation", 0, w=30), T("ID", 1, "id"), T("Rubrik", 2, w=40), T("Kategori", 3),
                      T("Sannolikhet", 4, "level"), T("Sammanvägd konsekvens", 5, "level"), T("Riskvärde", 6, "int"),
                      T("Riskklass", 7, "enum"), T("Sekretess", 8, "enum")], rows)
    rows = [(s.organisation, g.severity, g.rule, g.title, g.explanation, ", ".join(g.items), yes_no(g.secret))
            for s, g in c.gaps]
    book.table_sheet("Kontinuitetsgap", "Kontinuitetsgap",
                     [T("Organisation", 0, w=30), T("Allvarlighet", 1, "enum"), T("Regel", 2, w=18),
                      T("Rubrik", 3, w=40), T("Förklaring", 4, "long"), T("Berörda objekt", 5, "hids"),
                      T("Sekretess", 6, "enum")], rows)
    rows = [(s.organisation, a.hid, a.title, a.owner, a.deadline, _status(a.status),
             KINDS["action"].field("priority").choice_label(a.priority), (c.today - a.deadline).days,
             yes_no(a.secret)) for s, a in c.overdue]
    book.table_sheet("Försenade åtgärder", "ForsenadeAtgarder",
                     [T("Organisation", 0, w=30), T("ID", 1, "id"), T("Rubrik", 2, w=40), T("Ansvarig", 3),
                      T("Klart senast", 4, "date"), T("Status", 5, "enum"), T("Prioritet", 6, "enum"),
                      T("Dagar försenad", 7, "int"), T("Sekretess", 8, "enum")], rows)
    book.finish()
    return book.wb


def _matrix_sheet(book, c: Consolidation) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from rsa_desktop.reports.xlsx import Col

    secret: dict[str, Counter] = {}
    for s in c.included:
        for r in s.risks:
            if r.secret and r.likelihood is not None and r.consequence is not None:
                for key in ("", r.category or "Utan kategori"):
                    secret.setdefault(key, Counter())[(r.likelihood, r.consequence)] += 1
    rows = []
    for category in sorted(c.matrix, key=lambda k: (k != "", k.casefold())):
        for (lk, cs), n in sorted(c.matrix[category].items()):
            band = band_for(c, lk, cs)
            rows.append((category or "Alla kategorier", lk, cs, n, lk * cs, band.label if band else "",
                         secret.get(category, Counter()).get((lk, cs), 0)))
    T = lambda h, i, t="text", w=None: Col(h, (lambda r: r[i]), t, width=w)  # noqa: E731
    ws = book.table_sheet("Riskmatris", "Riskmatris",
                          [T("Kategori", 0, w=28), T("Sannolikhet", 1, "level"), T("Konsekvens", 2, "level"),
                           T("Antal risker", 3, "int"), T("Riskvärde", 4, "int"), T("Riskklass", 5, "enum"),
                           T("Sekretess (antal markerade)", 6, "int")], rows,
                          freeze_first_col=False)
    # The grid for all categories, beside the table.
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    left = 10
    ws.cell(4, left, "Antal risker per ruta, alla kategorier").font = Font(bold=True)
    ws.cell(5, left, "Sannolikhet ↓ / konsekvens →").font = Font(italic=True, size=9)
    for j, (cv, label) in enumerate(c.consequence_levels):
        cell = ws.cell(5, left + 1 + j, f"{cv} {label}".strip())
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
        cell.border = border
        ws.column_dimensions[cell.column_letter].width = 14
    ws.column_dimensions[ws.cell(5, left).column_letter].width = 24
    for i, (lv, label) in enumerate(reversed(c.likelihood_levels)):
        r = 6 + i
        head = ws.cell(r, left, f"{lv} {label}".strip())
        head.font = Font(bold=True)
        head.border = border
        for j, (cv, _l) in enumerate(c.consequence_levels):
            cell = ws.cell(r, left + 1 + j, c.matrix[""].get((lv, cv), 0))
            band = band_for(c, lv, cv)
            if band is not None:
                cell.fill = PatternFill("solid", fgColor=band.colour.lstrip("#").upper())
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.border = border
            cell.font = Font(bold=True)


def write_xlsx(c: Consolidation, path: str | os.PathLike) -> Path:
    from rsa_desktop.reports.atomic import save_workbook, write_atomic

    wb = build_workbook(c)
    return write_atomic(path, lambda tmp: save_workbook(wb, tmp))


# -- PDF ---------------------------------------------------------------------------------------------

def build_pdf(c: Consolidation, target, *, top_gaps: int = 60, top_overdue: int = 60) -> None:
    from xml.sax.saxutils import escape

    from reportlab.platypus import NextPageTemplate, Paragraph, Spacer

    from rsa_desktop.reports.common import load_template
    from rsa_desktop.reports.pdf import Builder as _Builder
    from rsa_desktop.reports.pdf import doc_classes as _doc_classes
    from rsa_desktop.reports.pdf import register_fonts

    register_fonts()
    frame = _frame(c)
    ReportDoc, NumberedCanvas = _doc_classes()
    b = _Builder(frame, load_template(), None)  # type: ignore[arg-type] - duck-typed ReportData
    s = b.s
    n = c.counts()
    b.story.append(Spacer(1, 38 * b.mm))
    b.story.append(Paragraph("Sammanställning av risk- och sårbarhetsanalyser", s.title))
    b.story.append(Paragraph(escape(f"{ORG} {c.year}"), s.subtitle))
    b.space(8 * b.mm)
    b.kv([(k, v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else v) for k, v in _overview_rows(c)
          if v not in (None, "")])
    if frame.marking.stamp:
        b.space(8 * b.mm)
        b.story.append(Paragraph(escape(frame.marking.stamp), s.stamp))
    b.space(6 * b.mm)
    b.para(_secrecy_note(c) + ("" if c.public else " " + SECRET_LEGEND))
    b.story.append(NextPageTemplate("body"))

    def chapter(title: str) -> None:
        b.h1(title)

    chapter("Inlämningar")
    b.para(fixed_text(b.t, "consolidated_submissions", submissions=n["submissions"], year=c.year,
                      errors=n["errors"], missing=n["missing"]))
    b.table(["Organisation", "År", "Fil", "Ingår", "Anmärkning"],
            [[sub.organisation, sub.year, sub.source.name, "Ja" if sub.included else "Nej", sub.note]
             for sub in c.submissions], [0.3, 0.08, 0.27, 0.08, 0.27])
    if c.errors:
        b.h2("Filer som inte kunde läsas")
        b.table(["Fil", "Orsak"], [[e.path.name, e.reason] for e in c.errors], [0.35, 0.65])
    if c.missing:
        b.h2("Organisationer som inte har lämnat in")
        b.table(["Organisation", "Förvaltning"], [[o.name, o.administration] for o in c.missing], [0.5, 0.5])

    chapter("Samhällsviktiga verksamheter per sektor")
    by_sector: dict[str, list] = {}
    for sub in c.included:
        for f in sub.functions:
            if f.critical:
                by_sector.setdefault(f.msb_sector or "Utan sektor", []).append((sub, f))
    for sector in sorted(by_sector, key=str.casefold):
        b.h2(f"{sector} ({len(by_sector[sector])})")
        b.table(["Organisation", "Verksamhet", "Acceptabel avbrottstid"],
                [[sub.organisation, f"{_mark(f)} {f.name}", format_duration(f.mtd) or "–"]
                 for sub, f in sorted(by_sector[sector], key=lambda x: (x[0].organisation, x[1].hid))],
                [0.32, 0.5, 0.18])

    chapter("Förvaltningsgemensamma beroenden")
    b.para(fixed_text(b.t, "consolidated_shared"))
    b.table(["Leverantör", "Organisationer", "Strängaste tolerans", "Krävs av", "Stavningar"],
            [[p.name, f"{len(p.organisations)}: " + ", ".join(p.organisations), format_duration(p.strictest) or "–",
              "; ".join(p.strictest_by), "; ".join(p.variants)] for p in c.shared],
            [0.17, 0.3, 0.11, 0.24, 0.18])

    chapter("Riskmatris")
    b.para(fixed_text(b.t, "consolidated_matrix"))
    header = ["Sannolikhet"] + [f"{cv} {label}".strip() for cv, label in c.consequence_levels]
    rows, fills = [], []
    for i, (lv, label) in enumerate(reversed(c.likelihood_levels)):
        rows.append([f"{lv} {label}".strip()] + [str(c.matrix[""].get((lv, cv), 0)) for cv, _l in c.consequence_levels])
        for j, (cv, _l) in enumerate(c.consequence_levels):
            band = band_for(c, lv, cv)
            if band is not None:
                fills.append(((j + 1, i), band.colour))
    width = (1 - 0.2) / max(1, len(c.consequence_levels))
    b.table(header, rows, [0.2] + [width] * len(c.consequence_levels), fills=fills)
    cats = [k for k in c.matrix if k]
    if cats:
        b.h2("Per kategori")
        b.table(["Kategori", "Risker", "Varav i de två högsta riskklasserna"],
                [[k, sum(c.matrix[k].values()), sum(v for (lk, cs), v in c.matrix[k].items()
                                                    if _high(c, lk, cs))] for k in sorted(cats, key=str.casefold)],
                [0.5, 0.2, 0.3])

    chapter("De allvarligaste riskerna")
    b.table(["Organisation", "Risk", "Kategori", "S", "K", "Värde"],
            [[sub.organisation, f"{_mark(r)} {r.title}", r.category, r.likelihood, r.consequence, r.score]
             for sub, r in c.top_risks], [0.25, 0.37, 0.18, 0.06, 0.06, 0.08])

    b.para(fixed_text(b.t, "consolidated_top_risks", shown=len(c.top_risks), total=len(c.all_risks)))

    chapter("Kontinuitetsgap")
    high = [(sub, g) for sub, g in c.gaps if g.severity == severity.HIGH]
    b.para(fixed_text(b.t, "consolidated_gaps", count=len(c.gaps), high=len(high),
                      shown=min(top_gaps, len(c.gaps))))
    b.table(["Organisation", "Allvarlighet", "Gap"],
            [[sub.organisation, g.severity, g.title + (f" {SECRET_MARK}" if g.secret else "")]
             for sub, g in c.gaps[:top_gaps]], [0.3, 0.14, 0.56])

    chapter("Försenade åtgärder")
    if len(c.overdue) > top_overdue:
        b.para(fixed_text(b.t, "consolidated_overdue_top", count=len(c.overdue), shown=top_overdue))
    else:
        b.para(fixed_text(b.t, "consolidated_overdue", count=len(c.overdue)))
    b.table(["Organisation", "Åtgärd", "Klart senast", "Status"],
            [[sub.organisation, f"{_mark(a)} {a.title}", a.deadline.isoformat(), _status(a.status)]
             for sub, a in c.overdue[:top_overdue]], [0.3, 0.44, 0.13, 0.13])
    chapter("Bilaga: Alla risker")
    b.para(fixed_text(b.t, "consolidated_all_risks", count=len(c.all_risks)))
    b.table(["Organisation", "Risk", "Kategori", "S", "K", "Värde"],
            [[sub.organisation, f"{_mark(r)} {r.title}", r.category, r.likelihood, r.consequence, r.score]
             for sub, r in c.all_risks], [0.25, 0.37, 0.18, 0.06, 0.06, 0.08])
    doc = ReportDoc(target, frame, s, title=frame.title, author=ORG, subject=f"Sammanställning RSA {c.year}"
                    + (f" – {frame.marking.text}" if not frame.marking.empty else ""),
                    creator=f"RSA Desktop {__version__}", producer=f"RSA Desktop {__version__} (reportlab)",
                    lang="sv-SE", initialFontName="DejaVuSans")
    doc.multiBuild(b.story, canvasmaker=NumberedCanvas)


def _mark(item) -> str:
    """An item's ID with the visible secret mark (only a full compilation has secret items)."""
    return f"{item.hid} {SECRET_MARK}" if item.secret else item.hid


def _high(c: Consolidation, lk: int, cs: int) -> bool:
    top = sorted(c.bands, key=lambda b: b.min_score)[-2:]
    band = band_for(c, lk, cs)
    return band is not None and band in top


def write_pdf(c: Consolidation, path: str | os.PathLike) -> Path:
    from rsa_desktop.reports.atomic import write_atomic

    return write_atomic(path, lambda tmp: build_pdf(c, str(tmp)))


__all__ = ["build_workbook", "write_xlsx", "build_pdf", "write_pdf", "SHEETS"]
