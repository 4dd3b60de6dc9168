"""The entitlement matrix ("who can do what"), worked out from the demo policy with the engine's own rules:
statuses, conditions shown (not evaluated), revocation, and grants on signed-off competencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from inscope.policy.document import parse_policy
from inscope.policy.matrix import Account, Status, build_matrix, review_status
from inscope.rules.evaluate import decide
from inscope.rules.facts import (
    Case,
    Conditions,
    Grant,
    Justification,
    Operator,
    Patient,
    PatientGroup,
    PatientLimits,
    Request,
    Role,
    Setting,
    SignOff,
    SupervisionContext,
)

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
    "entitlement-revoked",
    "entitlement-conditions-unstructured",
}
# The demo's conditional entitlements, in words (describe_conditions).
PATEL = "not trauma"
BROWN_MR = "gp or outpatient referrals"


@pytest.fixture(scope="module")
def document():
    return parse_policy(DEMO.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("username", "code", "on", "status"),
    [
        ("ap.patel", "XCHES", TODAY, Status.EXPIRING_60),  # review on 12 January 2027: 45 days
        ("ap.patel", "XCHES", dt.date(2026, 9, 1), Status.ENTITLED),
        ("ap.patel", "XCHES", dt.date(2026, 11, 1), Status.EXPIRING_90),
        ("ap.patel", "XFOOT", TODAY, Status.NONE),  # in the AP scope, but not in her entitlement
        ("ap.patel", "CHEAD", TODAY, Status.NONE),  # not an AP examination
        ("ap.patel", "XCHES", dt.date(2027, 1, 1), Status.EXPIRING_30),
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
    assert matrix.cell("r.hughes", "CHEAD").label == "Entitled"
    assert matrix.cell("ap.brown", "XHAND").label == "Expired"
    assert "31 October 2026" in matrix.cell("ap.brown", "XHAND").detail
    assert matrix.cell("ap.patel", "XFOOT").label == ""


@pytest.mark.parametrize(
    ("username", "code", "on", "label", "conditions"),
    [
        ("ap.trainee", "XCHES", TODAY, "Entitled", ()),  # no conditions
        ("ap.brown", "MKNEE", TODAY, "Entitled, with conditions", (BROWN_MR,)),
        ("ap.patel", "XCHES", TODAY, "Expiring ≤60 days", (PATEL,)),  # the tag says how soon; the line, on what
        ("ap.brown", "XCHES", TODAY, "Entitled", ()),  # no conditions
        ("r.hughes", "CHEAD", TODAY, "Entitled", ()),
    ],
)
def test_a_conditional_entitlement_is_marked_and_names_its_conditions(document, username, code, on, label,
                                                                      conditions):
    cell = build_matrix(document, on).cell(username, code)
    assert (cell.label, cell.conditions) == (label, conditions)
    for words in conditions:
        assert words in cell.detail


def test_an_unconditional_route_covers_everything_so_no_conditions_are_shown(document):
    """Daniel Brown's MR knee entitlement holds for planned referrals only; a grant without conditions frees it."""
    operator = replace(document.operator("ap.brown"), grants=(
        Grant("MKNEE", frozenset({"operator"}), "m.okafor", dt.date(2026, 11, 1), dt.date(2027, 11, 1),
              frozenset({"AP-MR-KNEE"})),
    ), sign_offs=(SignOff("AP-MR-KNEE", dt.date(2026, 11, 1), dt.date(2028, 11, 1)),))
    cell = build_matrix(document, TODAY, {"ap.brown": Account("Daniel Brown", operator)}).cell("ap.brown", "MKNEE")
    assert (cell.status, cell.conditions) == (Status.ENTITLED, ())
    assert cell.detail == "Entitled until 1 November 2027"  # the latest of the two routes


def test_a_grant_with_conditions_is_shown_with_them(document):
    conditions = Conditions(patients=PatientLimits(min_age=18, excluded_groups=frozenset({PatientGroup.TRAUMA})))
    operator = replace(document.operator("ap.patel"), grants=(
        Grant("XFOOT", frozenset({"operator"}), "m.okafor", dt.date(2026, 11, 1), dt.date(2027, 11, 1),
              frozenset({"AP-XR-LOWER-LIMB"}), conditions=conditions),
    ), sign_offs=(SignOff("AP-XR-LOWER-LIMB", dt.date(2026, 11, 1), dt.date(2028, 11, 1)),))
    cell = build_matrix(document, TODAY, {"ap.patel": Account("Priya Patel", operator)}).cell("ap.patel", "XFOOT")
    assert (cell.label, cell.conditions) == ("Entitled, with conditions", ("aged 18 and over; not trauma",))
    assert cell.detail == "Entitled until 1 November 2027, with conditions: aged 18 and over; not trauma"


def test_a_revoked_policy_entitlement_shows_its_date_and_reason(document):
    patel = document.people["ap.patel"]
    revoked = replace(patel.entitlements[0], revoked_on=dt.date(2026, 11, 20), revoked_reason="Repeat audit")
    changed = replace(document, people={**document.people, "ap.patel": replace(patel, entitlements=(revoked,))})
    before = build_matrix(changed, dt.date(2026, 11, 19)).cell("ap.patel", "XCHES")
    cell = build_matrix(changed, TODAY).cell("ap.patel", "XCHES")
    assert before.status is Status.EXPIRING_60  # in force until the revocation takes effect
    assert (cell.status, cell.label) == (Status.REVOKED, "Revoked")
    assert cell.detail == "Your entitlement for XR Chest PA was revoked on 20 November 2026: Repeat audit."
    assert review_status(revoked, TODAY) == ("Revoked on 20 November 2026", "red")


def test_free_text_conditions_from_a_stored_policy_are_not_shown_as_entitled(document):
    brown = document.people["ap.brown"]
    legacy = replace(brown.entitlements[0], conditions=Conditions(unstructured="non-trauma only"))
    changed = replace(document, people={**document.people, "ap.brown": replace(brown, entitlements=(legacy,))})
    cell = build_matrix(changed, TODAY).cell("ap.brown", "XCHES")
    assert (cell.status, cell.label) == (Status.UNCHECKABLE, "Conditions not checkable")
    assert "non-trauma only" in cell.detail


def test_in_training_and_grant_statuses(document):
    signed = SignOff("AP-XR-LOWER-LIMB", dt.date(2026, 1, 1), dt.date(2028, 1, 1))
    grant = Grant("XFOOT", frozenset({"operator"}), "m.okafor", dt.date(2026, 1, 1), dt.date(2027, 11, 1),
                  frozenset({"AP-XR-LOWER-LIMB"}))
    cases = {
        "practising": (Operator("ap.new", frozenset({Role.AP})), frozenset({"XFOOT"}), Status.IN_TRAINING),
        "revoked sign-off": (Operator("ap.new", frozenset({Role.AP}), grants=(grant,), sign_offs=(
            signed, SignOff("AP-XR-LOWER-LIMB", dt.date(2026, 6, 1), None, revoked=True))), frozenset(),
            Status.REVOKED),
        "revoked grant": (Operator("ap.new", frozenset({Role.AP}), grants=(replace(grant, revoked=True),),
                                   sign_offs=(signed,)), frozenset({"XFOOT"}), Status.REVOKED),
        "sign-off lapses first": (Operator("ap.new", frozenset({Role.AP}), grants=(grant,), sign_offs=(
            replace(signed, expires_on=dt.date(2026, 12, 20)),)), frozenset(), Status.EXPIRING_30),
    }
    for name, (operator, training, status) in cases.items():
        cell = build_matrix(document, TODAY, {"ap.new": Account("Nia New", operator, training)}).cell("ap.new",
                                                                                                    "XFOOT")
        assert cell.status is status, name


def test_accounts_give_the_roles_and_extra_people_get_rows(document):
    accounts = {
        # An account whose roles differ from the policy's: the engine uses the account's roles.
        "ap.patel": Account("Priya Patel", document.operator("ap.patel", frozenset({Role.TRAINEE_AP}))),
        "new.ap": Account("Nia New", Operator("new.ap", frozenset({Role.AP}))),
    }
    matrix = build_matrix(document, TODAY, accounts)
    assert matrix.cell("ap.patel", "XCHES").status == Status.EXPIRING_60
    assert matrix.cell("ap.patel", "XSHOU").status == Status.NONE  # outside the trainee scope
    row = matrix.rows[-1]
    assert (row.person.name, row.in_policy, row.has_account) == ("Nia New", False, True)
    assert {c.status for c in row.cells} == {Status.NONE}
    assert [r.person.username for r in matrix.rows].count("ap.patel") == 1
    assert not next(r for r in matrix.rows if r.person.username == "r.mensah").has_account


ENTITLED = {Status.ENTITLED, Status.EXPIRING_30, Status.EXPIRING_60, Status.EXPIRING_90}


@pytest.mark.parametrize("on", [TODAY, dt.date(2026, 5, 1), dt.date(2027, 1, 13)])
def test_matches_the_decision_engine(document, on):
    """Entitled (or expiring) exactly when decide() gives no scope or entitlement reason: a conditional
    entitlement's own reasons (condition not met or unknown) are about the case, not the entitlement."""
    policy = document.to_policy(document.version_label)
    matrix = build_matrix(document, on)
    for row in matrix.rows:
        operator = document.operator(row.person.username)
        for entry, cell in zip(matrix.protocols, row.cells, strict=True):
            request = Request(entry.code, Justification.JUSTIFIED)
            case = Case(operator, request, Patient(age=40), SupervisionContext(()), on)
            codes = {r.code for r in decide(case, policy).reasons}
            allowed = cell.status in ENTITLED
            assert allowed == (not codes & SCOPE_CODES), (row.person.username, entry.code, cell, codes)


def test_a_conditional_cell_is_what_decide_says_inside_and_outside_the_conditions(document):
    """Daniel Brown's MR knee holds for GP and outpatient referrals: an outpatient is covered, an inpatient is not."""
    policy = document.to_policy(document.version_label)
    assert build_matrix(document, TODAY).cell("ap.brown", "MKNEE").conditions == (BROWN_MR,)
    operator = document.operator("ap.brown")
    for setting, within in ((Setting.OUTPATIENT, True), (Setting.INPATIENT, False)):
        request = Request("MKNEE", Justification.JUSTIFIED, setting=setting)
        case = Case(operator, request, Patient(age=40), SupervisionContext(()), TODAY)
        codes = {r.code for r in decide(case, policy).reasons}
        assert ("entitlement-condition-not-met" not in codes) == within, (setting, codes)
        assert not codes & SCOPE_CODES


def test_review_status_tags(document):
    brown = document.people["ap.brown"].entitlements
    assert review_status(brown[1], TODAY) == ("Expired", "red")
    assert review_status(brown[0], TODAY) is None  # review on 2 March 2027
    assert review_status(brown[0], dt.date(2027, 2, 20)) == ("Review due in 10 days", "yellow")
    assert review_status(brown[0], dt.date(2027, 3, 2)) == ("Review due today", "yellow")
    starts = review_status(brown[2], dt.date(2026, 5, 1))
    assert starts is not None
    assert starts[0] == "Starts on 18 May 2026"
