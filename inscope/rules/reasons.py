"""The catalogue of reason codes: each code's outcome, who it escalates to and how urgently.

Codes are stable identifiers: they are stored on examinations and escalations, so never reuse or rename one.
docs/decisions.md is checked against this catalogue by a test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from inscope.rules.decisions import Outcome, Reason, Urgency

# Who must act on a reason: the kinds of recipient an escalation can be routed to. The policy names the people
# of each kind (people[].designations) and may route a reason code to another kind (escalation.routes).
RADIOGRAPHER = "radiographer"  # the supervising radiographer on duty for the operator
MANAGER = "manager"
PRACTITIONER = "practitioner"  # the IR(ME)R practitioner who justifies exposures
MR_AUTHORISED = "mr_authorised"  # staff authorised under the MR local rules to clear screening answers
MR_RESPONSIBLE_PERSON = "mr_responsible_person"
RECIPIENTS = (RADIOGRAPHER, MANAGER, PRACTITIONER, MR_AUTHORISED, MR_RESPONSIBLE_PERSON)

E, S = Outcome.ESCALATE, Outcome.STOP


@dataclass(frozen=True)
class ReasonSpec:
    outcome: Outcome
    escalate_to: str | None
    summary: str
    urgency: Urgency = Urgency.ROUTINE


REASONS: dict[str, ReasonSpec] = {
    # The policy and the protocol
    "policy-not-in-force": ReasonSpec(S, MANAGER, "No approved local policy is in force for the department."),
    "protocol-unknown": ReasonSpec(E, RADIOGRAPHER, "The requested protocol is not in the policy in force."),
    "protocol-not-for-assistant-practitioners": ReasonSpec(
        E, RADIOGRAPHER, "The policy does not let assistant practitioners perform this protocol."
    ),
    # The operator's scope of practice and IR(ME)R entitlement
    "no-operator-role": ReasonSpec(S, RADIOGRAPHER, "The person holds no role that may act as an operator."),
    "outside-role-scope": ReasonSpec(E, RADIOGRAPHER, "The protocol is outside the scope of practice of the role."),
    "personal-restriction": ReasonSpec(E, RADIOGRAPHER, "The policy restricts this person from the protocol."),
    "no-entitlement": ReasonSpec(E, RADIOGRAPHER, "No IR(ME)R operator entitlement covers the protocol."),
    "entitlement-expired": ReasonSpec(E, RADIOGRAPHER, "The operator entitlement has passed its review date."),
    "entitlement-not-yet-in-force": ReasonSpec(E, RADIOGRAPHER, "The operator entitlement starts in the future."),
    "entitlement-revoked": ReasonSpec(E, RADIOGRAPHER, "The employer revoked the operator entitlement."),
    "entitlement-condition-not-met": ReasonSpec(
        E, RADIOGRAPHER, "The case is outside a condition written on the operator's entitlement."
    ),
    "entitlement-condition-unknown": ReasonSpec(
        E, RADIOGRAPHER, "A fact an entitlement condition depends on is not recorded."
    ),
    "task-not-entitled": ReasonSpec(
        E, RADIOGRAPHER, "The AP is not entitled for a pre-examination task the case needs."
    ),
    "entitlement-conditions-unstructured": ReasonSpec(
        E, RADIOGRAPHER, "The entitlement's conditions are free text, which InScope cannot check."
    ),
    "competency-not-signed-off": ReasonSpec(
        E, RADIOGRAPHER, "A competency the entitlement requires has not been signed off."
    ),
    "competency-expired": ReasonSpec(E, RADIOGRAPHER, "A required competency is past its reassessment date."),
    "competency-revoked": ReasonSpec(E, RADIOGRAPHER, "The sign-off of a required competency was revoked."),
    # Supervision
    "supervision-requirement-unknown": ReasonSpec(
        E, RADIOGRAPHER, "The policy does not say how this role must be supervised."
    ),
    "no-supervisor-on-duty": ReasonSpec(S, MANAGER, "No named supervising radiographer is on duty for the operator."),
    "trainee-without-direct-supervisor": ReasonSpec(
        E, RADIOGRAPHER, "A trainee must be directly supervised and no direct supervisor is present."
    ),
    # Patient identification and justification
    "identity-not-checked": ReasonSpec(S, None, "Three-point patient identification has not been recorded."),
    "identity-not-confirmed": ReasonSpec(S, RADIOGRAPHER, "Identification found a mismatch with the request."),
    "identity-cannot-be-confirmed": ReasonSpec(
        E, RADIOGRAPHER, "The patient cannot confirm their identity; the local procedure applies."
    ),
    "justification-missing": ReasonSpec(E, PRACTITIONER, "The exposure is neither justified nor authorised."),
    "justification-declined": ReasonSpec(S, None, "The practitioner declined to justify the exposure."),
    # Patient groups
    "patient-age-unknown": ReasonSpec(E, RADIOGRAPHER, "The patient's age is not known."),
    "patient-below-minimum-age": ReasonSpec(E, RADIOGRAPHER, "The patient is younger than the protocol allows."),
    "patient-above-maximum-age": ReasonSpec(E, RADIOGRAPHER, "The patient is older than the protocol allows."),
    "patient-trauma": ReasonSpec(E, RADIOGRAPHER, "Trauma patients are excluded from this protocol."),
    "trauma-unknown": ReasonSpec(E, RADIOGRAPHER, "Whether the patient is a trauma case is not recorded."),
    "patient-reduced-mobility": ReasonSpec(E, RADIOGRAPHER, "Patients with reduced mobility are excluded."),
    "mobility-unknown": ReasonSpec(E, RADIOGRAPHER, "The patient's mobility is not recorded."),
    "patient-non-cooperative": ReasonSpec(E, RADIOGRAPHER, "The patient cannot co-operate with the examination."),
    "cooperation-unknown": ReasonSpec(E, RADIOGRAPHER, "Whether the patient can co-operate is not recorded."),
    "patient-lacks-capacity": ReasonSpec(E, RADIOGRAPHER, "The patient lacks capacity to consent."),
    "patient-pregnant": ReasonSpec(E, RADIOGRAPHER, "The protocol excludes patients who are or may be pregnant."),
    "capacity-unknown": ReasonSpec(E, RADIOGRAPHER, "The patient's capacity is not recorded."),
    "facts-contradictory": ReasonSpec(E, RADIOGRAPHER, "Recorded facts contradict each other."),
    # Pregnancy enquiry (shared/reference/pregnancy_enquiry_rules.yaml)
    "pregnancy-enquiry-not-recorded": ReasonSpec(E, RADIOGRAPHER, "The pregnancy enquiry has not been recorded."),
    "pregnancy-confirmed": ReasonSpec(E, RADIOGRAPHER, "The patient is or may be pregnant and says so."),
    "pregnancy-not-excluded": ReasonSpec(E, RADIOGRAPHER, "The answer was not a definite no."),
    "pregnancy-lmp-unknown": ReasonSpec(E, RADIOGRAPHER, "Pregnancy is not excluded and the LMP date is unknown."),
    "pregnancy-28-day-rule": ReasonSpec(E, RADIOGRAPHER, "Pregnancy is not excluded and the period is overdue."),
    "pregnancy-10-day-rule": ReasonSpec(
        E, RADIOGRAPHER, "A high-dose examination outside the first 10 days of the cycle."
    ),
    "pregnancy-reported": ReasonSpec(
        E, RADIOGRAPHER, "The patient says she is or may be pregnant, whatever the area examined."
    ),
    "pregnancy-answer-contradicts-lmp": ReasonSpec(
        E, RADIOGRAPHER, "A definite no, but the recorded last period shows the period is overdue."
    ),
    # Modality-specific prerequisites
    "mri-screening-not-recorded": ReasonSpec(E, RADIOGRAPHER, "MRI safety screening has not been recorded."),
    "mri-screening-stop": ReasonSpec(
        E, MR_AUTHORISED, "An MRI safety screening answer flags a stop.", Urgency.URGENT
    ),
    "mri-weight-unknown": ReasonSpec(E, MR_AUTHORISED, "The patient's weight is not recorded for an MR scan."),
    "contrast-checks-not-recorded": ReasonSpec(E, RADIOGRAPHER, "Contrast prerequisites are not recorded."),
    "cannula-not-in-place": ReasonSpec(E, RADIOGRAPHER, "The protocol needs a cannula and none is recorded."),
    # The equipment in the room (its QA checks, faults and return to service)
    "equipment-out-of-service": ReasonSpec(S, MANAGER, "A unit the examination needs is out of service."),
    "equipment-restricted": ReasonSpec(E, RADIOGRAPHER, "A unit the examination needs is restricted."),
    # A supervising radiographer's authorisation after an escalation
    "cannot-authorise-outside-entitlement": ReasonSpec(
        S, RADIOGRAPHER, "The operator is not entitled for this protocol; the radiographer must take over."
    ),
    "authorisation-needs-justification": ReasonSpec(
        S, PRACTITIONER, "The exposure is not justified, so it cannot be authorised or taken over yet."
    ),
    "authoriser-not-designated": ReasonSpec(
        S, MR_AUTHORISED, "Only the staff the policy designates can clear this reason."
    ),
    "authoriser-outside-own-scope": ReasonSpec(
        S, MANAGER, "The radiographer could not perform this examination themselves, so cannot authorise it."
    ),
    # Raised by the operator
    "operator-escalated": ReasonSpec(E, RADIOGRAPHER, "The operator escalated the examination to a radiographer."),
    # After imaging
    "urgent-finding": ReasonSpec(
        E, RADIOGRAPHER, "The operator flagged an urgent or unexpected finding.", Urgency.URGENT
    ),
}


def reason(code: str, message: str) -> Reason:
    """Return the Reason for a catalogued code with a message specific to the case."""
    spec = REASONS[code]
    return Reason(code, spec.outcome, message, spec.escalate_to, spec.urgency)


def routed(found: Reason, routes: dict[str, str]) -> Reason:
    """Return the reason sent to whoever the policy routes its code to (unchanged when the policy is silent)."""
    to = routes.get(found.code)
    if to is None or found.escalate_to is None:
        return found  # a reason nobody must act on (the operator puts it right) stays so
    return replace(found, escalate_to=to)
