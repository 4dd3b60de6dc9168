"""Starting an examination runs the decision engine: proceed starts it, escalate raises an escalation to the
named supervisor on duty, stop changes nothing but records why."""

import pytest

from inscope.exams import services
from inscope.exams.models import Escalation, ExamEvent, Examination
from inscope.lib.errors import InvalidTransition, NotAllowed
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


def test_ap_starts_an_in_scope_chest_xray(ap, chest_xray, supervised, radiographer):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")

    result = services.start_examination(chest_xray, by=ap, source="web")

    exam = Examination.objects.get(pk=chest_xray.pk)
    assert result.decision.outcome == "proceed"
    assert exam.status == "in_progress"
    assert exam.operator == ap
    assert exam.supervisor == radiographer
    assert exam.policy_version is not None
    assert exam.policy_version.label == "v1"
    assert exam.ruleset == result.decision.ruleset
    event = ExamEvent.objects.get(examination=exam, action="started")
    assert (event.from_status, event.to_status, event.policy_version) == ("scheduled", "in_progress", "v1")


def test_it_stops_when_no_supervisor_is_on_duty(ap, chest_xray):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")

    result = services.start_examination(chest_xray, by=ap, source="web")

    exam = Examination.objects.get(pk=chest_xray.pk)
    assert result.decision.outcome == "stop"
    assert "no-supervisor-on-duty" in result.decision.codes
    assert exam.status == "scheduled"
    assert exam.operator is None
    assert exam.decision is not None
    assert exam.decision["outcome"] == "stop"
    assert ExamEvent.objects.filter(examination=exam, action="start_stopped").exists()


def test_unknown_checks_escalate_never_proceed(ap, chest_xray, supervised):
    services.record_checklist(chest_xray, {"identity_confirmed": True}, by=ap, source="web")

    result = services.start_examination(chest_xray, by=ap, source="web")

    assert result.decision.outcome == "escalate"
    assert {"cooperation-unknown", "mobility-unknown"} <= set(result.decision.codes)


def test_trainee_without_direct_supervisor_escalates_to_the_radiographer_on_duty(trainee, chest_xray, supervised,
                                                                                radiographer):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=trainee, source="web")

    result = services.start_examination(chest_xray, by=trainee, source="web")

    assert result.decision.codes == ("trainee-without-direct-supervisor",)
    assert Examination.objects.get(pk=chest_xray.pk).status == "escalated"
    escalation = Escalation.objects.get(examination=chest_xray)
    assert list(escalation.recipients.all()) == [radiographer]
    assert escalation.raised_by == trainee
    assert radiographer.notifications.filter(escalation=escalation).exists()


def test_trainee_with_a_direct_supervisor_proceeds(trainee, chest_xray, second_radiographer, site, xray_room):
    f.on_duty(second_radiographer, site, mode="direct", room=xray_room, supervisees=[trainee])
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=trainee, source="web")

    result = services.start_examination(chest_xray, by=trainee, source="web")

    assert result.decision.outcome == "proceed"


def test_an_examination_cannot_be_started_twice(ap, chest_xray, supervised):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    services.start_examination(chest_xray, by=ap, source="web")

    with pytest.raises(InvalidTransition, match="already in progress by Priya Patel"):
        services.start_examination(chest_xray, by=ap, source="api")


def test_a_manager_cannot_start_an_examination(manager, chest_xray, supervised):
    with pytest.raises(NotAllowed):
        services.start_examination(chest_xray, by=manager, source="web")
