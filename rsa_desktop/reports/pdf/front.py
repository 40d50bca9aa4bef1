"""The front of the report: title page, table of contents, summary, the förvaltning and the method."""

from __future__ import annotations

from xml.sax.saxutils import escape

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.reports.chapters import appendix_ref, scales_text
from rsa_desktop.reports.common import clean_text, export_stamp, key_figures, top_risks
from rsa_desktop.reports.pdf.builder import Builder
from rsa_desktop.reports.pdf.styles import FONT, ParagraphStyleCentered
from rsa_desktop.reports.pdf.text import date_text, esc, paragraph_cls
from rsa_desktop.reports.prose import fixed_text


def _catalogues():
    from rsa_desktop.services import catalogues

    return catalogues


def title_page(b: Builder) -> None:
    from reportlab.platypus import NextPageTemplate, Spacer
    Paragraph = paragraph_cls()

    d = b.data
    a = d.analysis
    org = d.organisation
    s = b.s
    b.story.append(Spacer(1, 38 * b.mm))
    b.story.append(Paragraph(escape(b.t.title), s.title))
    b.story.append(Paragraph(escape(str(a.year)), s.title))
    if org is not None:
        b.story.append(Spacer(1, 6 * b.mm))
        b.story.append(Paragraph(esc(org.name), s.subtitle))
        if org.committee:
            b.story.append(Paragraph(esc(org.committee), s.body))
    b.story.append(Spacer(1, 12 * b.mm))
    status = KINDS["analysis"].field("status").choice_label(a.status)
    adopted = ""
    if a.status == "faststalld":
        adopted = " ".join(p for p in (date_text(a.adopted_date), clean_text(a.adopted_decision)) if p) or "–"
    b.kv([("Analysår", str(a.year)), ("Status", status),
          ("Fastställd", adopted if a.status == "faststalld" else "Ej fastställd"),
          ("Organisation", org.name if org else ""), ("Nämnd eller styrelse", org.committee if org else ""),
          ("Kontaktperson", org.contact_person if org else ""),
          ("Säkerhetssamordnare", org.security_coordinator if org else ""),
          ("Klassificering", d.marking.text if not d.marking.empty else None),
          ("Exporterad", f"{export_stamp(d)} med RSA Desktop {d.program_version}"),
          ("Katalogversion", _catalogues().version_text(a.get("catalogue_version") or ""))], label_width=0.28)
    if not d.marking.empty:
        b.space(10 * b.mm)
        if d.marking.stamp:
            b.story.append(Paragraph(escape(d.marking.stamp), s.stamp))
        if d.public:
            b.markup(escape(d.public_note), ParagraphStyleCentered(s.body))
        elif d.marking.secrecy:
            b.markup(esc(d.marking.secrecy), ParagraphStyleCentered(s.body))
    if d.secret_legend:
        b.space(6 * b.mm)
        b.markup(escape(d.secret_legend), ParagraphStyleCentered(s.body))
    b.story.append(NextPageTemplate("body"))


def toc_page(b: Builder) -> None:
    from reportlab.platypus import PageBreak
    Paragraph = paragraph_cls()
    from reportlab.platypus.tableofcontents import TableOfContents

    b.story.append(PageBreak())
    b.story.append(Paragraph(escape(fixed_text(b.t, "toc")), b.s.h1))
    toc = b.toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = b.s.toc
    toc.tableStyle = [("FONT", (0, 0), (-1, -1), FONT, 9), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                      ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    b.story.append(toc)
    if b.t.basis:
        b.space(10)
        b.markup(escape(b.t.basis), b.s.small)


def _summary(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("summary"), "summary")
    if d.public:
        b.markup(escape(d.public_note), b.s.intro)
    elif d.secret_legend:
        b.markup(escape(d.secret_legend), b.s.intro)
    if clean_text(d.analysis.summary).strip():
        b.para(d.analysis.summary)
    else:
        b.none(fixed_text(t, "summary_none"))
    b.h2(t.section("summary", "key_figures"))
    b.table(["", "Antal", "Kommentar"], key_figures(d), [0.34, 0.12, 0.54], first_col_bold=True)
    top = top_risks(d)
    if top:
        b.h2(t.section("summary", "top_risks"))
        rows, fills = [], []
        for i, (score, cons, r) in enumerate(top):
            band = d.scales.band(r.likelihood, cons)
            rows.append([b.data.mark(r), r.title, str(r.likelihood), str(cons), f"{score} {band.label if band else ''}"])
            if band:
                fills.append(((4, i), band.colour))
        b.table(["ID", "Risk", "S", "K", "Riskvärde"], rows, [0.07, 0.63, 0.06, 0.06, 0.18], fills=fills)
        b.para(fixed_text(t, "top_risks_legend"), b.s.small)


def _description(b: Builder) -> None:
    d = b.data
    t = b.t
    org = d.organisation
    b.h1(t.heading("description"), "description")
    b.h2(t.section("description", "organisation"))
    if org is not None:
        b.kv([("Namn", org.name), ("Typ", b.label_of("organisation", "org_type", org.org_type)),
              ("Nämnd eller styrelse", org.committee),
              ("Antal anställda", str(org.employees) if org.employees is not None else ""),
              ("Kontaktperson", org.contact_person), ("Säkerhetssamordnare", org.security_coordinator)])
    b.h2(t.section("description", "business"))
    if clean_text(d.analysis.business_description).strip():
        b.para(d.analysis.business_description)
    else:
        b.none()
    b.h2(t.section("description", "locations"))
    if clean_text(d.analysis.locations).strip():
        b.para(d.analysis.locations)
    else:
        b.none()


def _method(b: Builder) -> None:
    d = b.data
    t = b.t
    a = d.analysis
    b.h1(t.heading("method"), "method")
    for key, field in (("assignment", "assignment"), ("delimitations", "delimitations"), ("method", "method")):
        b.h2(t.section("method", key))
        if clean_text(a.get(field)).strip():
            b.para(a.get(field))
        else:
            b.none()
    b.h2(t.section("method", "group"))
    if d.participants:
        names = "; ".join(clean_text(", ".join(x for x in (p.name, p.role, p.unit) if x)) for p in d.participants)
        b.para(fixed_text(t, "method_group", count=len(d.participants), names=names,
                          appendix=appendix_ref(t, "participants")))
    else:
        b.none()
    b.h2(t.section("method", "scales"))
    b.para(scales_text(t, d))


CHAPTERS = {"summary": _summary, "description": _description, "method": _method}
