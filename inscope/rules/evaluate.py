"""The decision at the point of care: may this operator perform this protocol on this patient now?

Every rule contributes reasons; the most severe outcome wins. Unknown facts produce reasons of their own,
so nothing unknown can yield ``proceed``.
"""

from __future__ import annotations

from inscope.rules.decisions import Decision, Reason
from inscope.rules.facts import Case, Check, Patient, PatientGroup, Policy, Protocol, Request
from inscope.rules.patient_groups import age_reasons, contradiction_reasons, group_reasons
from inscope.rules.pregnancy import enquiry_required, pregnancy_reasons
from inscope.rules.reasons import reason
from inscope.rules.scope import entitlement_reasons, is_assistant_practitioner, role_scope_reasons
from inscope.rules.supervision import supervision_reasons

ALWAYS_REQUIRED = (Check.IDENTITY, Check.JUSTIFICATION)

# A required check with no recorded answer, for the groups a protocol may require without excluding.
_UNKNOWN_WHEN_REQUIRED = {
    Check.COOPERATION: (PatientGroup.NON_COOPERATIVE, "cooperative", "cooperation-unknown"),
    Check.CAPACITY: (PatientGroup.LACKS_CAPACITY, "has_capacity", "capacity-unknown"),
    Check.MOBILITY: (PatientGroup.REDUCED_MOBILITY, "mobility", "mobility-unknown"),
}


def required_checks(patient: Patient, protocol: Protocol, policy: Policy) -> tuple[Check, ...]:
    """Return the pre-examination checks this protocol needs for this patient, in checklist order."""
    needed = set(ALWAYS_REQUIRED) | set(protocol.checks)
    if enquiry_required(patient, protocol, policy.pregnancy):
        needed.add(Check.PREGNANCY)
    if protocol.modality == "MR":
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
        return Decision.from_reasons([unknown, *supervision], required_checks=(), policy_version=policy.version)

    ap = is_assistant_practitioner(case.operator)
    pregnancy, notes = pregnancy_reasons(
        case.patient, protocol, policy.pregnancy, on=case.on, assistant_practitioner=ap
    )
    reasons = [
        *role_scope_reasons(case.operator, protocol, policy),
        *entitlement_reasons(case.operator, protocol, case.on),
        *supervision,
        *_identity_and_justification_reasons(case.patient, case.request),
        *contradiction_reasons(case.patient, case.on),
        *age_reasons(case.patient, protocol),
        *(group_reasons(case.patient, protocol) if ap else []),
        *_unanswered_check_reasons(case.patient, protocol),
        *pregnancy,
        *_prerequisite_reasons(case.patient, protocol),
    ]
    checks = tuple(c.value for c in required_checks(case.patient, protocol, policy))
    return Decision.from_reasons(
        _unique(reasons), required_checks=checks, policy_version=policy.version, notes=tuple(notes)
    )


def no_policy_decision() -> Decision:
    """Return the decision when the department has no approved policy in force."""
    missing = reason("policy-not-in-force", "No approved local policy is in force; nothing can be decided.")
    return Decision.from_reasons([missing], required_checks=(), policy_version="")


def _identity_and_justification_reasons(patient: Patient, request: Request) -> list[Reason]:
    reasons = []
    if patient.identity_confirmed is None:
        reasons.append(reason("identity-not-checked", "Confirm name, date of birth and address with the patient."))
    elif not patient.identity_confirmed:
        reasons.append(
            reason("identity-not-confirmed", "The patient's identity was not confirmed. Do not expose; escalate.")
        )
    if request.justified is not True and request.authorised_under_guidelines is not True:
        reasons.append(
            reason("justification-missing", "The request has not been justified or authorised for this exposure.")
        )
    return reasons


def _unanswered_check_reasons(patient: Patient, protocol: Protocol) -> list[Reason]:
    reasons = []
    for check, (_group, attribute, code) in _UNKNOWN_WHEN_REQUIRED.items():
        if check in protocol.checks and getattr(patient, attribute) is None:
            reasons.append(reason(code, f"The protocol requires the {check.value} check; record its answer."))
    return reasons


def _prerequisite_reasons(patient: Patient, protocol: Protocol) -> list[Reason]:
    reasons = []
    if Check.MRI_SAFETY in protocol.checks or protocol.modality == "MR":
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
