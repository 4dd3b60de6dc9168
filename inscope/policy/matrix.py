"""The entitlement matrix, "who can do what": for each person and protocol, whether they may act as operator on
a date, by an entitlement written in the policy or a manager's grant on signed-off competencies, how soon that
lapses, under which conditions, and why not when they may not.

Each cell is worked out with the decision engine's own rules (``role_scope_reasons``, ``entitlement_reasons``
and ``grant_reasons``), so the matrix never disagrees with the decision at the point of care. An entitlement's
conditions are shown, not evaluated: there is no patient here, and the decision checks them case by case.
Pure Python over a PolicyDocument, the operators' facts and a date: no database, no clock. The database side
(people, grants, sign-offs, observed practice) is inscope.competencies.matrix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from inscope.policy.document import PolicyDocument, ProtocolEntry
from inscope.policy.limits import describe_conditions
from inscope.rules.competence import grant_reasons, latest_sign_off
from inscope.rules.decisions import Reason
from inscope.rules.facts import Conditions, Entitlement, Grant, Operator, Policy, Protocol, Role
from inscope.rules.reasons import reason
from inscope.rules.scope import OPERATOR_TASK, entitlement_reasons, role_scope_reasons

EXPIRY_WINDOWS = (30, 60, 90)  # days: an entitlement lapsing within one is flagged
REVIEW_DUE_DAYS = EXPIRY_WINDOWS[0]  # an entitlement record's own tag ("Review due in 10 days")


class Status(StrEnum):
    ENTITLED = "entitled"
    EXPIRING_30 = "expiring_30"
    EXPIRING_60 = "expiring_60"
    EXPIRING_90 = "expiring_90"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET = "not_yet"
    RESTRICTED = "restricted"
    UNCHECKABLE = "uncheckable"  # conditions written as free text, in a policy stored before they were structured
    IN_TRAINING = "in_training"
    NONE = "none"  # no entitlement, or outside the scope of the person's roles


LABELS = {
    Status.ENTITLED: "Entitled",
    Status.EXPIRING_30: "Expiring ≤30 days",
    Status.EXPIRING_60: "Expiring ≤60 days",
    Status.EXPIRING_90: "Expiring ≤90 days",
    Status.EXPIRED: "Expired",
    Status.REVOKED: "Revoked",
    Status.NOT_YET: "Not yet",
    Status.RESTRICTED: "Restricted",
    Status.UNCHECKABLE: "Conditions not checkable",
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
    Status.NOT_YET: "purple",
    Status.RESTRICTED: "orange",
    Status.UNCHECKABLE: "pink",
    Status.IN_TRAINING: "blue",
    Status.NONE: "grey",
}
MEANINGS = {
    Status.ENTITLED: "Entitled as operator, by the policy or by a grant whose competencies are signed off and "
    "current, and the protocol is within the scope of their role.",
    Status.EXPIRING_30: "Entitled, but the entitlement, grant or a competency it rests on lapses within 30 days.",
    Status.EXPIRING_60: "Entitled; something it rests on lapses within 60 days.",
    Status.EXPIRING_90: "Entitled; something it rests on lapses within 90 days.",
    Status.EXPIRED: "The entitlement, or a competency it needs, has passed its review or reassessment date.",
    Status.REVOKED: "The employer revoked the entitlement or grant (date and reason in the detail), or the "
    "sign-off of a competency it needs.",
    Status.NOT_YET: "An entitlement covers the protocol but it starts on a later date.",
    Status.RESTRICTED: "The policy personally restricts them from the protocol.",
    Status.UNCHECKABLE: "The entitlement's conditions are free text, which InScope cannot check, so every "
    "examination escalates: a manager must write them as structured conditions.",
    Status.IN_TRAINING: "Not entitled; has observed practice or a current sign-off toward the protocol.",
    Status.NONE: "Blank: not entitled, or the protocol is outside the scope of their role.",
}
CONDITIONS_MEANING = ("Entitled only for the patients and cases the conditions name (for example adults only, or "
                      "not trauma); each examination is checked against them, and one outside them escalates.")
_SOON = {"30": Status.EXPIRING_30, "60": Status.EXPIRING_60, "90": Status.EXPIRING_90}  # by expiry()


@dataclass(frozen=True)
class Cell:
    status: Status
    detail: str = ""  # why, in words
    conditions: tuple[str, ...] = ()  # when entitled only with conditions: each route's, in words

    @property
    def label(self) -> str:
        if self.conditions and self.status is Status.ENTITLED:
            return "Entitled, with conditions"
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
class Account:
    """What the department's records add for someone with an account: the operator facts as the engine reads them
    (the account's roles, the policy's entitlements, their grants and sign-offs) and the protocols they practise."""

    name: str
    operator: Operator
    training: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    person: Person
    in_policy: bool
    has_account: bool
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


def expiry(on: dt.date, when: dt.date | None) -> str:
    """Return how soon something lapses: expired, 30, 60 or 90 (days), or "" for later or never."""
    if when is None:
        return ""
    left = (when - on).days
    if left < 0:
        return "expired"
    return next((str(limit) for limit in EXPIRY_WINDOWS if left <= limit), "")


def current_entitlements(operator: Operator, protocol: Protocol, on: dt.date) -> list[Entitlement]:
    """The policy's entitlements naming the protocol that are in force on the date (started, not past review,
    not revoked)."""
    return [
        e
        for e in operator.entitlements
        if e.covers(protocol, OPERATOR_TASK)
        and e.entitled_on <= on
        and (e.review_date is None or on <= e.review_date)
        and (e.revoked_on is None or on < e.revoked_on)
    ]


def current_grants(operator: Operator, protocol: Protocol, on: dt.date) -> list[Grant]:
    """The manager's grants for the protocol in force on the date (their competencies signed off and current)."""
    return [
        g
        for g in operator.grants
        if g.protocol == protocol.code and OPERATOR_TASK in g.tasks and not grant_reasons(g, operator.sign_offs, on)
    ]


def lapses_on(operator: Operator, protocol: Protocol, on: dt.date) -> dt.date | None:
    """Return when the operator's entitlement for the protocol lapses (the latest of the routes in force)."""
    dates: list[dt.date | None] = [e.review_date for e in current_entitlements(operator, protocol, on)]
    for grant in current_grants(operator, protocol, on):
        ends = [grant.review_date]
        for code in grant.required_competencies:
            latest = latest_sign_off(code, operator.sign_offs)
            ends.append(latest.expires_on if latest else None)
        known = [d for d in ends if d is not None]
        dates.append(min(known) if known else None)
    if not dates or None in dates:
        return None
    return max(d for d in dates if d is not None)


def conditions_in_force(operator: Operator, protocol: Protocol, on: dt.date) -> tuple[str, ...]:
    """The conditions, in words, of each route in force; empty when one of them has none (it covers every case)."""
    routes = [e.conditions for e in current_entitlements(operator, protocol, on)]
    routes += [g.conditions for g in current_grants(operator, protocol, on)]
    if not routes or any(c.is_empty for c in routes):
        return ()
    return tuple(dict.fromkeys(describe_conditions(c) for c in routes))


def shown_not_checked(conditions: Conditions) -> list[Reason]:
    """The matrix's ``conditions_met``: structured conditions count as met (there is no patient to check them on);
    free-text ones never do, as in the decision."""
    if conditions.unstructured:
        return [reason("entitlement-conditions-unstructured",
                       f"The entitlement's conditions are free text ({conditions.unstructured!r}), which InScope "
                       "cannot check, so every examination escalates.")]
    return []


def cell_for(operator: Operator, protocol: Protocol, policy: Policy, on: dt.date,
             training: frozenset[str] = frozenset()) -> Cell:
    """Return the cell for one person and protocol; ``training`` holds the protocols they are practising."""
    scope = role_scope_reasons(operator, protocol, policy)
    if any(r.code == "personal-restriction" for r in scope):
        return Cell(Status.RESTRICTED, "; ".join(r.message for r in scope))
    if scope:
        return Cell(Status.NONE, "; ".join(r.message for r in scope))
    reasons = entitlement_reasons(operator, protocol, on, conditions_met=shown_not_checked)
    if not reasons:
        lapse = lapses_on(operator, protocol, on)
        conditions = conditions_in_force(operator, protocol, on)
        text = f"Entitled until {lapse.day} {lapse:%B %Y}" if lapse else "Entitled"
        if conditions:
            text += ", with conditions: " + " or ".join(conditions)
        return Cell(_SOON.get(expiry(on, lapse), Status.ENTITLED), text, conditions)
    detail = "; ".join(r.message for r in reasons)
    codes = {r.code for r in reasons}
    if codes & {"entitlement-expired", "competency-expired"}:
        return Cell(Status.EXPIRED, detail)
    if codes & {"entitlement-revoked", "competency-revoked"}:
        return Cell(Status.REVOKED, detail)
    if "entitlement-not-yet-in-force" in codes:
        return Cell(Status.NOT_YET, detail)
    if "entitlement-conditions-unstructured" in codes:
        return Cell(Status.UNCHECKABLE, detail)
    if protocol.code in training:
        return Cell(Status.IN_TRAINING, detail)
    return Cell(Status.NONE, detail)


def review_status(entitlement: Entitlement, on: dt.date) -> tuple[str, str] | None:
    """Return a (text, colour) tag for an entitlement's dates on the day, or None when nothing is due."""
    if entitlement.revoked_on is not None and entitlement.revoked_on <= on:
        return f"Revoked on {entitlement.revoked_on:%d %B %Y}", "red"
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


def build_matrix(document: PolicyDocument, on: dt.date, accounts: Mapping[str, Account] | None = None) -> Matrix:
    """Return the matrix on the date: everyone the policy names, in its order, then everyone else in ``accounts``
    by name. Someone without an account is shown with the roles and entitlements the policy gives them."""
    accounts = accounts or {}
    policy = document.to_policy(document.version_label)
    protocols = tuple(document.protocols.values())
    rest = sorted((u for u in accounts if u not in document.people), key=lambda u: accounts[u].name.lower())
    rows = []
    for username in [*document.people, *rest]:
        entry, account = document.people.get(username), accounts.get(username)
        operator = account.operator if account else document.operator(username)
        name = account.name if account else entry.name if entry else username
        training = account.training if account else frozenset()
        cells = tuple(cell_for(operator, p.rule, policy, on, training) for p in protocols)
        rows.append(Row(Person(username, name, operator.roles), entry is not None, account is not None, cells))
    return Matrix(on, protocols, tuple(rows))
