"""Who may see whose development records. Writes are checked again by the services themselves.

- A person sees their own portfolio.
- Assessors (radiographers and other escalation resolvers), managers and radiation protection supervisors see
  everyone's in their department. Anyone else (e.g. an AP looking for another AP) is told it does not exist.

Reading a portfolio (the page, an export, an evidence file) is recorded in the audit trail, as reading a patient's
record is: who read whose, when, and what.
"""

from __future__ import annotations

from django.http import Http404

from inscope.audit.services import record
from inscope.rules.facts import Role
from inscope.staff.models import User
from inscope.staff.permissions import Action, can

# The roles whose holders have a development portfolio (the people list shows them).
PORTFOLIO_ROLES = (
    Role.TRAINEE_AP,
    Role.AP,
    Role.RADIOGRAPHER,
    Role.SONOGRAPHER,
    Role.NM_TECHNOLOGIST,
    Role.REGISTERED_NURSE,
    Role.RADIOLOGIST,
)


def is_assessor(user: User) -> bool:
    return can(user, Action.RESOLVE_ESCALATION)


def is_manager(user: User) -> bool:
    return can(user, Action.EDIT_POLICY) or can(user, Action.APPROVE_POLICY)


def is_rps(user: User) -> bool:
    return user.is_authenticated and user.is_active and Role.RPS in user.all_roles()


def oversees(user: User) -> bool:
    """Return whether the user may see everyone's records: the matrix, coverage and other people's portfolios."""
    return is_manager(user) or is_assessor(user) or is_rps(user)


def may_keep_entitlement_record(user: User) -> bool:
    """The employer's IR(ME)R entitlement record: managers and the radiation protection supervisor."""
    return is_manager(user) or is_rps(user)


def may_view_portfolio(viewer: User, person: User) -> bool:
    if not viewer.is_authenticated or not viewer.is_active:
        return False
    if viewer.pk == person.pk:
        return True
    if viewer.department_id and person.department_id and viewer.department_id != person.department_id:
        return False
    return oversees(viewer)


def person_for(viewer: User, username: str) -> User:
    """Return the person whose portfolio the viewer asks for; 404 alike when absent or not theirs to see."""
    person = User.objects.filter(username=username, is_active=True).prefetch_related("role_assignments").first()
    if person is None or not may_view_portfolio(viewer, person):
        raise Http404("No such person.")
    return person


def read_portfolio(viewer: User, username: str, *, action: str, what: str, channel: str = "web") -> User:
    """Return the person whose portfolio the viewer asks for (as ``person_for``), recording the read."""
    person = person_for(viewer, username)
    record_portfolio_read(viewer, person, action=action, what=what, channel=channel)
    return person


def record_portfolio_read(viewer: User, person: User, *, action: str, what: str, channel: str = "web",
                          detail: dict | None = None) -> None:
    """Record in the audit trail, against the person, that the viewer read their development records."""
    own = viewer.pk == person.pk
    record(action, person, by=viewer, channel=channel, detail={"own": own, **(detail or {})},
           summary=f"{what} of {person.username}{' (their own)' if own else ''}")
