"""Who may do what: the role × action matrix, enforced server-side by every view and API endpoint.

Clinical scope (may this person perform this protocol on this patient?) is not here: that is the decision
engine's job. This matrix only says which screens and actions a role reaches at all.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from inscope.department.models import Site
from inscope.rules.facts import Role
from inscope.staff.models import User


class Action(StrEnum):
    VIEW_WORKLIST = "view_worklist"
    VIEW_PATIENT = "view_patient"
    CREATE_REQUEST = "create_request"
    JUSTIFY_REQUEST = "justify_request"
    PERFORM_EXAMINATION = "perform_examination"  # record checks, start, complete, flag a finding
    RESOLVE_ESCALATION = "resolve_escalation"
    SUPERVISE = "supervise"
    MANAGE_DUTY = "manage_duty"
    EDIT_POLICY = "edit_policy"
    APPROVE_POLICY = "approve_policy"
    VIEW_POLICY = "view_policy"
    VIEW_AUDIT = "view_audit"
    VIEW_DOSE_AUDIT = "view_dose_audit"  # dose audit, DRL comparisons, exports
    PROPOSE_DRL = "propose_drl"  # propose a local DRL or map a protocol to a national one
    APPROVE_DRL = "approve_drl"
    REVIEW_SAUE = "review_saue"  # review a study that met a SAUE screening criterion and record the outcome
    MANAGE_INTERFACES = "manage_interfaces"  # interface messages, quarantine, re-processing
    VIEW_EQUIPMENT = "view_equipment"  # the equipment register, unit pages and the inventory export
    MANAGE_EQUIPMENT = "manage_equipment"  # register, edit and decommission units; record service events
    REPORT_FAULT = "report_fault"  # take a unit out of service or restrict it, with a description of the fault
    RETURN_TO_SERVICE = "return_to_service"  # sign a unit back into service


CLINICAL = {
    Role.TRAINEE_AP,
    Role.AP,
    Role.RADIOGRAPHER,
    Role.SONOGRAPHER,
    Role.NM_TECHNOLOGIST,
    Role.REGISTERED_NURSE,
    Role.RADIOLOGIST,
    Role.MANAGER,
    Role.RPS,
    Role.MPE,
}
OPERATORS = {Role.TRAINEE_AP, Role.AP, Role.RADIOGRAPHER, Role.SONOGRAPHER, Role.NM_TECHNOLOGIST, Role.RADIOLOGIST}
SUPERVISORS = {Role.RADIOGRAPHER, Role.SONOGRAPHER, Role.NM_TECHNOLOGIST, Role.REGISTERED_NURSE}

MATRIX: dict[Action, frozenset[Role]] = {
    Action.VIEW_WORKLIST: frozenset(CLINICAL),
    Action.VIEW_PATIENT: frozenset(CLINICAL),
    Action.CREATE_REQUEST: frozenset({Role.RADIOGRAPHER, Role.RADIOLOGIST, Role.MANAGER, Role.ADMINISTRATOR}),
    Action.JUSTIFY_REQUEST: frozenset({Role.RADIOLOGIST, Role.RADIOGRAPHER}),
    Action.PERFORM_EXAMINATION: frozenset(OPERATORS),
    # Registered nurses supervise APs but do not authorise exposures, so they do not resolve escalations.
    Action.RESOLVE_ESCALATION: frozenset({Role.RADIOGRAPHER, Role.SONOGRAPHER, Role.NM_TECHNOLOGIST}),
    Action.SUPERVISE: frozenset(SUPERVISORS),
    Action.MANAGE_DUTY: frozenset({Role.MANAGER}),
    Action.EDIT_POLICY: frozenset({Role.MANAGER}),
    Action.APPROVE_POLICY: frozenset({Role.MANAGER}),
    Action.VIEW_POLICY: frozenset(CLINICAL | {Role.ADMINISTRATOR}),
    Action.VIEW_AUDIT: frozenset({Role.MANAGER, Role.RPS, Role.MPE, Role.ADMINISTRATOR}),
    Action.VIEW_DOSE_AUDIT: frozenset({Role.RADIOGRAPHER, Role.MANAGER, Role.RPS, Role.MPE, Role.RADIOLOGIST}),
    # The medical physics expert advises on DRLs (IR(ME)R reg 14); the employer, through its manager, adopts them.
    Action.PROPOSE_DRL: frozenset({Role.MPE, Role.RPS}),
    Action.APPROVE_DRL: frozenset({Role.MPE, Role.MANAGER}),
    Action.REVIEW_SAUE: frozenset({Role.RPS, Role.MPE}),
    Action.MANAGE_INTERFACES: frozenset({Role.ADMINISTRATOR, Role.MPE, Role.RPS}),
    Action.VIEW_EQUIPMENT: frozenset(CLINICAL),
    # The employer keeps the inventory (IR(ME)R Sch 2(1)(f)); the RPS and MPE advise on and test the equipment.
    Action.MANAGE_EQUIPMENT: frozenset({Role.MANAGER, Role.RPS, Role.MPE}),
    # Anyone who finds a fault must be able to stop the unit being used.
    Action.REPORT_FAULT: frozenset(CLINICAL),
    Action.RETURN_TO_SERVICE: frozenset({Role.RADIOGRAPHER, Role.MPE, Role.MANAGER}),
}


def can(user: User, action: Action, site: Site | None = None) -> bool:
    """Return whether the user holds a role that allows the action (at the site, where one is given)."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles = user.roles_at(site) if site is not None else user.all_roles()
    return bool(roles & MATRIX[action])


def require(user: User, action: Action, site: Site | None = None) -> None:
    """Raise PermissionDenied unless the user may take the action."""
    if not can(user, action, site):
        raise PermissionDenied(f"Your role does not allow you to {action.value.replace('_', ' ')}.")
