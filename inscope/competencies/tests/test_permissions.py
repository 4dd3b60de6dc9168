"""Who reaches which people page, enforced on the server: allowed and refused, for every view."""

import datetime as dt

import pytest

from inscope.competencies.models import Grant, TrainingRecord
from inscope.staff.models import User

pytestmark = pytest.mark.django_db

PORTFOLIO_GETS = ["/people/ap.patel/", "/people/ap.patel/portfolio.csv", "/people/ap.patel/portfolio.pdf"]
OVERSIGHT_GETS = ["/examinations/coverage/"]


def login(client, username):
    client.force_login(User.objects.get(username=username))


@pytest.fixture
def everyone(policy, stranger, framework):
    """The demo policy's people (with Grace Lee, the RPS, and Daniel Brown, another AP) and an administrator."""


@pytest.mark.parametrize("url", ["/people/", *PORTFOLIO_GETS, *OVERSIGHT_GETS, "/people/matrix/", "/people/frameworks/",
                                 "/people/entitlement-record.csv"])
def test_signed_out_people_are_sent_to_log_in(client, everyone, url):
    page = client.get(url)

    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


@pytest.mark.parametrize("username", ["ap.patel", "r.hughes", "m.okafor", "rps.lee"])
@pytest.mark.parametrize("url", PORTFOLIO_GETS)
def test_the_person_assessors_managers_and_the_rps_see_a_portfolio(client, everyone, username, url):
    login(client, username)

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("username", ["ap.brown", "ap.trainee", "it.admin"])
@pytest.mark.parametrize("url", PORTFOLIO_GETS)
def test_other_aps_and_non_clinical_staff_are_told_it_does_not_exist(client, everyone, username, url):
    login(client, username)

    assert client.get(url).status_code == 404


def test_the_people_list_shows_an_ap_only_themselves(client, everyone):
    login(client, "ap.patel")

    page = client.get("/people/")

    assert page.status_code == 200
    assert "Priya Patel" in page.text
    assert "Daniel Brown" not in page.text
    assert "/examinations/coverage/" not in page.text
    assert 'href="/people/matrix/">Who can do what</a>: entitlement' in page.text  # the matrix is for everyone


def test_the_people_list_shows_a_manager_everyone_clinical(client, everyone):
    login(client, "m.okafor")

    page = client.get("/people/")

    assert all(name in page.text for name in ("Priya Patel", "Daniel Brown", "Tom Reid", "Rachel Hughes"))
    assert "Ian Admin" not in page.text
    assert 'href="/people/"' in page.text  # the People navigation item


def test_an_administrator_without_a_clinical_role_has_no_people_list(client, everyone):
    login(client, "it.admin")

    assert client.get("/people/").status_code == 403
    assert client.get("/people/frameworks/").status_code == 403


@pytest.mark.parametrize(("username", "status"), [("m.okafor", 200), ("r.hughes", 200), ("rps.lee", 200),
                                                  ("ap.patel", 403), ("ap.trainee", 403), ("it.admin", 403)])
@pytest.mark.parametrize("url", OVERSIGHT_GETS)
def test_coverage_is_for_managers_assessors_and_the_rps(client, everyone, username, status, url):
    login(client, username)

    assert client.get(url).status_code == status


@pytest.mark.parametrize("username", ["m.okafor", "r.hughes", "rps.lee", "ap.patel", "ap.trainee", "it.admin"])
def test_the_matrix_is_for_everyone_who_reads_the_policy(client, everyone, username):
    """The entitlements are written in the policy, which they all read; portfolios stay as they were."""
    login(client, username)

    assert client.get("/people/matrix/").status_code == 200


@pytest.mark.parametrize(("username", "status"), [("m.okafor", 200), ("rps.lee", 200), ("r.hughes", 403),
                                                  ("ap.patel", 403)])
def test_the_entitlement_record_is_for_managers_and_the_rps(client, everyone, username, status):
    login(client, username)

    assert client.get("/people/entitlement-record.csv").status_code == status


def test_anyone_clinical_reads_and_exports_frameworks_but_only_a_manager_imports(client, everyone, framework):
    login(client, "ap.patel")

    assert client.get("/people/frameworks/").status_code == 200
    assert client.get(f"/people/frameworks/{framework.pk}/export/").status_code == 200
    assert client.post("/people/frameworks/import/", {"source_yaml": "name: x"}).status_code == 403


def test_only_a_manager_entitles_through_the_web(client, everyone, ap, signed_lower_limb):
    data = {"protocol_code": "XFOOT", "review_date[day]": "28", "review_date[month]": "11",
            "review_date[year]": "2027"}
    for username in ("ap.patel", "r.hughes"):
        login(client, username)
        refused = client.post("/people/ap.patel/entitle/", data)
        assert refused.status_code == 403
        assert "Only a manager can entitle operators." in refused.text
    assert not Grant.objects.exists()

    login(client, "m.okafor")
    done = client.post("/people/ap.patel/entitle/", data, follow=True)

    assert "Priya Patel is entitled as operator for XFOOT until 28 November 2027." in done.text
    assert Grant.objects.get().review_date == dt.date(2027, 11, 28)


def test_a_write_to_a_portfolio_one_cannot_see_is_not_found(client, everyone):
    login(client, "ap.brown")

    page = client.post("/people/ap.patel/training/", {"course": "manual_handling", "completed_on[day]": "1",
                                                       "completed_on[month]": "11", "completed_on[year]": "2026"})

    assert page.status_code == 404
    assert not TrainingRecord.objects.exists()


def test_cpd_is_recorded_by_the_person_only(client, everyone):
    data = {"title": "Journal club", "occurred_on[day]": "20", "occurred_on[month]": "11",
            "occurred_on[year]": "2026", "hours": "1.5"}
    login(client, "m.okafor")
    assert client.post("/people/ap.patel/cpd/", data).status_code == 403

    login(client, "ap.patel")
    page = client.post("/people/ap.patel/cpd/", data, follow=True)

    assert "CPD recorded: Journal club." in page.text
    assert "1.5 hours in the last 12 months." in page.text


def test_an_unknown_form_is_not_found(client, everyone):
    login(client, "ap.patel")

    assert client.post("/people/ap.patel/delete-everything/", {}).status_code == 404
