"""Scope of practice and IR(ME)R operator entitlement: who may perform which protocol, and on which date."""

from __future__ import annotations

import pytest

from inscope.rules.facts import Entitlement, Operator, Role
from inscope.rules.scope import is_assistant_practitioner
from inscope.rules.tests.cases import (
    AP_ENTITLEMENT,
    CHEST_AP_TROLLEY,
    CHEST_PA,
    CT_ABDOMEN_PELVIS,
    HAND,
    LUMBAR_SPINE,
    MANAGER,
    MANAGER_OP,
    MRI_KNEE,
    NM_BONE_SCAN,
    NOBODY_ON_DUTY,
    RADIOGRAPHER,
    RADIOGRAPHER_ENTITLEMENT,
    RADIOGRAPHER_OP,
    TODAY,
    TRAINEE,
    Row,
    ap_entitlement,
    ap_with,
    case,
    days_ago,
    days_ahead,
    escalate,
    proceed,
    stop,
    table,
)

ROLE_SCOPE = [
    Row("qualified AP, chest PA, co-operative adult, all checks done", case(CHEST_PA), proceed()),
    Row("qualified AP, hand, co-operative adult", case(HAND), proceed()),
    Row("qualified AP, lumbar spine, 40-year-old who is definitely not pregnant", case(LUMBAR_SPINE), proceed()),
    Row("qualified AP, MRI knee, clear safety screen", case(MRI_KNEE), proceed()),
    Row(
        "qualified AP, CT abdomen-pelvis (a radiographer's examination)",
        case(CT_ABDOMEN_PELVIS),
        escalate("protocol-not-for-assistant-practitioners", "outside-role-scope", "no-entitlement"),
    ),
    Row(
        "qualified AP, chest AP on a trolley (radiographers only), XR entitlement for every protocol",
        case(CHEST_AP_TROLLEY, by=ap_with(ap_entitlement(protocols=frozenset()))),
        escalate("protocol-not-for-assistant-practitioners", "outside-role-scope"),
    ),
    Row(
        "trainee AP, MRI knee (outside the trainee's scope and entitlement)",
        case(MRI_KNEE, by=TRAINEE),
        escalate("outside-role-scope", "no-entitlement"),
    ),
    Row("trainee AP, chest PA, supervisor in the room", case(CHEST_PA, by=TRAINEE), proceed()),
    Row(
        "qualified AP whom the policy restricts from lumbar spine",
        case(LUMBAR_SPINE, by=ap_with(AP_ENTITLEMENT, excluded_protocols=frozenset({"XLSPN"}))),
        escalate("personal-restriction"),
    ),
    Row(
        "qualified AP restricted from lumbar spine, asked for a chest PA",
        case(CHEST_PA, by=ap_with(AP_ENTITLEMENT, excluded_protocols=frozenset({"XLSPN"}))),
        proceed(),
    ),
    Row("manager with no operating role, chest PA", case(CHEST_PA, by=MANAGER_OP),
        stop("no-operator-role", "no-entitlement", to=RADIOGRAPHER)),
    Row(
        "administrator holding an entitlement but no operating role",
        case(CHEST_PA, by=ap_with(AP_ENTITLEMENT, roles=frozenset({Role.ADMINISTRATOR}))),
        stop("no-operator-role", to=RADIOGRAPHER),
    ),
    Row("qualified AP, protocol not in the policy (XR skull)", case("XSKUL"), escalate("protocol-unknown")),
    Row(
        "qualified AP, protocol not in the policy, nobody on duty to supervise",
        case("XSKUL", supervision=NOBODY_ON_DUTY),
        stop("protocol-unknown", "no-supervisor-on-duty", to=MANAGER),
    ),
    Row("no approved local policy in force", case(CHEST_PA), stop("policy-not-in-force", to=MANAGER), policy=None),
]

ENTITLEMENT = [
    Row("qualified AP holding no entitlement", case(CHEST_PA, by=ap_with()), escalate("no-entitlement")),
    Row(
        "qualified AP entitled for MR only, chest PA",
        case(CHEST_PA, by=ap_with(ap_entitlement(modalities=frozenset({"MR"})))),
        escalate("no-entitlement"),
    ),
    Row(
        "qualified AP entitled for chest PA only, lumbar spine",
        case(LUMBAR_SPINE, by=ap_with(ap_entitlement(protocols=frozenset({"XCHES"})))),
        escalate("no-entitlement"),
    ),
    Row(
        "qualified AP entitled as referrer only, not as operator",
        case(CHEST_PA, by=ap_with(ap_entitlement(tasks=frozenset({"referrer"})))),
        escalate("no-entitlement"),
    ),
    Row(
        "qualified AP entitled for every XR protocol (no protocol list), chest PA",
        case(CHEST_PA, by=ap_with(ap_entitlement(protocols=frozenset()))),
        proceed(),
    ),
    Row("entitlement reviewed today (the review date is still valid)",
        case(by=ap_with(ap_entitlement(review_date=TODAY))), proceed()),
    Row(
        "entitlement whose review date was yesterday",
        case(by=ap_with(ap_entitlement(review_date=days_ago(1)))),
        escalate("entitlement-expired"),
    ),
    Row("entitlement with no review date", case(by=ap_with(ap_entitlement(review_date=None))), proceed()),
    Row("entitlement starting today", case(by=ap_with(ap_entitlement(entitled_on=TODAY))), proceed()),
    Row(
        "entitlement starting tomorrow",
        case(by=ap_with(ap_entitlement(entitled_on=days_ahead(1), review_date=days_ahead(730)))),
        escalate("entitlement-not-yet-in-force"),
    ),
    Row(
        "a lapsed entitlement and a renewed one in force",
        case(by=ap_with(ap_entitlement(review_date=days_ago(30)), ap_entitlement(entitled_on=days_ago(29)))),
        proceed(),
    ),
    Row(
        "a lapsed entitlement and a renewal that starts next week",
        case(by=ap_with(ap_entitlement(review_date=days_ago(30)), ap_entitlement(entitled_on=days_ahead(7)))),
        escalate("entitlement-expired"),
    ),
    Row(
        "a lapsed entitlement for chest PA and a current one for hand only",
        case(by=ap_with(ap_entitlement(review_date=days_ago(1)), ap_entitlement(protocols=frozenset({"XHAND"})))),
        escalate("entitlement-expired"),
    ),
]

RADIOGRAPHER_WHO_WAS_AN_AP = Operator("r.hughes", frozenset({Role.RADIOGRAPHER, Role.AP}), (RADIOGRAPHER_ENTITLEMENT,))
XR_ONLY = Entitlement(frozenset({"operator"}), frozenset({"XR"}), frozenset(), "m.okafor", days_ago(900), None)

REGISTERED = [
    Row("registered radiographer, CT abdomen-pelvis, contrast checked, cannula in",
        case(CT_ABDOMEN_PELVIS, by=RADIOGRAPHER_OP), proceed()),
    Row("registered radiographer, chest AP on a trolley", case(CHEST_AP_TROLLEY, by=RADIOGRAPHER_OP), proceed()),
    Row("registered radiographer, MRI knee", case(MRI_KNEE, by=RADIOGRAPHER_OP), proceed()),
    Row("registered radiographer, NM bone scan, definitely not pregnant", case(NM_BONE_SCAN, by=RADIOGRAPHER_OP),
        proceed()),
    Row(
        "radiographer who also holds the AP role, CT abdomen-pelvis (acts as registered)",
        case(CT_ABDOMEN_PELVIS, by=RADIOGRAPHER_WHO_WAS_AN_AP),
        proceed(),
    ),
    Row(
        "registered radiographer without a CT entitlement, CT abdomen-pelvis",
        case(CT_ABDOMEN_PELVIS, by=Operator("r.hughes", frozenset({Role.RADIOGRAPHER}), (XR_ONLY,))),
        escalate("no-entitlement"),
    ),
]


@pytest.mark.parametrize("row", table(ROLE_SCOPE))
def test_the_role_and_the_policy_decide_which_protocols_are_in_scope(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(ENTITLEMENT))
def test_a_current_operator_entitlement_must_cover_the_protocol_on_the_day(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize("row", table(REGISTERED))
def test_registered_staff_work_to_their_own_scope_not_the_assistant_practitioner_limits(row: Row) -> None:
    row.expect.check(row.decide())


@pytest.mark.parametrize(
    ("roles", "acts_as_ap"),
    [
        pytest.param({Role.AP}, True, id="qualified AP"),
        pytest.param({Role.TRAINEE_AP}, True, id="trainee AP"),
        pytest.param({Role.AP, Role.MANAGER}, True, id="AP who is also a manager"),
        pytest.param({Role.AP, Role.RADIOGRAPHER}, False, id="AP who has since registered as a radiographer"),
        pytest.param({Role.TRAINEE_AP, Role.SONOGRAPHER}, False, id="trainee AP who is a sonographer"),
        pytest.param({Role.RADIOGRAPHER}, False, id="radiographer"),
        pytest.param({Role.MANAGER}, False, id="manager"),
    ],
)
def test_only_staff_without_a_registered_operating_role_act_as_assistant_practitioners(
    roles: set[Role], acts_as_ap: bool
) -> None:
    assert is_assistant_practitioner(Operator("someone", frozenset(roles))) is acts_as_ap
