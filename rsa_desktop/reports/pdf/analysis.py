"""The analysis chapters: samhällsviktig verksamhet, kritiska beroenden (with the map and the gaps), risks."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from rsa_desktop.domain.durations import format_duration
from rsa_desktop.domain.scales import risk_value
from rsa_desktop.reports.chapters import impact_text
from rsa_desktop.reports.common import clean_text, hid_key, impact_colour, yes_no
from rsa_desktop.reports.pdf.builder import Builder
from rsa_desktop.reports.pdf.styles import ParagraphStyleCentered
from rsa_desktop.reports.pdf.text import esc, level_text, pdf_text, shortened
from rsa_desktop.reports.prose import fixed_text


def _functions(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("functions"), "functions")
    c = t.chapter("functions")
    if c.intro:
        b.markup(escape(c.intro), b.s.intro)
    critical = [f for f in d.items["function"] if f.is_critical]
    other = [f for f in d.items["function"] if not f.is_critical]
    b.h2(t.section("functions", "overview"))
    if not critical:
        b.none(fixed_text(t, "no_critical_functions"))
    else:
        b.para(fixed_text(t, "functions_overview", critical=len(critical), total=len(d.items["function"])))
        rows = []
        for f in critical:
            regi = b.label_of("function", "operation", f.operation)
            if f.operation == "extern" and f.supplier:
                regi += f" ({clean_text(f.supplier)})"
            rows.append([b.data.mark(f), f.name, f.msb_sector, regi, format_duration(f.max_tolerable_downtime) or "–",
                         format_duration(f.rto) or "–"])
        b.table(["ID", "Verksamhet", "Samhällssektor", "Regi", "Acceptabel avbrottstid", "Återställningstid"],
                rows, [0.06, 0.32, 0.2, 0.16, 0.13, 0.13])
        horizons = d.scales.horizons
        if horizons:
            b.h2(t.section("functions", "impact"))
            b.para(impact_text(t, d), b.s.small)
            rows, fills = [], []
            for i, f in enumerate(critical):
                row = [f"{f.hid} {clean_text(f.name)}"]
                levels = d.impacts.get(f.id, {})
                for j, h in enumerate(horizons, 1):
                    lv = levels.get(h.id)
                    style = b.s.center
                    if lv is not None and lv >= d.scales.unacceptable_level:
                        style = ParagraphStyleCentered(b.s.cell_bold)
                    row.append(b.cell("–" if lv is None else str(lv), style))
                    colour = impact_colour(lv, d)
                    if colour:
                        fills.append(((j, i), colour))
                rows.append(row)
            n = len(horizons)
            b.table(["Verksamhet", *[h.label for h in horizons]], rows, [0.4] + [0.6 / n] * n, fills=fills)
        b.h2(t.section("functions", "details"))
        for f in critical:
            b.h3(f"{b.data.mark(f)} {clean_text(f.name)}")
            crit = []
            if f.criticality_life_health is not None:
                crit.append(f"liv och hälsa {f.criticality_life_health}")
            if f.criticality_functionality is not None:
                crit.append(f"stadens funktionalitet {f.criticality_functionality}")
            b.kv([("Samhällssektor (MSB)", f.msb_sector), ("Beredskapssektor", f.preparedness_sector),
                  ("Kritikalitet", ", ".join(crit)),
                  ("Acceptabel avbrottstid", format_duration(f.max_tolerable_downtime)),
                  ("Återställningstid", format_duration(f.rto)),
                  ("Regi", b.label_of("function", "operation", f.operation)),
                  ("Leverantör", f.supplier), ("Avtal", f.contract),
                  ("Kontinuitetskrav i avtalet", yes_no(f.continuity_in_contract) if f.operation == "extern" else ""),
                  ("Styrelklass", str(f.styrel_class) if f.styrel_class else ""), ("Ansvarig", f.owner),
                  ("Beroenden", b.hids("function_dependency", f.id))])
            b.para(f.description)
            b.field("Därför är verksamheten samhällsviktig", f.critical_motivation)
            b.field("Lägsta acceptabla nivå", f.minimum_level)
            b.field("Motivering av avbrottstid", f.mtd_motivation)
    if other:
        b.h2(t.section("functions", "other"))
        b.para(fixed_text(t, "functions_other"))
        b.table(["ID", "Verksamhet", "Beskrivning"],
                [[b.data.mark(f), f.name, shortened(f.description, 400)] for f in other], [0.06, 0.3, 0.64])


def _dependencies(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("dependencies"), "dependencies")
    c = t.chapter("dependencies")
    if c.intro:
        b.markup(escape(c.intro), b.s.intro)
    deps = d.items["dependency"]
    b.h2(t.section("dependencies", "overview"))
    if not deps:
        b.none()
    else:
        rows, pick = [], sorted(range(len(deps)), key=lambda i: (not deps[i].single_point_of_failure,
                                                                  -(deps[i].expected_outage or 0)))
        for x in deps:
            reserve = "Ja" if x.has_reserve else "Nej"
            if x.has_reserve and x.reserve_duration is not None:
                reserve += f", {format_duration(x.reserve_duration)}"
            provider = x.provider or x.provider_org
            rows.append([b.data.mark(x), x.name, x.dep_type, provider, format_duration(x.expected_outage) or "–", reserve,
                         "Ja" if x.single_point_of_failure else ""])
        b.long_table(t.section("dependencies", "overview"),
                     ["ID", "Beroende", "Typ", "Leverantör", "Förväntat avbrott", "Reserv", "Enda felpunkt"], rows,
                     [0.06, 0.23, 0.14, 0.26, 0.1, 0.11, 0.1], pick=pick, what="beroenden",
                     chosen="enda felpunkter och längsta avbrott")
    links = sorted(d.links["function_dependency"],
                   key=lambda lr: (hid_key(d.hid("function", lr.left_id)), hid_key(d.hid("dependency", lr.right_id))))
    links = [lr for lr in links if d.get("function", lr.left_id).is_critical]
    if links:
        b.h2(t.section("dependencies", "links"))
        b.para(fixed_text(t, "dependency_links"), b.s.small)
        rows, fills = [], []
        previous_function = None
        for i, lr in enumerate(links):
            f, x = d.get("function", lr.left_id), d.get("dependency", lr.right_id)
            tol = lr.attrs.get("tolerance")
            covered = (x.reserve_duration or 0) if x.has_reserve else 0
            short = tol is not None and x.expected_outage is not None and x.expected_outage > tol + covered
            first = f.id != previous_function
            previous_function = f.id
            rows.append([f"{f.hid} {clean_text(f.name)}" if first else "",
                         f"{x.hid} {clean_text(x.name)}",
                         format_duration(tol) or "–", format_duration(x.expected_outage) or "–",
                         format_duration(x.reserve_duration) if x.has_reserve else "Ingen"])
            if short:
                fills.append(((3, i), "#F8D7DA"))
        marked = {r for (_c, r), _colour in fills}
        b.long_table(t.section("dependencies", "links"),
                     ["Verksamhet", "Beroende", "Tolerans", "Förväntat avbrott", "Reserven räcker"], rows,
                     [0.32, 0.32, 0.12, 0.12, 0.12], fills=fills, first_col_bold=True, what="beroenden",
                     pick=sorted(range(len(rows)), key=lambda i: i not in marked),
                     chosen="de markerade raderna")
    if deps:
        _depmap(b)
    if d.gaps is not None:
        b.h2(t.section("dependencies", "gaps"))
        if not d.gaps:
            b.para(fixed_text(t, "gaps_none"))
        else:
            from rsa_desktop.reports import chapters

            b.para(fixed_text(t, "gaps_intro"), b.s.small)

            def rich(title: str, explanation: str | None):
                return b.mcell(f"<b>{esc(title)}</b><br/>{esc(explanation)}" if explanation else esc(title))

            rows, fills = chapters.gap_rows(d, rich)
            rank = {"Hög": 0, "Medel": 1, "Låg": 2}
            b.long_table(t.section("dependencies", "gaps"), chapters.GAP_HEADER, rows, chapters.GAP_WIDTHS,
                         fills=fills, first_col_bold=True, what="fynd",
                         pick=sorted(range(len(rows)), key=lambda i: rank.get(rows[i][1], 3)))
    described = [x for x in deps if clean_text(x.description).strip() or clean_text(x.reserve_description).strip()]
    if described:
        b.h2(t.section("dependencies", "details"))
        for x in described:
            b.h3(f"{b.data.mark(x)} {clean_text(x.name)}")
            used = b.hids("function_dependency", x.id, side="right")
            under = b.hids("dependency_dependency", x.id)
            b.kv([("Typ", x.dep_type), ("Leverantör", x.provider), ("Stadens organisation", x.provider_org),
                  ("Extern (utanför staden)", "Ja" if x.is_external else ""),
                  ("Används av", used), ("Beror på", under)])
            b.para(x.description)
            b.field("Reserv / plan B", x.reserve_description)


def _depmap(b: Builder) -> None:
    """The dependency map: one small map per samhällsviktig verksamhet (reports/depmap_drawing.py),
    drawn with reportlab shapes, levels and order from services/depmap.py."""
    from reportlab.platypus import KeepTogether

    from rsa_desktop.reports import depmap_drawing
    from rsa_desktop.reports.common import dependency_graph

    if b.svc is None:
        return
    graph = dependency_graph(b.svc, b.data)
    if graph is None:
        return
    maps = []
    for n in graph.column(0):
        drawing = depmap_drawing.function_map(graph, n.id, b.width, text_of=pdf_text)
        if drawing is None:
            continue
        limit = 0.8 * 297 * b.mm
        if drawing.height > limit:  # a verksamhet with very many dependencies: the map shrinks to a page
            scale = limit / drawing.height
            drawing.width *= scale
            drawing.height *= scale
            drawing.scale(scale, scale)
        maps.append((n, drawing))
    if not maps:
        return
    b.h2(b.t.section("dependencies", "map"))
    b.para(fixed_text(b.t, "depmap_intro"), b.s.small)
    b.story.append(depmap_drawing.legend(b.width))
    b.space(6)
    for n, drawing in maps:
        rec = b.data.get("function", n.db_id)
        head = b.Heading(f"{b.data.mark(rec) if rec is not None else n.id} {clean_text(n.label)}", b.s.h3, 2, "",
                         toc=False)
        b.story.append(KeepTogether([head, drawing]))
        b.space(8)


def _matrix_drawing(b: Builder, residual: bool):
    """The riskmatris drawn with reportlab shapes (reports/matrix_drawing.py): the SVG round trip through
    matplotlib and svglib cost most of the story's time on a large analysis."""
    from rsa_desktop.reports.matrix_drawing import risk_matrix_drawing

    d = b.data
    if residual:
        return risk_matrix_drawing(d.residual_matrix, title="Risk efter planerade åtgärder", width_in=b.width / 72)
    return risk_matrix_drawing(d.matrix, title="Bedömd risk", width_in=b.width / 72)


def _risks(b: Builder) -> None:
    d = b.data
    t = b.t
    sc = d.scales
    b.h1(t.heading("risks"), "risks")
    c = t.chapter("risks")
    if c.intro:
        b.markup(escape(c.intro), b.s.intro)
    risks = d.items["risk"]
    if not risks:
        b.none()
        return
    b.h2(t.section("risks", "matrix"))
    b.para(fixed_text(t, "risk_matrix"), b.s.small)
    residual = any(p.residual_likelihood is not None and p.residual_consequence is not None
                   for p in d.matrix.points)
    # Two matrices at 98 mm did not fit on the chapter's first page: the second went over and left the
    # bottom of the page empty. At 86 mm both fit under the chapter heading.
    height = (86 if residual else 98) * b.mm
    b.drawing(_matrix_drawing(b, False), fixed_text(t, "risk_matrix_caption"), max_height=height)
    if residual:
        b.drawing(_matrix_drawing(b, True), fixed_text(t, "residual_matrix_caption"), max_height=height)
    unplaced = [p.hid for p in d.matrix.unplaced]
    if unplaced:
        b.para(fixed_text(t, "risks_unplaced", risks=", ".join(unplaced)), b.s.small)
    b.h2(t.section("risks", "overview"))
    rows, fills, values = [], [], []
    for i, r in enumerate(risks):
        cons = d.risk_consequence(r.id)
        band = sc.band(r.likelihood, cons)
        rband = sc.band(r.residual_likelihood, r.residual_consequence)
        score = f"{risk_value(r.likelihood, cons)} {band.label}" if band else "–"
        rscore = f"{risk_value(r.residual_likelihood, r.residual_consequence)}" if rband else "–"
        values.append(risk_value(r.likelihood, cons) if band else -1)
        rows.append([b.data.mark(r), r.title, r.category, "–" if r.likelihood is None else str(r.likelihood),
                     "–" if cons is None else str(cons), score, rscore])
        if band:
            fills.append(((5, i), band.colour))
        if rband:
            fills.append(((6, i), rband.colour))
    b.long_table(t.section("risks", "overview"), ["ID", "Risk", "Kategori", "S", "K", "Riskvärde", "Efter åtgärder"],
                 rows, [0.06, 0.38, 0.19, 0.05, 0.05, 0.15, 0.12], fills=fills, what="risker",
                 pick=sorted(range(len(rows)), key=lambda i: -values[i]), chosen="de högst värderade")
    b.para(fixed_text(t, "risks_legend"), b.s.small)
    b.h2(t.section("risks", "details"))
    for r in risks:
        b.h3(f"{b.data.mark(r)} {clean_text(r.title)}")
        cons_levels = d.consequences.get(r.id, {})
        pairs: list[tuple[str, Any]] = [("Kategori", r.category), ("Scenario", r.scenario),
                                        ("Sannolikhet", level_text(r.likelihood, sc.likelihood_label(r.likelihood)))]
        for dim in sc.dimensions:
            lv = cons_levels.get(dim.id)
            pairs.append((f"Konsekvens: {dim.label}", level_text(lv, sc.consequence_label(lv))))
        overall = d.risk_consequence(r.id)
        band = sc.band(r.likelihood, overall)
        pairs.append(("Sammanvägd konsekvens", level_text(overall, sc.consequence_label(overall))))
        pairs.append(("Riskvärde", f"{risk_value(r.likelihood, overall)} ({band.label})" if band else "–"))
        pairs.append(("Osäkerhet i bedömningen", b.label_of("risk", "uncertainty", r.uncertainty)))
        rband = sc.band(r.residual_likelihood, r.residual_consequence)
        if rband:
            pairs.append(("Efter planerade åtgärder", f"sannolikhet {r.residual_likelihood}, konsekvens "
                                                       f"{r.residual_consequence}: riskvärde "
                                                       f"{risk_value(r.residual_likelihood, r.residual_consequence)} ({rband.label})"))
        pairs += [("Berörda verksamheter", b.hids("risk_function", r.id)),
                  ("Berörda beroenden", b.hids("risk_dependency", r.id)),
                  ("Åtgärder", b.hids("action_risk", r.id, side="right"))]
        b.kv(pairs)
        b.para(r.description)
        b.field("Motivering av bedömningen", r.motivation)
        b.field("Befintliga åtgärder", r.existing_measures)


CHAPTERS = {"functions": _functions, "dependencies": _dependencies, "risks": _risks}
