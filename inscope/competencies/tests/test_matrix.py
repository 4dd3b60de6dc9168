"""The staff × protocol matrix: entitled, expiring within 30/60/90 days, expired, revoked, in training or blank,
worked out with the decision engine's rules from the policy and the competence-backed grants."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from inscope.competencies import services
from inscope.competencies.matrix import Status, build_matrix, staff
from inscope.policy.services import document_for

pytestmark = pytest.mark.django_db


def grid(policy):
    return build_matrix(document_for(policy), policy.label, timezone.localdate(), staff())


def grant(ap, manager, department, review):
    services.grant_entitlement(ap, "XFOOT", review_date=review, by=manager, channel="web", department=department)


def test_policy_entitlements_by_their_review_dates(policy, framework):
    matrix = grid(policy)

    assert matrix.cell("r.hughes", "CHEAD").status is Status.ENTITLED  # review 1 April 2027
    assert matrix.cell("ap.trainee", "XCHES").status is Status.ENTITLED  # review 7 March 2027: 99 days
    assert matrix.cell("ap.patel", "XCHES").status is Status.EXPIRING_60  # review 12 January 2027: 45 days
    assert matrix.cell("ap.brown", "XHAND").status is Status.EXPIRED  # review 31 October 2026
    assert matrix.cell("ap.brown", "XSHOU").status is Status.NONE  # personally restricted
    assert matrix.cell("ap.patel", "CHEAD").status is Status.NONE  # outside the AP scope


def test_observed_practice_without_a_grant_is_in_training(policy, ap, trainee, observe):
    observe(ap, "XFOOT", 2)
    observe(trainee, "XHAND", 1)

    matrix = grid(policy)

    assert matrix.cell("ap.patel", "XFOOT").status is Status.IN_TRAINING
    assert matrix.cell("ap.patel", "XKNEE").status is not Status.IN_TRAINING  # entitled by the policy anyway
    assert matrix.cell("ap.trainee", "XHAND").status is Status.IN_TRAINING
    assert matrix.cell("ap.trainee", "XWRIS").status is Status.IN_TRAINING
    assert matrix.cell("ap.trainee", "XKNEE").status is Status.NONE  # outside the trainee scope


def test_a_grant_on_current_competencies_is_entitled_until_its_review(policy, ap, manager, department,
                                                                     signed_lower_limb):
    grant(ap, manager, department, dt.date(2027, 11, 28))

    cell = grid(policy).cell("ap.patel", "XFOOT")

    assert cell.status is Status.ENTITLED
    assert cell.detail == "Entitled until 28 November 2027"


@pytest.mark.parametrize(("review", "status"), [(dt.date(2026, 12, 18), Status.EXPIRING_30),
                                                (dt.date(2027, 1, 20), Status.EXPIRING_60),
                                                (dt.date(2027, 2, 10), Status.EXPIRING_90)])
def test_a_grant_reviewed_soon_is_expiring(policy, ap, manager, department, signed_lower_limb, review, status):
    grant(ap, manager, department, review)

    assert grid(policy).cell("ap.patel", "XFOOT").status is status


def test_a_revoked_sign_off_shows_as_revoked(policy, ap, manager, radiographer, department, lower_limb,
                                             signed_lower_limb):
    grant(ap, manager, department, dt.date(2027, 11, 28))
    services.revoke_sign_off(ap, lower_limb, by=radiographer, channel="web", reason="Incident")

    assert grid(policy).cell("ap.patel", "XFOOT").status is Status.REVOKED


def test_the_page_shows_the_cells(client, manager, policy, ap, observe):
    observe(ap, "XFOOT", 1)
    client.force_login(manager)

    page = client.get("/people/matrix/")

    assert page.status_code == 200
    assert 'data-status="in_training" data-person="ap.patel" data-protocol="XFOOT"' in page.text
    assert 'data-status="expired" data-person="ap.brown" data-protocol="XHAND"' in page.text
    assert "Expiring ≤60 days" in page.text


def test_a_sign_off_lapsing_before_the_grant_review_makes_it_expiring(policy, ap, manager, radiographer,
                                                                      department, lower_limb, observe):
    with time_machine.travel(dt.date(2024, 12, 20)):
        observe(ap, "XFOOT", 10)
        services.sign_off_competency(ap, lower_limb, by=radiographer, channel="web")  # lapses 20 December 2026
    grant(ap, manager, department, dt.date(2027, 11, 28))

    cell = grid(policy).cell("ap.patel", "XFOOT")

    assert cell.status is Status.EXPIRING_30
    assert cell.detail == "Entitled until 20 December 2026"
