"""Revoking a sign-off takes effect at once: the next decision escalates with competency-revoked."""

import datetime as dt

import pytest

from inscope.audit.models import AuditEvent
from inscope.competencies import services
from inscope.competencies.models import SignOff
from inscope.exams import services as exam_services
from inscope.lib.errors import DomainError, NotAllowed
from inscope.rules.decisions import Outcome
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def entitled_for_feet(ap, manager, department, signed_lower_limb, policy):
    services.grant_entitlement(ap, "XFOOT", review_date=dt.date(2027, 11, 28), by=manager, channel="web",
                               department=department)


@pytest.fixture
def foot_xray(policy, site, xray_room, department, ap, supervised):
    exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, protocol_code="XFOOT",
                                protocol_name="XR Foot")
    exam_services.record_checklist(exam, f.IN_SCOPE_CHECKS, by=ap, source="web")
    return exam


def test_revocation_escalates_the_next_decision(ap, radiographer, lower_limb, entitled_for_feet, foot_xray):
    assert exam_services.evaluate_examination(foot_xray, operator=ap).outcome is Outcome.PROCEED

    services.revoke_sign_off(ap, lower_limb, by=radiographer, channel="web", reason="Positioning incident")

    decision = exam_services.evaluate_examination(foot_xray, operator=ap)
    assert decision.outcome is Outcome.ESCALATE
    assert "competency-revoked" in decision.codes
    assert AuditEvent.objects.filter(action="competency.revoked", summary__contains="Positioning incident").exists()


def test_starting_after_revocation_escalates(ap, radiographer, lower_limb, entitled_for_feet, foot_xray):
    services.revoke_sign_off(ap, lower_limb, by=radiographer, channel="web", reason="Positioning incident")

    result = exam_services.start_examination(foot_xray, by=ap, source="web")

    assert result.examination.status == "escalated"
    assert "competency-revoked" in result.decision.codes


def test_revocation_needs_a_reason(ap, radiographer, lower_limb, signed_lower_limb):
    with pytest.raises(DomainError, match="Give the reason"):
        services.revoke_sign_off(ap, lower_limb, by=radiographer, channel="web", reason="")

    assert not SignOff.objects.filter(revoked=True).exists()


def test_nobody_revokes_their_own_and_an_ap_cannot_revoke(ap, trainee, lower_limb, signed_lower_limb):
    with pytest.raises(NotAllowed):
        services.revoke_sign_off(ap, lower_limb, by=ap, channel="web", reason="Mine")
    with pytest.raises(NotAllowed, match="Only a manager or an assessor"):
        services.revoke_sign_off(ap, lower_limb, by=trainee, channel="web", reason="Not theirs")

    assert not SignOff.objects.filter(revoked=True).exists()


def test_there_must_be_a_current_sign_off_to_revoke(ap, radiographer, lower_limb):
    with pytest.raises(DomainError, match="no current sign-off of AP-XR-LOWER-LIMB"):
        services.revoke_sign_off(ap, lower_limb, by=radiographer, channel="web", reason="Audit")
