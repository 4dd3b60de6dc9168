"""Completing records exposures (DAP normalised to Gy·cm²), repeats with reasons, and flags a DAP above the DRL.

The DRL is chosen by the dose app, which records the typed-in DAP as a dose study on ``examination_completed``
(inscope/dose/tests/test_manual_entry.py tests the choice); here the policy's 0.1 Gy·cm² is the one that applies."""

from decimal import Decimal

import pytest

from inscope.exams import services
from inscope.exams.models import Examination, Exposure
from inscope.lib.errors import DomainError
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_progress(ap, chest_xray, supervised):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    return services.start_examination(chest_xray, by=ap, source="web").examination


def exposure(dap="0.04", unit="Gy·cm²", **kwargs):
    return services.ExposureInput(projection="PA", kvp="110", mas="2", dap=dap, dap_unit=unit, **kwargs)


def test_within_the_drl(in_progress, ap):
    exam = services.complete_examination(in_progress, by=ap, source="web", exposures=[exposure()], images_count=1)

    assert exam.status == "completed"
    assert exam.total_dap_gy_cm2 == Decimal("0.04")
    assert (exam.drl_value, exam.drl_exceeded) == (Decimal("0.1"), False)
    assert exam.dose_studies.get().source == "manual"  # compared through the dose app's one recording service
    assert [e.action for e in exam.events.all()][-2:] == ["completed", "drl_compared"]


def test_a_repeat_takes_the_total_over_the_drl(in_progress, ap):
    exposures = [exposure("60", "mGy·cm²"), exposure("6", "µGy·m²", is_repeat=True, repeat_reason="motion")]

    exam = services.complete_examination(in_progress, by=ap, source="web", exposures=exposures, images_count=2)

    assert exam.total_dap_gy_cm2 == Decimal("0.12")
    assert exam.drl_exceeded is True
    assert Exposure.objects.get(examination=exam, is_repeat=True).repeat_reason == "motion"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (exposure(dap="lots"), "DAP must be a number"),
        (exposure(unit="R"), "DAP unit must be one of"),
        (services.ExposureInput("PA", "400", "2", "0.1", "Gy·cm²"), "kVp must be between"),
        (exposure(is_repeat=True), "give the reason for the repeat"),
    ],
)
def test_bad_exposures_are_refused_and_nothing_is_saved(in_progress, ap, bad, message):
    with pytest.raises(DomainError, match=message):
        services.complete_examination(in_progress, by=ap, source="web", exposures=[exposure(), bad], images_count=2)

    assert not Exposure.objects.filter(examination=in_progress).exists()
    assert Examination.objects.get(pk=in_progress.pk).status == "in_progress"
