"""The workflow's step table (domain.workflow) and the guidance texts it points at (resources/help/guidance.json)."""

from __future__ import annotations

import json

import pytest

from rsa_desktop import paths
from rsa_desktop.domain import workflow
from rsa_desktop.domain.kinds import ITEM_KINDS, KINDS
from rsa_desktop.services import review


def test_the_review_files_findings_under_the_table():
    assert review.STEPS == workflow.STEP_KEYS
    assert review.KIND_STEP == workflow.KIND_STEP
    assert workflow.STEP_KEYS[0] == "uppdrag" and workflow.STEP_KEYS[-1] == "rapport"
    assert len(set(workflow.STEP_KEYS)) == len(workflow.STEP_KEYS)


def test_every_item_kind_has_one_step():
    kinds = [k for s in workflow.STEPS for k in s.kinds]
    assert len(kinds) == len(set(kinds))  # one step per kind
    assert set(kinds) <= set(KINDS)
    assert set(ITEM_KINDS) <= set(kinds) | {"participant"}
    assert workflow.step("risker").kinds == ("risk",) and workflow.step("oversikt") is workflow.OVERVIEW
    with pytest.raises(KeyError):
        workflow.step("okänt")


def test_the_guidance_file_has_exactly_the_steps_texts():
    data = json.loads(paths.resource("help", "guidance.json").read_text(encoding="utf-8"))
    assert data["format"] == "rsa-desktop-guidance"
    assert set(data["steps"]) == {s.guidance for s in workflow.STEPS if s.guidance}
    for key, text in data["steps"].items():
        for part in ("<b>Vad:</b>", "<b>Varför:</b>", "<b>Gör så här:</b>", "<b>Exempel:</b>"):
            assert part in text, (key, part)


def test_a_damaged_guidance_file_says_so(tmp_path):
    from rsa_desktop.ui.steps.guidance import GUIDANCE, GuidanceFileError, load_guidance

    assert set(GUIDANCE) == {s.key for s in workflow.STEPS if s.guidance}
    bad = tmp_path / "guidance.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(GuidanceFileError, match="Vägledningen kunde inte läsas"):
        load_guidance(bad)
    bad.write_text(json.dumps({"format": "rsa-desktop-guidance", "steps": {"uppdrag": "x"}}), encoding="utf-8")
    with pytest.raises(GuidanceFileError, match="saknar texten för steget Verksamhet"):
        load_guidance(bad)
    bad.write_text(json.dumps({"format": "annat", "steps": {}}), encoding="utf-8")
    with pytest.raises(GuidanceFileError, match="ingen vägledning"):
        load_guidance(bad)
