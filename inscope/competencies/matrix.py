"""The managers' staff × protocol matrix: who is entitled (by the policy or by a competence-backed grant), whose
entitlement lapses within 30, 60 or 90 days, whose has lapsed, and who is in training.

Cells are worked out with the decision engine's own rules (role_scope_reasons, entitlement_reasons and
grant_reasons), so the matrix never disagrees with the decision at the point of care. ``cell_for`` is pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from inscope.competencies.models import Competency, Evidence
from inscope.competencies.queries import competencies_for, expiry, with_competence
from inscope.department.models import Department
from inscope.policy.document import PolicyDocument, ProtocolEntry
from inscope.policy.matrix import current_entitlements
from inscope.rules.competence import grant_reasons, latest_sign_off, sign_off_reasons
from inscope.rules.facts import Operator, Policy, Protocol, Role
from inscope.rules.scope import OPERATOR_TASK, entitlement_reasons, role_scope_reasons
from inscope.staff.models import User

MATRIX_ROLES = (Role.TRAINEE_AP, Role.AP, Role.RADIOGRAPHER)


class Status(StrEnum):
    ENTITLED = "entitled"
    EXPIRING_30 = "expiring_30"
    EXPIRING_60 = "expiring_60"
    EXPIRING_90 = "expiring_90"
    EXPIRED = "expired"
    REVOKED = "revoked"
    IN_TRAINING = "in_training"
    NONE = "none"


LABELS = {
    Status.ENTITLED: "Entitled",
    Status.EXPIRING_30: "Expiring ≤30 days",
    Status.EXPIRING_60: "Expiring ≤60 days",
    Status.EXPIRING_90: "Expiring ≤90 days",
    Status.EXPIRED: "Expired",
    Status.REVOKED: "Revoked",
    Status.IN_TRAINING: "In training",
    Status.NONE: "",
}
COLOURS = {
    Status.ENTITLED: "green",
    Status.EXPIRING_30: "orange",
    Status.EXPIRING_60: "yellow",
    Status.EXPIRING_90: "aqua-green",
    Status.EXPIRED: "red",
    Status.REVOKED: "red",
    Status.IN_TRAINING: "blue",
    Status.NONE: "grey",
}
MEANINGS = {
    Status.ENTITLED: "Entitled as operator, by the policy or by a grant whose competencies are signed off and current.",
    Status.EXPIRING_30: "Entitled, but the entitlement, grant or a competency it rests on lapses within 30 days.",
    Status.EXPIRING_60: "Entitled; something it rests on lapses within 60 days.",
    Status.EXPIRING_90: "Entitled; something it rests on lapses within 90 days.",
    Status.EXPIRED: "The entitlement or a competency it needs has passed its review or reassessment date.",
    Status.REVOKED: "The grant, or the sign-off of a competency it needs, was revoked.",
    Status.IN_TRAINING: "Not entitled; has observed practice or a current sign-off toward the protocol.",
    Status.NONE: "Blank: not entitled, or outside the scope of their role.",
}
SOON = {"30": Status.EXPIRING_30, "60": Status.EXPIRING_60, "90": Status.EXPIRING_90}


@dataclass(frozen=True)
class Cell:
    status: Status
    detail: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def colour(self) -> str:
        return COLOURS[self.status]


@dataclass(frozen=True)
class Row:
    person: User
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Matrix:
    on: dt.date
    protocols: tuple[ProtocolEntry, ...]
    rows: tuple[Row, ...]

    def cell(self, username: str, code: str) -> Cell:
        codes = [p.code for p in self.protocols]
        row = next(r for r in self.rows if r.person.username == username)
        return row.cells[codes.index(code)]


def lapses_on(operator: Operator, protocol: Protocol, on: dt.date) -> dt.date | None:
    """Return when the operator's entitlement for the protocol lapses (the latest of the routes in force)."""
    dates: list[dt.date | None] = [e.review_date for e in current_entitlements(operator, protocol, on)]
    for grant in operator.grants:
        if grant.protocol != protocol.code or OPERATOR_TASK not in grant.tasks:
            continue
        if grant_reasons(grant, operator.sign_offs, on):
            continue
        ends = [grant.review_date]
        for code in grant.required_competencies:
            latest = latest_sign_off(code, operator.sign_offs)
            ends.append(latest.expires_on if latest else None)
        known = [d for d in ends if d is not None]
        dates.append(min(known) if known else None)
    if not dates or None in dates:
        return None
    return max(d for d in dates if d is not None)


def cell_for(operator: Operator, protocol: Protocol, policy: Policy, on: dt.date, training: frozenset[str]) -> Cell:
    """Return the cell for one person and protocol; ``training`` holds the protocols they are practising."""
    scope = role_scope_reasons(operator, protocol, policy)
    if scope:
        return Cell(Status.NONE, "; ".join(r.message for r in scope))
    reasons = entitlement_reasons(operator, protocol, on)
    detail = "; ".join(r.message for r in reasons)
    if not reasons:
        lapse = lapses_on(operator, protocol, on)
        soon = expiry(on, lapse)
        text = f"Entitled until {lapse.day} {lapse:%B %Y}" if lapse else "Entitled"
        return Cell(SOON.get(soon, Status.ENTITLED), text)
    codes = {r.code for r in reasons}
    if codes & {"entitlement-expired", "competency-expired"}:
        return Cell(Status.EXPIRED, detail)
    if codes & {"entitlement-revoked", "competency-revoked"}:
        return Cell(Status.REVOKED, detail)
    if protocol.code in training:
        return Cell(Status.IN_TRAINING, detail)
    return Cell(Status.NONE, detail)


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


def staff(department: Department | None = None, roles: tuple[Role, ...] = MATRIX_ROLES) -> list[User]:
    """Active holders of the roles, in the department (or in none) when one is given."""
    people = User.objects.filter(is_active=True, role_assignments__role__in=[r.value for r in roles])
    if department is not None:
        people = people.filter(Q(department=department) | Q(department__isnull=True))
    return list(
        people
        .prefetch_related("role_assignments")
        .distinct()
        .order_by("display_name", "username")
    )


def build_matrix(document: PolicyDocument, version_label: str, on: dt.date, people: list[User]) -> Matrix:
    policy = document.to_policy(version_label)
    protocols = tuple(document.protocols.values())
    rows = []
    for person in people:
        operator = with_competence(document.operator(person.username, person.all_roles()), person)
        training = practising(person, competencies_for(person), operator, on)
        rows.append(Row(person, tuple(cell_for(operator, p.rule, policy, on, training) for p in protocols)))
    return Matrix(on, protocols, tuple(rows))
