"""Reading a person's competence: the frameworks that apply, observed practice, current sign-offs and grants,
and the facts the decision engine reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from inscope.competencies.models import Competency, Evidence, Framework, Grant, SignOff
from inscope.rules import facts as f
from inscope.staff.models import User


def frameworks_for(person: User) -> list[Framework]:
    """Return the newest version of each framework written for a role the person holds."""
    roles = {r.value for r in person.all_roles()}
    return [fw for fw in Framework.objects.latest_versions() if roles & set(fw.roles)]


def competencies_for(person: User) -> list[Competency]:
    return list(Competency.objects.filter(framework__in=frameworks_for(person)).order_by("kind", "code"))


def required_for(protocol_code: str, competencies: Iterable[Competency]) -> frozenset[str]:
    """Return the codes of the practical competencies that cover a protocol."""
    return frozenset(
        c.code for c in competencies if c.kind == Competency.Kind.PRACTICAL and protocol_code in c.protocols
    )


def observed_practice(person: User, competency: Competency) -> int:
    """Count the supervised examinations recorded as observed practice for the competency."""
    return Evidence.objects.filter(person=person, competency=competency, kind=Evidence.Kind.OBSERVED).count()


def sign_off_facts(person: User) -> tuple[f.SignOff, ...]:
    rows = SignOff.objects.filter(person=person).select_related("competency")
    return tuple(f.SignOff(s.competency.code, s.signed_on, s.expires_on, s.revoked) for s in rows)


def latest_grants(person: User) -> list[Grant]:
    """Return the newest grant row per protocol: a revocation is a later row that replaces the grant."""
    newest: dict[str, Grant] = {}
    for grant in Grant.objects.filter(person=person).order_by("-recorded_at", "-id"):
        newest.setdefault(grant.protocol_code, grant)
    return list(newest.values())


def grant_facts(person: User, competencies: list[Competency] | None = None) -> tuple[f.Grant, ...]:
    competencies = competencies_for(person) if competencies is None else competencies
    return tuple(
        f.Grant(
            protocol=g.protocol_code, tasks=frozenset(g.tasks), granted_by=g.granted_by.username,
            granted_on=g.granted_on, review_date=g.review_date,
            required_competencies=required_for(g.protocol_code, competencies), revoked=g.revoked,
        )
        for g in latest_grants(person)
    )


def with_competence(operator: f.Operator, person: User) -> f.Operator:
    """Return the operator facts with the person's grants and sign-offs added."""
    return replace(operator, grants=grant_facts(person), sign_offs=sign_off_facts(person))


def expiry(on: dt.date, when: dt.date | None) -> str:
    """Return how soon something lapses: expired, 30, 60 or 90 (days), or "" for later or never."""
    if when is None:
        return ""
    left = (when - on).days
    if left < 0:
        return "expired"
    return next((str(limit) for limit in (30, 60, 90) if left <= limit), "")
