"""Signing off a competency, and revoking a sign-off (which takes effect at once)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.competencies.models import Competency, SignOff
from inscope.competencies.queries import competencies_for, observed_practice, sign_off_facts
from inscope.lib.errors import DomainError, NotAllowed
from inscope.rules.competence import sign_off_reasons
from inscope.staff.models import User
from inscope.staff.permissions import Action, can


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def may_assess(assessor: User, competency: Competency, on: dt.date) -> bool:
    """Return whether the assessor holds a role allowed to assess the competency, or holds it current themselves."""
    if {r.value for r in assessor.all_roles()} & set(competency.assessor_roles):
        return True
    return not sign_off_reasons(competency.code, sign_off_facts(assessor), on)


@transaction.atomic
def sign_off_competency(person: User, competency: Competency, *, by: User, channel: str, note: str = "") -> SignOff:
    """Sign off a competency for a person, with the reassessment date its framework sets."""
    # Lock the person so two assessors signing at once cannot both read the same history.
    User.objects.select_for_update().get(pk=person.pk)
    today = timezone.localdate()
    if by.pk == person.pk:
        raise NotAllowed("Nobody can sign off their own competency.")
    if not may_assess(by, competency, today):
        raise NotAllowed(f"You may not assess {competency.code}: you need the role "
                         f"{' or '.join(competency.assessor_roles)} or a current sign-off of it yourself.")
    if competency not in competencies_for(person):
        raise DomainError(f"{competency.code} is not in a framework for {person}'s role.", field="competency")
    seen = observed_practice(person, competency)
    if seen < competency.observations_required:
        raise DomainError(f"{competency.code} needs {competency.observations_required} observed examinations; "
                          f"{person} has {seen}.", field="competency")
    expires = _add_months(today, competency.reassess_months) if competency.reassess_months else None
    sign_off = SignOff.objects.create(person=person, competency=competency, assessor=by, signed_on=today,
                                      expires_on=expires, reason=note.strip())
    record("competency.signed_off", sign_off, by=by, channel=channel,
           summary=f"{competency.code} signed off for {person.username} until {expires or 'no reassessment date'}")
    return sign_off


@transaction.atomic
def revoke_sign_off(person: User, competency: Competency, *, by: User, channel: str, reason: str) -> SignOff:
    """Revoke a current sign-off, e.g. after an incident; any entitlement resting on it lapses at once."""
    User.objects.select_for_update().get(pk=person.pk)
    today = timezone.localdate()
    if not (can(by, Action.EDIT_POLICY) or may_assess(by, competency, today)):
        raise NotAllowed("Only a manager or an assessor of this competency can revoke it.")
    if by.pk == person.pk:
        raise NotAllowed("Nobody can revoke their own sign-off.")
    if not reason.strip():
        raise DomainError("Give the reason for revoking; it is recorded.", field="reason")
    if sign_off_reasons(competency.code, sign_off_facts(person), today):
        raise DomainError(f"{person} has no current sign-off of {competency.code} to revoke.", field="competency")
    revocation = SignOff.objects.create(person=person, competency=competency, assessor=by, signed_on=today,
                                        revoked=True, reason=reason.strip())
    record("competency.revoked", revocation, by=by, channel=channel,
           summary=f"{competency.code} revoked for {person.username}: {reason.strip()}")
    return revocation
