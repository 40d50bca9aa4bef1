"""Finds words and dates that a PDF breaks across lines without a hyphen.

The PDF's words with their positions come from poppler's `pdftotext -bbox`. Words on one baseline form
a line; a gap wider than a table cell's padding starts a new line fragment (the next column). The last
word of every fragment is where a line was broken: it must be a whole word of the source texts (the
analysis file, the resources and the program's own strings), end in a hyphen, or be a natural break
in a URL or path. A date or an ID must never be split, hyphen or not.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r"<page ")
_STRIP = "()[]{}.,;:!?\"'”“’‘«»…*·"
_PARTIAL_DATE = re.compile(r"^\d{4}-(\d{1,2}(-\d?)?)?$")
_URL_BREAK = re.compile(r"(https?://|www\.|/)")
GAP = 6.0  # points: wider than a space in the report's fonts, narrower than two cell paddings


def available() -> bool:
    return shutil.which("pdftotext") is not None


def words(pdf: Path) -> list[list[tuple[float, float, float, str]]]:
    """Per page, every word as (x0, y0, x1, text)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True).stdout
    pages: list[list[tuple[float, float, float, str]]] = []
    for chunk in _PAGE.split(out.decode("utf-8"))[1:]:
        pages.append([(float(a), float(b), float(c), unescape(t)) for a, b, _c0, c, t in
                      ((m[0], m[1], m[3], m[2], m[4]) for m in _WORD.findall(chunk))])
    return pages


def line_ends(pdf: Path) -> list[tuple[int, str, str]]:
    """Every (page, last word of a line fragment, the word after it on the next line if known)."""
    found = []
    for n, page in enumerate(words(pdf), 1):
        lines: dict[int, list] = {}
        for x0, y0, x1, text in page:
            lines.setdefault(round(y0 * 2), []).append((x0, x1, text))
        keys = sorted(lines)
        for k in keys:
            row = sorted(lines[k])
            for i, (_x0, x1, text) in enumerate(row):
                if i + 1 == len(row) or row[i + 1][0] - x1 > GAP:
                    found.append((n, text, ""))
    return found


def vocabulary(*files: Path, extra: tuple[str, ...] = ()) -> set[str]:
    """Every token of the analysis files' texts, the resources and the program's sources."""
    texts: list[str] = list(extra)
    for f in files:
        con = sqlite3.connect(f"file:{f}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for t in tables:
                for row in con.execute(f'SELECT * FROM "{t}"'):
                    texts.extend(str(v) for v in row if v is not None)
        finally:
            con.close()
    for pattern in ("rsa_desktop/**/*.py", "resources/**/*.json"):
        for p in ROOT.glob(pattern):
            texts.append(p.read_text(encoding="utf-8", errors="replace"))
    vocab: set[str] = set()
    for text in texts:
        for token in text.split():
            token = token.strip(_STRIP)
            vocab.add(token)
            # tokens glued to code punctuation in the sources ("f\"Sida", "label=\"Ja\"")
            vocab.update(p for p in re.split(r"[\"'=(){}\[\],:;]|\\n", token) if p)
    return vocab


def broken(pdf: Path, vocab: set[str]) -> list[tuple[int, str]]:
    """Line ends that break a word or a date: (page, word)."""
    bad = []
    ends = line_ends(pdf)
    stems: dict[int, set[str]] = {}  # per page, the heads of hyphenated words ("Genom-" → "Genom")
    for page, text, _next in ends:
        token = text.strip(_STRIP)
        if token.endswith(("-", "\u2011")) and len(token) > 1:
            stems.setdefault(page, set()).add(token[:-1])
    for page, text, _next in ends:
        token = text.strip(_STRIP)
        if not token or not any(ch.isalnum() for ch in token):
            continue
        if _PARTIAL_DATE.match(token):
            bad.append((page, text))
            continue
        if token.endswith(("-", "\u2011")) or token in vocab or token.lower() in vocab:
            continue
        if page in stems and any(w.endswith(token) and len(w) > len(token) for w in vocab):
            continue  # the tail of a hyphenated word (its head ended an earlier line with a hyphen)
        if _URL_BREAK.search(token) and token.endswith(("/", ".", "_", "?", "&", "=", "#")):
            continue
        if re.fullmatch(r"\d+([.,:–-]\d+)?", token):  # counts, scores, ranges, times, page numbers
            continue
        bad.append((page, text))
    return bad
