"""Entitlement that follows from evidence, over time: a manager's grant is in force only while its
competencies are signed off and current, it is within its dates, and nobody has revoked it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from inscope.rules.competence import grant_reasons, latest_sign_off
from inscope.rules.facts import Case, Grant, Operator, SignOff
from inscope.rules.tests.cases import (
    CHEST_PA,
    TODAY,
    Row,
    ap_with,
    case,
    days_ago,
    days_ahead,
    escalate,
    proceed,
    table,
)

CHEST_COMPETENCY = "AP-XR-CHEST"
POSITIONING = "AP-XR-POSITIONING"

GRANT = Grant(
    protocol="XCHES",
    tasks=frozenset({"operator"}),
    granted_by="m.okafor",
    granted_on=days_ago(30),
    review_date=days_ahead(335),
    required_competencies=frozenset({CHEST_COMPETENCY}),
)
SIGNED = SignOff(CHEST_COMPETENCY, signed_on=days_ago(40), expires_on=days_ahead(690))


def trainee_with(grant: Grant | None = GRANT, *sign_offs: SignOff) -> Operator:
    """An AP whose only route to chest PA is the competence-backed grant (no entitlement in the policy)."""
    return ap_with(grants=(grant,) if grant else (), sign_offs=sign_offs)


def chest(*, grant: Grant | None = GRANT, sign_offs: tuple[SignOff, ...] = (SIGNED,), on: dt.date = TODAY) -> Case:
    return case(CHEST_PA, by=trainee_with(grant, *sign_offs), on=on)


def grant(**changes: Any) -> Grant:
    return replace(GRANT, **changes)


def signed(**changes: Any) -> SignOff:
    return replace(SIGNED, **changes)


ROWS = [
    Row("grant with a current sign-off", chest(), proceed()),
    Row("no grant and no policy entitlement", chest(grant=None), escalate("no-entitlement")),
    Row("grant but the competency was never signed off", chest(sign_offs=()),
        escalate("competency-not-signed-off")),
    Row("sign-off dated after today", chest(sign_offs=(signed(signed_on=days_ahead(1)),)),
        escalate("competency-not-signed-off")),
    Row("sign-off on its reassessment date", chest(sign_offs=(signed(expires_on=TODAY),)), proceed()),
    Row("sign-off the day after its reassessment date", chest(sign_offs=(signed(expires_on=days_ago(1)),)),
        escalate("competency-expired")),
    Row("sign-off with no reassessment date", chest(sign_offs=(signed(expires_on=None),)), proceed()),
    Row("sign-off revoked after an incident", chest(sign_offs=(signed(revoked=True),)),
        escalate("competency-revoked")),
    Row("revoked, then signed off again after reassessment",
        chest(sign_offs=(signed(revoked=True), signed(signed_on=days_ago(2)))), proceed()),
    Row("signed off, then a later sign-off revoked",
        chest(sign_offs=(signed(), signed(signed_on=days_ago(1), revoked=True))), escalate("competency-revoked")),
    Row("grant revoked by the manager", chest(grant=grant(revoked=True)), escalate("entitlement-revoked")),
    Row("grant starting tomorrow", chest(grant=grant(granted_on=days_ahead(1))),
        escalate("entitlement-not-yet-in-force")),
    Row("grant on its review date", chest(grant=grant(review_date=TODAY)), proceed()),
    Row("grant the day after its review date", chest(grant=grant(review_date=days_ago(1))),
        escalate("entitlement-expired")),
    Row("grant needing two competencies, one signed",
        chest(grant=grant(required_competencies=frozenset({CHEST_COMPETENCY, POSITIONING}))),
        escalate("competency-not-signed-off")),
    Row("grant for the operator task only covers the operator task",
        chest(grant=grant(tasks=frozenset({"patient_identification"}))), escalate("no-entitlement")),
]


@pytest.mark.parametrize("row", table(ROWS))
def test_a_grant_is_in_force_only_while_its_competencies_are_current(row: Row) -> None:
    row.expect.check(row.decide())


def test_the_grant_lapses_on_the_day_the_sign_off_expires() -> None:
    expiring = (signed(expires_on=days_ahead(10)),)
    assert grant_reasons(GRANT, expiring, days_ahead(10)) == []
    assert [r.code for r in grant_reasons(GRANT, expiring, days_ahead(11))] == ["competency-expired"]


def test_the_latest_sign_off_wins() -> None:
    older, newer = signed(signed_on=days_ago(100)), signed(signed_on=days_ago(3), revoked=True)
    assert latest_sign_off(CHEST_COMPETENCY, (newer, older)) == newer
    assert latest_sign_off("OTHER", (newer, older)) is None
