"""Dose attributes in image headers, and the objects that are not dose objects (with the reason why)."""

import datetime as dt

import pytest

from inscope.dicom.extraction import NotADoseObject, is_dose_sop_class, read_dose, read_dose_bytes, sop
from inscope.dicom.testing import builders
from inscope.dose.report import EventKind, ObjectKind

STUDY = "1.2.826.0.1.3680043.10.543.4"


def test_dx_image_dap_in_decigray_square_centimetres_is_one_event_named_by_the_image():
    ds = builders.dx_image(study_uid=STUDY, sop_uid="1.2.20.1", dap_dgy_cm2=0.41, kvp=69.64, exposure_time_ms=6,
                           tube_current_ma=189, exposure_uas=1040, accession="00938475", body_part="ABDOMEN",
                           view="AP", protocol="ABD_1_VIEW", acquisition_datetime="20261128094500.000000",
                           patient_id="P9", station_name="MOBILE1")

    report = read_dose_bytes(builders.to_bytes(ds))

    assert report.object_kind is ObjectKind.IMAGE
    assert (report.modality, report.study_instance_uid, report.sop_instance_uid) == ("DX", STUDY, "1.2.20.1")
    assert (report.accession_number, report.patient_id, report.station_name) == ("00938475", "P9", "MOBILE1")
    assert report.body_part == "ABDOMEN"
    (event,) = report.events
    assert event.uid == "1.2.20.1"
    assert event.kind is EventKind.PROJECTION
    assert event.dap_gy_m2 == pytest.approx(4.1e-06)
    assert report.stated_total_dap_gy_m2 is None  # an image header states no total: its one event is all it has
    assert event.kvp == pytest.approx(69.64)
    assert event.exposure_time_s == pytest.approx(0.006)
    assert event.tube_current_ma == pytest.approx(189)
    assert event.exposure_mas == pytest.approx(1.04)
    assert (event.view, event.protocol, event.target_region) == ("AP", "ABD_1_VIEW", "Abdomen")
    assert event.at == dt.datetime(2026, 11, 28, 9, 45)
    assert report.warnings == ()


@pytest.mark.parametrize(("modality", "sop_class", "kind"), [
    ("PX", sop.DX_IMAGE_PRESENTATION, EventKind.PROJECTION),
    ("CR", sop.CR_IMAGE, EventKind.PROJECTION),
    ("DX", sop.DX_IMAGE_PROCESSING, EventKind.PROJECTION),
    ("RF", sop.RF_IMAGE, EventKind.ACQUISITION),
    ("XA", sop.XA_IMAGE, EventKind.ACQUISITION),
])
def test_image_modalities(modality, sop_class, kind):
    ds = builders.dx_image(study_uid=STUDY, modality=modality, sop_class=sop_class, dap_dgy_cm2=0.81, kvp=85)

    report = read_dose(ds)

    assert report.modality == modality
    assert report.events[0].kind is kind
    assert report.events[0].dap_gy_m2 == pytest.approx(8.1e-06)


def test_unknown_modality_in_the_header_falls_back_to_the_sop_class():
    report = read_dose(builders.dx_image(study_uid=STUDY, modality="OT", dap_dgy_cm2=0.5))

    assert report.modality == "DX"
    assert any("Modality is 'OT'" in w for w in report.warnings)


def test_entrance_dose_alone_makes_a_dose_image():
    report = read_dose(builders.dx_image(study_uid=STUDY, entrance_dose_mgy=1.2))

    assert report.events[0].entrance_exposure_mgy == pytest.approx(1.2)
    assert report.events[0].dap_gy_m2 is None


def test_image_with_an_empty_dap_attribute_and_no_other_dose_is_not_a_dose_object():
    ds = builders.dx_image(study_uid=STUDY, kvp=70, extra={"ImageAndFluoroscopyAreaDoseProduct": ""})

    with pytest.raises(NotADoseObject, match="No dose attributes in the DX image header"):
        read_dose_bytes(builders.to_bytes(ds))


def test_ct_image_is_not_a_dose_object():
    with pytest.raises(NotADoseObject, match="CT image: InScope reads CT dose from the dose report"):
        read_dose(builders.ct_image(study_uid=STUDY, ctdivol_mgy=12))


def test_measurement_report_is_not_a_dose_report():
    with pytest.raises(NotADoseObject, match=r"Comprehensive SR with template TID 1500, titled "
                                             r"\"Imaging Measurement Report\" \(DCM 126000\): not a dose report"):
        read_dose_bytes(builders.to_bytes(builders.non_dose_sr(study_uid=STUDY)))


def test_other_sop_classes_are_not_dose_objects():
    ds = builders.dx_image(study_uid=STUDY, dap_dgy_cm2=1, sop_class=sop.SECONDARY_CAPTURE)

    with pytest.raises(NotADoseObject,
                       match=r"Secondary capture image \(1.2.840.10008.5.1.4.1.1.7\): .* carries no dose information"):
        read_dose(ds)


def test_dose_sop_classes():
    assert is_dose_sop_class(sop.XRAY_RADIATION_DOSE_SR)
    assert is_dose_sop_class(sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR)
    assert is_dose_sop_class(sop.ENHANCED_SR)
    assert is_dose_sop_class(sop.DX_IMAGE_PRESENTATION)
    assert is_dose_sop_class(sop.MG_IMAGE_PROCESSING)
    assert not is_dose_sop_class(sop.CT_IMAGE)
    assert not is_dose_sop_class("")
