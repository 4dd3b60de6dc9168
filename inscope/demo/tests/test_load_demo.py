"""The demo department loads through the real services and shows every journey on today's worklist."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from inscope.dose.models import DoseStudy, ReferenceLevel, SaueReview
from inscope.exams.models import Escalation, Examination
from inscope.policy.models import PolicyVersion
from inscope.staff.models import User

pytestmark = pytest.mark.django_db


def test_load_demo_builds_the_department_and_prints_the_logins(capsys):
    call_command("load_demo")

    out = capsys.readouterr().out
    assert "Northgate Imaging demo: loaded." in out
    assert "ap.trainee" in out and "inscope-demo-2026" in out
    assert PolicyVersion.objects.get().status == "approved"
    assert User.objects.filter(role_assignments__role="radiographer").count() == 4
    assert Examination.objects.on_day(timezone.localdate()).count() == 20
    mri = Escalation.objects.get()
    assert (mri.urgency, mri.reason_codes) == ("urgent", ["mri-screening-stop"])


def test_the_demo_has_a_dose_history_compared_with_drls_and_one_saue_review_waiting(capsys):
    call_command("load_demo")

    history = DoseStudy.objects.filter(examination__isnull=False)
    assert history.count() == Examination.objects.filter(status="completed").count() > 400
    # Every protocol is compared with its DRL (CT head with the national one) but the knee, which has none.
    uncompared = set(history.filter(drl_exceeded__isnull=True).values_list("examination__protocol_code", flat=True))
    assert uncompared == {"XKNEE"}
    assert ReferenceLevel.objects.filter(scope="local", status="approved", protocol_code="XCHES").count() == 1
    review = SaueReview.objects.select_related("examination").get()
    assert (review.status, review.criterion) == ("open", "drl-multiple")
    assert review.examination is not None and review.examination.protocol_code == "XCHES"


def test_loading_again_the_same_day_changes_nothing(capsys):
    call_command("load_demo")
    call_command("load_demo")

    assert "already loaded for today" in capsys.readouterr().out
    assert Examination.objects.on_day(timezone.localdate()).count() == 20


def test_the_demo_has_equipment_and_one_detector_out_of_service():
    from inscope.demo.northgate import load_demo
    from inscope.equipment.models import Accessory, Unit

    load_demo()

    assert Unit.objects.filter(status="out_of_service").get().name == "Southview X-ray detector"
    assert set(Unit.objects.values_list("room__name", flat=True)) == {
        "X-ray room 1", "X-ray room 2", "CT 1", "MRI 1", "X-ray"}
    assert Accessory.objects.filter(next_screening_due__lt=timezone.localdate()).count() == 1
