"""Decision and Reason: how reasons combine into one answer, and the record each examination keeps."""

from __future__ import annotations

import pytest

from inscope.rules.decisions import RULESET_VERSION, Decision, Outcome, Urgency
from inscope.rules.evaluate import decide, no_policy_decision
from inscope.rules.facts import PregnancyAnswer
from inscope.rules.reasons import REASONS, reason
from inscope.rules.tests.cases import (
    CHEST_PA,
    LUMBAR_SPINE,
    MANAGER,
    MR_AUTHORISED,
    MR_RESPONSIBLE_PERSON,
    MRI_KNEE,
    POLICY,
    PRACTITIONER,
    RADIOGRAPHER,
    RADIOGRAPHER_OP,
    TODAY,
    Row,
    case,
    escalate,
    policy_with,
    request,
    stop,
    table,
)


def combine(*codes: str) -> Decision:
    return Decision.from_reasons([reason(c, c) for c in codes], required_checks=("identity",), policy_version="v1")


@pytest.mark.parametrize(
    ("codes", "outcome", "escalate_to", "urgency"),
    [
        pytest.param((), Outcome.PROCEED, None, Urgency.ROUTINE, id="no reasons -> proceed"),
        pytest.param(("patient-trauma",), Outcome.ESCALATE, RADIOGRAPHER, Urgency.ROUTINE, id="one escalation"),
        pytest.param(("patient-trauma", "no-supervisor-on-duty"), Outcome.STOP, MANAGER, Urgency.ROUTINE,
                     id="escalate then stop -> stop, to the stop's manager"),
        pytest.param(("identity-not-checked", "no-supervisor-on-duty"), Outcome.STOP, MANAGER, Urgency.ROUTINE,
                     id="a stop with nobody to tell, then one to the manager -> the manager"),
        pytest.param(("identity-not-checked", "patient-trauma"), Outcome.STOP, None, Urgency.ROUTINE,
                     id="stop to nobody beats escalate to the radiographer -> nobody"),
        pytest.param(("patient-trauma", "mri-screening-stop"), Outcome.ESCALATE, RADIOGRAPHER, Urgency.URGENT,
                     id="any urgent reason makes the decision urgent"),
        pytest.param(("mri-screening-stop", "policy-not-in-force"), Outcome.STOP, MANAGER, Urgency.URGENT,
                     id="urgency survives a stop"),
    ],
)
def test_the_most_severe_outcome_wins_and_any_urgent_reason_makes_it_urgent(
    codes: tuple[str, ...], outcome: Outcome, escalate_to: str | None, urgency: Urgency
) -> None:
    decision = combine(*codes)
    assert (decision.outcome, decision.escalate_to, decision.urgency) == (outcome, escalate_to, urgency)
    assert decision.codes == codes


def test_a_decision_as_a_dict_is_the_record_kept_on_the_examination() -> None:
    decision = decide(case(LUMBAR_SPINE, by=RADIOGRAPHER_OP, pregnancy_answer=PregnancyAnswer.POSSIBLY,
                           last_menstrual_period=TODAY), POLICY)
    assert decision.as_dict() == {
        "outcome": "proceed",
        "reason_codes": [],
        "messages": [],
        "reasons": [],
        "escalate_to": None,
        "urgency": "routine",
        "required_checks": ["identity", "justification", "pregnancy", "cooperation", "capacity", "mobility"],
        "notes": ["Pregnancy not excluded; cycle day 1 is within the rule. Record the LMP."],
        "policy_version": "test-2026-11",
        "ruleset": RULESET_VERSION,
    }


def test_an_escalation_as_a_dict_lists_each_reason_with_its_routing() -> None:
    data = combine("patient-trauma", "mri-screening-stop").as_dict()
    assert data["outcome"] == "escalate"
    assert data["reason_codes"] == ["patient-trauma", "mri-screening-stop"]
    assert data["messages"] == ["patient-trauma", "mri-screening-stop"]
    assert data["urgency"] == "urgent"
    assert data["reasons"] == [
        {"code": "patient-trauma", "outcome": "escalate", "message": "patient-trauma",
         "escalate_to": "radiographer", "urgency": "routine"},
        {"code": "mri-screening-stop", "outcome": "escalate", "message": "mri-screening-stop",
         "escalate_to": "mr_authorised", "urgency": "urgent"},
    ]


def test_the_decision_without_a_policy_stops_and_names_no_policy_version() -> None:
    data = no_policy_decision().as_dict()
    assert (data["outcome"], data["reason_codes"], data["policy_version"]) == ("stop", ["policy-not-in-force"], "")


@pytest.mark.parametrize("code", sorted(REASONS))
def test_a_catalogued_reason_carries_the_catalogues_outcome_routing_and_urgency(code: str) -> None:
    spec, built = REASONS[code], reason(code, "case-specific message")
    assert (built.code, built.outcome, built.escalate_to, built.urgency, built.message) == (
        code, spec.outcome, spec.escalate_to, spec.urgency, "case-specific message"
    )
    assert built.outcome is not Outcome.PROCEED, "a reason is always a reason not to simply proceed"


def test_an_uncatalogued_code_cannot_be_raised() -> None:
    with pytest.raises(KeyError):
        reason("looked-fine-to-me", "")


ROUTED = [
    Row("AP, MRI knee, pacemaker, policy routes screening stops to the MR responsible person",
        case(MRI_KNEE, mri_stop_answers=("pacemaker",)),
        escalate("mri-screening-stop", to=MR_RESPONSIBLE_PERSON, urgency=Urgency.URGENT),
        policy=policy_with(routes={"mri-screening-stop": MR_RESPONSIBLE_PERSON})),
    Row("AP, chest PA, not justified, policy routes justification to the radiographer",
        case(CHEST_PA, request=request(justification=None)), escalate("justification-missing"),
        policy=policy_with(routes={"justification-missing": RADIOGRAPHER})),
    Row("AP, chest PA, identity not checked: a route cannot send a reason the operator puts right to anyone",
        case(CHEST_PA, identity=None), stop("identity-not-checked", to=None),
        policy=policy_with(routes={"identity-not-checked": MANAGER})),
    Row("AP, chest PA, trauma and not justified: the supervising radiographer leads",
        case(CHEST_PA, trauma=True, request=request(justification=None)),
        escalate("patient-trauma", "justification-missing")),
]


@pytest.mark.parametrize("row", table(ROUTED))
def test_the_policy_routes_reasons_to_whoever_must_act(row: Row) -> None:
    row.expect.check(row.decide())


def test_a_decision_names_everyone_its_reasons_escalate_to() -> None:
    decision = decide(case(MRI_KNEE, mri_stop_answers=("pacemaker",), request=request(justification=None)), POLICY)
    assert decision.recipients == (PRACTITIONER, MR_AUTHORISED)
    assert decision.escalate_to == PRACTITIONER
