"""SAUE screening of recorded studies: a review item per study and criterion, kept up to date while open, never
duplicated, and never reopened or rewritten once the supervisor has decided."""

from __future__ import annotations

import pytest

from inscope.audit.models import AuditEvent
from inscope.dose.models import SaueReview
from inscope.dose.report import EventKind
from inscope.dose.services import record_dose
from inscope.dose.services.saue import body_part_matches, record_saue_outcome, screen_study
from inscope.dose.tests.reports import event, report
from inscope.lib.errors import DomainError, InvalidTransition, NotAllowed
from inscope.staff.models import User
from inscope.testing import factories as f


def chest(exam, sop="a", events=None, **fields):
    events = events if events is not None else [event(1, dap_gy_cm2=0.05, view="PA")]
    values = {"accession_number": exam.accession_number, "patient_id": exam.patient.nhs_number,
              "patient_name": f"{exam.patient.family_name.upper()}^{exam.patient.given_name}", "body_part": "CHEST",
              **fields}
    return record_dose(report(sop, events, **values), source="listener").study


@pytest.fixture
def rps(policy):
    return User.objects.get(username="rps.lee")  # Grace Lee, radiation protection supervisor in the demo policy


@pytest.mark.django_db
def test_a_study_that_meets_no_criterion_opens_nothing(chest_xray) -> None:
    chest(chest_xray)
    assert not SaueReview.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "matches"), [
    ({"patient_id": "1234567", "patient_name": "JONES^Ann"}, False),
    ({"patient_id": "1234567"}, True),  # another ID, but the family name matches
    ({"patient_name": "JONES^Ann"}, True),  # the NHS number matches
    ({"patient_id": "", "patient_name": ""}, None),  # the report names nobody: nothing to say
])
def test_a_report_naming_another_patient_opens_a_code_1_review(chest_xray, fields, matches) -> None:
    study = chest(chest_xray, **fields)
    found = SaueReview.objects.filter(study=study, criterion="wrong-patient").first()
    assert (found is not None) == (matches is False)
    if found is not None:
        assert (found.code, found.category, found.examination) == ("1", "accidental exposure", chest_xray)
        assert "ID 1234567, JONES^Ann" in found.summary and found.status == "open"
        assert AuditEvent.objects.filter(action="dose.saue_review_opened", object_id=str(found.pk)).exists()


@pytest.mark.django_db
def test_a_report_of_another_body_part_opens_a_review(chest_xray) -> None:
    study = chest(chest_xray, body_part="PELVIS")
    review = SaueReview.objects.get(study=study)
    assert (review.criterion, review.code, review.category) == ("wrong-body-part", "", "unintended exposure")
    assert review.figures["protocol_region"] == {"value": "chest", "unit": "", "label": "Protocol's body region"}


@pytest.mark.parametrize(("body_part", "description", "region", "expected"), [
    ("CHEST", "", "chest", True),
    ("PELVIS", "", "chest", False),
    ("L SPINE", "", "lumbar spine", True),
    ("HAND", "", "wrist", True),  # equipment records a wrist as HAND: a near part, not a different one
    ("HIP", "", "pelvis", True),
    ("ABDOMENPELVIS", "", "abdomen and pelvis", True),
    ("HEAD", "", "abdomen and pelvis", False),
    ("XYZZY", "XR Chest", "chest", None),  # an unknown term: cannot be told
    ("", "XR Chest PA", "chest", True),
    ("", "CT Head", "chest", False),
    ("", "Study 1", "chest", None),
    ("CHEST", "", "sacroiliac joints", None),  # a region InScope does not know
])
def test_body_part_matching(body_part, description, region, expected) -> None:
    assert body_part_matches(body_part, description, region) is expected


@pytest.mark.django_db
def test_a_repeated_view_opens_a_review_for_the_local_record(chest_xray) -> None:
    study = chest(chest_xray, events=[event(1, dap_gy_cm2=0.05, view="PA"), event(2, dap_gy_cm2=0.05, view="PA")])
    review = SaueReview.objects.get(study=study)
    assert review.criterion == "repeat-exposures" and "PA ×2" in review.summary


@pytest.mark.django_db
def test_ten_times_the_drl_opens_a_review_showing_the_band_edges(chest_xray) -> None:
    study = chest(chest_xray, events=[event(1, dap_gy_cm2=1.0, view="PA")])  # the policy's DRL is 0.10 Gy·cm²
    review = SaueReview.objects.get(study=study)
    assert (review.criterion, review.code) == ("drl-multiple", "2.2")
    assert "edges 0.3 mSv and 2.5 mSv" in review.band and "shown, not decided" in review.band
    assert review.figures["total_dap"]["value"] == 1.0 and review.figures["total_dap"]["unit"] == "Gy·cm²"


@pytest.mark.django_db
def test_high_reference_point_dose_opens_a_tissue_reaction_review_without_an_examination() -> None:
    runs = [event(1, kind=EventKind.FLUOROSCOPY, dap_gy_cm2=80, rp_dose_gy=1.2),
            event(2, kind=EventKind.ACQUISITION, dap_gy_cm2=40, rp_dose_gy=0.9)]
    study = record_dose(report("a", runs, modality="XA"), source="listener").study
    review = SaueReview.objects.get(study=study)
    assert (review.criterion, review.category, review.examination) == ("skin-dose", "tissue reactions", None)
    assert review.figures["total_rp_dose"]["value"] == 2.1


@pytest.mark.django_db
def test_screening_again_updates_an_open_item_and_never_duplicates_it(chest_xray) -> None:
    chest(chest_xray, "a", events=[event(1, dap_gy_cm2=1.0, view="PA")])
    study = chest(chest_xray, "b", events=[event(1, dap_gy_cm2=1.0, view="PA"), event(2, dap_gy_cm2=0.5,
                                                                                        view="LAT")])
    [review] = SaueReview.objects.filter(study=study, criterion="drl-multiple")
    assert review.figures["total_dap"]["value"] == 1.5
    assert AuditEvent.objects.filter(action="dose.saue_review_updated", object_id=str(review.pk)).count() == 1
    screen_study(study)  # nothing new: nothing changes
    assert AuditEvent.objects.filter(action="dose.saue_review_updated").count() == 1


@pytest.mark.django_db
def test_a_decided_item_keeps_its_decision_when_screened_again(chest_xray, rps) -> None:
    chest(chest_xray, "a", events=[event(1, dap_gy_cm2=1.0, view="PA")])
    review = record_saue_outcome(SaueReview.objects.get(), outcome="not_saue", note="DAP meter fault; checked", by=rps)
    chest(chest_xray, "b", events=[event(2, dap_gy_cm2=0.5, view="LAT")])
    review.refresh_from_db()
    assert (review.status, review.outcome, review.figures["total_dap"]["value"]) == ("closed", "not_saue", 1.0)
    later = AuditEvent.objects.get(action="dose.saue_rescreened_after_review")
    assert later.detail["figures"]["total_dap"]["value"] == 1.5


@pytest.mark.django_db
def test_recording_the_outcome_closes_the_item_once(chest_xray, rps) -> None:
    chest(chest_xray, patient_id="1234567", patient_name="JONES^Ann")
    review = record_saue_outcome(SaueReview.objects.get(), outcome="local_record", note="Wrong patient sent", by=rps)
    assert (review.status, review.outcome, review.reviewed_by) == ("closed", "local_record", rps)
    assert review.reviewed_at is not None
    event_row = AuditEvent.objects.get(action="dose.saue_reviewed")
    assert (event_row.actor, event_row.detail["note"]) == (rps, "Wrong patient sent")
    with pytest.raises(InvalidTransition, match="already closed"):
        record_saue_outcome(review, outcome="not_saue", note="again", by=rps)


@pytest.mark.django_db
@pytest.mark.parametrize(("outcome", "note", "field"), [("not_saue", "  ", "note"), ("notify_cqc", "x", "outcome")])
def test_an_outcome_needs_a_known_choice_and_a_note(chest_xray, rps, outcome, note, field) -> None:
    chest(chest_xray, patient_id="1234567", patient_name="JONES^Ann")
    with pytest.raises(DomainError) as error:
        record_saue_outcome(SaueReview.objects.get(), outcome=outcome, note=note, by=rps)
    assert error.value.field == field and SaueReview.objects.get().status == "open"


@pytest.mark.django_db
def test_only_a_supervisor_or_physicist_records_the_outcome(chest_xray, radiographer, manager) -> None:
    chest(chest_xray, patient_id="1234567", patient_name="JONES^Ann")
    for person in (radiographer, manager):
        with pytest.raises(NotAllowed):
            record_saue_outcome(SaueReview.objects.get(), outcome="not_saue", note="fine", by=person)
    mpe = f.person("mpe.khan", "medical_physics_expert")
    assert record_saue_outcome(SaueReview.objects.get(), outcome="not_saue", note="fine", by=mpe).status == "closed"
