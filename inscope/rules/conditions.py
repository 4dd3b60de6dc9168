"""Conditions on a person's entitlement: the employer entitles someone for a protocol "for non-trauma adults
only", "left or right, not bilateral", "GP and outpatient referrals", "under direct supervision" (IR(ME)R 2017
Schedule 2(b): the employer identifies the individuals entitled and the scope of what they may do).

A condition narrows one entitlement, not the protocol: a case outside it is not covered by that entitlement
(another may still cover it). A fact a condition needs that is not recorded escalates, as everywhere.
"""

from __future__ import annotations

from inscope.rules.decisions import Reason
from inscope.rules.facts import Case, Conditions, Laterality, PregnancyPolicy, Protocol, Request, Setting
from inscope.rules.patient_groups import breaches
from inscope.rules.reasons import reason


def _either(values: frozenset[Laterality] | frozenset[Setting]) -> str:
    return " or ".join(sorted(v.value.replace("_", " ") for v in values))


def _request_gaps(conditions: Conditions, request: Request) -> tuple[list[str], list[str]]:
    """Return (facts not recorded, ways outside) for the conditions on the request's side and setting."""
    unknown: list[str] = []
    outside: list[str] = []
    if conditions.laterality:
        side = request.laterality
        if side is None:
            unknown.append("record which side the request is for")
        elif side not in conditions.laterality:
            side_text = side.value.replace("_", " ")
            outside.append(f"it covers {_either(conditions.laterality)}, and the request is {side_text}")
    if conditions.settings:
        setting = request.setting
        if setting is None:
            unknown.append("record where the referral comes from (GP, outpatient, inpatient or emergency)")
        elif setting not in conditions.settings:
            outside.append(f"it covers {_either(conditions.settings)} referrals, and this one is {setting.value}")
    return unknown, outside


def condition_reasons(
    conditions: Conditions, case: Case, protocol: Protocol, pregnancy: PregnancyPolicy
) -> list[Reason]:
    """Return why the case is outside the entitlement's conditions; empty when it is within them."""
    if conditions.unstructured:
        return [
            reason(
                "entitlement-conditions-unstructured",
                f"Your entitlement for {protocol.name} has conditions written as text ({conditions.unstructured!r}), "
                "which InScope cannot check; the manager must write them as structured conditions.",
            )
        ]
    unknown, outside = _request_gaps(conditions, case.request)
    for breach in breaches(case.patient, conditions.patients, pregnancy):
        (unknown if breach.unknown else outside).append(breach.text)
    if conditions.body_regions and protocol.body_region.lower() not in conditions.body_regions:
        outside.append(f"it covers {', '.join(sorted(conditions.body_regions))}, not {protocol.body_region}")
    if conditions.direct_supervision and case.supervision.direct_supervisor_present is not True:
        outside.append("it holds only with a supervisor in the room, and none is recorded as present")
    reasons = []
    if outside:
        reasons.append(
            reason(
                "entitlement-condition-not-met",
                f"Your entitlement for {protocol.name} does not cover this case: {'; '.join(outside)}.",
            )
        )
    if unknown:
        reasons.append(
            reason(
                "entitlement-condition-unknown",
                f"Your entitlement for {protocol.name} has conditions not yet checkable: {'; '.join(unknown)}.",
            )
        )
    return reasons
