"""Fixtures for the competency tests: the AP framework imported by the manager, uploads kept in a temporary
folder, and a helper that records observed practice as the examination workflow does."""

from __future__ import annotations

from pathlib import Path

import pytest

from inscope.competencies import services
from inscope.competencies.models import Competency
from inscope.competencies.services.evidence import record_observed_practice

AP_FRAMEWORK = Path(__file__).resolve().parent.parent / "reference" / "ap_general_radiography.yaml"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def framework(manager):
    return services.import_framework(AP_FRAMEWORK.read_text(encoding="utf-8"), by=manager, channel="system")


@pytest.fixture
def observe(radiographer, framework):
    """observe(person, "XFOOT", 10): record that many directly supervised examinations of the protocol."""

    def record(person, protocol_code, times=1):
        for i in range(times):
            record_observed_practice(person, protocol_code=protocol_code, accession_number=f"OBS{i:05d}",
                                     supervisor=radiographer, by=radiographer, channel="system")

    return record


@pytest.fixture
def lower_limb(framework):
    return Competency.objects.get(framework=framework, code="AP-XR-LOWER-LIMB")


@pytest.fixture
def signed_lower_limb(ap, radiographer, lower_limb, observe):
    """Priya Patel with AP-XR-LOWER-LIMB observed ten times and signed off by Rachel Hughes."""
    observe(ap, "XFOOT", 10)
    return services.sign_off_competency(ap, lower_limb, by=radiographer, channel="web")
