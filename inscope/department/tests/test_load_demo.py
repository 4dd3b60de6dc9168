"""The demo department loads through the real services and shows every journey on today's worklist."""

import pytest
from django.core.management import call_command

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
    assert Examination.objects.count() == 19
    mri = Escalation.objects.get()
    assert (mri.urgency, mri.reason_codes) == ("urgent", ["mri-screening-stop"])


def test_loading_again_the_same_day_changes_nothing(capsys):
    call_command("load_demo")
    call_command("load_demo")

    assert "already loaded for today" in capsys.readouterr().out
    assert Examination.objects.count() == 19
