"""THE rules for an åtgärd's status: which statuses are open, which closed, and when an action is overdue.

Every layer asks these functions; none compares a status with a literal set of its own.
"""

from __future__ import annotations

import datetime as dt

PLANNED = "planerad"
ONGOING = "pagaende"
DONE = "genomford"
CANCELLED = "avbruten"

# (stored value, Swedish label), in the order the UI offers them.
ACTION_STATUS: tuple[tuple[str, str], ...] = ((PLANNED, "Planerad"), (ONGOING, "Pågående"), (DONE, "Genomförd"),
                                              (CANCELLED, "Avbruten"))
OPEN_STATUSES: tuple[str, ...] = (PLANNED, ONGOING)  # still to be done: carried forward, can be overdue
CLOSED_STATUSES: tuple[str, ...] = (DONE, CANCELLED)  # history: finished or given up


def is_open(status: str | None) -> bool:
    """Whether an action with this status is still to be done (planerad or pågående)."""
    return status in OPEN_STATUSES


def is_overdue(status: str | None, deadline: dt.date | None, today: dt.date) -> bool:
    """Whether an action is overdue on `today`: still open and its slutdatum has passed."""
    return is_open(status) and deadline is not None and deadline < today


def counts_as_treatment(status: str | None) -> bool:
    """Whether a linked action treats its risk, gap or beroende: planned, ongoing or done – not cancelled."""
    return status != CANCELLED


def status_label(status: str | None) -> str:
    """The Swedish label of a stored status ("" for none, the value itself when unknown)."""
    if not status:
        return ""
    return dict(ACTION_STATUS).get(status, status)


__all__ = ["ACTION_STATUS", "OPEN_STATUSES", "CLOSED_STATUSES", "PLANNED", "ONGOING", "DONE", "CANCELLED",
           "is_open", "is_overdue", "counts_as_treatment", "status_label"]
