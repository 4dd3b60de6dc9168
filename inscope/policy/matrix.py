"""The "who can do what" matrix: for each person and protocol, whether the policy lets them act as operator.

Each cell is worked out with the decision engine's own scope rules (``role_scope_reasons`` and
``entitlement_reasons``), so the matrix never disagrees with what the engine decides at the point of care.
Pure Python over a PolicyDocument and a date: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from inscope.policy.document import PolicyDocument, ProtocolEntry
from inscope.rules.facts import Entitlement, Operator, Policy, Protocol, Role
from inscope.rules.scope import OPERATOR_TASK, entitlement_reasons, role_scope_reasons

REVIEW_DUE_DAYS = 30  # an entitlement whose review date is this close is flagged "Review due"


class Status(StrEnum):
    ENTITLED = "entitled"
    REVIEW_DUE = "review_due"
    EXPIRED = "expired"
    NOT_YET = "not_yet"
    RESTRICTED = "restricted"
    NONE = "none"  # no entitlement, or outside the scope of the person's roles


LABELS = {
    Status.ENTITLED: "Entitled",
    Status.REVIEW_DUE: "Review due",
    Status.EXPIRED: "Expired",
    Status.NOT_YET: "Not yet",
    Status.RESTRICTED: "Restricted",
    Status.NONE: "",
}
COLOURS = {
    Status.ENTITLED: "green",
    Status.REVIEW_DUE: "yellow",
    Status.EXPIRED: "red",
    Status.NOT_YET: "blue",
    Status.RESTRICTED: "orange",
    Status.NONE: "grey",
}
MEANINGS = {
    Status.ENTITLED: "A current operator entitlement covers the protocol and it is within the scope of their role.",
    Status.REVIEW_DUE: f"Entitled, but the entitlement's review date is within {REVIEW_DUE_DAYS} days.",
    Status.EXPIRED: "The entitlement covering the protocol has passed its review date: they may not perform it.",
    Status.NOT_YET: "An entitlement covers the protocol but it starts on a later date.",
    Status.RESTRICTED: "The policy personally restricts them from the protocol.",
    Status.NONE: "Blank: no entitlement, or the protocol is outside the scope of their role.",
}


@dataclass(frozen=True)
class Cell:
    status: Status
    detail: str = ""  # why, in words, for a tooltip or hidden text

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def colour(self) -> str:
        return COLOURS[self.status]


@dataclass(frozen=True)
class Person:
    """Someone to show a row for: their account's roles when they have one, else the policy's."""

    username: str
    name: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Row:
    person: Person
    in_policy: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Matrix:
    on: dt.date
    protocols: tuple[ProtocolEntry, ...]
    rows: tuple[Row, ...]

    def cell(self, username: str, code: str) -> Cell:
        codes = [p.code for p in self.protocols]
        for row in self.rows:
            if row.person.username == username:
                return row.cells[codes.index(code)]
        raise KeyError(username)


def current_entitlements(operator: Operator, protocol: Protocol, on: dt.date) -> list[Entitlement]:
    return [
        e
        for e in operator.entitlements
        if e.covers(protocol, OPERATOR_TASK) and e.entitled_on <= on and (e.review_date is None or on <= e.review_date)
    ]


def cell_for(operator: Operator, protocol: Protocol, policy: Policy, on: dt.date) -> Cell:
    """Return what the policy lets the operator do with the protocol on the date."""
    scope = role_scope_reasons(operator, protocol, policy)
    if any(r.code == "personal-restriction" for r in scope):
        return Cell(Status.RESTRICTED, "; ".join(r.message for r in scope))
    if scope:
        return Cell(Status.NONE, "; ".join(r.message for r in scope))
    entitlement = entitlement_reasons(operator, protocol, on)
    codes = {r.code for r in entitlement}
    detail = "; ".join(r.message for r in entitlement)
    if "entitlement-expired" in codes:
        return Cell(Status.EXPIRED, detail)
    if "entitlement-not-yet-in-force" in codes:
        return Cell(Status.NOT_YET, detail)
    if entitlement:
        return Cell(Status.NONE, detail)
    reviews = [e.review_date for e in current_entitlements(operator, protocol, on)]
    if reviews and None not in reviews:
        last = max(r for r in reviews if r is not None)
        days = (last - on).days
        if days <= REVIEW_DUE_DAYS:
            return Cell(Status.REVIEW_DUE, f"Review due on {last:%d %B %Y} ({days} days)")
        return Cell(Status.ENTITLED, f"Entitled until review on {last:%d %B %Y}")
    return Cell(Status.ENTITLED, "Entitled")


def review_status(entitlement: Entitlement, on: dt.date) -> tuple[str, str] | None:
    """Return a (text, colour) tag for an entitlement's dates on the day, or None when nothing is due."""
    if entitlement.entitled_on > on:
        return f"Starts on {entitlement.entitled_on:%d %B %Y}", "blue"
    if entitlement.review_date is None:
        return None
    days = (entitlement.review_date - on).days
    if days < 0:
        return "Expired", "red"
    if days <= REVIEW_DUE_DAYS:
        return ("Review due today" if days == 0 else f"Review due in {days} day{'s' if days != 1 else ''}"), "yellow"
    return None


def build_matrix(
    document: PolicyDocument, on: dt.date, accounts: Mapping[str, Person] | None = None, *, extra: Iterable[str] = ()
) -> Matrix:
    """Return the matrix for everyone the policy names, then the ``extra`` usernames, on the date.

    ``accounts`` gives the name and roles of people who have an account (the roles the engine will use for
    them); anyone else is shown with the roles the policy gives them.
    """
    accounts = accounts or {}
    policy = document.to_policy(document.version_label)
    protocols = tuple(document.protocols.values())
    usernames = list(document.people)
    rest = sorted((u for u in set(extra) if u not in document.people), key=lambda u: _sort_name(u, accounts))
    rows = []
    for username in [*usernames, *rest]:
        entry = document.people.get(username)
        person = accounts.get(username) or Person(
            username, entry.name if entry else username, entry.roles if entry else frozenset()
        )
        operator = document.operator(username, person.roles)
        cells = tuple(cell_for(operator, p.rule, policy, on) for p in protocols)
        rows.append(Row(person, entry is not None, cells))
    return Matrix(on, protocols, tuple(rows))


def _sort_name(username: str, accounts: Mapping[str, Person]) -> str:
    person = accounts.get(username)
    return (person.name if person else username).lower()
