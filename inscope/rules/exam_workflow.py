"""The examination lifecycle as data: which status may follow which."""

from __future__ import annotations

SCHEDULED = "scheduled"
ESCALATED = "escalated"
AUTHORISED = "authorised"  # a radiographer authorised the AP to proceed after an escalation
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
DISCONTINUED = "discontinued"
CANCELLED = "cancelled"

TRANSITIONS: dict[str, frozenset[str]] = {
    SCHEDULED: frozenset({IN_PROGRESS, ESCALATED, CANCELLED}),
    ESCALATED: frozenset({IN_PROGRESS, AUTHORISED, CANCELLED}),
    AUTHORISED: frozenset({IN_PROGRESS, ESCALATED, CANCELLED}),
    IN_PROGRESS: frozenset({COMPLETED, DISCONTINUED, ESCALATED}),
    COMPLETED: frozenset(),
    DISCONTINUED: frozenset(),
    CANCELLED: frozenset(),
}


def may_move(current: str, to: str) -> bool:
    """Return whether an examination in ``current`` may move to ``to``."""
    return to in TRANSITIONS.get(current, frozenset())
