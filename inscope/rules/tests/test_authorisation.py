"""After an escalation: a supervising radiographer may authorise the AP to proceed only for a case they could
perform themselves, never for an AP who is not entitled; or take the examination over within their own scope."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from inscope.rules.authorisation import Clearance, may_authorise, may_take_over
from inscope.rules.decisions import Decision
from inscope.rules.evaluate import decide
from inscope.rules.facts import Case, Entitlement, Operator, PregnancyAnswer, Role
from inscope.rules.tests.cases import (
    CHEST_PA,
    CT_ABDOMEN_PELVIS,
    LUMBAR_SPINE,
    MANAGER,
    MR_AUTHORISED,
    MRI_KNEE,
    NOBODY_ON_DUTY,
    POLICY,
    PRACTITIONER,
    RADIOGRAPHER,
    RADIOGRAPHER_OP,
    Expect,
    ap_entitlement,
    ap_with,
    case,
    days_ago,
    lmp_for_cycle_day,
    policy_with,
    proceed,
    request,
    stop,
    table,
)

CT_ONLY = Entitlement(frozenset({"operator"}), frozenset({"CT"}), frozenset(), "m.okafor", days_ago(900), None)
CT_RADIOGRAPHER = Operator("r.singh", frozenset({Role.RADIOGRAPHER}), (CT_ONLY,))
LAPSED_AP = ap_with(ap_entitlement(review_date=days_ago(1)))


@dataclass(frozen=True)
class Authorisation:
    """The AP's case and the same case with the supervising radiographer as operator."""

    case: str
    operator_case: Case
    expect: Expect
    authoriser: Operator = RADIOGRAPHER_OP
    clearance: Clearance = Clearance()

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.expect}"

    def decisions(self) -> tuple[Decision, Decision]:
        authoriser_case = replace(self.operator_case, operator=self.authoriser)
        return decide(self.operator_case, POLICY), decide(authoriser_case, POLICY)


AUTHORISE = [
    Authorisation("AP escalated a trauma chest PA; the radiographer could do it", case(CHEST_PA, trauma=True),
                  proceed()),
    Authorisation("AP escalated a lumbar spine, 'possibly pregnant', cycle day 20",
                  case(LUMBAR_SPINE, pregnancy_answer=PregnancyAnswer.POSSIBLY,
                       last_menstrual_period=lmp_for_cycle_day(20)), proceed()),
    Authorisation("AP escalated a lumbar spine, 'possibly pregnant', cycle day 35 (the radiographer's call)",
                  case(LUMBAR_SPINE, pregnancy_answer=PregnancyAnswer.POSSIBLY,
                       last_menstrual_period=lmp_for_cycle_day(35)), proceed()),
    Authorisation("AP whose entitlement lapsed yesterday", case(CHEST_PA, by=LAPSED_AP),
                  stop("cannot-authorise-outside-entitlement", to=RADIOGRAPHER)),
    Authorisation("AP asked to do a CT abdomen-pelvis", case(CT_ABDOMEN_PELVIS),
                  stop("cannot-authorise-outside-entitlement", to=RADIOGRAPHER)),
    Authorisation("AP restricted from lumbar spine", case(LUMBAR_SPINE, by=ap_with(
        ap_entitlement(), excluded_protocols=frozenset({"XLSPN"}))),
                  stop("cannot-authorise-outside-entitlement", to=RADIOGRAPHER)),
    Authorisation("AP escalated a trauma chest PA; the supervisor is entitled for CT only",
                  case(CHEST_PA, trauma=True), stop("authoriser-outside-own-scope", to=MANAGER),
                  authoriser=CT_RADIOGRAPHER),
    Authorisation("lapsed AP and a CT-only supervisor", case(CHEST_PA, by=LAPSED_AP),
                  stop("cannot-authorise-outside-entitlement", "authoriser-outside-own-scope", to=RADIOGRAPHER),
                  authoriser=CT_RADIOGRAPHER),
    Authorisation("identity not checked: the radiographer could not proceed either",
                  case(CHEST_PA, identity=None), stop("authoriser-outside-own-scope", to=MANAGER)),
    Authorisation("AP escalated an MRI knee for a pacemaker (the radiographer must clear it)",
                  case(MRI_KNEE, mri_stop_answers=("cardiac pacemaker",)), proceed()),
    Authorisation("AP with nobody on duty (the authorising radiographer now supervises)",
                  case(CHEST_PA, supervision=NOBODY_ON_DUTY), proceed()),
]

TAKE_OVER = [
    Authorisation("radiographer takes over a trauma chest PA", case(CHEST_PA, trauma=True), proceed()),
    Authorisation("radiographer takes over a lumbar spine for a patient who is pregnant",
                  case(LUMBAR_SPINE, pregnancy_answer=PregnancyAnswer.PREGNANT), proceed()),
    Authorisation("radiographer takes over a CT abdomen-pelvis an AP could not do", case(CT_ABDOMEN_PELVIS),
                  proceed()),
    Authorisation("CT-only radiographer asked to take over a chest PA", case(CHEST_PA),
                  stop("authoriser-outside-own-scope", to=MANAGER), authoriser=CT_RADIOGRAPHER),
    Authorisation("radiographer takes over, but identity is not checked", case(CHEST_PA, identity=None),
                  stop("authoriser-outside-own-scope", to=MANAGER)),
]


MR_DESIGNATED = Clearance(designated_kinds=frozenset({MR_AUTHORISED}))
PACEMAKER = case(MRI_KNEE, mri_stop_answers=("cardiac pacemaker",))
CLEARANCE = [
    Authorisation("pacemaker on an MR knee; the policy names MR-authorised staff and she is one",
                  PACEMAKER, proceed(), clearance=replace(MR_DESIGNATED, designations=frozenset({MR_AUTHORISED}))),
    Authorisation("pacemaker on an MR knee; the policy names MR-authorised staff and he is not one",
                  PACEMAKER, stop("authoriser-not-designated", to=MR_AUTHORISED), clearance=MR_DESIGNATED),
    Authorisation("pacemaker on an MR knee; the policy names nobody MR-authorised (any radiographer, as before)",
                  PACEMAKER, proceed()),
    Authorisation("trauma chest PA; MR designations do not matter outside MR", case(CHEST_PA, trauma=True),
                  proceed(), clearance=MR_DESIGNATED),
    Authorisation("request not justified: record the justification, do not authorise it away",
                  case(CHEST_PA, request=request(justification=None)),
                  stop("authorisation-needs-justification", to=PRACTITIONER)),
]


@pytest.mark.parametrize("row", table(CLEARANCE))
def test_only_the_people_the_policy_designates_clear_mr_screening_and_nobody_clears_justification(
    row: Authorisation,
) -> None:
    operator_decision, authoriser_decision = row.decisions()
    row.expect.check(may_authorise(operator_decision, authoriser_decision, row.clearance))
    row.expect.check(may_take_over(authoriser_decision, row.clearance))


@pytest.mark.parametrize("row", table(AUTHORISE))
def test_a_radiographer_may_authorise_only_what_they_could_do_for_an_entitled_ap(row: Authorisation) -> None:
    operator_decision, authoriser_decision = row.decisions()
    verdict = may_authorise(operator_decision, authoriser_decision)
    row.expect.check(verdict)
    assert (verdict.required_checks, verdict.policy_version) == (
        operator_decision.required_checks, operator_decision.policy_version
    )


@pytest.mark.parametrize("row", table(TAKE_OVER))
def test_a_radiographer_may_take_over_within_their_own_scope(row: Authorisation) -> None:
    _, authoriser_decision = row.decisions()
    row.expect.check(may_take_over(authoriser_decision))


def test_no_one_can_authorise_when_the_policy_does_not_say_how_aps_are_supervised() -> None:
    unsupervised = policy_with(supervision={})
    operator_decision = decide(case(CHEST_PA), unsupervised)
    verdict = may_authorise(operator_decision, decide(case(CHEST_PA, by=RADIOGRAPHER_OP), unsupervised))
    stop("cannot-authorise-outside-entitlement", to=RADIOGRAPHER).check(verdict)
