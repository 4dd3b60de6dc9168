"""The entitlement matrix from the department's records: entitled (with or without conditions), expiring within
30/60/90 days, expired, revoked, in training or blank, worked out with the decision engine's rules from the policy
and the competence-backed grants; and the one page that shows it, to whom."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from inscope.competencies import services
from inscope.competencies.matrix import accounts, staff
from inscope.policy.matrix import Status, build_matrix
from inscope.policy.services import document_for
from inscope.staff.models import User
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


def grid(policy, department=None):
    document, today = document_for(policy), timezone.localdate()
    return build_matrix(document, today, accounts(document, staff(document, department), today))


def grant(ap, manager, department, review, conditions=None):
    services.grant_entitlement(ap, "XFOOT", review_date=review, by=manager, channel="web", department=department,
                               conditions=conditions)


def cell(page, username, code):
    """The status and visible text of one matrix cell."""
    pattern = rf'data-status="(\w+)" data-person="{re.escape(username)}" data-protocol="{code}">(.*?)</td>'
    match = re.search(pattern, page, re.S)
    assert match, (username, code)
    text = re.sub(r'<span class="nhsuk-table__heading".*?</span>', "", match.group(2), flags=re.S)
    return match.group(1), " ".join(re.sub(r"<[^>]+>", "", text).split())


def test_policy_entitlements_by_their_review_dates(policy, framework):
    matrix = grid(policy)

    assert matrix.cell("r.hughes", "CHEAD").status is Status.ENTITLED  # review 1 April 2027
    assert matrix.cell("ap.trainee", "XCHES").status is Status.ENTITLED  # review 7 March 2027: 99 days
    assert matrix.cell("ap.patel", "XCHES").status is Status.EXPIRING_60  # review 12 January 2027: 45 days
    assert matrix.cell("ap.brown", "XHAND").status is Status.EXPIRED  # review 31 October 2026
    assert matrix.cell("ap.brown", "XSHOU").status is Status.RESTRICTED  # personally restricted
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


def test_a_grant_with_conditions_is_marked_on_the_matrix(policy, ap, manager, department, signed_lower_limb):
    grant(ap, manager, department, dt.date(2027, 11, 28), {"min_age": 18, "exclude": ["trauma"]})

    cell_ = grid(policy).cell("ap.patel", "XFOOT")

    assert (cell_.status, cell_.label) == (Status.ENTITLED, "Entitled, with conditions")
    assert cell_.conditions == ("aged 18 and over; not trauma",)


def test_rows_are_the_policy_people_then_other_accounts_in_the_department(policy, department, ap):
    elsewhere = f.DepartmentFactory.create(name="Elsewhere")
    f.person("ap.new", "assistant_practitioner", name="Nia New")
    away = f.person("ap.away", "assistant_practitioner", name="Ann Away")
    away.department = elsewhere
    away.save()

    rows = grid(policy, department).rows

    names = [r.person.username for r in rows]
    assert names[: len(document_for(policy).people)] == list(document_for(policy).people)
    assert "ap.new" in names and "ap.away" not in names
    new = next(r for r in rows if r.person.username == "ap.new")
    assert (new.in_policy, new.has_account) == (False, True)


def test_the_page_shows_the_cells(client, manager, policy, ap, observe):
    observe(ap, "XFOOT", 1)
    client.force_login(manager)

    page = client.get("/people/matrix/").text

    assert cell(page, "ap.patel", "XFOOT")[0] == "in_training"
    assert cell(page, "ap.brown", "XHAND") == ("expired", "Expired")
    assert cell(page, "ap.brown", "XSHOU") == ("restricted", "Restricted")
    assert cell(page, "ap.patel", "CHEAD")[0] == "none"
    assert cell(page, "ap.brown", "MKNEE") == ("entitled", "Entitled, with conditions Conditions: gp or outpatient "
                                                            "referrals")
    assert cell(page, "ap.patel", "XCHES") == ("expiring_60", "Expiring ≤60 days Conditions: not trauma")
    assert cell(page, "ap.trainee", "XCHES") == ("entitled", "Entitled")
    assert 'scope="row"' in page and "Key" in page


@pytest.mark.parametrize("username", ["ap.patel", "ap.trainee", "it.admin", "r.hughes", "m.okafor", "rps.lee"])
def test_everyone_who_reads_the_policy_sees_the_matrix_with_links_to_the_portfolios_they_may_open(
    client, policy, stranger, username
):
    client.force_login(User.objects.get(username=username))

    page = client.get("/people/matrix/").text

    assert cell(page, "ap.brown", "XHAND") == ("expired", "Expired")
    links = set(re.findall(r'href="/people/([\w.]+)/"', page)) - {"matrix"}  # "matrix": the navigation
    oversees = username in ("r.hughes", "m.okafor", "rps.lee")
    everyone = set(document_for(policy).people)  # each has an account in the department
    assert links == (everyone if oversees else everyone & {username})
    assert ("rota coverage check" in page) == oversees


def test_no_role_is_refused_the_matrix(client, policy):
    client.force_login(f.person("no.role"))

    assert client.get("/people/matrix/").status_code == 403


def test_the_matrix_without_a_policy_in_force(client, ap):
    client.force_login(ap)

    assert "No approved local policy is in force" in client.get("/people/matrix/").text


def test_a_sign_off_lapsing_before_the_grant_review_makes_it_expiring(policy, ap, manager, radiographer,
                                                                      department, lower_limb, observe):
    with time_machine.travel(dt.date(2024, 12, 20)):
        observe(ap, "XFOOT", 10)
        services.sign_off_competency(ap, lower_limb, by=radiographer, channel="web")  # lapses 20 December 2026
    grant(ap, manager, department, dt.date(2027, 11, 28))

    cell = grid(policy).cell("ap.patel", "XFOOT")

    assert cell.status is Status.EXPIRING_30
    assert cell.detail == "Entitled until 20 December 2026"
