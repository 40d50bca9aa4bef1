"""Catalogues of suggestions (sectors, dependency types, scenarios, the city's organisations...).

Qt-free. Each catalogue is a JSON file `resources/catalogues/<name>.json` holding `{"items": [...]}`;
an item has a "label" (or "name" for city_organisations, "term"/"definition" for the glossary).
A missing or unreadable file gives an empty list: catalogues are suggestions, never required.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rsa_desktop import paths

# Catalogues derived from another one rather than read from a file of their own.
_DERIVED = {"scenario_categories": ("scenarios", "category")}


def _read(name: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(paths.resource("catalogues", f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict)]


@lru_cache(maxsize=None)
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


def clear_cache() -> None:
    _load.cache_clear()


__all__ = ["load", "labels", "describe", "item_label", "clear_cache"]
