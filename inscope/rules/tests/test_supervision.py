"""Supervision: a named supervisor on duty for every assistant practitioner, in the room for a trainee;
registered operators need none."""

from __future__ import annotations

import pytest

from inscope.rules.facts import Operator, Role, Supervision
from inscope.rules.supervision import required_supervision
from inscope.rules.tests.cases import (
    AP,
    AP_ENTITLEMENT,
    CHEST_PA,
    CT_ABDOMEN_PELVIS,
    MANAGER,
    NOBODY_ON_DUTY,
    POLICY,
    RADIOGRAPHER_ENTITLEMENT,
    RADIOGRAPHER_OP,
    TRAINEE,
    Row,
    ap_with,
    case,
    escalate,
    policy_with,
    proceed,
    stop,
    supervision,
    table,
)

TRAINEE_WHO_IS_ALSO_AP = Operator("t.reid", frozenset({Role.TRAINEE_AP, Role.AP}), (AP_ENTITLEMENT,))
AP_AND_RADIOGRAPHER = Operator("p.patel", frozenset({Role.AP, Role.RADIOGRAPHER}), (RADIOGRAPHER_ENTITLEMENT,))

ROWS = [
    Row("qualified AP, supervisor on duty and immediately available, not in the room",
        case(CHEST_PA, supervision=supervision(direct_supervisor_present=False)), proceed()),
    Row("qualified AP, supervisor on duty, presence in the room not recorded",
        case(CHEST_PA, supervision=supervision(direct_supervisor_present=None)), proceed()),
    Row("qualified AP, two supervisors on duty", case(CHEST_PA, supervision=supervision(
        supervisors_on_duty=("r.hughes", "r.singh"))), proceed()),
    Row("qualified AP, no named supervisor on duty", case(CHEST_PA, supervision=NOBODY_ON_DUTY),
        stop("no-supervisor-on-duty", to=MANAGER)),
    Row("trainee AP, chest PA, supervisor in the room", case(CHEST_PA, by=TRAINEE), proceed()),
    Row("trainee AP, chest PA, supervisor on duty but not in the room",
        case(CHEST_PA, by=TRAINEE, supervision=supervision(direct_supervisor_present=False)),
        escalate("trainee-without-direct-supervisor")),
    Row("trainee AP, chest PA, supervisor's presence not recorded",
        case(CHEST_PA, by=TRAINEE, supervision=supervision(direct_supervisor_present=None)),
        escalate("trainee-without-direct-supervisor")),
    Row("trainee AP, chest PA, nobody on duty to supervise",
        case(CHEST_PA, by=TRAINEE, supervision=NOBODY_ON_DUTY),
        stop("no-supervisor-on-duty", "trainee-without-direct-supervisor", to=MANAGER)),
    Row("trainee who also holds the AP role (the trainee rule wins), supervisor not in the room",
        case(CHEST_PA, by=TRAINEE_WHO_IS_ALSO_AP, supervision=supervision(direct_supervisor_present=False)),
        escalate("trainee-without-direct-supervisor")),
    Row("qualified AP, the policy does not say how APs are supervised",
        case(CHEST_PA), escalate("supervision-requirement-unknown"),
        policy=policy_with(supervision={Role.TRAINEE_AP: Supervision.DIRECT})),
    Row("qualified AP, the policy does not say how APs are supervised, and nobody is on duty: both reasons",
        case(CHEST_PA, supervision=NOBODY_ON_DUTY),
        stop("supervision-requirement-unknown", "no-supervisor-on-duty", to=MANAGER),
        policy=policy_with(supervision={Role.TRAINEE_AP: Supervision.DIRECT})),
    Row("qualified AP, the policy requires direct supervision of APs, supervisor not in the room",
        case(CHEST_PA, supervision=supervision(direct_supervisor_present=False)),
        escalate("trainee-without-direct-supervisor"),
        policy=policy_with(supervision={Role.TRAINEE_AP: Supervision.DIRECT, Role.AP: Supervision.DIRECT})),
    Row("registered radiographer, nobody on duty", case(CT_ABDOMEN_PELVIS, by=RADIOGRAPHER_OP,
        supervision=NOBODY_ON_DUTY), proceed()),
    Row("AP who has registered as a radiographer, nobody on duty",
        case(CT_ABDOMEN_PELVIS, by=AP_AND_RADIOGRAPHER, supervision=NOBODY_ON_DUTY), proceed()),
    Row("registered radiographer, the policy names no supervision at all",
        case(CT_ABDOMEN_PELVIS, by=RADIOGRAPHER_OP), proceed(), policy=policy_with(supervision={})),
    Row("qualified AP, nobody on duty and the patient is a trauma case (stop beats escalate)",
        case(CHEST_PA, supervision=NOBODY_ON_DUTY, trauma=True),
        stop("no-supervisor-on-duty", "patient-trauma", to=MANAGER)),
]


@pytest.mark.parametrize("row", table(ROWS))
def test_an_assistant_practitioner_works_only_under_the_supervision_the_policy_requires(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize(
    ("operator", "required"),
    [
        pytest.param(AP, Supervision.INDIRECT, id="qualified AP -> indirect"),
        pytest.param(TRAINEE, Supervision.DIRECT, id="trainee AP -> direct"),
        pytest.param(TRAINEE_WHO_IS_ALSO_AP, Supervision.DIRECT, id="trainee and AP -> direct"),
        pytest.param(RADIOGRAPHER_OP, None, id="radiographer -> none"),
        pytest.param(ap_with(roles=frozenset({Role.MANAGER})), None, id="manager -> none"),
    ],
)
def test_the_policy_names_how_each_assistant_practitioner_role_is_supervised(
    operator: Operator, required: Supervision | None
) -> None:
    assert required_supervision(operator, POLICY) is required
