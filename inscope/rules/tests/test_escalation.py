"""Escalation routing: how urgently, when an unacknowledged escalation is overdue, when it is sent again;
and the reasons services raise themselves (an operator's own escalation, an urgent finding after imaging)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from inscope.rules.decisions import Decision, Urgency
from inscope.rules.escalation import acknowledgement_window, due_for_renotification, escalation_urgency, is_overdue
from inscope.rules.reasons import reason
from inscope.rules.tests.cases import RADIOGRAPHER, Expect, escalate, table

ROUTINE, URGENT = Urgency.ROUTINE, Urgency.URGENT
RAISED = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
ACK_MINUTES = 10  # the demo policy's acknowledge_within_minutes


def at(minutes: float) -> dt.datetime:
    return RAISED + dt.timedelta(minutes=minutes)


@dataclass(frozen=True)
class Raised:
    """Reasons a service builds itself (not from decide), combined as a decision."""

    case: str
    codes: tuple[str, ...]
    expect: Expect
    request_priority: str = "routine"
    escalation_urgency: Urgency = ROUTINE

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.expect}, escalation {self.escalation_urgency.value}"

    def decide(self) -> Decision:
        reasons = [reason(code, f"{self.case}.") for code in self.codes]
        return Decision.from_reasons(reasons, required_checks=(), policy_version="test")


RAISED_BY_SERVICES = [
    Raised("operator flags an urgent or unexpected finding after imaging", ("urgent-finding",),
           escalate("urgent-finding", urgency=URGENT), escalation_urgency=URGENT),
    Raised("operator escalates a routine chest PA they are unsure about", ("operator-escalated",),
           escalate("operator-escalated")),
    Raised("operator escalates an emergency request", ("operator-escalated",), escalate("operator-escalated"),
           request_priority="emergency", escalation_urgency=URGENT),
    Raised("operator escalates an urgent request", ("operator-escalated",), escalate("operator-escalated"),
           request_priority="urgent", escalation_urgency=URGENT),
    Raised("operator escalates a routine request and also flags an urgent finding",
           ("operator-escalated", "urgent-finding"), escalate("operator-escalated", "urgent-finding", urgency=URGENT),
           escalation_urgency=URGENT),
]


@pytest.mark.parametrize("row", table(RAISED_BY_SERVICES))
def test_reasons_raised_by_services_carry_their_catalogued_outcome_and_urgency(row: Raised) -> None:
    decision = row.decide()
    row.expect.check(decision)
    assert escalation_urgency(decision.urgency, row.request_priority) is row.escalation_urgency


def test_an_urgent_finding_goes_to_a_radiographer() -> None:
    finding = reason("urgent-finding", "Unexpected appearance on the chest film.")
    assert (finding.escalate_to, finding.urgency) == (RADIOGRAPHER, URGENT)


@pytest.mark.parametrize(
    ("decision_urgency", "priority", "urgency"),
    [
        pytest.param(ROUTINE, "routine", ROUTINE, id="routine reasons, routine request -> routine"),
        pytest.param(ROUTINE, "urgent", URGENT, id="routine reasons, urgent request -> urgent"),
        pytest.param(ROUTINE, "emergency", URGENT, id="routine reasons, emergency request -> urgent"),
        pytest.param(URGENT, "routine", URGENT, id="urgent reason (MRI screening stop), routine request -> urgent"),
        pytest.param(URGENT, "emergency", URGENT, id="urgent reason, emergency request -> urgent"),
        pytest.param(ROUTINE, "", ROUTINE, id="no priority recorded -> routine"),
    ],
)
def test_an_escalation_is_urgent_if_any_reason_or_the_request_is(
    decision_urgency: Urgency, priority: str, urgency: Urgency
) -> None:
    assert escalation_urgency(decision_urgency, priority) is urgency


@pytest.mark.parametrize(
    ("urgency", "routine_minutes", "window"),
    [
        pytest.param(ROUTINE, 10, 10, id="routine, 10-minute policy -> 10 minutes"),
        pytest.param(URGENT, 10, 3, id="urgent, 10-minute policy -> a third, rounded down: 3 minutes"),
        pytest.param(URGENT, 30, 10, id="urgent, 30-minute policy -> 10 minutes"),
        pytest.param(URGENT, 2, 1, id="urgent, 2-minute policy -> never less than 1 minute"),
        pytest.param(ROUTINE, 1, 1, id="routine, 1-minute policy -> 1 minute"),
    ],
)
def test_an_urgent_escalation_must_be_acknowledged_in_a_third_of_the_routine_time(
    urgency: Urgency, routine_minutes: int, window: int
) -> None:
    assert acknowledgement_window(urgency, routine_minutes) == dt.timedelta(minutes=window)


@pytest.mark.parametrize(
    ("urgency", "waited", "overdue"),
    [
        pytest.param(ROUTINE, 9, False, id="routine, waited 9 minutes -> not overdue"),
        pytest.param(ROUTINE, 10, False, id="routine, waited exactly 10 minutes -> not yet overdue"),
        pytest.param(ROUTINE, 10 + 1 / 60, True, id="routine, waited 10 minutes 1 second -> overdue"),
        pytest.param(URGENT, 3, False, id="urgent, waited exactly 3 minutes -> not yet overdue"),
        pytest.param(URGENT, 3.5, True, id="urgent, waited 3.5 minutes -> overdue"),
        pytest.param(URGENT, 0, False, id="urgent, just raised -> not overdue"),
    ],
)
def test_an_unacknowledged_escalation_is_overdue_after_its_window(
    urgency: Urgency, waited: float, overdue: bool
) -> None:
    assert is_overdue(RAISED, urgency, now=at(waited), routine_minutes=ACK_MINUTES) is overdue


@pytest.mark.parametrize(
    ("urgency", "last_sent", "now", "due"),
    [
        pytest.param(ROUTINE, 0, 9, False, id="routine, not yet overdue -> not sent again"),
        pytest.param(ROUTINE, 0, 11, True, id="routine, overdue, last sent when raised -> sent again"),
        pytest.param(ROUTINE, 11, 15, False, id="routine, reminded 4 minutes ago -> wait"),
        pytest.param(ROUTINE, 11, 21, True, id="routine, reminded exactly 10 minutes ago -> sent again"),
        pytest.param(URGENT, 0, 3, False, id="urgent, at exactly 3 minutes -> not yet"),
        pytest.param(URGENT, 0, 4, True, id="urgent, at 4 minutes -> sent again"),
        pytest.param(URGENT, 4, 6, False, id="urgent, reminded 2 minutes ago -> wait"),
        pytest.param(URGENT, 4, 7, True, id="urgent, reminded 3 minutes ago -> sent again"),
    ],
)
def test_an_overdue_escalation_is_sent_again_once_per_window(
    urgency: Urgency, last_sent: float, now: float, due: bool
) -> None:
    assert due_for_renotification(RAISED, at(last_sent), urgency, now=at(now), routine_minutes=ACK_MINUTES) is due
