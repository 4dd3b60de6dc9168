"""What the supervising radiographer does with an escalation: take over, authorise, or decline; never the AP."""

import pytest

from inscope.exams import services
from inscope.exams.models import Escalation, Examination
from inscope.lib.errors import DomainError, NotAllowed, OutsideScope
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

NON_COOPERATIVE = {**f.IN_SCOPE_CHECKS, "cooperative": False}


@pytest.fixture
def escalated(ap, chest_xray, supervised):
    services.record_checklist(chest_xray, NON_COOPERATIVE, by=ap, source="web")
    result = services.start_examination(chest_xray, by=ap, source="web")
    assert result.decision.codes == ("patient-non-cooperative",)
    return result.escalation


def test_the_radiographer_takes_over_and_becomes_the_operator(escalated, radiographer):
    services.take_over_examination(escalated, by=radiographer, source="web", reason_text="Patient needs help")

    exam = Examination.objects.get(pk=escalated.examination_id)
    escalation = Escalation.objects.get(pk=escalated.pk)
    assert (exam.status, exam.operator) == ("in_progress", radiographer)
    assert (escalation.status, escalation.resolution) == ("resolved", "taken_over")
    assert escalation.resolved_by == radiographer
    assert escalation.resolution_note == "Patient needs help"


def test_the_radiographer_authorises_the_ap_who_then_starts(escalated, radiographer, ap):
    services.authorise_examination(escalated, by=radiographer, source="web", reason_text="I will stay in the room")
    assert Examination.objects.get(pk=escalated.examination_id).status == "authorised"

    result = services.start_examination(escalated.examination, by=ap, source="web")

    assert result.examination.status == "in_progress"
    assert result.examination.events.filter(action="authorised", reason__contains="Rachel Hughes").exists()


def test_an_ap_can_start_an_exam_they_escalated_by_hand_once_it_is_authorised(ap, radiographer, chest_xray,
                                                                            supervised):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    escalation = services.escalate_examination(chest_xray, by=ap, source="web", note="Unsure of the view")
    services.authorise_examination(escalation, by=radiographer, source="web", reason_text="Go ahead")

    result = services.start_examination(chest_xray, by=ap, source="web")

    assert result.examination.status == "in_progress"


def test_an_operator_without_entitlement_cannot_be_authorised(radiographer, site, chest_xray, supervised):
    unentitled = f.person("ap.new", "assistant_practitioner", name="New Starter")
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=unentitled, source="web")
    escalation = services.start_examination(chest_xray, by=unentitled, source="web").escalation
    assert escalation is not None

    with pytest.raises(OutsideScope) as refused:
        services.authorise_examination(escalation, by=radiographer, source="web", reason_text="ok")

    assert "cannot-authorise-outside-entitlement" in refused.value.decision.codes
    assert Examination.objects.get(pk=chest_xray.pk).status == "escalated"


def test_the_ap_cannot_resolve_their_own_escalation(escalated, ap):
    with pytest.raises(NotAllowed):
        services.take_over_examination(escalated, by=ap, source="web", reason_text="I can do it")


def test_declining_cancels_the_examination_with_the_reason(escalated, radiographer):
    services.cancel_from_escalation(escalated, by=radiographer, source="web", reason_text="Rebook with hoist")

    exam = Examination.objects.get(pk=escalated.examination_id)
    assert exam.status == "cancelled"
    assert exam.events.get(action="cancelled").reason == "Rebook with hoist"


def test_a_reason_is_required(escalated, radiographer):
    with pytest.raises(DomainError, match="Give your reason"):
        services.cancel_from_escalation(escalated, by=radiographer, source="web", reason_text="  ")
    assert Escalation.objects.get(pk=escalated.pk).status == "open"


def test_an_escalation_is_resolved_once(escalated, radiographer, second_radiographer):
    services.take_over_examination(escalated, by=radiographer, source="web", reason_text="mine")

    with pytest.raises(DomainError, match="already resolved by Rachel Hughes"):
        services.cancel_from_escalation(escalated, by=second_radiographer, source="web", reason_text="no")
