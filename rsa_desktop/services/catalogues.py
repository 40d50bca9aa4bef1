"""Catalogues of suggestions (sectors, dependency types, scenarios, the city's organisations...).

Qt-free. Each catalogue is a JSON file `resources/catalogues/<name>.json` holding `{"items": [...]}`;
an item has a "label" (or "name" for city_organisations, "term"/"definition" for the glossary) and a
stable identity ("code", or "value" for the Styrel classes) that survives a renamed label, plus optional
"previous_labels" (labels it had in earlier versions). A catalogue marked "closed" (the sector lists)
only allows its own labels; the others are suggestions, free text allowed.

All catalogues together form a *catalogue set* with one version (resources/catalogues/index.json).
KS can distribute its own set as a *catalogue package* (`read_package`/`write_package`); a file that
holds one uses it instead of the program's set (`activate`, see services/catalogue_update.py).
A missing or unreadable built-in file gives an empty list: catalogues are suggestions, never required.
"""

from __future__ import annotations

import json
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rsa_desktop import paths
from rsa_desktop.storage import private

# Catalogues derived from another one rather than read from a file of their own.
_DERIVED = {"scenario_categories": ("scenarios", "category")}

SET_FORMAT = "rsa-desktop-catalogues"
PACKAGE_FORMAT = "rsa-desktop-catalogue-package"
PACKAGE_FORMAT_VERSION = 1
LEGACY_VERSION = "1"  # the catalogues of files made before catalogue sets had a version
REPORT_TEMPLATE_FORMAT = "rsa-desktop-report-template"
MAX_PACKAGE_BYTES = 5_000_000

# What a package may hold, in the order the preview lists them (Swedish names for messages).
CATALOGUE_NAMES: dict[str, str] = {
    "preparedness_sectors": "Beredskapssektorer",
    "msb_sectors": "Samhällssektorer (MSB)",
    "dependency_types": "Beroendetyper",
    "scenarios": "Scenarier",
    "scenario_categories": "Scenariokategorier",
    "capability_areas": "Förmågeområden",
    "city_organisations": "Stadens nämnder och bolag",
    "function_templates": "Mallar för verksamheter",
    "glossary": "Ordlista",
    "styrel_classes": "Styrelklasser",
    "reporting_calendar": "Redovisningskalender",
}


# How messages name a catalogue's entries ("finns inte bland beredskapssektorerna").
_DEFINITE = {"preparedness_sectors": "beredskapssektorerna", "msb_sectors": "MSB:s samhällssektorer",
             "dependency_types": "beroendetyperna", "scenarios": "scenarierna",
             "scenario_categories": "scenariokategorierna", "capability_areas": "förmågeområdena",
             "city_organisations": "stadens nämnder och bolag", "function_templates": "mallarna",
             "glossary": "orden i ordlistan", "styrel_classes": "Styrelklasserna",
             "reporting_calendar": "redovisningsdatumen"}


def entries_name(name: str) -> str:
    return _DEFINITE.get(name, f"posterna i katalogen {name}")


class CatalogueError(ValueError):
    """A catalogue package that cannot be used; the message is Swedish and names what is wrong."""


@dataclass(frozen=True)
class CatalogueSet:
    version: str
    name: str
    description: str = ""
    catalogues: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name → {"items": [...], ...}
    report_template: Mapping[str, Any] | None = None
    builtin: bool = False

    def items(self, name: str) -> list[dict[str, Any]]:
        cat = self.catalogues.get(name)
        return [dict(i) for i in cat.get("items", ())] if cat else []

    def is_closed(self, name: str) -> bool:
        cat = self.catalogues.get(name)
        return bool(cat and cat.get("closed"))

    @property
    def title(self) -> str:
        """"Katalogversion 2026.1 (RSA Desktops kataloger)" without the prefix."""
        return f"{self.version} ({self.name})" if self.name else self.version


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _items_of(data: Any) -> list[dict[str, Any]]:
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict)]


@lru_cache(maxsize=1)
def builtin_set() -> CatalogueSet:
    """The catalogues shipped in resources/ (and the report headings of resources/report/template.json)."""
    index = _read_json(paths.resource("catalogues", "index.json"))
    index = index if isinstance(index, dict) else {}
    cats: dict[str, Mapping[str, Any]] = {}
    for name in CATALOGUE_NAMES:
        data = _read_json(paths.resource("catalogues", f"{name}.json"))
        if data is None:
            continue
        meta = {k: v for k, v in data.items() if k != "items"} if isinstance(data, dict) else {}
        cats[name] = MappingProxyType({**meta, "items": tuple(_items_of(data))})
    template = _read_json(paths.resource("report", "template.json"))
    return CatalogueSet(str(index.get("version") or LEGACY_VERSION), str(index.get("name") or ""),
                        str(index.get("description") or ""), MappingProxyType(cats),
                        template if isinstance(template, dict) else None, builtin=True)


_active: CatalogueSet | None = None
_generation = 0  # counts activations, so views built from one set know when to rebuild


def generation() -> int:
    return _generation


def active_set() -> CatalogueSet:
    """The set in use: the open file's package, or the program's own catalogues."""
    return _active or builtin_set()


def activate(package: CatalogueSet | None) -> None:
    """Use `package` (None: the program's catalogues) for every lookup from now on."""
    global _active, _generation
    if package is not _active:
        _generation += 1
    _active = package
    clear_cache()


def _read(name: str) -> list[dict[str, Any]]:
    current = active_set()
    if name in current.catalogues:
        return current.items(name)
    return builtin_set().items(name)  # a package may leave a catalogue out: the program's applies


@cache
def _load(name: str) -> tuple[dict[str, Any], ...]:
    if name in _DERIVED:
        source, key = _DERIVED[name]
        seen: dict[str, dict[str, Any]] = {}
        for item in _read(source):
            value = str(item.get(key) or "").strip()
            if value and value not in seen:
                seen[value] = {"label": value}
        # A file of its own (with descriptions) may add categories no scenario uses yet.
        for item in _read(name):
            value = item_label(item)
            if value and value not in seen:
                seen[value] = dict(item)
            elif value:
                seen[value] = {**item, "label": value}
        return tuple(seen.values())
    return tuple(_read(name))


def load(name: str) -> list[dict[str, Any]]:
    """The items of catalogue `name` (cached); empty if the catalogue does not exist."""
    if not name:
        return []
    return [dict(i) for i in _load(name)]


def item_label(item: dict[str, Any]) -> str:
    for key in ("label", "name", "term"):
        value = item.get(key)
        if value:
            return str(value)
    return ""


def item_id(item: dict[str, Any]) -> str:
    """The stable identity of an entry: its code (or Styrel value), else its label."""
    for key in ("code", "value"):
        value = item.get(key)
        if value not in (None, ""):
            return str(value)
    return item_label(item)


def labels(name: str) -> list[str]:
    """The display texts of a catalogue, in file order, without duplicates."""
    out: list[str] = []
    for item in load(name):
        text = item_label(item)
        if text and text not in out:
            out.append(text)
    return out


def describe(name: str, label: str) -> str:
    """The description of the item with `label`, if the catalogue has one."""
    for item in load(name):
        if item_label(item) == label:
            return str(item.get("description") or item.get("definition") or "")
    return ""


def is_closed(name: str) -> bool:
    """Whether a value of catalogue `name` must be one of its labels (the sector lists)."""
    current = active_set()
    return (current if name in current.catalogues else builtin_set()).is_closed(name)


def is_valid(name: str, value: str) -> bool:
    """An empty value, any value of an open catalogue, or a label of a closed one."""
    return not (value or "").strip() or not is_closed(name) or value in labels(name)


def report_template() -> dict[str, Any] | None:
    """The report headings of the active set (a package may bring its own)."""
    return active_set().report_template or builtin_set().report_template


def version_text(version: str) -> str:
    """How exports state the catalogue version of an analysis: "2026.1 (RSA Desktops kataloger)"."""
    version = version or LEGACY_VERSION
    current = active_set()
    return current.title if version == current.version else version


def clear_cache() -> None:
    _load.cache_clear()
    builtin_set.cache_clear()


# -- catalogue packages --------------------------------------------------------------------------

_VERSION = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LABEL_KEYS = {"glossary": "term", "city_organisations": "name"}


def version_key(version: str) -> tuple[int, ...]:
    """"2026.1" → (2026, 1), so versions compare by number; '' is the oldest (LEGACY_VERSION)."""
    parts = re.findall(r"[0-9]+", version or LEGACY_VERSION)
    return tuple(int(p) for p in parts) or (0,)


def _check_strings(value: Any, where: str, depth: int = 0) -> None:
    if depth > 8:
        raise CatalogueError(f"{where}: uppgifterna är för djupt nästlade.")
    if isinstance(value, str):
        if len(value) > 20_000:
            raise CatalogueError(f"{where}: en text är för lång (högst 20 000 tecken).")
        if _CONTROL.search(value):
            raise CatalogueError(f"{where}: en text innehåller otillåtna styrtecken.")
    elif isinstance(value, dict):
        for _k, v in value.items():
            _check_strings(v, where, depth + 1)
    elif isinstance(value, list):
        if len(value) > 5_000:
            raise CatalogueError(f"{where}: listan är för lång (högst 5 000 poster).")
        for v in value:
            _check_strings(v, where, depth + 1)
    elif value is not None and not isinstance(value, (bool, int, float)):
        raise CatalogueError(f"{where}: ett värde har fel typ.")


def _check_catalogue(name: str, data: Any) -> dict[str, Any]:
    title = CATALOGUE_NAMES[name]
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise CatalogueError(f"Katalogen {title}: ”items” saknas eller är ingen lista.")
    _check_strings(data, f"Katalogen {title}")
    items, ids, texts = [], set(), set()
    for n, item in enumerate(data["items"], 1):
        where = f"Katalogen {title}, post {n}"
        if not isinstance(item, dict):
            raise CatalogueError(f"{where}: fel format.")
        label = item_label(item)
        key = _LABEL_KEYS.get(name, "label")
        if not isinstance(item.get(key), str) or not label.strip():
            raise CatalogueError(f"{where}: ”{key}” saknas.")
        if len(label) > 300:
            raise CatalogueError(f"{where}: benämningen är för lång (högst 300 tecken).")
        code = item.get("code")
        if code is not None and (not isinstance(code, str) or not _CODE.match(code)):
            raise CatalogueError(f"{where}: koden ”{code}” är ogiltig.")
        ident = item_id(item)
        if ident in ids:
            raise CatalogueError(f"Katalogen {title}: ”{ident}” finns två gånger.")
        if label in texts:
            raise CatalogueError(f"Katalogen {title}: ”{label}” finns två gånger.")
        ids.add(ident)
        texts.add(label)
        prev = item.get("previous_labels", [])
        if not isinstance(prev, list) or not all(isinstance(p, str) and p.strip() for p in prev):
            raise CatalogueError(f"{where}: ”previous_labels” ska vara en lista med texter.")
        if name == "glossary" and not str(item.get("definition") or "").strip():
            raise CatalogueError(f"{where}: definitionen saknas.")
        if name == "styrel_classes":
            value = item.get("value")
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
                raise CatalogueError(f"{where}: Styrelklassen ska vara ett heltal 1–8.")
        if name == "reporting_calendar":
            _check_deadline(item, where)
        items.append(item)
    out = {k: v for k, v in data.items() if k != "items"}
    out["closed"] = bool(data.get("closed", False))
    if out["closed"] and not items:
        raise CatalogueError(f"Katalogen {title} är tom.")
    out["items"] = tuple(items)
    return out


def _int_in(item: dict, key: str, lo: int, hi: int, where: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise CatalogueError(f"{where}: ”{key}” ska vara ett heltal {lo}–{hi}.")
    return value


def _check_deadline(item: dict, where: str) -> None:
    import datetime as dt

    cycle = item.get("cycle")
    if cycle not in ("election", "yearly"):
        raise CatalogueError(f"{where}: ”cycle” ska vara ”election” eller ”yearly”.")
    month = _int_in(item, "month", 1, 12, where)
    day = _int_in(item, "day", 1, 31, where)
    try:
        dt.date(2028, month, day)  # a leap year, so 29 February is allowed
    except ValueError:
        raise CatalogueError(f"{where}: {day}/{month} är inget datum.") from None
    if cycle == "election":
        _int_in(item, "election_year", 1900, 2200, where)
        _int_in(item, "period_years", 1, 10, where)
        _int_in(item, "years_after_election", 0, 10, where)


# Report texts an earlier program version had and this one no longer prints (a package made then may
# still hold them; they are ignored). "public_note": the excerpt's note is domain/public.omission_note.
RETIRED_REPORT_TEXTS = frozenset({"public_note"})


def text_fields(text: str, where: str = "Rapportrubrikerna") -> frozenset[str]:
    """The placeholders of a report text ("{year}"), for str.format_map; CatalogueError for any other use
    of braces. Only plain names: an attribute, index, conversion or format spec ("{x.y}", "{x:>999}") in a
    package's text could reach into the program or blow up its size, so it is refused."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise CatalogueError(f"{where}: en klammerparentes står ensam (skriv {{{{ eller }}}} för en klammer)."
                             ) from None
    names = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise CatalogueError(f"{where}: ”{{{name}{'!' + conversion if conversion else ''}"
                                 f"{':' + spec if spec else ''}}}” är ingen tillåten platshållare.")
        names.add(name)
    return frozenset(names)


def _check_report_texts(texts: Any, builtin: Mapping[str, Any]) -> None:
    """A package's report texts: each one the program has (or had), a text, with only the placeholders the
    program's own text of that key has. A text the package leaves out is the program's."""
    if not isinstance(texts, dict):
        raise CatalogueError("Rapportrubrikerna: ”texts” har fel format.")
    for key, value in texts.items():
        if key in RETIRED_REPORT_TEXTS:
            continue
        where = f"Rapportrubrikerna, texten ”{key}”"
        if key not in builtin:
            raise CatalogueError(f"Rapportrubrikerna: texten ”{key}” finns inte i programmets rapportmall.")
        if not isinstance(value, str) or not value.strip():
            raise CatalogueError(f"{where}: texten saknas eller är ingen text.")
        extra = sorted(text_fields(value, where) - text_fields(str(builtin[key]), where))
        if extra:
            allowed = ", ".join(f"{{{n}}}" for n in sorted(text_fields(str(builtin[key]), where))) or "inga"
            raise CatalogueError(f"{where}: platshållaren {{{extra[0]}}} finns inte här (tillåtna: {allowed}).")


def _check_report_template(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != REPORT_TEMPLATE_FORMAT:
        raise CatalogueError("Rapportrubrikerna i paketet är ingen rapportmall för RSA Desktop.")
    _check_strings(data, "Rapportrubrikerna")
    chapters = data.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        raise CatalogueError("Rapportrubrikerna saknar kapitel.")
    builtin = builtin_set().report_template or {}
    needed = {c.get("key") for c in builtin.get("chapters", []) if isinstance(c, dict)}
    keys = set()
    for n, c in enumerate(chapters, 1):
        if not isinstance(c, dict) or not isinstance(c.get("key"), str) or not isinstance(c.get("heading"), str) \
                or not c["heading"].strip():
            raise CatalogueError(f"Rapportrubrikerna, kapitel {n}: nyckel eller rubrik saknas.")
        if not isinstance(c.get("sections", {}), dict):
            raise CatalogueError(f"Rapportrubrikerna, kapitel {n}: ”sections” har fel format.")
        keys.add(c["key"])
    missing = sorted(k for k in needed - keys if k)
    if missing:
        raise CatalogueError(f"Rapportrubrikerna saknar kapitlet ”{missing[0]}”.")
    _check_report_texts(data.get("texts", {}), builtin.get("texts", {}))
    return data


def validate_package(data: Any, *, source: str = "") -> CatalogueSet:
    """Check a catalogue package; CatalogueError (Swedish) naming the first problem otherwise."""
    name = f" ({source})" if source else ""
    if not isinstance(data, dict) or data.get("format") != PACKAGE_FORMAT:
        raise CatalogueError(f"Filen är inget katalogpaket för RSA Desktop{name}.")
    fmt = data.get("format_version", 1)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise CatalogueError(f"Katalogpaketets format är ogiltigt{name}.")
    if fmt > PACKAGE_FORMAT_VERSION:
        raise CatalogueError(f"Katalogpaketet är gjort i en nyare version av RSA Desktop (format {fmt}){name}. "
                             "Uppdatera programmet för att läsa det.")
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise CatalogueError(f"Katalogpaketet saknar en giltig version (t.ex. ”2026.2”){name}.")
    title = data.get("name", "")
    if not isinstance(title, str) or len(title) > 200 or _CONTROL.search(title):
        raise CatalogueError(f"Katalogpaketets namn är ogiltigt{name}.")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise CatalogueError(f"Katalogpaketets beskrivning är ogiltig{name}.")
    _check_strings(description, "Beskrivningen")
    cats = data.get("catalogues")
    if not isinstance(cats, dict) or not cats:
        raise CatalogueError(f"Katalogpaketet innehåller inga kataloger{name}.")
    unknown = sorted(k for k in cats if k not in CATALOGUE_NAMES)
    if unknown:
        raise CatalogueError(f"Katalogpaketet innehåller en okänd katalog: ”{unknown[0]}”{name}.")
    checked = {k: MappingProxyType(_check_catalogue(k, cats[k])) for k in CATALOGUE_NAMES if k in cats}
    template = data.get("report_template")
    if template is not None:
        template = _check_report_template(template)
    return CatalogueSet(version, title.strip(), description.strip(), MappingProxyType(checked), template)


def package_data(cs: CatalogueSet) -> dict[str, Any]:
    """A set in the package format (the JSON that `read_package` reads)."""
    cats = {}
    for name, cat in cs.catalogues.items():
        cats[name] = {**{k: v for k, v in cat.items() if k != "items"}, "items": [dict(i) for i in cat["items"]]}
    out = {"format": PACKAGE_FORMAT, "format_version": PACKAGE_FORMAT_VERSION, "version": cs.version,
           "name": cs.name, "description": cs.description, "catalogues": cats}
    if cs.report_template is not None:
        out["report_template"] = dict(cs.report_template)
    return out


def parse_package(text: str, *, source: str = "") -> CatalogueSet:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        name = f"Filen {source}" if source else "Filen"
        raise CatalogueError(f"{name} är inget katalogpaket för RSA Desktop (den är skadad eller av en annan "
                             "sort).") from None
    return validate_package(data, source=source)


def read_package(path: str | os.PathLike) -> CatalogueSet:
    """Read and check a catalogue package file; CatalogueError in Swedish otherwise."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_PACKAGE_BYTES:
            raise CatalogueError(f"Filen {p.name} är för stor för att vara ett katalogpaket.")
        raw = p.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"Katalogpaketet {p.name} kunde inte läsas ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueError(f"Filen {p.name} är inget katalogpaket för RSA Desktop (den är skadad eller av "
                             "en annan sort).") from None
    return parse_package(text, source=p.name)


def write_package(cs: CatalogueSet, path: str | os.PathLike) -> Path:
    """Write `cs` as a package file (0600, atomically)."""
    target = Path(path)
    text = json.dumps(package_data(cs), ensure_ascii=False, indent=2) + "\n"
    try:
        private.write_text_atomic(target, text)
    except OSError as exc:
        raise CatalogueError(f"Katalogpaketet kunde inte sparas: {target} ({exc.strerror or exc}).") from None
    return target


__all__ = ["load", "labels", "describe", "item_label", "item_id", "clear_cache", "is_closed", "is_valid",
           "CatalogueSet", "CatalogueError", "builtin_set", "active_set", "activate", "report_template",
           "read_package", "write_package", "parse_package", "validate_package", "package_data", "version_key",
           "CATALOGUE_NAMES", "LEGACY_VERSION", "version_text", "entries_name", "text_fields",
           "RETIRED_REPORT_TEXTS"]
