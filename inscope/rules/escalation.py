"""Escalation routing: how urgently, and when an unacknowledged escalation is overdue or must be re-sent."""

from __future__ import annotations

import datetime as dt

from inscope.rules.decisions import Urgency

URGENT_PRIORITIES = frozenset({"urgent", "emergency"})


def escalation_urgency(decision_urgency: Urgency, request_priority: str) -> Urgency:
    """Return the escalation's urgency: urgent if any reason is urgent or the request itself is urgent."""
    if decision_urgency is Urgency.URGENT or request_priority in URGENT_PRIORITIES:
        return Urgency.URGENT
    return Urgency.ROUTINE


def acknowledgement_window(urgency: Urgency, routine_minutes: int) -> dt.timedelta:
    """Return how long an escalation may wait for acknowledgement; urgent ones get a third of the time."""
    minutes = max(1, routine_minutes // 3) if urgency is Urgency.URGENT else routine_minutes
    return dt.timedelta(minutes=minutes)


def is_overdue(raised_at: dt.datetime, urgency: Urgency, *, now: dt.datetime, routine_minutes: int) -> bool:
    """Return whether an unacknowledged escalation has waited past its window."""
    return now - raised_at > acknowledgement_window(urgency, routine_minutes)


def due_for_renotification(
    raised_at: dt.datetime,
    last_notified_at: dt.datetime,
    urgency: Urgency,
    *,
    now: dt.datetime,
    routine_minutes: int,
) -> bool:
    """Return whether an overdue, unacknowledged escalation should be sent again now."""
    window = acknowledgement_window(urgency, routine_minutes)
    return is_overdue(raised_at, urgency, now=now, routine_minutes=routine_minutes) and (
        now - last_notified_at >= window
    )
