"""One owner for every rule: each domain rule is defined in one module, and no other module writes it out
again (a copy is how Uppföljning and the matrix came to pair different risks). The table below is the
ownership list; the checks grep the package for the tell-tale shapes of a copied rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rsa_desktop"

# rule → the one module that defines it (every other module calls it).
OWNERS = {
    "public excerpt: what an öppet utdrag keeps": "domain/public.py",
    "previous-year pairing: carried-from link, then ID, never title": "domain/pairing.py",
    "action statuses, open, overdue, counts as treatment": "domain/actions.py",
    "risk value (sannolikhet × konsekvens), band, overall consequence": "domain/scales.py",
    "Scales and its construction (from a template, from stored rows)": "domain/scales.py",
    "durations (parse, format)": "domain/durations.py",
    "field type behaviour: clean input (its Swedish messages), show, write to and read from a cell, widget":
        "domain/fieldtypes.py",
    "an item kind's fields: typed item, table column and form spec (tests/test_items.py keeps them equal)":
        "domain/items.py",
    "the item kinds' registry: fields, labels, choices, links": "domain/kinds.py",
    "a damaged stored value: read as missing, or DamagedValue (never guessed from a message)": "model/entities.py",
    "the workflow's step table: keys, titles, kinds per step, guidance key": "domain/workflow.py",
    "human IDs: prefix and natural order (R2 before R10)": "domain/ids.py",
    "a brist's severities: their order, labels and counts": "domain/severity.py",
    "the Excel format: sheet names, headings, long-text sheet, link columns (writer and reader)":
        "domain/excel_format.py",
    "one read of an analysis for RSA-kontroll, gaps and step statuses": "services/source.py",
    "a dependency's level on the map (direct need = level 1)": "services/depmap.py",
    "continuity gaps grouped per dependency (PDF, Word, UI)": "services/gaps.py",
    "Swedish hyphenation in the reports": "reports/hyphenation.py",
    "the reports' fixed prose (keys, placeholders; texts in resources/report/template.json)": "reports/prose.py",
    "known error → message box, bug → crash dialog, undo recorded": "ui/commands/ops.py",
    "a hint's colour (readable, WCAG AA)": "ui/widgets/hints.py",
}

# Where a literal status is data, not a rule: the table's CHECK constraint, the frozen migration DDL,
# and the demo file's statuses.
STATUS_COMPARED = r"status\W*\s*(?:not\s+in|in|==|!=)\s*[\(\{\[]?\s*[\"'](?:planerad|pagaende|genomford|avbruten)"
STATUS_DATA = {"model/entities.py", "storage/migrations.py", "services/demo.py"}

# A switch on a field's type code (`spec.type == "duration"`, `t in ("int", "likelihood", …)`, a dict indexed by
# `spec.type`, `getattr(scales, spec.type)`) instead of asking its FieldType. `col.type` is the Excel writer's
# column format, not a field type.
FIELD_TYPE = r"(?:text|longtext|int|bool|optbool|date|duration|likelihood|consequence|capability|enum|catalog|ref)"
FIELD_TYPE_SWITCH = (rf"(?<!col)\.type\s*(?:==|!=)\s*[\"']{FIELD_TYPE}[\"']|\bt\s*(?:==|!=)\s*[\"']{FIELD_TYPE}[\"']"
                     rf"|(?:\.type|\bt)\s+(?:not\s+)?in\s*[\(\[\{{]\s*[\"']{FIELD_TYPE}[\"']"
                     r"|\[[\w.]*\.type\]|getattr\(\w+,\s*[\w.]*\.type\)")


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        yield rel, path.read_text(encoding="utf-8")


def _hits(pattern: str, allowed: set[str]) -> list[str]:
    rx = re.compile(pattern)
    out = []
    for rel, text in _sources():
        if rel in allowed:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if rx.search(line):
                out.append(f"{rel}:{n}: {line.strip()}")
    return out


def test_every_owner_exists():
    for rule, module in OWNERS.items():
        assert (PACKAGE / module).is_file(), rule


@pytest.mark.parametrize("what, pattern, allowed", [
    # sannolikhet × konsekvens written out instead of domain.scales.risk_value
    ("risk value", r"likelihood\w*\s*\*|\*\s*[\w.\[\]\"']*consequence\b", {"domain/scales.py"}),
    # a band chosen by comparing a score with min_score instead of domain.scales.band_for
    ("band", r">=\s*[\w.]*min_score|min_score\s*<=", {"domain/scales.py"}),
    # a status compared with a literal (or a literal set of statuses) instead of domain.actions
    ("status literal", STATUS_COMPARED, {"domain/actions.py"}),
    ("status set", r"[\(\{\[]\s*\"(?:planerad|pagaende|genomford|avbruten)\",\s*\"(?:planerad|pagaende|genomford|avbruten)\"",
     {"domain/actions.py"} | STATUS_DATA),
    # overdue written out instead of domain.actions.is_overdue
    ("overdue", r"deadline\s*<\s*(?:self\.|c\.)?today\b", {"domain/actions.py"}),
    # Scales assembled by hand instead of domain.scales.scales_from_template / scales_from_rows
    ("Scales construction", r"\bScales\(", {"domain/scales.py"}),
    ("Level construction", r"\b(?:Level|Band|Horizon|Dimension)\(\s*(?:int\(|[\w.]+\.value\b|i\b|i \+)", {"domain/scales.py"}),
    # the title rule that once paired last year's risks in the matrix
    ("pairing by title", r"_norm_title", set()),
    # the step table written out again
    ("step table", r"[\(\[]\s*\"uppdrag\",\s*\"verksamhet\"|\"participant\":\s*\"uppdrag\"", {"domain/workflow.py"}),
    # a human ID split into prefix and number by hand
    ("human ID order", r"rstrip\([\"']0123456789[\"']\)", {"domain/ids.py"}),
    # the severities listed (or ranked) again instead of domain.severity
    # (a colour per severity is presentation and stays with its medium; an order or a rank is the rule)
    ("severity order", r"[\(\[]\s*\"hög\",\s*\"medel\"|\{\s*\"hög\":\s*\d", {"domain/severity.py"}),
    ("severity compared", r"==\s*\"hög\"|\"hög\"\s*==", {"domain/severity.py"}),
    # durations parsed or formatted elsewhere
    ("durations", r"def (?:parse|format)_duration\b", {"domain/durations.py"}),
    # the ten-year limit of a duration written out again instead of domain.durations.DURATION_MAX
    ("duration limit", r"\b10\s*\*\s*36[56]\b", {"domain/durations.py"}),
    # a field type's behaviour written out again instead of domain.fieldtypes.field_type(spec)
    ("field type switch", FIELD_TYPE_SWITCH, {"domain/fieldtypes.py"}),
    # an item as a dict behind __getattr__ (the old Record, which no type checker could see through)
    ("untyped record", r"def __getattr__\(self|Record\(\w+, \w+, MappingProxyType", set()),
    # a damaged value recognised by its message text instead of DamagedValue
    ("damage by message", r"[\"'](?:isoformat|codec|invalid literal)[\"']\s+in\s+str\(", set()),
])
def test_no_module_writes_a_rule_out_again(what, pattern, allowed):
    assert _hits(pattern, allowed) == [], f"{what}: call its owner ({OWNERS})"


def test_the_checks_find_a_copy():
    """The patterns are not vacuous: each finds the copy it is meant to find."""
    samples = {
        r"likelihood\w*\s*\*|\*\s*[\w.\[\]\"']*consequence\b": "score = r.likelihood * cons",
        STATUS_COMPARED: 'if a.status not in ("genomford", "avbruten"):',
        r"deadline\s*<\s*(?:self\.|c\.)?today\b": "elif x.deadline < today:",
        r"\bScales\(": "self._scales = Scales(lv(t), lv(u))",
        r"[\(\[]\s*\"hög\",\s*\"medel\"|\{\s*\"hög\":\s*\d": 'rank = {"hög": 3, "medel": 2, "låg": 1}',
        r"==\s*\"hög\"|\"hög\"\s*==": 'if n.severity == "hög":',
    }
    for pattern, line in samples.items():
        assert re.search(pattern, line), pattern
    for copy in ('if spec.type == "duration":', 'if t in ("int", "likelihood", "consequence", "capability", "ref"):',
                 "elif f.type != 'bool':", 'if self.spec.type not in ("text", "longtext", "catalog"):',
                 '"capability": LevelEditor,\n}[spec.type](spec, session, parent)',
                 "levels = getattr(scales, self.spec.type) if scales else ()"):
        assert re.search(FIELD_TYPE_SWITCH, copy), copy
    assert not re.search(FIELD_TYPE_SWITCH, 'if col.type == "text" and col.width is None:')
    assert re.search(r"\*\s*[\w.\[\]\"']*consequence\b", "c.new_likelihood * c.new_consequence")


def test_the_table_allows_exactly_the_domain_statuses():
    from rsa_desktop.domain.actions import ACTION_STATUS, CLOSED_STATUSES, OPEN_STATUSES
    from rsa_desktop.model import entities as e

    check = next(c for c in e.Action.__table__.constraints if getattr(c, "name", "") == "ck_action_status")
    allowed = set(re.findall(r"'(\w+)'", str(check.sqltext)))
    assert allowed == {v for v, _ in ACTION_STATUS} == set(OPEN_STATUSES) | set(CLOSED_STATUSES)
    assert not set(OPEN_STATUSES) & set(CLOSED_STATUSES)


def test_the_domain_is_pure():
    """No SQL, no Qt, no files: the domain imports none of the layers and opens nothing."""
    rx = re.compile(r"^\s*(?:from|import)\s+(sqlalchemy|sqlmodel|sqlite3|PySide6|shiboken6|pathlib|os|io|shutil|"
                    r"rsa_desktop\.(?!domain\b)\w+)")
    bad = []
    for path in sorted((PACKAGE / "domain").glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if rx.search(line) or re.search(r"\bopen\(", line):
                bad.append(f"{path.name}:{n}: {line.strip()}")
    assert bad == []
