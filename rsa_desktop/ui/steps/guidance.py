"""Guidance per step, in plain Swedish: what to do here, why, and one example.

The step table (keys, titles, which guidance text) is domain.workflow; the texts are data in
resources/help/guidance.json. Both are Swedish source strings for Qt's translation mechanism (context
CTX), translated where shown.
"""

from __future__ import annotations

import json

from rsa_desktop import paths
from rsa_desktop.domain import workflow

CTX = "guidance"
GUIDANCE_FORMAT = "rsa-desktop-guidance"

STEP_TITLES: dict[str, str] = dict(workflow.TITLES)


class GuidanceFileError(RuntimeError):
    """The shipped guidance file is missing or damaged: an installation fault, not the user's."""


def load_guidance(path=None) -> dict[str, str]:
    """step key → guidance text, for the steps of the workflow that have one, from resources/help/guidance.json."""
    path = path or paths.resource("help", "guidance.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GuidanceFileError(f"Vägledningen kunde inte läsas: {path} ({exc}). Installera om programmet.") from None
    texts = data.get("steps") if isinstance(data, dict) and data.get("format") == GUIDANCE_FORMAT else None
    if not isinstance(texts, dict):
        raise GuidanceFileError(f"Filen är ingen vägledning för RSA Desktop: {path}. Installera om programmet.")
    out = {}
    for s in workflow.STEPS:
        if s.guidance:
            text = texts.get(s.guidance)
            if not isinstance(text, str) or not text.strip():
                raise GuidanceFileError(f"Vägledningen saknar texten för steget {s.title}: {path}.")
            out[s.key] = text
    return out


GUIDANCE: dict[str, str] = load_guidance()
