"""Planning duty: who supervises whom, where and when."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from inscope.audit.services import record
from inscope.department.models import Room, Site
from inscope.lib.errors import DomainError, NotAllowed
from inscope.staff.models import User
from inscope.staff.permissions import Action, can
from inscope.supervision.models import DutySession


@transaction.atomic
def plan_duty_session(
    *,
    supervisor: User,
    site: Site,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mode: str = DutySession.Mode.INDIRECT,
    room: Room | None = None,
    supervisees: list[User] | None = None,
    by: User,
    source: str,
) -> DutySession:
    """Put a supervisor on duty for a site (or one room), for everyone there or for named people."""
    if not can(by, Action.MANAGE_DUTY):
        raise NotAllowed("Only a manager can plan supervision duty.")
    if not can(supervisor, Action.SUPERVISE, site):
        raise DomainError(f"{supervisor} does not hold a supervising role at {site}.", field="supervisor")
    if ends_at <= starts_at:
        raise DomainError("The session must end after it starts.", field="ends_at")
    if room is not None and room.site_id != site.pk:
        raise DomainError(f"{room.name} is not at {site}.", field="room")
    if mode not in DutySession.Mode.values:
        raise DomainError("Supervision must be direct or indirect.", field="mode")
    session = DutySession.objects.create(supervisor=supervisor, site=site, room=room, mode=mode, starts_at=starts_at,
                                         ends_at=ends_at, created_by=by)
    if supervisees:
        session.supervisees.set(supervisees)
    record("duty.planned", session, by=by, channel=source, summary=str(session))
    return session
