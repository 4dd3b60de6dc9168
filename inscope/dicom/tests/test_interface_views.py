"""The interfaces screen and its API: quarantined, ignored, open messages and recent objects; re-processing and
"dealt with", by page, by htmx and by API; only for people who manage the interfaces."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inscope.dicom import inbox
from inscope.dicom.models import InterfaceMessage, ReceivedObject
from inscope.dicom.testing import builders as b
from inscope.lib.uids import new_uid
from inscope.staff.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(db):
    """One of each: processed, ignored, quarantined (could not be read), and an open MPPS message."""
    study_uid = new_uid()
    good, _ = inbox.store_received(b.to_bytes(b.ct_rdsr(study_uid=study_uid, events=[(new_uid(), 9.0, 321.0)])),
                                   source="listener", calling_ae_title="NGH_CT1")
    inbox.process_received(good)
    other, _ = inbox.store_received(b.to_bytes(b.non_dose_sr(study_uid=new_uid())), source="import",
                                    origin="/srv/import/measurements.dcm")
    inbox.process_received(other)
    broken, _ = inbox.store_received(b"\x00" * 300, source="listener", calling_ae_title="NGH_DX1")
    message = InterfaceMessage.objects.create(channel="mpps", calling_ae_title="NGH_CT1",
                                              summary="MPPS refers to accession NGH9999, which InScope does not know")
    return {"good": good, "ignored": other, "broken": broken, "message": message, "study_uid": study_uid}


def test_the_page_shows_each_section(client, rps, received):
    client.force_login(rps)
    response = client.get(reverse("dicom:interfaces"))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("Quarantined (1)", "Open messages (1)", "Ignored (1)", "Recently received"):
        assert heading in html
    broken = received["broken"]
    assert broken.sop_instance_uid in html and "AE NGH_DX1" in html
    assert "no SOP Instance UID" in html
    assert "/srv/import/measurements.dcm" in html
    assert "MPPS refers to accession NGH9999" in html
    # The quarantine's own message is on the quarantined tab, not repeated among the open messages.
    assert html.count("Quarantined " + broken.sop_instance_uid) == 0
    assert reverse("dicom:reprocess", args=[broken.pk]) in html
    assert reverse("dicom:dealt-with", args=[received["message"].pk]) in html
    study = received["good"].dose_study
    assert reverse("dose:study", args=[study.pk]) in html
    assert 'href="/interfaces/"' in html  # the navigation link


def test_an_assistant_practitioner_may_not_see_or_change_anything(client, ap, received):
    client.force_login(ap)
    assert client.get(reverse("dicom:interfaces")).status_code == 403
    assert client.get(reverse("dicom:object", args=[received["broken"].pk])).status_code == 403
    assert client.post(reverse("dicom:reprocess", args=[received["broken"].pk])).status_code == 403
    assert client.post(reverse("dicom:dealt-with", args=[received["message"].pk])).status_code == 403
    assert received["broken"].attempts == ReceivedObject.objects.get(pk=received["broken"].pk).attempts
    assert InterfaceMessage.objects.get(pk=received["message"].pk).dealt_with_at is None
    assert 'href="/interfaces/"' not in client.get(reverse("home"), follow=True).content.decode()


def test_reprocess_with_htmx_returns_the_section_with_the_outcome(client, rps, received):
    client.force_login(rps)
    broken = received["broken"]
    response = client.post(reverse("dicom:reprocess", args=[broken.pk]), {"section": "quarantined"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps only a successful response; the section says what happened
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="quarantined-content">')
    assert "still quarantined" in html and 'role="alert"' in html
    assert "<html" not in html
    assert ReceivedObject.objects.get(pk=broken.pk).attempts == 1


def test_reprocess_an_ignored_object_without_htmx_redirects_back(client, rps, received):
    client.force_login(rps)
    ignored = received["ignored"]
    response = client.post(reverse("dicom:reprocess", args=[ignored.pk]), {"section": "ignored"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dicom:interfaces") + "#ignored"
    assert "not a dose object, ignored" in response.content.decode()
    assert ReceivedObject.objects.get(pk=ignored.pk).attempts == 2


def test_reprocessing_a_processed_object_is_refused_with_a_message(client, rps, received):
    client.force_login(rps)
    response = client.post(reverse("dicom:reprocess", args=[received["good"].pk]), {"section": "recent"},
                           follow=True)
    assert "Only a quarantined or ignored object can be re-processed" in response.content.decode()


def test_mark_a_message_dealt_with(client, rps, received):
    client.force_login(rps)
    message = received["message"]
    response = client.post(reverse("dicom:dealt-with", args=[message.pk]), {"section": "messages"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Marked as dealt with" in html and "No open messages." in html
    message.refresh_from_db()
    assert message.dealt_with_by == "rps.lee"


def test_the_object_page_shows_the_reason_messages_and_history(client, stranger, received):
    client.force_login(stranger)  # an administrator: manages the interfaces, no clinical role
    broken = received["broken"]
    response = client.get(reverse("dicom:object", args=[broken.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quarantined" in html and "no SOP Instance UID" in html and "Re-process" in html
    assert "Mark as dealt with" in html
    assert "Quarantined " + broken.sop_instance_uid in html  # the history (audit trail)


def test_the_api_lists_and_reprocesses(client, rps, ap, received):
    _, key = ApiToken.issue(rps, "interfaces")
    auth = {"Authorization": f"Bearer {key}"}
    listed = client.get("/api/v1/interfaces/objects?state=quarantined", headers=auth).json()
    assert listed["count"] == 1 and listed["objects"][0]["id"] == received["broken"].pk
    assert "data" not in listed["objects"][0]
    messages = client.get("/api/v1/interfaces/messages", headers=auth).json()
    assert {m["channel"] for m in messages["messages"]} == {"mpps", "storage"}
    answer = client.post(f"/api/v1/interfaces/objects/{received['ignored'].pk}/reprocess", headers=auth)
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    refused = client.post(f"/api/v1/interfaces/objects/{received['good'].pk}/reprocess", headers=auth)
    assert refused.status_code == 409
    done = client.post(f"/api/v1/interfaces/messages/{received['message'].pk}/dealt-with", headers=auth)
    assert done.status_code == 200 and done.json()["dealt_with_by"] == "rps.lee"
    _, ap_key = ApiToken.issue(ap, "ap")
    assert client.get("/api/v1/interfaces/objects", headers={"Authorization": f"Bearer {ap_key}"}).status_code == 403
