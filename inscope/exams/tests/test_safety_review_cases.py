"""The facts the 2026-12 safety review found the app could not hold, end to end through the services, the web
forms and the API: a practitioner who declines justification, identification that cannot be confirmed, an MR
patient's weight, the referral setting an entitlement depends on, who an escalation reaches, and who counts as
a supervisor on duty."""

from __future__ import annotations

import pytest

from inscope.exams import services
from inscope.exams.models import ExamEvent, Examination
from inscope.exams.mri_screening import questions
from inscope.exams.tests.api.conftest import ApiClient
from inscope.lib.errors import DomainError, NotAllowed
from inscope.staff.models import User
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


def start(exam: Examination, by: User):
    return services.start_examination(exam, by=by, source="web")


def test_a_practitioner_declines_justification_and_nobody_may_start(ap, radiographer, chest_xray, supervised):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    dr_shah = User.objects.get(username="dr.shah")

    services.justify_request(chest_xray, by=dr_shah, source="web", declined=True, note="Chest X-ray last week")

    for person in (ap, radiographer):
        result = start(chest_xray, by=person)
        assert (result.decision.outcome, result.decision.codes[:1]) == ("stop", ("justification-declined",))
    exam = Examination.objects.get(pk=chest_xray.pk)
    assert (exam.status, exam.justification, exam.justification_note) == ("scheduled", "declined",
                                                                           "Chest X-ray last week")
    assert ExamEvent.objects.filter(examination=exam, action="justification_declined").exists()


def test_declining_needs_a_reason_and_a_practitioner(ap, chest_xray):
    dr_shah = User.objects.get(username="dr.shah")
    with pytest.raises(DomainError, match="Say why"):
        services.justify_request(chest_xray, by=dr_shah, source="web", declined=True, note="  ")
    with pytest.raises(NotAllowed):
        services.justify_request(chest_xray, by=ap, source="web", declined=True, note="Not needed")
    assert Examination.objects.get(pk=chest_xray.pk).justification == "authorised"


def test_the_practitioner_declines_from_the_examination_page(client, chest_xray):
    client.force_login(User.objects.get(username="dr.shah"))
    page = client.get(f"/examinations/{chest_xray.pk}/")
    assert "Is this exposure justified?" in page.text

    refused = client.post(f"/examinations/{chest_xray.pk}/justify/", {"justification": "declined"})
    assert refused.status_code == 400 and "Say why the exposure is not justified" in refused.text

    client.post(f"/examinations/{chest_xray.pk}/justify/", {"justification": "declined",
                                                            "justification_note": "Repeat within 2 weeks"})
    assert Examination.objects.get(pk=chest_xray.pk).justification == "declined"


def api_as(username: str) -> ApiClient:
    return ApiClient(User.objects.get(username=username))


def test_the_api_records_a_declined_justification(chest_xray):
    response = api_as("dr.shah").post_api(f"/examinations/{chest_xray.pk}/justification",
                                          {"justification": "declined", "note": "No clinical indication"})
    assert response.status_code == 200, response.json()
    assert (response.json()["justification"], response.json()["justification_note"]) == (
        "declined", "No clinical indication")


def test_a_patient_who_cannot_confirm_their_identity_escalates_and_a_mismatch_stops(ap, chest_xray, supervised):
    services.record_checklist(chest_xray, {**f.IN_SCOPE_CHECKS, "identity": "cannot_confirm"}, by=ap, source="web")
    assert start(chest_xray, by=ap).decision.codes == ("identity-cannot-be-confirmed",)

    other = f.ExaminationFactory(department=chest_xray.department, site=chest_xray.site, room=chest_xray.room)
    services.record_checklist(other, {**f.IN_SCOPE_CHECKS, "identity": "mismatch"}, by=ap, source="web")
    result = start(other, by=ap)
    assert (result.decision.outcome, result.decision.codes) == ("stop", ("identity-not-confirmed",))


def test_the_older_yes_no_identity_answer_is_still_read(ap, chest_xray, supervised):
    checks = {k: v for k, v in f.IN_SCOPE_CHECKS.items() if k != "identity"} | {"identity_confirmed": True}
    record = services.record_checklist(chest_xray, checks, by=ap, source="api")
    assert record.answers["identity"] == "confirmed"
    assert start(chest_xray, by=ap).decision.outcome == "proceed"


@pytest.mark.parametrize(("weight", "message"), [("heavy", "in kilograms"), ("0", "cannot be right"),
                                                  ("7200", "cannot be right")])
def test_a_weight_that_cannot_be_right_is_refused(ap, chest_xray, weight, message):
    with pytest.raises(DomainError, match=message):
        services.record_checklist(chest_xray, {"weight_kg": weight}, by=ap, source="web")


@pytest.fixture
def mri_knee(policy, site, department):
    room = f.RoomFactory(site=site, name="MRI 1", modality="MR")
    return f.ExaminationFactory(department=department, site=site, room=room, protocol_code="MKNEE",
                                protocol_name="MRI Knee", modality="MR")


def clear_screen() -> dict[str, str]:
    return {q.id: ("yes" if q.id == "loose_ferromagnetic_items" else "no") for q in questions()}


def test_an_mr_scan_without_the_patients_weight_escalates_to_mr_authorised_staff(mri_knee, site, supervised):
    brown = User.objects.get(username="ap.brown")
    services.record_checklist(mri_knee, {**f.IN_SCOPE_CHECKS, "mri_answers": clear_screen()}, by=brown, source="web")

    result = start(mri_knee, by=brown)

    assert result.decision.codes == ("mri-weight-unknown",)
    assert result.decision.escalate_to == "mr_authorised"
    # Rachel Hughes supervises and is MR-authorised: on duty, she is the one told, not Rhys Evans at home.
    assert {u.username for u in result.escalation.recipients.all()} == {"r.hughes"}


def test_with_no_mr_authorised_person_on_duty_every_designated_one_is_told(mri_knee, site, second_radiographer):
    f.on_duty(second_radiographer, site)  # Raj Singh supervises; he is not MR-authorised
    brown = User.objects.get(username="ap.brown")
    services.record_checklist(mri_knee, {**f.IN_SCOPE_CHECKS, "mri_answers": clear_screen()}, by=brown, source="web")

    result = start(mri_knee, by=brown)

    assert {u.username for u in result.escalation.recipients.all()} == {"r.singh", "r.hughes", "r.evans"}


def test_with_the_weight_recorded_the_mr_scan_proceeds(mri_knee, supervised):
    brown = User.objects.get(username="ap.brown")
    services.record_checklist(mri_knee, {**f.IN_SCOPE_CHECKS, "mri_answers": clear_screen(), "weight_kg": "82,5"},
                              by=brown, source="web")
    assert start(mri_knee, by=brown).decision.outcome == "proceed"


def test_an_inpatient_mr_knee_is_outside_ap_browns_entitlement(mri_knee, supervised):
    brown = User.objects.get(username="ap.brown")
    Examination.objects.filter(pk=mri_knee.pk).update(setting="inpatient")
    services.record_checklist(mri_knee, {**f.IN_SCOPE_CHECKS, "mri_answers": clear_screen(), "weight_kg": 70},
                              by=brown, source="web")
    assert start(mri_knee, by=brown).decision.codes == ("entitlement-condition-not-met",)


def test_an_unjustified_request_reaches_the_practitioner_and_the_supervisor(ap, chest_xray, supervised):
    Examination.objects.filter(pk=chest_xray.pk).update(justification="pending", justified_by="")
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")

    result = start(chest_xray, by=ap)

    assert result.decision.codes == ("justification-missing",)
    assert {u.username for u in result.escalation.recipients.all()} == {"r.hughes", "dr.shah"}


def test_the_practitioner_sees_the_escalation_in_their_queue(client, ap, chest_xray, supervised):
    Examination.objects.filter(pk=chest_xray.pk).update(justification="pending", justified_by="")
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    escalation = start(chest_xray, by=ap).escalation
    client.force_login(User.objects.get(username="dr.shah"))

    assert f"/examinations/escalations/{escalation.pk}/" in client.get("/examinations/escalations/").text
    assert client.get(f"/examinations/escalations/{escalation.pk}/").status_code == 200


def test_a_duty_session_counts_only_for_a_role_the_policy_lets_supervise(ap, chest_xray, site):
    nurse = f.person("n.ward", "registered_nurse", name="Nina Ward")  # not among the demo's supervisor_roles
    f.on_duty(nurse, site)
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")

    assert start(chest_xray, by=ap).decision.codes == ("no-supervisor-on-duty",)


def test_a_request_records_where_it_comes_from_and_the_side(policy, site):
    body = {"nhs_number": "9434765919", "family_name": "Doe", "given_name": "Jan", "date_of_birth": "1980-01-02",
            "sex": "female", "address": "1 Road", "postcode": "NG1 1AA", "protocol_code": "XHAND",
            "referrer": "Dr Who (ED)", "site_code": site.code, "scheduled_at": "2026-11-28T11:00:00",
            "accession_number": "ACC-SIDE-1", "setting": "emergency", "laterality": "left"}
    response = api_as("m.okafor").post_api("/requests", body)
    assert response.status_code == 201, response.json()
    exam = Examination.objects.get(accession_number="ACC-SIDE-1")
    assert (exam.setting, exam.laterality) == ("emergency", "left")

    bad = api_as("m.okafor").post_api("/requests", {**body, "accession_number": "ACC-SIDE-2", "laterality": "middle"})
    assert bad.status_code == 422 and not Examination.objects.filter(accession_number="ACC-SIDE-2").exists()
