"""The chapters on what is done about it: vulnerabilities and capability, actions, continuity plans and
exercises, follow-up."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from rsa_desktop.domain.kinds import KINDS
from rsa_desktop.reports.chapters import appendix_ref
from rsa_desktop.reports.common import clean_text, hid_key
from rsa_desktop.reports.pdf.builder import Builder
from rsa_desktop.reports.pdf.text import date_text, shortened
from rsa_desktop.reports.prose import fixed_text


def _vulnerabilities(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("vulnerabilities"), "vulnerabilities")
    vulns = d.items["vulnerability"]
    for key, kind in (("vulnerabilities", "sarbarhet"), ("shortcomings", "brist_krisberedskap")):
        b.h2(t.section("vulnerabilities", key))
        chosen = [v for v in vulns if v.vuln_type == kind]
        if not chosen:
            b.none()
        for v in chosen:
            b.h3(f"{b.data.mark(v)} {clean_text(v.title)}")
            b.para(v.description)
            acts = b.hids("action_vulnerability", v.id, side="right")
            if acts:
                b.markup(f"<i>Åtgärder:</i> {escape(acts)}", b.s.small)
    b.h2(t.section("vulnerabilities", "capability"))
    caps = d.items["capability"]
    if not caps:
        b.none()
        return
    sc = d.scales
    rows = [[b.data.mark(x), x.area, sc.capability_label(x.rating) or "Ej bedömd"] for x in caps]
    b.long_table(t.section("vulnerabilities", "capability"), ["ID", "Område", "Bedömning"], rows,
                 [0.08, 0.55, 0.37], what="områden", chosen="de svagaste",
                 pick=sorted(range(len(caps)), key=lambda i: caps[i].rating if caps[i].rating is not None else 99))
    for x in caps:
        if clean_text(x.motivation).strip():
            label = sc.capability_label(x.rating)
            b.h3(f"{b.data.mark(x)} {clean_text(x.area)}" + (f" – {label.lower()}" if label else ""))
            b.para(x.motivation)


def _actions(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("actions"), "actions")
    acts = d.items["action"]
    b.h2(t.section("actions", "plan"))
    if not acts:
        b.none()
        return
    rows, fills = [], []
    for i, a in enumerate(acts):
        links = ", ".join(x for x in (b.hids("action_risk", a.id), b.hids("action_dependency", a.id),
                                      b.hids("action_function", a.id), b.hids("action_vulnerability", a.id)) if x)
        rows.append([b.data.mark(a), a.title, a.owner, date_text(a.deadline) or "–",
                     b.label_of("action", "priority", a.priority), b.label_of("action", "status", a.status), links])
        if d.overdue(a):
            fills.append(((3, i), "#F8D7DA"))
        if a.priority == "hog":
            fills.append(((4, i), "#FDE2C8"))
    prio = {"hog": 0, "medel": 1}
    b.long_table(t.section("actions", "plan"), ["ID", "Åtgärd", "Ansvarig", "Klart senast", "Prioritet", "Status",
                                                "Avser"],
                 rows, [0.06, 0.33, 0.17, 0.11, 0.08, 0.1, 0.15], fills=fills, what="åtgärder",
                 pick=sorted(range(len(acts)), key=lambda i: (not d.overdue(acts[i]), prio.get(acts[i].priority, 2),
                                                              acts[i].deadline or dt.date.max)),
                 chosen="de försenade och högst prioriterade")
    b.para(fixed_text(t, "actions_legend"), b.s.small)
    described = [a for a in acts if clean_text(a.description).strip()]
    if described:
        b.h2(t.section("actions", "details"))
        for a in described:
            b.h3(f"{b.data.mark(a)} {clean_text(a.title)}")
            b.para(a.description)


def _continuity(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("continuity"), "continuity")
    b.h2(t.section("continuity", "plans"))
    if not d.plans:
        b.none()
    else:
        rows = []
        for p in d.plans:
            pl = p.plan
            func = d.get("function", pl.function_id)
            rows.append([b.data.mark(pl), pl.title, f"{func.hid} {clean_text(func.name)}" if func else "–", pl.responsible,
                         date_text(pl.last_exercised) or "Aldrig", date_text(pl.next_exercise) or "–",
                         date_text(pl.last_revised) or "–"])
        b.long_table(t.section("continuity", "plans"),
                     ["ID", "Plan", "Verksamhet", "Ansvarig", "Senast övad", "Nästa övning", "Reviderad"], rows,
                     [0.06, 0.27, 0.2, 0.17, 0.1, 0.1, 0.1], what="planer", chosen="de längst ej övade",
                     pick=sorted(range(len(d.plans)), key=lambda i: d.plans[i].plan.last_exercised or dt.date.min))
        b.para(fixed_text(t, "plans_cards", appendix=appendix_ref(t, "cards")), b.s.small)
        for p in d.plans:
            pl = p.plan
            b.h3(f"{b.data.mark(pl)} {clean_text(pl.title)}")
            b.field("Omfattning", pl.scope)
            b.field("Lägsta acceptabla nivå", pl.minimum_level)
            b.field("Aktiveringskriterier", pl.activation_criteria)
            b.field("Resurser", pl.resources)
            if p.fallbacks:
                deps = ", ".join(sorted({d.hid("dependency", fb.dependency_id) for fb in p.fallbacks
                                         if fb.dependency_id}, key=hid_key))
                b.markup(f"<i>Reservrutiner:</i> {len(p.fallbacks)}" + (f" (för {escape(deps)})" if deps else ""),
                         b.s.small)
    b.h2(t.section("continuity", "exercises"))
    ex = d.items["exercise"]
    if not ex:
        b.none()
        return
    rows = [[b.data.mark(x), x.title, date_text(x.date) or "–", b.label_of("exercise", "exercise_type", x.exercise_type),
             d.hid("continuity_plan", x.plan_id) or "–", b.hids("exercise_action", x.id)] for x in ex]
    b.long_table(t.section("continuity", "exercises"), ["ID", "Övning", "Datum", "Typ", "Plan", "Åtgärder"], rows,
                 [0.06, 0.38, 0.11, 0.17, 0.1, 0.18], what="övningar", chosen="de senaste",
                 pick=sorted(range(len(ex)), key=lambda i: ex[i].date or dt.date.min, reverse=True))
    for x in ex:
        if any(clean_text(v).strip() for v in (x.scenario, x.lessons, x.success_criteria)):
            b.h3(f"{b.data.mark(x)} {clean_text(x.title)}")
            b.field("Scenario", x.scenario)
            b.field("Deltagare", x.participants)
            b.field("Framgångskriterier", x.success_criteria)
            b.field("Lärdomar", x.lessons)


def _follow_up(b: Builder) -> None:
    d = b.data
    t = b.t
    b.h1(t.heading("follow_up"), "follow_up")
    acts = d.items["action"]
    b.h2(t.section("follow_up", "status"))
    if not acts:
        b.none()
    else:
        spec = KINDS["action"].field("status")
        counts = [[label, str(sum(1 for a in acts if a.status == code))] for code, label in spec.choices]
        b.table(["Status", "Antal"], counts, [0.4, 0.15])
        noted = [a for a in acts if clean_text(a.follow_up_note).strip()]
        for a in noted:
            b.h3(f"{b.data.mark(a)} {clean_text(a.title)} – {b.label_of('action', 'status', a.status).lower()}")
            b.para(a.follow_up_note)
    overdue = [a for a in acts if d.overdue(a)]
    b.h2(t.section("follow_up", "overdue"))
    if not overdue:
        b.para(fixed_text(t, "no_overdue"))
    else:
        b.table(["ID", "Åtgärd", "Ansvarig", "Klart senast", "Status"],
                [[b.data.mark(a), a.title, a.owner, date_text(a.deadline), b.label_of("action", "status", a.status)]
                 for a in overdue], [0.07, 0.45, 0.2, 0.13, 0.15])
    if d.previous is None:
        b.h2(t.section("follow_up", "previous"))
        b.para(fixed_text(t, "no_previous"))
    else:
        year, prev = d.previous
        b.h2(f"{t.section('follow_up', 'previous')} ({year})")
        if not prev:
            b.none()
        else:
            b.table(["ID", "Åtgärd", "Ansvarig", "Klart senast", "Status", "Uppföljning"],
                    [[b.data.mark(a), a.title, a.owner, date_text(a.deadline), b.label_of("action", "status", a.status),
                      shortened(a.follow_up_note, 400)] for a in prev], [0.06, 0.3, 0.16, 0.11, 0.11, 0.26])


CHAPTERS = {"vulnerabilities": _vulnerabilities, "actions": _actions, "continuity": _continuity,
            "follow_up": _follow_up}
