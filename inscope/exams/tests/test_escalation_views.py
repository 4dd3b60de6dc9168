"""The radiographer's queue shows escalations sent to them, and the actions work from the page."""

import pytest
from django.urls import reverse

from inscope.exams import services
from inscope.exams.models import Examination
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated(ap, chest_xray, supervised):
    services.record_checklist(chest_xray, {**f.IN_SCOPE_CHECKS, "cooperative": False}, by=ap, source="web")
    return services.start_examination(chest_xray, by=ap, source="web").escalation


def test_the_queue_lists_escalations_to_me(client, radiographer, escalated):
    client.force_login(radiographer)

    page = client.get(reverse("exams:queue"))

    assert "SMITH, Alex" in page.text
    assert "The patient cannot co-operate" in page.text


def test_the_queue_is_empty_for_a_radiographer_it_was_not_sent_to(client, second_radiographer, escalated):
    client.force_login(second_radiographer)

    assert "Nothing waiting for you" in client.get(reverse("exams:queue")).text


def test_taking_over_from_the_page(client, radiographer, escalated):
    client.force_login(radiographer)

    page = client.post(reverse("exams:escalation-act", args=[escalated.pk, "take-over"]),
                       {"reason": "Patient distressed"}, follow=True)

    assert "You are now the operator" in page.text
    assert Examination.objects.get(pk=escalated.examination_id).operator == radiographer


def test_a_missing_reason_is_an_nhs_error(client, radiographer, escalated):
    client.force_login(radiographer)

    page = client.post(reverse("exams:escalation-act", args=[escalated.pk, "cancel"]), {"reason": ""})

    assert page.status_code == 400
    assert "Give your reason" in page.text


def test_an_ap_cannot_open_the_queue_or_act(client, ap, escalated):
    client.force_login(ap)

    assert client.get(reverse("exams:queue")).status_code == 403
    assert client.post(reverse("exams:escalation-act", args=[escalated.pk, "take-over"]),
                       {"reason": "x"}).status_code == 403
