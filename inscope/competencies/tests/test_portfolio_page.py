"""The portfolio page: each competency's status, the forms a viewer may use, and writes through the web with
refusals in the NHS error summary and nothing half-saved."""

import datetime as dt

import pytest
import time_machine

from inscope.competencies import services
from inscope.competencies.models import Grant, SignOff, TrainingRecord

pytestmark = pytest.mark.django_db


def status_of(page, code):
    return page.text.split(f'data-competency="{code}" data-status="')[1].split('"')[0]


def test_statuses_signed_expired_revoked_in_training_and_not_started(client, ap, radiographer, framework, observe,
                                                                      lower_limb, policy):
    hand = framework.competencies.get(code="AP-XR-HAND-WRIST")
    spine = framework.competencies.get(code="AP-XR-SPINE-PELVIS")
    with time_machine.travel(dt.date(2024, 1, 10)):
        observe(ap, "XHAND", 3)
        services.sign_off_competency(ap, hand, by=radiographer, channel="web")  # lapsed 10 January 2026
    observe(ap, "XFOOT", 10)
    services.sign_off_competency(ap, lower_limb, by=radiographer, channel="web")
    observe(ap, "XLSPN", 4)
    client.force_login(ap)

    page = client.get("/people/ap.patel/")

    assert status_of(page, "AP-XR-LOWER-LIMB") == "signed"
    assert "Signed off until 28 November 2028 by Rachel Hughes" in page.text
    assert status_of(page, "AP-XR-HAND-WRIST") == "expired"
    assert status_of(page, "AP-XR-SPINE-PELVIS") == "training"
    assert "In training: 4 of 15 observed examinations" in page.text
    assert status_of(page, "AP-XR-CHEST") == "not_started"
    services.revoke_sign_off(ap, lower_limb, by=radiographer, channel="web", reason="Incident 42")
    assert status_of(client.get("/people/ap.patel/"), "AP-XR-LOWER-LIMB") == "revoked"
    assert spine.code in page.text


def test_an_ap_sees_their_own_forms_but_not_the_assessors(client, ap, framework, policy):
    client.force_login(ap)

    page = client.get("/people/ap.patel/")

    assert "Add evidence" in page.text and "Add a CPD entry" in page.text and "Record training" in page.text
    assert "Sign off a competency" not in page.text
    assert "Entitle for a protocol" not in page.text
    # The date inputs are named as the views read them, with ids the error summary links to.
    assert 'id="evidence-occurred_on-day" name="occurred_on[day]"' in page.text
    assert 'id="cpd-occurred_on-year" name="occurred_on[year]"' in page.text
    assert '<option value="assessment"' not in page.text  # the assessor records assessments


def test_a_manager_sees_the_entitlement_forms_with_the_policy_protocols(client, ap, manager, framework, policy):
    client.force_login(manager)

    page = client.get("/people/ap.patel/")

    assert "Entitle for a protocol" in page.text
    assert '<option value="XFOOT"' in page.text
    assert "Add a CPD entry" not in page.text


def test_an_assessor_signs_off_through_the_web(client, ap, radiographer, observe):
    observe(ap, "XFOOT", 10)
    client.force_login(radiographer)

    page = client.post("/people/ap.patel/sign-off/", {"competency": "AP-XR-LOWER-LIMB", "note": "Observed well"},
                       follow=True)

    assert "AP-XR-LOWER-LIMB signed off for Priya Patel until 28 November 2028." in page.text
    assert SignOff.objects.get().reason == "Observed well"


def test_a_manager_revokes_an_entitlement_through_the_web(client, ap, manager, department, signed_lower_limb,
                                                           policy):
    services.grant_entitlement(ap, "XFOOT", review_date=dt.date(2027, 11, 28), by=manager, channel="web",
                               department=department)
    client.force_login(manager)

    missing = client.post("/people/ap.patel/revoke-entitlement/", {"protocol_code": "XFOOT", "reason": ""})
    assert missing.status_code == 400
    assert 'href="#revoke-entitlement-reason"' in missing.text

    page = client.post("/people/ap.patel/revoke-entitlement/", {"protocol_code": "XFOOT", "reason": "Audit"},
                       follow=True)

    assert "entitlement for XFOOT is revoked, with immediate effect" in page.text
    assert "Revoked: Audit" in page.text
    assert list(Grant.objects.values_list("revoked", flat=True).order_by("id")) == [False, True]


def test_training_with_a_renewal_before_completion_is_refused(client, ap, manager, policy):
    client.force_login(manager)
    data = {"course": "basic_life_support", "completed_on[day]": "1", "completed_on[month]": "6",
            "completed_on[year]": "2026", "renew_on[day]": "1", "renew_on[month]": "5", "renew_on[year]": "2026"}

    page = client.post("/people/ap.patel/training/", data)

    assert page.status_code == 400
    assert "The renewal date must be after the completion date." in page.text
    assert 'href="#training-renew_on-day"' in page.text
    assert 'value="2026"' in page.text  # what was typed is kept
    assert not TrainingRecord.objects.exists()


def test_training_is_recorded_with_its_renewal_status(client, ap, manager, policy):
    client.force_login(manager)
    data = {"course": "basic_life_support", "completed_on[day]": "20", "completed_on[month]": "12",
            "completed_on[year]": "2025", "renew_on[day]": "20", "renew_on[month]": "12", "renew_on[year]": "2026"}

    page = client.post("/people/ap.patel/training/", data, follow=True)

    assert "Basic life support training recorded." in page.text
    assert 'data-course="basic_life_support" data-status="expiring"' in page.text
    assert 'data-course="mri_safety" data-status="missing"' in page.text
