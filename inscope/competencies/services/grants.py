"""The manager's entitlement of a person as operator for a protocol: the second step after sign-off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from inscope.audit.services import record
from inscope.competencies.models import Grant
from inscope.competencies.queries import competencies_for, latest_grants, required_for, sign_off_facts
from inscope.department.models import Department
from inscope.lib.errors import DomainError, NotAllowed
from inscope.policy.document import PolicyDocument
from inscope.policy.limits import (
    ConditionsError,
    conditions_data,
    describe_conditions,
    parse_conditions,
    regions_by_modality,
)
from inscope.policy.services import document_for, in_force
from inscope.rules import facts as f
from inscope.rules.competence import grant_reasons
from inscope.staff.models import User
from inscope.staff.permissions import Action, can

MAX_REVIEW_YEARS = 3
# What each condition key is called on the grant form, for its error message.
CONDITION_LABELS = {
    "min_age": "Youngest age",
    "max_age": "Oldest age",
    "exclude": "Patients excluded",
    "mobility": "Mobility",
    "body_regions": "Body regions",
    "laterality": "Side",
    "settings": "Referral settings",
    "supervision": "Supervision",
}


def read_conditions(data: Any, document: PolicyDocument, protocol_code: str) -> f.Conditions:
    """Read a grant's conditions with the policy document's own checks; raise DomainError naming the condition.

    A grant is for one protocol, so a body-region condition must include that protocol's region."""
    protocol = document.protocols[protocol_code].rule
    try:
        conditions = parse_conditions(data, regions_by_modality(p.rule for p in document.protocols.values()),
                                      [protocol.modality])
    except ConditionsError as error:
        keys = [p.location.removeprefix("conditions").lstrip(".").split("[")[0] for p in error.problems]
        fields = [key if key in CONDITION_LABELS else "conditions" for key in keys]
        words = "; ".join(f"{CONDITION_LABELS.get(key, 'Conditions')}: {p.message}"
                          for key, p in zip(fields, error.problems, strict=True))
        raise DomainError(f"{words}.", field=fields[0]) from None
    region = protocol.body_region.lower()
    if conditions.body_regions and region not in conditions.body_regions:
        raise DomainError(f"{protocol_code} is a {region} examination, so limiting the grant to "
                          f"{', '.join(sorted(conditions.body_regions))} would cover nothing.", field="body_regions")
    return conditions


@transaction.atomic
def grant_entitlement(
    person: User,
    protocol_code: str,
    *,
    review_date: dt.date,
    by: User,
    channel: str,
    department: Department,
    conditions: dict[str, Any] | None = None,
) -> Grant:
    """Entitle a person as operator for a protocol, when every competency it requires is signed off and current.

    ``conditions`` narrow the grant (e.g. ``{"min_age": 18, "exclude": ["trauma"]}``), in the policy document's
    shape and with its checks (inscope.policy.limits); the engine applies them to every case."""
    if not can(by, Action.APPROVE_POLICY):
        raise NotAllowed("Only a manager can entitle operators.")
    if by.pk == person.pk:
        raise NotAllowed("Nobody can entitle themselves.")
    User.objects.select_for_update().get(pk=person.pk)
    today = timezone.localdate()
    version = in_force(department)
    document = document_for(version) if version is not None else None
    if document is None or protocol_code not in document.protocols:
        raise DomainError(f"Protocol {protocol_code!r} is not in the policy in force.", field="protocol_code")
    narrower = read_conditions(conditions, document, protocol_code)
    if not today < review_date <= today.replace(year=today.year + MAX_REVIEW_YEARS):
        raise DomainError(f"The review date must be after today and within {MAX_REVIEW_YEARS} years.",
                          field="review_date")
    required = required_for(protocol_code, competencies_for(person))
    if not required:
        raise DomainError(f"No competency in {person}'s frameworks covers {protocol_code}, so there is no evidence "
                          "to entitle on.", field="protocol_code")
    candidate = f.Grant(protocol_code, frozenset({"operator"}), by.username, today, review_date, required,
                        conditions=narrower)
    gaps = grant_reasons(candidate, sign_off_facts(person), today)
    if gaps:
        raise DomainError("Not yet: " + " ".join(r.message for r in gaps), field="protocol_code")
    stored = conditions_data(narrower) if not narrower.is_empty else {}
    grant = Grant.objects.create(person=person, protocol_code=protocol_code, tasks=["operator"], granted_by=by,
                                 granted_on=today, review_date=review_date, conditions=stored)
    described = describe_conditions(narrower)
    record("entitlement.granted", grant, by=by, channel=channel,
           summary=f"{person.username} entitled as operator for {protocol_code} until {review_date}"
           + (f", {described}" if described else ""),
           detail={"protocol": protocol_code, "review_date": review_date.isoformat(), "conditions": stored})
    return grant


@transaction.atomic
def revoke_entitlement(person: User, protocol_code: str, *, by: User, channel: str, reason: str) -> Grant:
    """Revoke a person's entitlement for a protocol with immediate effect."""
    if not can(by, Action.APPROVE_POLICY):
        raise NotAllowed("Only a manager can revoke entitlements.")
    if not reason.strip():
        raise DomainError("Give the reason for revoking; it is recorded.", field="reason")
    User.objects.select_for_update().get(pk=person.pk)
    current = next((g for g in latest_grants(person) if g.protocol_code == protocol_code and not g.revoked), None)
    if current is None:
        raise DomainError(f"{person} holds no entitlement for {protocol_code} to revoke.", field="protocol_code")
    today = timezone.localdate()
    revocation = Grant.objects.create(person=person, protocol_code=protocol_code, tasks=current.tasks, granted_by=by,
                                      granted_on=today, review_date=current.review_date, revoked=True,
                                      reason=reason.strip(), conditions=current.conditions)
    record("entitlement.revoked", revocation, by=by, channel=channel,
           summary=f"{person.username}'s entitlement for {protocol_code} revoked: {reason.strip()}",
           detail={"protocol": protocol_code, "reason": reason.strip(), "conditions": current.conditions,
                   "revokes": current.pk})
    return revocation
