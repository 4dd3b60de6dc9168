"""The pre-examination checklist stores what the patient said, refuses malformed answers, and feeds the
decision: pregnancy and MRI screening answers escalate as the policy says."""

import datetime as dt

import pytest

from inscope.exams import services
from inscope.exams.models import ChecklistRecord
from inscope.exams.mri_screening import questions
from inscope.lib.errors import DomainError
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"identity_confirmed": "maybe"}, "identity_confirmed", "must be yes or no"),
        ({"mobility": "flying"}, "mobility", "must be one of"),
        ({"last_menstrual_period": "2026-02-30"}, "last_menstrual_period", "real date"),
        ({"last_menstrual_period": "2027-01-01"}, "last_menstrual_period", "today or in the past"),
        ({"mri_answers": {"pacemaker_icd": "perhaps"}}, "mri_answers", "yes, no or unsure"),
        ({"blood_group": "O"}, "blood_group", "Unknown checklist item"),
    ],
)
def test_malformed_answers_are_refused(ap, chest_xray, answers, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        services.record_checklist(chest_xray, answers, by=ap, source="api")
    assert refused.value.field == field
    assert not ChecklistRecord.objects.exists()


def test_a_possible_pregnancy_with_an_overdue_period_escalates(ap, policy, site, xray_room, department, supervised):
    spine = f.ExaminationFactory.create(department=department, site=site, room=xray_room, protocol_code="XLSPN",
                                        protocol_name="XR Lumbar spine",
                                        patient=f.PatientFactory(nhs_number="4391500086", sex="female",
                                                                 date_of_birth=dt.date(1995, 1, 1)))
    services.record_checklist(spine, {**f.IN_SCOPE_CHECKS, "childbearing_potential": True,
                                      "pregnancy_answer": "possibly", "last_menstrual_period": "2026-10-20"},
                              by=ap, source="web")

    decision = services.start_examination(spine, by=ap, source="web").decision

    assert decision.outcome == "escalate"
    assert set(decision.codes) == {"pregnancy-not-excluded", "pregnancy-28-day-rule"}


def test_an_mri_screening_stop_answer_escalates_urgently(policy, site, department, supervised):
    mri_room = f.RoomFactory(site=site, name="MRI 1", modality="MR")
    brown = f.person("ap.brown", "assistant_practitioner", name="Daniel Brown")
    knee = f.ExaminationFactory.create(department=department, site=site, room=mri_room, protocol_code="MKNEE",
                                       protocol_name="MRI Knee", modality="MR")
    answers = {q.id: "no" for q in questions()} | {"pacemaker_icd": "unsure", "loose_ferromagnetic_items": "yes"}
    services.record_checklist(knee, {**f.IN_SCOPE_CHECKS, "mri_answers": answers, "weight_kg": 81}, by=brown,
                              source="web")

    result = services.start_examination(knee, by=brown, source="web")

    assert result.decision.codes == ("mri-screening-stop",)
    assert result.escalation is not None
    assert result.escalation.urgency == "urgent"
