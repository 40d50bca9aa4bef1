"""Finding one's own organisation in the city catalogue by förvaltning, nämnd or bolag name (Qt-free).

An RSA is made by a förvaltning (or a bolag); the catalogue lists each nämnd with its förvaltning
(`administration`) and other spellings (`aliases`). Every name leads to the organisation's own name,
its type and its nämnd, so "Arbetsmark…" finds Arbetsmarknadsförvaltningen, stored as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from rsa_desktop.services import catalogues

_TYPE = {"facknamnd": "facknamnd", "stadsdelsnamnd": "stadsdelsnamnd", "bolag": "bolag"}


@dataclass(frozen=True)
class OrgChoice:
    name: str  # what the organisation is stored as: the förvaltning's or bolag's own name
    org_type: str  # a code of domain.kinds.ORG_TYPES
    committee: str  # the nämnd or styrelse ("" when the name is the nämnd's own)
    also_known_as: tuple[str, ...]  # the other names it can be found by


def choices() -> list[OrgChoice]:
    """One choice per förvaltning and per bolag (and per nämnd without a förvaltning), catalogue order."""
    out: list[OrgChoice] = []
    for item in catalogues.load("city_organisations"):
        name = str(item.get("name") or "")
        admin = str(item.get("administration") or "")
        aliases = tuple(str(a) for a in item.get("aliases") or () if a and a != admin)
        org_type = _TYPE.get(str(item.get("kind")), "annan")
        if admin:
            out.append(OrgChoice(admin, org_type, name, (name, *aliases)))
        elif name:
            out.append(OrgChoice(name, org_type, "", aliases))
    return out


def find(text: str) -> list[OrgChoice]:
    """Choices whose own name, nämnd or other names contain `text` (case-insensitive); own-name starts first."""
    t = text.strip().casefold()
    if not t:
        return []
    hits = [c for c in choices() if any(t in n.casefold() for n in (c.name, c.committee, *c.also_known_as))]
    return sorted(hits, key=lambda c: (not c.name.casefold().startswith(t), t not in c.name.casefold()))


def lookup(name: str) -> OrgChoice | None:
    """The choice for an exact name (own name, nämnd or alias), if the catalogue knows it."""
    n = name.strip().casefold()
    for c in choices():
        if n in (x.casefold() for x in (c.name, c.committee, *c.also_known_as)):
            return c
    return None


def organisation_values(name: str, org_type: str) -> dict:
    """What an analysis' creation stores for the organisation typed or picked: the catalogue's own name
    and its nämnd (so the nämnd is not lost when the förvaltning is found by any of its names), with the
    type the user chose. A name the catalogue does not know is stored as typed."""
    known = lookup(name)
    if known is None:
        return {"name": name.strip(), "org_type": org_type}
    values = {"name": known.name, "org_type": org_type or known.org_type}
    if known.committee:
        values["committee"] = known.committee
    return values
