"""The appendices: scales, definitions, working group, scenarios, the reservrutinkort (one page each) and
the registers appendix with the full tables the chapters summarise."""

from __future__ import annotations

from xml.sax.saxutils import escape

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.reports.chapters import appendix_name
from rsa_desktop.reports.common import clean_text, reserve_card
from rsa_desktop.reports.pdf.builder import Builder
from rsa_desktop.reports.pdf.styles import FONT, FONT_BOLD, GRID, NAVY, ZEBRA, ParagraphStyleIndented
from rsa_desktop.reports.pdf.text import date_text, esc, paragraph_cls, pdf_text, shortened
from rsa_desktop.reports.prose import fixed_text


def _appendices(b: Builder) -> None:
    from rsa_desktop.services import catalogues

    d = b.data
    t = b.t
    sc = d.scales
    b.h1(t.heading("appendices"), "appendices")
    b.h2(t.section("appendices", "scales"))
    b.h3("Sannolikhet")
    b.table(["Nivå", "Benämning", "Frekvens", "Beskrivning"],
            [[str(x.value), x.label, x.frequency, x.description] for x in sc.likelihood], [0.07, 0.18, 0.3, 0.45])
    b.h3("Konsekvens")
    b.table(["Nivå", "Benämning", "Beskrivning"],
            [[str(x.value), x.label, x.description] for x in sc.consequence], [0.07, 0.2, 0.73])
    b.h3("Konsekvensdimensioner (skyddsvärden)")
    b.table(["Dimension", "Beskrivning"], [[x.label, x.description] for x in sc.dimensions], [0.35, 0.65])
    b.h3("Riskmatrisens färger")
    b.table(["Riskklass", "Riskvärde från"], [[x.label, str(x.min_score)] for x in sc.bands], [0.35, 0.2],
            fills=[((0, i), x.colour) for i, x in enumerate(sc.bands)])
    if sc.capability:
        b.h3("Förmåga")
        b.table(["Nivå", "Benämning", "Beskrivning"],
                [[str(x.value), x.label, x.description] for x in sc.capability], [0.07, 0.2, 0.73])
    b.h2(t.section("appendices", "definitions"))
    glossary = catalogues.load("glossary")
    if glossary:
        b.table(["Begrepp", "Definition", "Källa"],
                [[g.get("term", ""), g.get("definition", ""), g.get("source", "")] for g in glossary],
                [0.24, 0.6, 0.16], first_col_bold=True)
    b.h2(t.section("appendices", "participants"))
    if d.participants:
        b.table(["Namn", "Roll", "Enhet"], [[p.name, p.role, p.unit] for p in d.participants], [0.3, 0.4, 0.3])
    else:
        b.none()
    b.h2(t.section("appendices", "scenarios"))
    library = {str(s.get("label", "")).strip().lower(): s for s in catalogues.load("scenarios")}
    used: dict[str, list[str]] = {}
    for r in d.items["risk"]:
        name = clean_text(r.scenario).strip()
        if name:
            used.setdefault(name, []).append(r.hid)
    if not used:
        b.para(fixed_text(t, "no_scenarios"))
    for name, hids in used.items():
        b.h3(name)
        entry = library.get(name.lower())
        if entry and entry.get("description"):
            b.para(entry["description"])
        else:
            b.para(fixed_text(t, "own_scenario"))
        b.markup(f"<i>Används för:</i> {escape(', '.join(hids))}", b.s.small)
    _cards(b)
    registers(b)


def registers(b: Builder) -> None:
    """Bilaga F: the full tables that the main chapters summarise (Builder.long_table)."""
    from reportlab.platypus import PageBreak

    if not b.registers or getattr(b, "registers_printed", False):
        return
    b.registers_printed = True
    b.story.append(PageBreak())
    b.story.append(b.Heading(appendix_name(b.t, "registers"), b.s.h1, 1, "registers"))
    for title, header, rows, widths, kw in b.registers:
        b.h2(title)
        b.table(header, rows, widths, **kw)


def _cards(b: Builder) -> None:
    from reportlab.lib import colors
    from reportlab.platypus import KeepInFrame, PageBreak, Table, TableStyle
    Paragraph = paragraph_cls()

    d = b.data
    t = b.t
    critical = [f for f in d.items["function"] if f.is_critical]
    # Bilaga E is an appendix: under "Bilagor" in the table of contents and the outline, on a page of its own.
    b.story.append(PageBreak())
    b.story.append(b.Heading(t.section("appendices", "cards"), b.s.h1, 1, "cards"))
    b.markup(escape(fixed_text(t, "cards_intro")), b.s.intro)
    if not critical:
        b.none(fixed_text(t, "no_critical_functions"))
        return
    s = b.s
    from reportlab.lib.styles import ParagraphStyle

    # A card is read at a workplace during a disruption: no type under 8.5 pt, and no shrinking below it.
    cs = ParagraphStyle("CardCell", s.cell, fontSize=9, leading=11.4)
    cs_bold = ParagraphStyle("CardCellBold", cs, fontName=FONT_BOLD)
    cs_head = ParagraphStyle("CardHead", cs, fontName=FONT_BOLD, textColor=colors.white)
    cs_small = ParagraphStyle("CardSmall", s.small, fontSize=8.5, leading=11)
    frame_h = 297 * b.mm - 26 * b.mm - 22 * b.mm - 4
    for f in critical:
        b.story.append(PageBreak())
        parts: list = []
        heading = b.Heading(f"Reservrutinkort: {f.hid} {clean_text(f.name)}", s.card_title, 2, "", toc=False)
        parts.append(heading)
        card = reserve_card(d, f)
        plans = card.plans
        facts = [("Acceptabel avbrottstid", format_duration(f.max_tolerable_downtime) or "–"),
                 ("Lägsta acceptabla nivå", shortened(f.minimum_level or "–", 500)),
                 ("Ansvarig", "; ".join(clean_text(p.plan.responsible) for p in plans if p.plan.responsible)
                  or clean_text(f.owner) or "–"),
                 ("Plan", "; ".join(f"{p.plan.hid} {clean_text(p.plan.title)}" for p in plans)
                  or "Ingen kontinuitetsplan finns")]
        rows = [[b.cell(k, cs_bold), b.cell(v, cs)] for k, v in facts]
        box = Table(rows, colWidths=b.widths([[], *rows], [0.26, 0.74], size=9), hAlign="LEFT")
        box.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("BOX", (0, 0), (-1, -1), 1, colors.HexColor(NAVY)),
                                 ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(ZEBRA)),
                                 ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID))]))
        parts.append(box)

        def sub(text, parts=parts):
            parts.append(Paragraph(escape(text), s.h3))

        for p in plans:
            if clean_text(p.plan.activation_criteria).strip():
                sub("Aktivera planen när")
                parts.append(Paragraph(esc(p.plan.activation_criteria), s.card_body))
        sub("Reservrutiner")
        # The plan's procedures first, the most urgent (shortest tolerance) at the top.
        for dep, tol, fb in card.fallbacks:
            head = f"<b>{escape(dep.hid)} {esc(dep.name)}</b>" if dep else "<b>Allmän reservrutin</b>"
            facts = [f"tål avbrott i {format_duration(tol)}" if dep and tol else "",
                     f"rutinen räcker {format_duration(fb.duration)}" if fb.duration else "",
                     f"ansvarig: {pdf_text(fb.responsible)}" if fb.responsible else ""]
            extra = ", ".join(x for x in facts if x)
            parts.append(Paragraph(head + (f" – {escape(extra)}" if extra else ""), s.card_body))
            parts.append(Paragraph(esc(fb.procedure), ParagraphStyleIndented(s.card_body)))
        if not card.fallbacks:
            parts.append(Paragraph(escape(fixed_text(t, "card_no_fallbacks")), s.card_body))
        contacts = card.contacts
        sub("Kontakter")
        if contacts:
            crow = [[b.cell("Namn", cs_head), b.cell("Roll", cs_head), b.cell("Telefon", cs_head),
                     b.cell("Ersättare", cs_head)]]
            crow += [[b.cell(c.name, cs_bold), b.cell(c.role, cs), b.cell(c.phone, cs), b.cell(c.alternate, cs)]
                     for c in contacts]
            ct = Table(crow, colWidths=b.widths(crow, [0.25, 0.3, 0.17, 0.28], size=9), hAlign="LEFT")
            ct.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NAVY)),
                                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID)),
                                    ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID))]))
            parts.append(ct)
        else:
            parts.append(Paragraph(escape(fixed_text(t, "card_no_contacts")), s.card_body))
        recovery = card.recovery
        sub("Återstart och prioritetsordning")
        if recovery:
            for text in recovery:
                parts.append(Paragraph(esc(text), s.card_body))
        else:
            parts.append(Paragraph(escape(fixed_text(t, "card_no_recovery")), s.card_body))
        dates = "; ".join(f"{p.plan.hid}: reviderad {date_text(p.plan.last_revised) or '–'}, övad "
                          f"{date_text(p.plan.last_exercised) or 'aldrig'}" for p in plans)
        if dates:
            parts.append(Paragraph(escape(dates), cs_small))
        # The other dependencies last: if a card needs a second page, only this list runs onto it.
        if card.rest:
            sub("Övriga beroenden")
            rows = [[b.cell("Beroende", cs_head), b.cell("Tål avbrott i", cs_head), b.cell("Reserv", cs_head)]]
            for dep, tol in card.rest:
                reserve = "Nej"
                if dep.has_reserve:
                    reserve = "Ja" + (f", räcker {format_duration(dep.reserve_duration)}" if dep.reserve_duration else "")
                rows.append([b.cell(f"{dep.hid} {pdf_text(dep.name)}", cs),
                             b.cell(format_duration(tol) or "–", cs), b.cell(reserve, cs)])
            other = Table(rows, colWidths=b.widths(rows, [0.56, 0.18, 0.26], size=9), hAlign="LEFT", repeatRows=1)
            other.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(NAVY)),
                                       ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                                       ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID)),
                                       ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID))]))
            parts.append(other)
        # One printed page per card: shrunk a little if it must, but a card that would need type under
        # 8.5 pt runs onto a second page instead.
        height = sum(p.wrap(b.width, frame_h)[1] for p in parts)
        if height * 8.5 / 9 <= frame_h:
            b.story.append(KeepInFrame(b.width, frame_h, parts, mode="shrink"))
        else:
            b.story.extend(parts)


CHAPTERS = {"appendices": _appendices}
