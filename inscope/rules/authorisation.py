"""Whether a supervising radiographer may authorise an assistant practitioner to proceed after an escalation.

A radiographer may accept responsibility for a case outside the AP's protocol (a patient group, a pregnancy
answer) only if they could perform it themselves. Nobody can authorise an operator who is not entitled:
IR(ME)R entitlement is the employer's, so such a case must be taken over.
"""

from __future__ import annotations

from inscope.rules.decisions import Decision, Outcome
from inscope.rules.reasons import reason

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


def may_authorise(operator_decision: Decision, authoriser_decision: Decision) -> Decision:
    """Decide whether the authoriser may let the operator proceed with the escalated case."""
    reasons = []
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


def may_take_over(authoriser_decision: Decision) -> Decision:
    """Decide whether a radiographer may take the examination over and perform it themselves."""
    blocked = sorted(set(authoriser_decision.codes) & ENTITLEMENT_CODES)
    if not blocked and authoriser_decision.outcome is not Outcome.STOP:
        return Decision.from_reasons(
            [], required_checks=authoriser_decision.required_checks, policy_version=authoriser_decision.policy_version
        )
    return Decision.from_reasons(
        [
            reason(
                "authoriser-outside-own-scope",
                f"You cannot perform this examination yourself ({', '.join(authoriser_decision.codes)}).",
            )
        ],
        required_checks=authoriser_decision.required_checks,
        policy_version=authoriser_decision.policy_version,
    )
