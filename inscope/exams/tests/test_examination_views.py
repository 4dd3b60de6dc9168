"""The AP's web journey without JavaScript: worklist, checks, start, complete; refusals shown as NHS errors."""

import re

import pytest
from django.urls import reverse

from inscope.audit.models import AuditEvent
from inscope.exams.models import Examination

pytestmark = pytest.mark.django_db

CHECKS = {"identity": "confirmed", "cooperative": "yes", "has_capacity": "yes", "mobility": "independent",
          "trauma": "no"}


def test_the_worklist_shows_todays_examinations(client, ap, chest_xray):
    client.force_login(ap)

    page = client.get(reverse("exams:worklist"))

    assert page.status_code == 200
    assert "SMITH, Alex" in page.text
    assert "XR Chest PA" in page.text


def test_htmx_refresh_returns_only_the_rows(client, ap, chest_xray):
    client.force_login(ap)

    rows = client.get(reverse("exams:worklist"), headers={"HX-Request": "true"})

    assert "SMITH, Alex" in rows.text
    assert "<html" not in rows.text


def test_viewing_an_examination_records_the_read_of_the_patient_record(client, ap, chest_xray):
    client.force_login(ap)

    page = client.get(chest_xray.get_absolute_url())

    assert page.status_code == 200
    assert "If you start now" in page.text
    read = AuditEvent.objects.get(action="patient.viewed")
    assert (read.actor, read.object_id, read.channel) == (ap, str(chest_xray.patient_id), "web")


def test_an_ap_records_checks_starts_and_completes(client, ap, chest_xray, supervised):
    client.force_login(ap)

    client.post(reverse("exams:checklist", args=[chest_xray.pk]), CHECKS)
    started = client.post(reverse("exams:start", args=[chest_xray.pk]), follow=True)
    assert "Within your scope of practice" in started.text
    completed = client.post(reverse("exams:complete", args=[chest_xray.pk]), {
        "projection_0": "PA", "kvp_0": "110", "mas_0": "2", "dap_0": "0.05", "dap_unit_0": "Gy·cm²",
        "images_count": "1", "aftercare": "None needed",
    }, follow=True)

    assert "Examination completed." in completed.text
    assert Examination.objects.get(pk=chest_xray.pk).status == "completed"


def test_a_bad_exposure_is_shown_in_an_error_summary_and_kept(client, ap, chest_xray, supervised):
    client.force_login(ap)
    client.post(reverse("exams:checklist", args=[chest_xray.pk]), CHECKS)
    client.post(reverse("exams:start", args=[chest_xray.pk]))

    page = client.post(reverse("exams:complete", args=[chest_xray.pk]), {
        "projection_0": "PA", "kvp_0": "900", "mas_0": "2", "dap_0": "0.05", "dap_unit_0": "Gy·cm²",
        "images_count": "1",
    })

    assert page.status_code == 400
    assert "nhsuk-error-summary" in page.text
    assert "kVp must be between 20 and 150" in page.text
    assert 'value="900"' in page.text


def test_an_out_of_scope_start_says_who_it_was_escalated_to(client, ap, chest_xray, supervised):
    client.force_login(ap)
    client.post(reverse("exams:checklist", args=[chest_xray.pk]), {**CHECKS, "cooperative": "no"})

    page = client.post(reverse("exams:start", args=[chest_xray.pk]), follow=True)

    assert "Escalated to Rachel Hughes" in page.text
    assert "The patient cannot co-operate" in page.text


def test_an_administrator_cannot_see_patients(client, stranger, chest_xray):
    client.force_login(stranger)

    assert client.get(chest_xray.get_absolute_url()).status_code == 404
    assert client.get(reverse("exams:worklist")).status_code == 403


def test_a_radiographer_adds_a_request_from_the_form_and_bad_input_is_explained(client, radiographer, policy, site):
    client.force_login(radiographer)
    form = {"nhs_number": "943 476 5919", "given_name": "Sarah", "family_name": "Walker", "date_of_birth-day": "14",
            "date_of_birth-month": "3", "date_of_birth-year": "1980", "sex": "female", "address": "1 Station Road",
            "postcode": "NG1 1AB", "protocol_code": "XCHES", "referrer": "Dr Carter", "justification": "pending",
            "priority": "routine", "site_code": site.code, "scheduled_at": "2026-11-28T15:00",
            "accession_number": "NGI9001"}

    assert client.get(reverse("exams:new")).status_code == 200
    refused = client.post(reverse("exams:new"), {**form, "nhs_number": "943 476 5918"})
    assert refused.status_code == 400
    assert "check digit does not match" in refused.text
    assert 'value="Walker"' in refused.text
    impossible = client.post(reverse("exams:new"), {**form, "date_of_birth-month": "13"})
    assert "Date of birth must be a real date" in impossible.text
    added = client.post(reverse("exams:new"), form, follow=True)
    assert "Request NGI9001 added to the worklist." in added.text


def test_the_poll_gets_204_until_something_on_the_worklist_changes(client, ap, chest_xray, supervised):
    client.force_login(ap)
    page = client.get(reverse("exams:worklist"))
    found = re.search(r'"X-Worklist-Version": "([^"]+)"', page.text)
    assert found is not None
    version = found.group(1)
    poll = {"HX-Request": "true", "X-Worklist-Version": version}

    assert client.get(reverse("exams:worklist"), headers=poll).status_code == 204
    client.post(reverse("exams:checklist", args=[chest_xray.pk]), CHECKS)
    client.post(reverse("exams:start", args=[chest_xray.pk]))
    changed = client.get(reverse("exams:worklist"), headers=poll)

    assert changed.status_code == 200
    assert "In progress" in changed.text
