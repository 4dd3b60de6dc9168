"""Supervision of assistant practitioners: a designated supervisor on duty for every AP, in the room for
trainees (SCoR, Supervision, accountability and delegation). Registered operators need none.
"""

from __future__ import annotations

from inscope.rules.decisions import Reason
from inscope.rules.facts import Operator, Policy, Role, Supervision, SupervisionContext
from inscope.rules.reasons import reason
from inscope.rules.scope import is_assistant_practitioner


def required_supervision(operator: Operator, policy: Policy) -> Supervision | None:
    """Return how the policy says this operator must be supervised; a trainee's rule wins over a qualified AP's."""
    for role in (Role.TRAINEE_AP, Role.AP):
        if role in operator.roles:
            return policy.supervision.get(role)
    return None


def supervision_reasons(operator: Operator, context: SupervisionContext, policy: Policy) -> list[Reason]:
    """Return every way the operator is not adequately supervised for this examination now."""
    if not is_assistant_practitioner(operator):
        return []
    required = required_supervision(operator, policy)
    reasons: list[Reason] = []
    if required is None:
        reasons.append(
            reason("supervision-requirement-unknown", "The policy does not say how your role is supervised.")
        )
    if not context.supervisors_on_duty:
        reasons.append(
            reason(
                "no-supervisor-on-duty",
                "No named supervising radiographer is on duty for you here. Do not start; contact the modality lead.",
            )
        )
    if required is Supervision.DIRECT and context.direct_supervisor_present is not True:
        reasons.append(
            reason(
                "trainee-without-direct-supervisor",
                "You must be directly supervised for this examination; ask your supervisor to be in the room.",
            )
        )
    return reasons  # every failure, so a trainee with nobody on duty hears both
