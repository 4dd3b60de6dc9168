"""Reading a person's competence: the frameworks that apply, observed practice, current sign-offs and grants,
and the facts the decision engine reads."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from inscope.competencies.models import Competency, Evidence, Framework, Grant, SignOff
from inscope.policy.limits import ConditionsError, parse_conditions
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


def grant_conditions(grant: Grant) -> f.Conditions:
    """The grant's conditions as the engine reads them. Stored ones that no longer read (the schema moved on)
    are kept as text, which the engine never relies on: the operator escalates until a manager grants again."""
    try:
        return parse_conditions(grant.conditions or None)
    except ConditionsError:
        return f.Conditions(unstructured=json.dumps(grant.conditions, sort_keys=True))


def grant_facts(person: User, competencies: list[Competency] | None = None) -> tuple[f.Grant, ...]:
    competencies = competencies_for(person) if competencies is None else competencies
    return tuple(
        f.Grant(
            protocol=g.protocol_code, tasks=frozenset(g.tasks), granted_by=g.granted_by.username,
            granted_on=g.granted_on, review_date=g.review_date,
            required_competencies=required_for(g.protocol_code, competencies), revoked=g.revoked,
            conditions=grant_conditions(g),
        )
        for g in latest_grants(person)
    )


def with_competence(operator: f.Operator, person: User) -> f.Operator:
    """Return the operator facts with the person's grants and sign-offs added."""
    return replace(operator, grants=grant_facts(person), sign_offs=sign_off_facts(person))
