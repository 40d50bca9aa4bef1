"""What a crash log may contain: the traceback and the kinds of errors, never a field value.

SQLAlchemy puts the statement's parameters (the user's text) in its messages, and other messages can
quote a value (`invalid literal for int(): 'Hemlig plan'`). A crash log is plaintext beside a file
that may be encrypted, and is sent to whoever maintains the program, so messages are reduced: SQL
statements and parameters are dropped, the underlying SQLite message (which names tables, columns
and constraints, not values) is kept, and quoted text in any other message is replaced by '…'.
"""

from __future__ import annotations

import re
import sqlite3
import traceback
from types import TracebackType

_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_SQL_PARTS = re.compile(r"\[(SQL|parameters|generated in)[^\]]*\]?.*", re.DOTALL)
MAX_MESSAGE = 300


def redact_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error):
        return f"({type(orig).__module__}.{type(orig).__name__}) {_first_line(str(orig))}"
    if isinstance(exc, sqlite3.Error):
        return _first_line(str(exc))
    text = _SQL_PARTS.sub("", str(exc))
    text = _QUOTED.sub("'…'", text)
    return _first_line(text)


def _first_line(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"


def format_exception(exc_type: type[BaseException], exc: BaseException | None,
                     tb: TracebackType | None) -> str:
    """Like traceback.format_exception (with causes and contexts), with every message redacted."""
    chain: list[tuple[BaseException | None, str]] = []
    seen: set[int] = set()
    current, link = exc, ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, ("\nThe above exception was the direct cause of the following "
                                                "exception:\n\n")
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, ("\nDuring handling of the above exception, another exception "
                                                  "occurred:\n\n")
        else:
            current = None
    if not chain:
        return f"{exc_type.__name__}\n"
    parts: list[str] = []
    for e, link_text in reversed(chain):
        frames = tb if e is exc else e.__traceback__
        if frames is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(frames))
        name = type(e).__qualname__
        module = type(e).__module__
        full = name if module in ("builtins", "__main__") else f"{module}.{name}"
        message = redact_message(e)
        parts.append(f"{full}: {message}\n" if message else f"{full}\n")
        parts.append(link_text)  # how it led to the next one printed ("" after the last)
    return "".join(parts)
