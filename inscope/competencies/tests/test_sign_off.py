"""Sign-off by an assessor: never one's own, not before the observed examinations, not by an AP who does not hold
the competency; a radiographer's sign-off carries the framework's reassessment date."""

import datetime as dt

import pytest

from inscope.audit.models import AuditEvent
from inscope.competencies import services
from inscope.competencies.models import Competency, SignOff
from inscope.lib.errors import DomainError, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def chest(framework):
    return Competency.objects.get(framework=framework, code="AP-XR-CHEST")


def test_nobody_signs_off_their_own(ap, chest, observe):
    observe(ap, "XCHES", 10)

    with pytest.raises(NotAllowed, match="Nobody can sign off their own"):
        services.sign_off_competency(ap, chest, by=ap, channel="web")

    assert not SignOff.objects.exists()


def test_too_few_observations_are_refused_with_the_numbers(trainee, radiographer, chest, observe):
    observe(trainee, "XCHES", 4)

    with pytest.raises(DomainError, match="AP-XR-CHEST needs 10 observed examinations; Tom Reid has 4"):
        services.sign_off_competency(trainee, chest, by=radiographer, channel="web")

    assert not SignOff.objects.exists()


def test_an_ap_without_the_competency_cannot_assess(trainee, ap, chest, observe):
    observe(trainee, "XCHES", 10)

    with pytest.raises(NotAllowed, match="You may not assess AP-XR-CHEST"):
        services.sign_off_competency(trainee, chest, by=ap, channel="web")


def test_a_radiographer_signs_off_with_the_reassessment_date(trainee, radiographer, chest, observe):
    observe(trainee, "XCHES", 10)

    sign_off = services.sign_off_competency(trainee, chest, by=radiographer, channel="web", note="Good technique")

    assert (sign_off.assessor, sign_off.signed_on) == (radiographer, dt.date(2026, 11, 28))
    assert sign_off.expires_on == dt.date(2028, 11, 28)  # reassess_months: 24
    assert sign_off.reason == "Good technique"
    assert AuditEvent.objects.filter(action="competency.signed_off", actor=radiographer).exists()


def test_a_knowledge_competency_without_reassessment_never_expires(trainee, radiographer, framework):
    physics = Competency.objects.get(framework=framework, code="AP-K-PHYSICS")

    sign_off = services.sign_off_competency(trainee, physics, by=radiographer, channel="web")

    assert sign_off.expires_on is None


def test_a_competency_outside_the_persons_frameworks_is_refused(radiographer, second_radiographer, chest):
    with pytest.raises(DomainError, match="not in a framework for Raj Singh's role"):
        services.sign_off_competency(second_radiographer, chest, by=radiographer, channel="web")


def test_an_ap_who_holds_the_competency_may_assess_it(ap, trainee, radiographer, chest, observe):
    observe(ap, "XCHES", 10)
    observe(trainee, "XCHES", 10)
    services.sign_off_competency(ap, chest, by=radiographer, channel="web")

    sign_off = services.sign_off_competency(trainee, chest, by=ap, channel="web")

    assert sign_off.assessor == ap


def test_sign_off_through_the_web_shows_refusals_in_the_error_summary(client, trainee, radiographer, chest, observe):
    observe(trainee, "XCHES", 2)
    client.force_login(radiographer)

    page = client.post(f"/people/{trainee.username}/sign-off/", {"competency": "AP-XR-CHEST"})

    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert "needs 10 observed examinations; Tom Reid has 2" in page.text
    assert 'href="#sign-off-competency"' in page.text
    assert not SignOff.objects.exists()


def test_self_sign_off_through_the_web_is_forbidden(client, ap, chest, observe):
    observe(ap, "XCHES", 10)
    client.force_login(ap)

    page = client.post(f"/people/{ap.username}/sign-off/", {"competency": "AP-XR-CHEST"})

    assert page.status_code == 403
    assert "Nobody can sign off their own competency." in page.text
    assert not SignOff.objects.exists()
