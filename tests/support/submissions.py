"""Test helpers for the yearly cycle, the Excel import and the KS consolidation.

`snapshot()` reads a whole analysis by human IDs (independent of database ids), so that two analyses
(or one before and after an undo) can be compared with ==. `generate_submissions()` writes N synthetic
submissions of different sizes for the city's organisations: .rsa files, some exported to xlsx.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from rsa_desktop.domain.kinds import ITEM_KINDS, LINKS
from rsa_desktop.services.rsa import RsaService

_SKIP = {"id", "analysis_id", "plan_id", "function_id", "dependency_id"}


def snapshot(svc: RsaService, aid: int, *, sort_order: bool = True) -> dict:
    """Everything of an analysis by human IDs."""
    scales = svc.scales(aid)
    dims = {d.id: d.code for d in scales.dimensions}
    hors = {h.id: h.minutes for h in scales.horizons}
    items = {k: {r.id: r for r in svc.list(k, aid)} for k in ITEM_KINDS}
    hid = {(k, i): r.hid for k in ITEM_KINDS for i, r in items[k].items()}
    skip = _SKIP | (set() if sort_order else {"sort_order"})
    out: dict = {"fingerprint": scales.fingerprint}
    a = svc.analysis(aid)
    out["analysis"] = {k: v for k, v in a.values.items() if k not in ("id", "organisation_id", "created_at")}
    for kind in ITEM_KINDS:
        out[kind] = {r.hid: {f: v for f, v in r.values.items() if f not in skip} for r in items[kind].values()}
    out["plan_function"] = {p.hid: hid.get(("function", p.function_id)) for p in items["continuity_plan"].values()}
    out["exercise_plan"] = {x.hid: hid.get(("continuity_plan", x.plan_id)) for x in items["exercise"].values()}
    out["participants"] = [(p.name, p.role, p.unit) for p in svc.list("participant", aid)]
    out["impacts"] = {(hid["function", f], hors[h]): lv for f, d in svc.all_impacts(aid).items() for h, lv in d.items()}
    out["consequences"] = {(hid["risk", r], dims[d]): lv for r, d_ in svc.all_consequences(aid).items()
                           for d, lv in d_.items()}
    for name, spec in LINKS.items():
        out[name] = {(hid[spec.left, lr.left_id], hid[spec.right, lr.right_id]): dict(lr.attrs)
                     for lr in svc.links(name, analysis_id=aid)}
    out["fallbacks"] = [(p.hid, fb.procedure, fb.duration, fb.responsible, hid.get(("dependency", fb.dependency_id)))
                        for p in items["continuity_plan"].values() for fb in svc.list("fallback", p.id)]
    out["contacts"] = [(p.hid, c.name, c.role, c.phone, c.alternate)
                       for p in items["continuity_plan"].values() for c in svc.list("contact", p.id)]
    out["marks"] = sorted((k, hid.get((k, i), i)) for k, i in svc.review_marks(aid))
    return out


# -- synthetic submissions for the consolidation ------------------------------------------------------

# Providers as förvaltningar really write them: catalogue names, aliases and odd spellings.
PROVIDERS = [
    ("Serviceförvaltningen", "Servicenämnden"),
    ("serviceförvaltningen", "Servicenämnden"),
    ("SERVICEFÖRVALTNINGEN ", "Servicenämnden"),
    ("Kontaktcenter Stockholm", "Servicenämnden"),
    ("Stadsledningskontoret", "Kommunstyrelsen"),
    ("SLK IT", "Kommunstyrelsen"),
    ("Stadsledningskontorets IT-avdelning", "Kommunstyrelsen"),
    ("Stadens IT", "Kommunstyrelsen"),
    ("Fastighetskontoret", "Fastighetsnämnden"),
    ("Stockholm Vatten och Avfall", "Stockholm Vatten och Avfall AB"),
    ("AB Stokab", "AB Stokab"),
    ("Stockholm Exergi", "Stockholm Exergi AB"),
]
EXTERNAL = ["Ellevio AB", "Telia Company AB", "Atea Sverige AB"]
DEP_TYPES = ["IT-system", "El", "Lokaler", "Tele och data", "Leverantör eller tjänst (avtal)",
             "Annan förvaltning eller bolag i staden"]
SECTORS = ["Offentlig förvaltning", "Hälso- och sjukvård samt omsorg", "Kommunalteknisk försörjning",
           "Skydd och säkerhet", "Transporter"]
HORIZONS = ["1 h", "4 h", "1 dygn", "3 dygn", "1 vecka", "1 månad"]
MINUTES = {"1 h": 60, "4 h": 240, "1 dygn": 1440, "3 dygn": 4320, "1 vecka": 10080, "1 månad": 43200}


@dataclass(frozen=True)
class Generated:
    path: Path
    organisation: str
    year: int
    functions: int  # samhällsviktiga
    dependencies: int
    risks: int
    overdue: int  # open actions with a passed deadline (today = 2027-06-01)
    # (catalogue name, or the external provider's name; function name; tolerance)
    provider_links: tuple[tuple[str, str, int | None], ...]
    secrecy: str


def _org_names() -> list[tuple[str, str, str]]:
    from rsa_desktop.services import catalogues

    out = []
    for item in catalogues.load("city_organisations"):
        if item.get("submits_rsa"):
            admin = item.get("administration") or item["name"]
            out.append((admin, item["name"], item.get("kind", "facknamnd")))
    return out


def submission_data(i: int, year: int = 2026, org_count: int | None = None) -> tuple[dict, Generated]:
    """A small analysis in the demo format for organisation number `i` (of the first `org_count` in the
    catalogue), and what it contains."""
    rnd = random.Random(1000 + i)
    orgs = _org_names()[:org_count] if org_count else _org_names()
    admin, committee, kind = orgs[i % len(orgs)]
    org_type = {"stadsdelsnamnd": "stadsdelsnamnd", "bolag": "bolag"}.get(kind, "facknamnd")
    size = [2, 4, 8, 14][i % 4]
    functions, deps, risks, actions = [], [], [], []
    for n in range(1, size + 1):
        functions.append({"key": f"V{n}", "name": f"{admin} verksamhet {n}", "is_critical": n % 3 != 0,
                          "msb_sector": rnd.choice(SECTORS), "max_tolerable_downtime": rnd.choice(HORIZONS[1:4]),
                          "impacts": {"1 h": 1, "1 dygn": rnd.randint(2, 5)}})
    provider_links = []
    for n in range(1, size + 2):
        served = sorted({f"V{rnd.randint(1, size)}" for _ in range(rnd.randint(1, 2))})
        if n % 3 == 0:
            provider, external = rnd.choice(EXTERNAL), True
            org = provider
        else:
            provider, org = PROVIDERS[(i + n) % len(PROVIDERS)]
            external = False
        serves = [{"function": f, "tolerance": rnd.choice(HORIZONS[:4])} for f in served]
        deps.append({"key": f"B{n}", "name": f"Tjänst {n}", "dep_type": rnd.choice(DEP_TYPES), "provider": provider,
                     "is_external": external, "expected_outage": rnd.choice(HORIZONS[:5]),
                     "has_reserve": n % 2 == 0, "serves": serves})
        if org:
            for s in serves:
                fn = functions[int(s["function"][1:]) - 1]
                if fn["is_critical"]:
                    provider_links.append((org, fn["name"], MINUTES[s["tolerance"]]))
    for n in range(1, size + 1):
        risks.append({"key": f"R{n}", "title": f"Risk {n}", "category": rnd.choice(["Teknisk störning", "Naturhändelse"]),
                      "likelihood": rnd.randint(1, 5),
                      "consequences": {"liv_halsa": rnd.randint(1, 5), "funktionalitet": rnd.randint(1, 5)},
                      "functions": [f"V{rnd.randint(1, size)}"]})
    overdue = 0
    for n in range(1, size // 2 + 2):
        status = ["planerad", "pagaende", "genomford"][n % 3]
        deadline = dt.date(2027, 1, 1) if n % 2 else dt.date(2028, 1, 1)
        if status != "genomford" and deadline < dt.date(2027, 6, 1):
            overdue += 1
        actions.append({"key": f"Å{n}", "title": f"Åtgärd {n}", "status": status, "deadline": deadline.isoformat(),
                        "risks": [f"R{min(n, size)}"]})
    secrecy = "Sekretess enligt 18 kap. 13 § OSL" if i % 5 == 0 else ""
    data = {"organisation": {"name": admin, "org_type": org_type, "committee": committee},
            "analysis": {"year": year, "secrecy_marking": secrecy or None},
            "functions": functions, "dependencies": deps, "risks": risks, "actions": actions}
    gen = Generated(Path(), admin, year, sum(1 for f in functions if f["is_critical"]), len(deps), len(risks),
                    overdue, tuple(provider_links), secrecy)
    return data, gen


def generate_submissions(folder: Path, n: int, *, xlsx_every: int = 3, year: int = 2026,
                         org_count: int | None = None) -> list[Generated]:
    """N submissions as .rsa files; every `xlsx_every`-th one as an xlsx export instead. With `org_count`,
    submission i is from organisation i % org_count, for `year` the first time and for the year before
    when the organisation comes round again."""
    from dataclasses import replace

    from rsa_desktop.reports.xlsx import export_xlsx
    from rsa_desktop.services.demo import populate
    from rsa_desktop.storage.database import Document

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        data, gen = submission_data(i, year if not org_count or i < org_count else year - 1, org_count)
        path = folder / f"inlamning-{i:03d}.rsa"
        doc = Document.create(path)
        try:
            svc = RsaService(doc)
            aid = populate(svc, data)
            if xlsx_every and i % xlsx_every == 1 % xlsx_every:
                xpath = folder / f"inlamning-{i:03d}.xlsx"
                export_xlsx(svc, aid, xpath, today=dt.date(2027, 6, 1))
                gen = replace(gen, path=xpath)
            else:
                gen = replace(gen, path=path)
        finally:
            doc.close()
        if gen.path.suffix == ".xlsx":
            path.unlink()
        out.append(gen)
    return out
