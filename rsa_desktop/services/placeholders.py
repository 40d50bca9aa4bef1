"""What a new item holds before the user fills it in, and how to tell such a placeholder (Qt-free).

The list's "Lägg till" creates an item with these values (ui/steps/sections.py); the RSA-kontroll
(services/review.py) treats an item that still has them as not done.
"""

from __future__ import annotations

from rsa_desktop.domain.fieldtypes import field_type
from rsa_desktop.domain.kinds import KINDS

# What a new item is called before the user names it (Swedish gender differs per word).
NEW_TITLES = {
    "function": "Ny verksamhet", "dependency": "Nytt beroende", "risk": "Ny risk", "vulnerability": "Ny sårbarhet",
    "capability": "Nytt förmågeområde", "action": "Ny åtgärd", "continuity_plan": "Ny kontinuitetsplan",
    "exercise": "Ny övning", "participant": "Ny deltagare", "fallback": "Ny reservrutin", "contact": "Ny kontakt",
}
# A required catalogue choice (a beroende's typ) that the user has not made yet: no silent default.
NOT_CHOSEN = "(ej vald)"


def unfilled_fields(kind: str, values: dict) -> list[str]:
    """The fields of an item that still hold what "Lägg till" put there (title or an unmade choice)."""
    spec = KINDS[kind]
    out = []
    new_title = NEW_TITLES.get(kind)
    for f in spec.fields:
        v = values.get(f.name)
        if not isinstance(v, str):
            continue
        if (f.name == spec.title_field or field_type(f).free_text) and new_title and v.strip() == new_title:
            out.append(f.name)
        elif field_type(f).suggested and v.strip() == NOT_CHOSEN:
            out.append(f.name)
    return out


def scenario_values(current: dict, scenario_label: str) -> dict:
    """What picking `scenario_label` from the scenario library fills in on a risk: rubrik, beskrivning
    and kategori from the catalogue, but only where the risk has nothing of the user's own yet."""
    from rsa_desktop.services import catalogues

    item = next((i for i in catalogues.load("scenarios") if catalogues.item_label(i) == scenario_label), None)
    if item is None:
        return {}
    out = {}
    title = str(current.get("title") or "").strip()
    if not title or title == NEW_TITLES["risk"]:
        out["title"] = scenario_label
    if not str(current.get("description") or "").strip() and item.get("description"):
        out["description"] = str(item["description"])
    if not str(current.get("category") or "").strip() and item.get("category"):
        out["category"] = str(item["category"])
    return out
