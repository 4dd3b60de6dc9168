"""The decision at the point of care: may this operator perform this protocol on this patient now?

Every rule contributes reasons; the most severe outcome wins. Unknown facts produce reasons of their own,
so nothing unknown can yield ``proceed``.
"""

from __future__ import annotations

from inscope.rules.conditions import condition_reasons
from inscope.rules.decisions import Decision, Reason
from inscope.rules.equipment import equipment_reasons
from inscope.rules.facts import (
    Case,
    Check,
    Identity,
    Justification,
    Operator,
    Patient,
    PatientGroup,
    PatientLimits,
    Policy,
    Protocol,
    Request,
)
from inscope.rules.patient_groups import contradiction_reasons, limit_reasons
from inscope.rules.pregnancy import enquiry_required, pregnancy_reasons
from inscope.rules.reasons import reason, routed
from inscope.rules.scope import (
    acting_roles,
    entitlement_reasons,
    is_assistant_practitioner,
    role_scope_reasons,
    task_reasons,
)
from inscope.rules.supervision import supervision_reasons

ALWAYS_REQUIRED = (Check.IDENTITY, Check.JUSTIFICATION)

# A required check with no recorded answer, for the groups a protocol may require without excluding.
_UNKNOWN_WHEN_REQUIRED = {
    Check.COOPERATION: ("cooperative", "cooperation-unknown"),
    Check.CAPACITY: ("has_capacity", "capacity-unknown"),
    Check.MOBILITY: ("mobility", "mobility-unknown"),
}


def is_mr(protocol: Protocol) -> bool:
    return protocol.modality == "MR" or Check.MRI_SAFETY in protocol.checks


def protocol_limits(protocol: Protocol, operator: Operator) -> list[tuple[PatientLimits, str]]:
    """Return the patient limits that bind this operator on this protocol, each with words naming whose they are:
    the age range binds everyone, excluded groups and mobility bind APs, role limits bind the roles they name."""
    found = [(PatientLimits(protocol.min_age, protocol.max_age), f"{protocol.name}'s limits")]
    if is_assistant_practitioner(operator):
        found.append(
            (
                PatientLimits(excluded_groups=protocol.excluded_groups, mobility=protocol.mobility),
                f"{protocol.name}'s limits for assistant practitioners",
            )
        )
    roles = acting_roles(operator)
    for limit in protocol.role_limits:
        if limit.roles & roles:
            named = ", ".join(sorted(r.value.replace("_", " ") for r in limit.roles & roles))
            found.append((limit.limits, f"{protocol.name}'s limits for {named}s"))
    return found


def required_checks(case: Case, protocol: Protocol, policy: Policy) -> tuple[Check, ...]:
    """Return the pre-examination checks this protocol needs for this patient, in checklist order."""
    needed = set(ALWAYS_REQUIRED) | set(protocol.checks)
    pregnancy_excluded = any(
        PatientGroup.PREGNANT in limits.excluded_groups for limits, _ in protocol_limits(protocol, case.operator)
    )
    if enquiry_required(case.patient, protocol, policy.pregnancy) or (
        pregnancy_excluded and case.patient.childbearing_potential is not False
    ):
        needed.add(Check.PREGNANCY)
    if is_mr(protocol):
        needed.add(Check.MRI_SAFETY)
    return tuple(check for check in Check if check in needed)


def decide(case: Case, policy: Policy | None) -> Decision:
    """Decide whether the case may proceed, must be escalated, or must stop, with every reason."""
    if policy is None:
        return no_policy_decision()
    protocol = policy.protocols.get(case.request.protocol_code)
    supervision = supervision_reasons(case.operator, case.supervision, policy)
    if protocol is None:
        unknown = reason(
            "protocol-unknown",
            f"Protocol {case.request.protocol_code!r} is not in policy {policy.version}; a radiographer must decide.",
        )
        return _decision([unknown, *supervision, *equipment_reasons(case.equipment)], policy, required=(), notes=[])

    ap = is_assistant_practitioner(case.operator)
    pregnancy, notes = pregnancy_reasons(
        case.patient, protocol, policy.pregnancy, on=case.on, assistant_practitioner=ap
    )
    checks = required_checks(case, protocol, policy)
    reasons = [
        *role_scope_reasons(case.operator, protocol, policy),
        *entitlement_reasons(
            case.operator,
            protocol,
            case.on,
            conditions_met=lambda conditions: condition_reasons(conditions, case, protocol, policy.pregnancy),
        ),
        *task_reasons(case.operator, protocol, checks, case.request, case.on),
        *supervision,
        *_identity_and_justification_reasons(case.patient, case.request),
        *contradiction_reasons(case.patient, case.on),
        *(
            found
            for limits, whose in protocol_limits(protocol, case.operator)
            for found in limit_reasons(case.patient, limits, policy.pregnancy, whose=whose)
        ),
        *_unanswered_check_reasons(case.patient, protocol),
        *pregnancy,
        *_prerequisite_reasons(case.patient, protocol),
        *equipment_reasons(case.equipment),
    ]
    return _decision(reasons, policy, required=tuple(c.value for c in checks), notes=notes)


def _decision(reasons: list[Reason], policy: Policy, *, required: tuple[str, ...], notes: list[str]) -> Decision:
    kept = [routed(r, policy.routes) for r in _unique(reasons)]
    return Decision.from_reasons(kept, required_checks=required, policy_version=policy.version, notes=tuple(notes))


def no_policy_decision() -> Decision:
    """Return the decision when the department has no approved policy in force."""
    missing = reason("policy-not-in-force", "No approved local policy is in force; nothing can be decided.")
    return Decision.from_reasons([missing], required_checks=(), policy_version="")


def _identity_and_justification_reasons(patient: Patient, request: Request) -> list[Reason]:
    reasons = []
    if patient.identity is None:
        reasons.append(reason("identity-not-checked", "Confirm name, date of birth and address with the patient."))
    elif patient.identity is Identity.MISMATCH:
        reasons.append(
            reason("identity-not-confirmed", "A detail the patient gave does not match the request. Do not expose.")
        )
    elif patient.identity is Identity.CANNOT_CONFIRM:
        reasons.append(
            reason(
                "identity-cannot-be-confirmed",
                "The patient cannot confirm their own details; a radiographer follows the local identification "
                "procedure (wristband, carer, ward staff) before any exposure.",
            )
        )
    if request.justification is Justification.DECLINED:
        who = f" ({request.justified_by})" if request.justified_by else ""
        reasons.append(
            reason(
                "justification-declined",
                f"The practitioner{who} declined to justify this exposure; it must not go ahead. "
                "Return the request to the referrer.",
            )
        )
    elif request.justification not in (Justification.JUSTIFIED, Justification.AUTHORISED):
        reasons.append(
            reason("justification-missing", "The request has not been justified or authorised for this exposure.")
        )
    return reasons


def _unanswered_check_reasons(patient: Patient, protocol: Protocol) -> list[Reason]:
    reasons = []
    for check, (attribute, code) in _UNKNOWN_WHEN_REQUIRED.items():
        if check in protocol.checks and getattr(patient, attribute) is None:
            reasons.append(reason(code, f"The protocol requires the {check.value} check; record its answer."))
    return reasons


def _prerequisite_reasons(patient: Patient, protocol: Protocol) -> list[Reason]:
    reasons = []
    if is_mr(protocol):
        if patient.mri_stop_answers is None:
            reasons.append(reason("mri-screening-not-recorded", "Complete MRI safety screening with the patient."))
        elif patient.mri_stop_answers:
            flagged = "; ".join(patient.mri_stop_answers)
            reasons.append(
                reason(
                    "mri-screening-stop",
                    f"Screening flags a stop ({flagged}). Do not enter the MR controlled access area; "
                    "an MR-authorised radiographer must clear it.",
                )
            )
        if patient.weight_kg is None:
            reasons.append(
                reason(
                    "mri-weight-unknown",
                    "Record the patient's weight: the scanner's SAR limits depend on it, and an MR scan must not "
                    "start without it.",
                )
            )
    if Check.CONTRAST in protocol.checks and patient.contrast_checks_done is not True:
        reasons.append(
            reason("contrast-checks-not-recorded", "Record the contrast checks (allergy, renal function).")
        )
    if Check.CANNULATION in protocol.checks and patient.cannula_in_place is not True:
        reasons.append(reason("cannula-not-in-place", "The protocol needs a cannula in place; none is recorded."))
    return reasons


def _unique(reasons: list[Reason]) -> list[Reason]:
    seen: set[str] = set()
    kept = []
    for r in reasons:
        if r.code not in seen:
            seen.add(r.code)
            kept.append(r)
    return kept
