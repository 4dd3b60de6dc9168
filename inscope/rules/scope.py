"""Scope of practice and IR(ME)R operator entitlement (IR(ME)R 2017 reg 10 and Schedule 2(b)).

An operator may carry out a protocol only if a role they hold has it in scope and a current
entitlement names them for it. Registered staff act outside the assistant-practitioner limits of a protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from inscope.rules.competence import grant_reasons
from inscope.rules.decisions import Reason
from inscope.rules.facts import (
    ASSISTANT_PRACTITIONER_ROLES,
    Check,
    Conditions,
    Entitlement,
    Grant,
    Justification,
    Operator,
    Policy,
    Protocol,
    Request,
    Role,
)
from inscope.rules.reasons import reason

OPERATOR_TASK = "operator"

# Roles that may act as an IR(ME)R operator for an examination at all.
OPERATING_ROLES = frozenset(
    {Role.TRAINEE_AP, Role.AP, Role.RADIOGRAPHER, Role.SONOGRAPHER, Role.NM_TECHNOLOGIST, Role.RADIOLOGIST}
)


def is_assistant_practitioner(operator: Operator) -> bool:
    """Return whether the operator acts as an assistant practitioner (holds no registered operating role)."""
    registered = operator.roles & (OPERATING_ROLES - ASSISTANT_PRACTITIONER_ROLES)
    return bool(operator.roles & ASSISTANT_PRACTITIONER_ROLES) and not registered


def role_scope_reasons(operator: Operator, protocol: Protocol, policy: Policy) -> list[Reason]:
    """Return why the operator's roles and personal restrictions do not allow the protocol, if they don't."""
    roles = operator.roles & OPERATING_ROLES
    if not roles:
        return [reason("no-operator-role", f"{operator.username} holds no role that may act as an operator.")]
    reasons: list[Reason] = []
    if is_assistant_practitioner(operator) and not protocol.ap_may_perform:
        reasons.append(
            reason(
                "protocol-not-for-assistant-practitioners",
                f"{protocol.name} is not an assistant-practitioner examination under this policy.",
            )
        )
    in_scope = any(
        "*" in policy.role_protocols.get(role, frozenset()) or protocol.code in policy.role_protocols.get(role, ())
        for role in roles
    )
    if not in_scope:
        reasons.append(
            reason("outside-role-scope", f"{protocol.name} is outside the scope of practice of your role.")
        )
    if protocol.code in operator.excluded_protocols:
        reasons.append(reason("personal-restriction", f"The policy restricts you from performing {protocol.name}."))
    return reasons


def acting_roles(operator: Operator) -> frozenset[Role]:
    """Return the roles the operator acts in: their AP roles if they act as an AP, else their registered ones."""
    if is_assistant_practitioner(operator):
        return operator.roles & ASSISTANT_PRACTITIONER_ROLES
    return operator.roles & (OPERATING_ROLES - ASSISTANT_PRACTITIONER_ROLES)


def _revoked(entitlement: Entitlement, on: dt.date) -> bool:
    return entitlement.revoked_on is not None and entitlement.revoked_on <= on


def _in_force(entitlement: Entitlement, on: dt.date) -> bool:
    return (
        entitlement.entitled_on <= on
        and (entitlement.review_date is None or on <= entitlement.review_date)
        and not _revoked(entitlement, on)
    )


def _lapsed_reasons(covering: list[Entitlement], protocol: Protocol, on: dt.date) -> list[Reason]:
    """Why none of the entitlements that name the protocol is in force: revoked, not yet started, or expired."""
    revoked = [e for e in covering if _revoked(e, on)]
    if revoked:
        latest = max(revoked, key=lambda e: e.revoked_on or dt.date.min)
        why = f": {latest.revoked_reason}" if latest.revoked_reason else ""
        return [
            reason(
                "entitlement-revoked",
                f"Your entitlement for {protocol.name} was revoked on {latest.revoked_on:%d %B %Y}{why}.",
            )
        ]
    started = [e for e in covering if e.entitled_on <= on]
    if not started:
        first = min(e.entitled_on for e in covering)
        return [
            reason(
                "entitlement-not-yet-in-force",
                f"Your entitlement for {protocol.name} starts on {first:%d %B %Y}.",
            )
        ]
    lapsed = max(e.review_date for e in started if e.review_date is not None)
    return [
        reason(
            "entitlement-expired",
            f"Your operator entitlement for {protocol.name} passed its review date on {lapsed:%d %B %Y}.",
        )
    ]


def entitlements_in_force(
    operator: Operator, protocol: Protocol, on: dt.date
) -> tuple[list[Entitlement], list[Grant]]:
    """Return the policy entitlements and the grants that make the operator an operator for the protocol today,
    before any conditions are read."""
    entitlements = [e for e in operator.entitlements if e.covers(protocol, OPERATOR_TASK) and _in_force(e, on)]
    grants = [
        g for g in operator.grants
        if g.protocol == protocol.code and OPERATOR_TASK in g.tasks and not grant_reasons(g, operator.sign_offs, on)
    ]
    return entitlements, grants


def entitlement_reasons(
    operator: Operator, protocol: Protocol, on: dt.date, *, conditions_met: Callable[[Conditions], list[Reason]]
) -> list[Reason]:
    """Return why no current operator entitlement covers the protocol for this case, if none does.

    An entitlement written in the policy, or a grant backed by current competencies, is enough when the case is
    within its conditions; ``conditions_met`` returns why the case is outside one entitlement's conditions.
    """
    entitlements, grants = entitlements_in_force(operator, protocol, on)
    in_force = [e.conditions for e in entitlements] + [g.conditions for g in grants]
    if in_force:
        outside = [conditions_met(conditions) for conditions in in_force]
        if any(not gaps for gaps in outside):
            return []
        return min(outside, key=len)  # the entitlement the case comes nearest to
    covering = [e for e in operator.entitlements if e.covers(protocol, OPERATOR_TASK)]
    grant_gaps = [
        grant_reasons(g, operator.sign_offs, on)
        for g in operator.grants
        if g.protocol == protocol.code and OPERATOR_TASK in g.tasks
    ]
    if not covering:
        if grant_gaps:
            return grant_gaps[0]  # the grant tells the operator what lapsed
        return [reason("no-entitlement", f"You hold no IR(ME)R operator entitlement for {protocol.name}.")]
    return _lapsed_reasons(covering, protocol, on)


# The tasks an AP must be entitled for to do the checks a protocol needs themselves (IR(ME)R operator functions
# "identified by individual name": SoR, Assistant practitioners verifying patient identification).
CHECK_TASKS = {
    Check.IDENTITY: "patient_identification",
    Check.PREGNANCY: "pregnancy_enquiry",
    Check.MRI_SAFETY: "mri_safety_screening",
}
AUTHORISATION_TASK = "authorisation_under_guidelines"


def task_reasons(
    operator: Operator, protocol: Protocol, checks: tuple[Check, ...], request: Request, on: dt.date
) -> list[Reason]:
    """Return why an AP may not do the pre-examination tasks this case needs, when an entitlement is in force.

    A manager's grant follows from a competency for the whole protocol, so it covers the protocol's checks; an
    entitlement written in the policy covers the tasks it lists. Authorising under guidelines must be listed.
    """
    if not is_assistant_practitioner(operator):
        return []  # registered staff do these tasks under their registration
    entitlements, grants = entitlements_in_force(operator, protocol, on)
    if not entitlements and not grants:
        return []  # entitlement_reasons says why
    held = set().union(*(e.tasks for e in entitlements))
    if grants:
        held |= set(CHECK_TASKS.values())
    needed = [CHECK_TASKS[c] for c in checks if c in CHECK_TASKS]
    if request.justification is Justification.AUTHORISED and request.justified_by == operator.username:
        needed.append(AUTHORISATION_TASK)
    missing = [t for t in needed if t not in held]
    if not missing:
        return []
    tasks = ", ".join(t.replace("_", " ") for t in missing)
    return [
        reason(
            "task-not-entitled",
            f"Your entitlement for {protocol.name} does not include {tasks}; a radiographer must do it.",
        )
    ]
