"""Whether a supervising radiographer may authorise an assistant practitioner to proceed after an escalation.

A radiographer may accept responsibility for a case outside the AP's protocol (a patient group, a pregnancy
answer) only if they could perform it themselves. Nobody can authorise an operator who is not entitled:
IR(ME)R entitlement is the employer's, so such a case must be taken over.
"""

from __future__ import annotations

from dataclasses import dataclass

from inscope.rules.decisions import Decision, Outcome, Reason
from inscope.rules.reasons import MR_AUTHORISED, MR_RESPONSIBLE_PERSON, reason

# Reasons about who the operator is, not about the patient: no authorisation can cure them.
ENTITLEMENT_CODES = frozenset(
    {
        "no-operator-role",
        "protocol-not-for-assistant-practitioners",
        "outside-role-scope",
        "personal-restriction",
        "no-entitlement",
        "entitlement-expired",
        "entitlement-not-yet-in-force",
        "entitlement-revoked",
        "entitlement-condition-not-met",
        "entitlement-condition-unknown",
        "entitlement-conditions-unstructured",
        "task-not-entitled",
        "competency-not-signed-off",
        "competency-expired",
        "competency-revoked",
        "supervision-requirement-unknown",
        "policy-not-in-force",
        "protocol-unknown",
    }
)


# Reasons only the people the policy designates may clear: a "yes" or "unsure" MRI screening answer is cleared by
# MR-authorised staff under the MR local rules, never by any radiographer (shared/reference/
# mri_screening_questions.yaml). Where a policy designates nobody of a kind, every radiographer may, as before.
CLEARED_BY_DESIGNATION = frozenset({MR_AUTHORISED, MR_RESPONSIBLE_PERSON})


@dataclass(frozen=True)
class Clearance:
    """Who is clearing: the designations the policy gives them, and the kinds it designates anyone for."""

    designations: frozenset[str] = frozenset()
    designated_kinds: frozenset[str] = frozenset()


def clearance_reasons(decision: Decision, clearance: Clearance) -> list[Reason]:
    """Return why this person cannot clear the decision's reasons by authorising or taking over."""
    reasons = []
    if "justification-missing" in decision.codes:
        reasons.append(
            reason(
                "authorisation-needs-justification",
                "The exposure is not justified. Record the justification on the examination first: neither an "
                "authorisation nor a take-over justifies an exposure.",
            )
        )
    named = {r.escalate_to for r in decision.reasons if r.escalate_to in CLEARED_BY_DESIGNATION}
    needed = sorted((named & clearance.designated_kinds) - clearance.designations)
    if needed:
        who = " or ".join(kind.replace("_", " ").replace("mr ", "MR ") for kind in needed)
        codes = ", ".join(r.code for r in decision.reasons if r.escalate_to in needed)
        reasons.append(
            reason("authoriser-not-designated", f"Only the {who} staff the policy names can clear {codes}.")
        )
    return reasons


def may_authorise(
    operator_decision: Decision, authoriser_decision: Decision, clearance: Clearance | None = None
) -> Decision:
    """Decide whether the authoriser may let the operator proceed with the escalated case."""
    reasons = clearance_reasons(operator_decision, clearance or Clearance())
    blocked = sorted(set(operator_decision.codes) & ENTITLEMENT_CODES)
    if blocked:
        reasons.append(
            reason(
                "cannot-authorise-outside-entitlement",
                f"The operator cannot be authorised ({', '.join(blocked)}); take the examination over instead.",
            )
        )
    if set(authoriser_decision.codes) & ENTITLEMENT_CODES or authoriser_decision.outcome is Outcome.STOP:
        reasons.append(
            reason(
                "authoriser-outside-own-scope",
                "You could not perform this examination yourself now "
                f"({', '.join(authoriser_decision.codes)}), so you cannot authorise it.",
            )
        )
    return Decision.from_reasons(
        reasons, required_checks=operator_decision.required_checks, policy_version=operator_decision.policy_version
    )


def may_take_over(authoriser_decision: Decision, clearance: Clearance | None = None) -> Decision:
    """Decide whether a radiographer may take the examination over and perform it themselves."""
    reasons = clearance_reasons(authoriser_decision, clearance or Clearance())
    blocked = sorted(set(authoriser_decision.codes) & ENTITLEMENT_CODES)
    if blocked or authoriser_decision.outcome is Outcome.STOP:
        reasons.append(
            reason(
                "authoriser-outside-own-scope",
                f"You cannot perform this examination yourself ({', '.join(authoriser_decision.codes)}).",
            )
        )
    return Decision.from_reasons(
        reasons, required_checks=authoriser_decision.required_checks, policy_version=authoriser_decision.policy_version
    )
