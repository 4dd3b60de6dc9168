"""The "who can do what" matrix, worked out from the demo policy with the engine's own scope rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from inscope.policy.document import parse_policy
from inscope.policy.matrix import Person, Status, build_matrix, review_status
from inscope.rules.evaluate import decide
from inscope.rules.facts import Case, Patient, Request, Role, SupervisionContext

DEMO = Path(__file__).resolve().parent.parent / "demo_policy.yaml"
TODAY = dt.date(2026, 11, 28)
SCOPE_CODES = {
    "no-operator-role",
    "protocol-not-for-assistant-practitioners",
    "outside-role-scope",
    "personal-restriction",
    "no-entitlement",
    "entitlement-not-yet-in-force",
    "entitlement-expired",
}


@pytest.fixture(scope="module")
def document():
    return parse_policy(DEMO.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("username", "code", "on", "status"),
    [
        ("ap.patel", "XCHES", TODAY, Status.ENTITLED),
        ("ap.patel", "XFOOT", TODAY, Status.NONE),  # in the AP scope, but not in her entitlement
        ("ap.patel", "CHEAD", TODAY, Status.NONE),  # not an AP examination
        ("ap.patel", "XCHES", dt.date(2027, 1, 1), Status.REVIEW_DUE),  # review on 12 January 2027
        ("ap.patel", "XCHES", dt.date(2027, 1, 13), Status.EXPIRED),
        ("ap.brown", "XHAND", TODAY, Status.EXPIRED),  # review date 31 October 2026 has passed
        ("ap.brown", "XCHES", TODAY, Status.ENTITLED),
        ("ap.brown", "MKNEE", TODAY, Status.ENTITLED),
        ("ap.brown", "XSHOU", TODAY, Status.RESTRICTED),  # personal restriction
        ("ap.trainee", "XCHES", TODAY, Status.ENTITLED),
        ("ap.trainee", "XHAND", TODAY, Status.NONE),  # outside the trainee scope
        ("r.mensah", "XCHES", dt.date(2026, 5, 1), Status.NOT_YET),  # entitled from 1 June 2026
        ("r.hughes", "CHEAD", TODAY, Status.ENTITLED),
        ("r.singh", "MKNEE", TODAY, Status.NONE),  # no MR entitlement
        ("m.okafor", "XCHES", TODAY, Status.NONE),  # a manager is not an operator
    ],
)
def test_cells(document, username, code, on, status):
    assert build_matrix(document, on).cell(username, code).status == status


def test_labels_and_rows(document):
    matrix = build_matrix(document, TODAY)
    assert [p.code for p in matrix.protocols][:2] == ["XCHES", "XCHEAP"]
    assert [r.person.username for r in matrix.rows] == list(document.people)
    assert matrix.cell("ap.patel", "XCHES").label == "Entitled"
    assert matrix.cell("ap.brown", "XHAND").label == "Expired"
    assert "31 October 2026" in matrix.cell("ap.brown", "XHAND").detail
    assert matrix.cell("ap.patel", "XFOOT").label == ""


def test_accounts_give_the_roles_and_extra_people_get_rows(document):
    accounts = {
        # An account whose roles differ from the policy's: the engine uses the account's roles.
        "ap.patel": Person("ap.patel", "Priya Patel", frozenset({Role.TRAINEE_AP})),
        "new.ap": Person("new.ap", "Nia New", frozenset({Role.AP})),
    }
    matrix = build_matrix(document, TODAY, accounts, extra=["new.ap", "ap.patel"])
    assert matrix.cell("ap.patel", "XCHES").status == Status.ENTITLED
    assert matrix.cell("ap.patel", "XSHOU").status == Status.NONE  # outside the trainee scope
    row = matrix.rows[-1]
    assert (row.person.name, row.in_policy) == ("Nia New", False)
    assert {c.status for c in row.cells} == {Status.NONE}
    assert [r.person.username for r in matrix.rows].count("ap.patel") == 1


@pytest.mark.parametrize("on", [TODAY, dt.date(2026, 5, 1), dt.date(2027, 1, 13)])
def test_matches_the_decision_engine(document, on):
    """Entitled (or review due) exactly when decide() gives no scope or entitlement reason."""
    policy = document.to_policy(document.version_label)
    matrix = build_matrix(document, on)
    for row in matrix.rows:
        operator = document.operator(row.person.username)
        for entry, cell in zip(matrix.protocols, row.cells, strict=True):
            case = Case(operator, Request(entry.code, justified=True), Patient(age=40), SupervisionContext(()), on)
            codes = {r.code for r in decide(case, policy).reasons}
            allowed = cell.status in (Status.ENTITLED, Status.REVIEW_DUE)
            assert allowed == (not codes & SCOPE_CODES), (row.person.username, entry.code, cell, codes)


def test_review_status_tags(document):
    brown = document.people["ap.brown"].entitlements
    assert review_status(brown[1], TODAY) == ("Expired", "red")
    assert review_status(brown[0], TODAY) is None  # review on 2 March 2027
    assert review_status(brown[0], dt.date(2027, 2, 20)) == ("Review due in 10 days", "yellow")
    assert review_status(brown[0], dt.date(2027, 3, 2)) == ("Review due today", "yellow")
    starts = review_status(brown[2], dt.date(2026, 5, 1))
    assert starts is not None
    assert starts[0] == "Starts on 18 May 2026"
