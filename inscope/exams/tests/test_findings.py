"""After imaging the AP can flag an urgent or unexpected finding: it escalates at once, and the radiographer
records what they did. The AP records no interpretation."""

import pytest

from inscope.exams import services
from inscope.exams.models import Escalation
from inscope.lib.errors import DomainError, NotAllowed
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_progress(ap, chest_xray, supervised):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    return services.start_examination(chest_xray, by=ap, source="web").examination


def test_a_flagged_finding_reaches_the_radiographer_urgently(in_progress, ap, radiographer):
    escalation = services.flag_finding(in_progress, by=ap, source="web", note="Please review image 1 now")

    assert (escalation.kind, escalation.urgency) == ("finding", "urgent")
    assert escalation.reason_codes == ["urgent-finding"]
    assert list(escalation.recipients.all()) == [radiographer]


def test_the_radiographer_records_what_they_did(in_progress, ap, radiographer):
    escalation = services.flag_finding(in_progress, by=ap, source="web", note="Please review")

    services.record_finding_action(escalation, by=radiographer, source="web", action="informed_radiologist",
                                   note="Dr Shah reviewing now")

    escalation = Escalation.objects.get(pk=escalation.pk)
    assert escalation.resolution == "finding_actioned"
    assert escalation.resolution_note == "Informed the radiologist. Dr Shah reviewing now"


def test_an_unknown_action_is_refused(in_progress, ap, radiographer):
    escalation = services.flag_finding(in_progress, by=ap, source="web", note="Please review")
    with pytest.raises(DomainError, match="Choose what you did"):
        services.record_finding_action(escalation, by=radiographer, source="web", action="diagnosed", note="")


def test_only_the_operator_flags_a_finding(in_progress, trainee):
    with pytest.raises(NotAllowed):
        services.flag_finding(in_progress, by=trainee, source="web", note="x")
