"""Demo content: a realistic RSA for Överförmyndarförvaltningen, and a large synthetic one for benchmarks."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from rsa_desktop import paths
from rsa_desktop.domain.durations import format_duration
from rsa_desktop.services.rsa import RsaService
from rsa_desktop.storage.database import Document, remove_document

DEMO_FILE = ("demo", "overformyndare.json")

# Keys of the demo JSON that are structure, not item fields.
_STRUCTURE = {"key", "impacts", "serves", "depends_on", "consequences", "functions", "dependencies", "risks",
              "vulnerabilities", "contacts", "fallbacks", "actions", "plan", "function"}


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _STRUCTURE and v is not None}


def load_demo_data() -> dict[str, Any]:
    return json.loads(paths.resource(*DEMO_FILE).read_text(encoding="utf-8"))


def populate(svc: RsaService, data: dict[str, Any]) -> int:
    """Write a demo-format dict (see resources/demo/) into the document; returns the analysis id."""
    with svc.batch():
        svc.set_organisation(**data["organisation"])
        adata = dict(data["analysis"])
        year = adata.pop("year")
        status = adata.pop("status", "utkast")
        adoption = {k: adata.pop(k) for k in ("adopted_date", "adopted_decision") if k in adata}
        public_texts = adata.pop("public_texts", None)  # the öppet utdrag's texts (domain/public.py)
        analysis = svc.create_analysis(year, **{k: v for k, v in adata.items() if v is not None})
        aid = analysis.id
        scales = svc.scales(aid)
        horizon = {h.label: h.id for h in scales.horizons}
        dimension = {d.code: d.id for d in scales.dimensions}
        ids: dict[str, int] = {}
        for p in data.get("participants", []):
            svc.create("participant", aid, **p)
        for f in data.get("functions", []):
            ids[f["key"]] = svc.create("function", aid, **_fields(f)).id
            for label, level in (f.get("impacts") or {}).items():
                svc.set_impact(ids[f["key"]], horizon[label], level)
        for d in data.get("dependencies", []):
            ids[d["key"]] = svc.create("dependency", aid, **_fields(d)).id
        for d in data.get("dependencies", []):
            for s in d.get("serves", []):
                svc.link("function_dependency", ids[s["function"]], ids[d["key"]], tolerance=s.get("tolerance"))
            for other in d.get("depends_on", []):
                svc.link("dependency_dependency", ids[d["key"]], ids[other])
        for r in data.get("risks", []):
            rid = ids[r["key"]] = svc.create("risk", aid, **_fields(r)).id
            for code, level in (r.get("consequences") or {}).items():
                if level is not None:
                    svc.set_consequence(rid, dimension[code], level)
            for k in r.get("functions", []):
                svc.link("risk_function", rid, ids[k])
            for k in r.get("dependencies", []):
                svc.link("risk_dependency", rid, ids[k])
        for v in data.get("vulnerabilities", []):
            ids[v["key"]] = svc.create("vulnerability", aid, **_fields(v)).id
        for c in data.get("capabilities", []):
            ids[c["key"]] = svc.create("capability", aid, **_fields(c)).id
        for a in data.get("actions", []):
            act = ids[a["key"]] = svc.create("action", aid, **_fields(a)).id
            for link, key in (("action_risk", "risks"), ("action_dependency", "dependencies"),
                              ("action_function", "functions"), ("action_vulnerability", "vulnerabilities")):
                for k in a.get(key, []):
                    svc.link(link, act, ids[k])
        for p in data.get("continuity_plans", []):
            values = _fields(p)
            if p.get("function"):
                values["function_id"] = ids[p["function"]]
            plan = ids[p["key"]] = svc.create("continuity_plan", aid, **values).id
            for c in p.get("contacts", []):
                svc.create("contact", plan, **{k: v for k, v in c.items() if v is not None})
            for fb in p.get("fallbacks", []):
                values = {k: v for k, v in fb.items() if k != "dependency" and v is not None}
                if fb.get("dependency"):
                    values["dependency_id"] = ids[fb["dependency"]]
                svc.create("fallback", plan, **values)
        for x in data.get("exercises", []):
            values = _fields(x)
            if x.get("plan"):
                values["plan_id"] = ids[x["plan"]]
            ex = ids[x["key"]] = svc.create("exercise", aid, **values).id
            for k in x.get("actions", []):
                svc.link("exercise_action", ex, ids[k])
        if public_texts:
            svc.set_public_texts(aid, public_texts)
        svc.confirm_scales(aid)  # the demo's scales are the reviewed default
        if status == "faststalld":
            svc.update("analysis", aid, status="faststalld", **adoption)
        return aid


# The synthetic sizes: "large" is the benchmark's analysis; "large2x" has exactly twice its counts, to show
# how each figure grows with the data (bench/run.py). The six förmågor are a fixed list of areas.
LARGE_COUNTS = {"participants": 12, "functions": 200, "dependencies": 800, "risks": 400, "vulnerabilities": 40,
                "actions": 1000, "plans": 150, "exercises": 10}
SIZES = {"large": LARGE_COUNTS, "large2x": {k: 2 * v for k, v in LARGE_COUNTS.items()}}


def large_data(seed: int = 2026, *, functions: int = 200, dependencies: int = 800, risks: int = 400,
               actions: int = 1000, plans: int = 150, participants: int = 12, vulnerabilities: int = 40,
               exercises: int = 10) -> dict[str, Any]:
    """A deterministic synthetic analysis of benchmark size, in the demo format."""
    rnd = random.Random(seed)
    horizons = ["1 h", "4 h", "1 dygn", "3 dygn", "1 vecka", "1 månad"]
    types = ["Personal och nyckelkompetens", "Lokaler", "IT-system", "Tele och data", "El", "Värme",
             "Vatten och avlopp", "Leverantör eller tjänst (avtal)", "Information och register",
             "Annan förvaltning eller bolag i staden", "Extern myndighet"]
    sectors = ["Offentlig förvaltning", "Hälso- och sjukvård samt omsorg", "Information och kommunikation",
               "Kommunalteknisk försörjning", "Skydd och säkerhet"]
    text = ("Syntetisk text för prestandamätning med å, ä och ö. Verksamheten beskrivs här med ett par meningar "
            "så att rapporter och tabeller får realistisk radlängd. ")
    data: dict[str, Any] = {
        "organisation": {"name": "Stora exempelförvaltningen", "org_type": "facknamnd",
                         "committee": "Exempelnämnden", "employees": 4200, "contact_person": "Kim Exempel",
                         "security_coordinator": "Sam Exempel"},
        "analysis": {"year": 2026, "assignment": text * 3, "method": text * 3, "business_description": text * 5,
                     "summary": text * 2, "secrecy_marking": "Sekretess enligt 18 kap. 13 § OSL"},
        "participants": [{"name": f"Deltagare {i}", "role": "Handläggare", "unit": f"Enhet {i % 7}"}
                         for i in range(1, participants + 1)],
    }
    fkeys = [f"V{i}" for i in range(1, functions + 1)]
    data["functions"] = []
    for i, key in enumerate(fkeys):
        critical = i % 2 == 0
        levels = sorted(rnd.randint(1, 5) for _ in horizons)
        mtd = next((h for h, lv in zip(horizons, levels) if lv >= 4), "1 månad")
        data["functions"].append({
            "key": key, "name": f"Verksamhet {i + 1}: {rnd.choice(['handläggning', 'utbetalning', 'tillsyn', 'omsorg', 'drift'])}",
            "description": text * 2, "msb_sector": rnd.choice(sectors), "is_critical": critical,
            "critical_motivation": text if critical else "", "impacts": dict(zip(horizons, levels)) if critical else {},
            "max_tolerable_downtime": mtd if critical else None, "operation": "extern" if i % 9 == 0 else "egen",
            "owner": f"Avdelningschef {i % 11}", "secret": i % 23 == 0,
        })
    dkeys = [f"B{i}" for i in range(1, dependencies + 1)]
    data["dependencies"] = []
    for i, key in enumerate(dkeys):
        has_reserve = i % 3 != 0
        served = rnd.sample(fkeys, k=rnd.randint(1, 3))
        data["dependencies"].append({
            "key": key, "dep_type": rnd.choice(types), "name": f"Beroende {i + 1}", "description": text,
            "provider": rnd.choice(["Serviceförvaltningen", "Stadsledningskontoret", "Extern leverantör AB"]),
            "is_external": i % 4 == 0, "single_point_of_failure": i % 10 == 0,
            "expected_outage": rnd.choice(horizons), "has_reserve": has_reserve,
            "reserve_description": text if has_reserve else None,
            "reserve_duration": rnd.choice(horizons) if has_reserve else None, "secret": i % 31 == 0,
            "serves": [{"function": f, "tolerance": rnd.choice(horizons)} for f in served],
            "depends_on": [dkeys[i - 1 - j] for j in range(min(i, rnd.randint(0, 2)))],
        })
    rkeys = [f"R{i}" for i in range(1, risks + 1)]
    dims = ["liv_halsa", "funktionalitet", "demokrati_rattssakerhet", "ekonomi_miljo"]
    data["risks"] = [{
        "key": key, "title": f"Risk {i + 1}", "description": text * 2, "category": "Teknisk störning",
        "likelihood": rnd.randint(1, 5), "consequences": {d: rnd.randint(1, 5) for d in dims},
        "motivation": text, "uncertainty": rnd.choice(["lag", "medel", "hog"]), "existing_measures": text,
        "residual_likelihood": rnd.randint(1, 3), "residual_consequence": rnd.randint(1, 3),
        "functions": rnd.sample(fkeys, k=2), "dependencies": rnd.sample(dkeys, k=2), "secret": i % 37 == 0,
    } for i, key in enumerate(rkeys)]
    vkeys = [f"S{i}" for i in range(1, vulnerabilities + 1)]
    data["vulnerabilities"] = [{"key": k, "title": f"Sårbarhet {i + 1}", "description": text,
                                "vuln_type": "sarbarhet" if i % 2 else "brist_krisberedskap"} for i, k in enumerate(vkeys)]
    data["capabilities"] = [{"key": f"F{i + 1}", "area": a, "rating": rnd.randint(1, 3), "motivation": text}
                            for i, a in enumerate(["Krisledning", "Larmvägar", "Uthållighet", "Övning",
                                                   "Kriskommunikation", "Samverkan"])]
    statuses = ["planerad", "pagaende", "genomford", "avbruten"]
    base = dt.date(2026, 1, 15)
    data["actions"] = [{
        "key": f"Å{i + 1}", "title": f"Åtgärd {i + 1}", "description": text, "owner": f"Ansvarig {i % 17}",
        "deadline": (base + dt.timedelta(days=rnd.randint(0, 700))).isoformat(), "status": statuses[i % 4],
        "priority": rnd.choice(["hog", "medel", "lag"]), "risks": [rnd.choice(rkeys)],
        "dependencies": [rnd.choice(dkeys)], "functions": [rnd.choice(fkeys)], "vulnerabilities": [rnd.choice(vkeys)],
    } for i in range(actions)]
    data["continuity_plans"] = [{
        "key": f"K{i + 1}", "function": fkeys[(2 * i) % functions], "title": f"Kontinuitetsplan {i + 1}",
        "scope": text, "responsible": f"Ansvarig {i % 13}", "activation_criteria": text,
        "recovery_order": "1. Ledning\n2. Kommunikation\n3. Handläggning", "resources": text,
        "last_exercised": (base - dt.timedelta(days=rnd.randint(0, 800))).isoformat(),
        "last_revised": base.isoformat(),
        "contacts": [{"name": f"Kontakt {i}-{j}", "role": "Samordnare", "phone": f"08-508 {i:02d} {j:03d}"}
                     for j in range(2)],
        "fallbacks": [{"dependency": rnd.choice(dkeys), "procedure": text, "duration": format_duration(4320),
                       "responsible": "Enhetschef"} for _ in range(2)],
    } for i in range(plans)]
    data["exercises"] = [{"key": f"Ö{i + 1}", "title": f"Övning {i + 1}", "date": "2026-03-10",
                          "exercise_type": "seminarieovning", "scenario": text, "participants": "Ledningsgruppen",
                          "success_criteria": text, "lessons": text, "plan": f"K{i + 1}",
                          "actions": [f"Å{i + 1}"]} for i in range(exercises)]
    return data


def write_demo(path: str | Path, size: str = "normal", *, overwrite: bool = False) -> Path:
    """Create a new document at `path` holding the demo analysis."""
    if size != "normal" and size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}")
    data = load_demo_data() if size == "normal" else large_data(**SIZES[size])
    path = Path(path)
    doc = Document.create(path, overwrite=overwrite)
    try:
        populate(RsaService(doc), data)
    except BaseException:
        doc.close()
        remove_document(path)
        raise
    doc.close()
    return path
