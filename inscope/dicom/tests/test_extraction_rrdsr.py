"""Radiopharmaceutical Radiation Dose SR: radionuclide and administered activity in MBq."""

import datetime as dt

import pytest

from inscope.dicom.extraction import DoseReadError, read_dose, read_dose_bytes
from inscope.dicom.testing import builders
from inscope.dose.report import EventKind, ObjectKind

STUDY = "1.2.826.0.1.3680043.10.543.5"


def test_radionuclide_and_administered_activity():
    ds = builders.rrdsr(study_uid=STUDY, radionuclide="Technetium-99m", agent="Tc-99m medronate", activity_mbq=612.5,
                        event_uid="1.2.30.1", accession="NM1", started="20261128084500")

    report = read_dose_bytes(builders.to_bytes(ds))

    assert report.object_kind is ObjectKind.RRDSR
    assert report.modality == "NM"
    assert report.radionuclide == "Technetium-99m"
    assert report.administered_activity_mbq == pytest.approx(612.5)
    (event,) = report.events
    assert (event.uid, event.kind, event.protocol) == ("1.2.30.1", EventKind.RADIOPHARMACEUTICAL, "Tc-99m medronate")
    assert event.at == dt.datetime(2026, 11, 28, 8, 45)
    assert report.warnings == ()


def test_activity_in_millicuries_is_converted_to_megabecquerels():
    report = read_dose(builders.rrdsr(study_uid=STUDY, activity_mbq=20, activity_unit="mCi"))

    assert report.administered_activity_mbq == pytest.approx(740)
    assert any("is in mCi; converted to MBq" in w for w in report.warnings)


def test_activity_that_is_not_a_number_is_a_read_error_naming_the_item():
    with pytest.raises(DoseReadError, match=r"Administered activity \(DCM 113507\): 'lots' is not a number"):
        read_dose(builders.rrdsr(study_uid=STUDY, activity_mbq="lots"))


def test_administration_with_no_activity():
    report = read_dose(builders.rrdsr(study_uid=STUDY, activity_mbq=...))

    assert report.administered_activity_mbq is None
    assert len(report.events) == 1
