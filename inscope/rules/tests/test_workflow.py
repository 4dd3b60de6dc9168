"""The examination lifecycle as data: which status may follow which."""

from __future__ import annotations

import pytest

from inscope.rules import exam_workflow as wf

STATES = {wf.SCHEDULED, wf.ESCALATED, wf.AUTHORISED, wf.IN_PROGRESS, wf.COMPLETED, wf.DISCONTINUED, wf.CANCELLED}
TERMINAL = {wf.COMPLETED, wf.DISCONTINUED, wf.CANCELLED}

MOVES = [
    (wf.SCHEDULED, wf.IN_PROGRESS, True, "within scope: the AP starts"),
    (wf.SCHEDULED, wf.ESCALATED, True, "outside scope: escalated before starting"),
    (wf.SCHEDULED, wf.CANCELLED, True, "cancelled before starting"),
    (wf.SCHEDULED, wf.AUTHORISED, False, "authorised without an escalation"),
    (wf.SCHEDULED, wf.COMPLETED, False, "completed without being started"),
    (wf.SCHEDULED, wf.DISCONTINUED, False, "discontinued without being started"),
    (wf.ESCALATED, wf.IN_PROGRESS, True, "a radiographer takes the examination over"),
    (wf.ESCALATED, wf.AUTHORISED, True, "a radiographer authorises the AP to proceed"),
    (wf.ESCALATED, wf.CANCELLED, True, "the radiographer declines and cancels"),
    (wf.ESCALATED, wf.COMPLETED, False, "completed while escalated"),
    (wf.ESCALATED, wf.SCHEDULED, False, "quietly put back on the list"),
    (wf.AUTHORISED, wf.IN_PROGRESS, True, "the authorised AP starts"),
    (wf.AUTHORISED, wf.ESCALATED, True, "the authorised AP escalates again"),
    (wf.AUTHORISED, wf.CANCELLED, True, "cancelled after authorisation"),
    (wf.AUTHORISED, wf.COMPLETED, False, "completed without being started"),
    (wf.IN_PROGRESS, wf.COMPLETED, True, "imaging finished"),
    (wf.IN_PROGRESS, wf.DISCONTINUED, True, "stopped part-way"),
    (wf.IN_PROGRESS, wf.ESCALATED, True, "escalated during the examination"),
    (wf.IN_PROGRESS, wf.CANCELLED, False, "cancelled once exposures may have been made"),
    (wf.IN_PROGRESS, wf.SCHEDULED, False, "un-started"),
    (wf.COMPLETED, wf.IN_PROGRESS, False, "reopened after completion"),
    (wf.CANCELLED, wf.SCHEDULED, False, "uncancelled"),
    (wf.DISCONTINUED, wf.IN_PROGRESS, False, "restarted after being discontinued"),
    ("unknown", wf.IN_PROGRESS, False, "from a status the workflow does not know"),
    (wf.SCHEDULED, "unknown", False, "to a status the workflow does not know"),
]


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [pytest.param(c, t, a, id=f"{c} -> {t}: {why} -> {'allowed' if a else 'refused'}") for c, t, a, why in MOVES],
)
def test_an_examination_moves_only_along_the_lifecycle(current: str, to: str, allowed: bool) -> None:
    assert wf.may_move(current, to) is allowed


def test_the_transition_table_names_every_status_and_only_known_ones() -> None:
    assert set(wf.TRANSITIONS) == STATES
    assert set().union(*wf.TRANSITIONS.values()) <= STATES


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_a_finished_examination_has_no_way_out(status: str) -> None:
    assert wf.TRANSITIONS[status] == frozenset()
    assert not any(wf.may_move(status, to) for to in STATES)


@pytest.mark.parametrize("status", sorted(STATES - TERMINAL))
def test_an_unfinished_examination_can_always_reach_an_end(status: str) -> None:
    reached, frontier = {status}, [status]
    while frontier:
        for following in wf.TRANSITIONS[frontier.pop()] - reached:
            reached.add(following)
            frontier.append(following)
    assert reached & TERMINAL


@pytest.mark.parametrize("status", sorted(STATES))
def test_no_status_moves_to_itself(status: str) -> None:
    assert not wf.may_move(status, status)


def test_every_move_in_the_table_is_covered_by_a_clinical_row() -> None:
    named = {(c, t) for c, t, allowed, _ in MOVES if allowed}
    assert named == {(c, t) for c, targets in wf.TRANSITIONS.items() for t in targets}


def test_only_an_escalation_leads_to_authorisation() -> None:
    assert {c for c, targets in wf.TRANSITIONS.items() if wf.AUTHORISED in targets} == {wf.ESCALATED}
