"""The database side of the entitlement matrix: who gets a row, and what the department's records add for each
of them (their account's roles, their grants and sign-offs, the protocols they practise). The cells themselves
are worked out by the pure inscope.policy.matrix, with the decision engine's rules.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from inscope.competencies.models import Competency, Evidence
from inscope.competencies.queries import competencies_for, with_competence
from inscope.department.models import Department
from inscope.policy.document import PolicyDocument
from inscope.policy.matrix import Account
from inscope.rules.competence import sign_off_reasons
from inscope.rules.facts import Operator, Role
from inscope.staff.models import User

# Accounts holding these roles get a row even when the policy does not name them.
MATRIX_ROLES = (Role.TRAINEE_AP, Role.AP, Role.RADIOGRAPHER)


def practising(person: User, competencies: list[Competency], operator: Operator, on: dt.date) -> frozenset[str]:
    """Return the protocols the person has observed practice toward, or a current sign-off covering."""
    observed = set(
        Evidence.objects.filter(person=person, kind=Evidence.Kind.OBSERVED).values_list("competency__code", flat=True)
    )
    protocols: set[str] = set()
    for c in competencies:
        if c.kind != Competency.Kind.PRACTICAL:
            continue
        if c.code in observed or not sign_off_reasons(c.code, operator.sign_offs, on):
            protocols.update(c.protocols)
    return frozenset(protocols)


def staff(document: PolicyDocument, department: Department | None = None) -> list[User]:
    """The active accounts the policy names, and those holding an AP or radiographer role in the department (or
    in none) when one is given."""
    holders = Q(role_assignments__role__in=[r.value for r in MATRIX_ROLES])
    if department is not None:
        holders &= Q(department=department) | Q(department__isnull=True)
    people = User.objects.filter(is_active=True).filter(Q(username__in=list(document.people)) | holders)
    return list(people.prefetch_related("role_assignments").distinct().order_by("display_name", "username"))


def accounts(document: PolicyDocument, people: list[User], on: dt.date) -> dict[str, Account]:
    """What the records add for each person: the operator facts the engine reads, and what they practise."""
    found = {}
    for person in people:
        operator = with_competence(document.operator(person.username, person.all_roles()), person)
        training = practising(person, competencies_for(person), operator, on)
        found[person.username] = Account(person.name, operator, training)
    return found
