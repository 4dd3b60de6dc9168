"""Entitlement grants: a manager's, never one's own, only on signed-off and current competencies; once granted the
decision proceeds where it escalated before, and revoking the grant escalates again at once."""

import datetime as dt

import pytest

from inscope.audit.models import AuditEvent
from inscope.competencies import services
from inscope.competencies.models import Grant
from inscope.exams import services as exam_services
from inscope.lib.errors import DomainError, NotAllowed
from inscope.rules.decisions import Outcome
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

REVIEW = dt.date(2027, 11, 28)


@pytest.fixture
def foot_xray(policy, site, xray_room, department, ap, supervised):
    """An XR Foot: in the AP role scope, but not in Priya Patel's entitlements in the policy."""
    exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, protocol_code="XFOOT",
                                protocol_name="XR Foot")
    exam_services.record_checklist(exam, f.IN_SCOPE_CHECKS, by=ap, source="web")
    return exam


def grant(person, by, department, code="XFOOT", review=REVIEW):
    return services.grant_entitlement(person, code, review_date=review, by=by, channel="web", department=department)


def test_only_a_manager_can_entitle(ap, radiographer, department, signed_lower_limb, policy):
    with pytest.raises(NotAllowed, match="Only a manager"):
        grant(ap, radiographer, department)

    assert not Grant.objects.exists()


def test_nobody_entitles_themselves(manager, department, framework, policy):
    with pytest.raises(NotAllowed, match="Nobody can entitle themselves"):
        grant(manager, manager, department)


def test_refused_while_a_competency_is_missing(ap, manager, department, framework, policy):
    with pytest.raises(DomainError, match="Not yet: Competency AP-XR-LOWER-LIMB has not been signed off"):
        grant(ap, manager, department)

    assert not Grant.objects.exists()


def test_refused_for_a_protocol_not_in_the_policy(ap, manager, department, signed_lower_limb, policy):
    with pytest.raises(DomainError, match="not in the policy in force") as error:
        grant(ap, manager, department, code="XNOPE")

    assert error.value.field == "protocol_code"


def test_a_review_date_in_the_past_is_refused(ap, manager, department, signed_lower_limb, policy):
    with pytest.raises(DomainError, match="review date must be after today"):
        grant(ap, manager, department, review=dt.date(2026, 1, 1))


def test_granted_after_sign_off_then_the_decision_proceeds(ap, manager, department, signed_lower_limb, foot_xray):
    before = exam_services.evaluate_examination(foot_xray, operator=ap)
    assert before.outcome is Outcome.ESCALATE
    assert "no-entitlement" in before.codes

    made = grant(ap, manager, department)

    after = exam_services.evaluate_examination(foot_xray, operator=ap)
    assert after.outcome is Outcome.PROCEED, after.codes
    assert (made.protocol_code, made.granted_by, made.review_date) == ("XFOOT", manager, REVIEW)
    assert AuditEvent.objects.filter(action="entitlement.granted", actor=manager).exists()


def test_revoking_the_grant_escalates_at_once(ap, manager, department, signed_lower_limb, foot_xray):
    grant(ap, manager, department)

    services.revoke_entitlement(ap, "XFOOT", by=manager, channel="web", reason="Repeat rate audit")

    decision = exam_services.evaluate_examination(foot_xray, operator=ap)
    assert decision.outcome is Outcome.ESCALATE
    assert "entitlement-revoked" in decision.codes
    assert AuditEvent.objects.filter(action="entitlement.revoked", summary__contains="Repeat rate audit").exists()


def test_revoking_needs_a_reason_and_a_grant(ap, manager, department, signed_lower_limb, policy):
    with pytest.raises(DomainError, match="holds no entitlement for XFOOT"):
        services.revoke_entitlement(ap, "XFOOT", by=manager, channel="web", reason="Audit")
    grant(ap, manager, department)
    with pytest.raises(DomainError, match="Give the reason"):
        services.revoke_entitlement(ap, "XFOOT", by=manager, channel="web", reason="  ")

    assert Grant.objects.filter(revoked=True).count() == 0
