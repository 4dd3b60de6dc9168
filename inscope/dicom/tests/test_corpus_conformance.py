"""Conformance with real equipment: every file of the shared corpus of vendor dose objects is read and checked
against the values its README lists.

The corpus is not part of the project: it is looked for at ``<project root>/../shared/corpus/dicom`` (or the
folder named by ``INSCOPE_DICOM_CORPUS``), and this module is skipped when it is not there. CI has it.
"""

import dataclasses
import math
import os
from pathlib import Path

import pytest

from inscope.dicom.extraction import NotADoseObject, read_dose_bytes
from inscope.dose.report import DoseReport, EventKind, ObjectKind

CORPUS = Path(os.environ.get("INSCOPE_DICOM_CORPUS")
              or Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dicom")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared DICOM corpus is not at {CORPUS} "
                                "(set INSCOPE_DICOM_CORPUS to its folder)")

REL = 1e-3  # the README's figures are the files' own, rounded at most to three significant figures
FILES = sorted(p.name for p in CORPUS.glob("*.dcm")) if CORPUS.is_dir() else []


def read(name: str) -> DoseReport:
    return read_dose_bytes((CORPUS / name).read_bytes())


def approx(value: float) -> object:
    return pytest.approx(value, rel=REL)


def total(events, field: str) -> float:
    """The sum of a quantity over events that must all have it."""
    values = [getattr(event, field) for event in events]
    assert None not in values, f"an event has no {field}"
    return sum(values)


@pytest.mark.parametrize("name", FILES)
def test_every_file_is_read_or_recognised_as_not_a_dose_object(name):
    try:
        report = read(name)
    except NotADoseObject:
        assert name == "ESR_non-dose.dcm"
        return
    assert report.events
    uids = [event.uid for event in report.events]
    assert len(set(uids)) == len(uids)
    assert all(0 < len(uid) <= 64 for uid in uids)
    for event in report.events:
        for value in dataclasses.asdict(event).values():
            assert not isinstance(value, float) or math.isfinite(value)
    assert report == read(name)  # reading the same file again gives the same report, event UIDs included


def test_siemens_ct():
    report = read("CT-RDSR-Siemens_Flash-TAP-SS.dcm")

    assert (report.object_kind, report.modality) == (ObjectKind.RDSR, "CT")
    assert len(report.events) == 4
    assert report.stated_total_dlp_mgy_cm == approx(724.52)
    assert [e.ctdivol_mgy for e in report.events] == [approx(0.14), approx(1.2), approx(3.61), approx(9.91)]
    assert total(report.events, "dlp_mgy_cm") == approx(724.52)
    assert all(e.kind is EventKind.CT and e.phantom == "body 32 cm" for e in report.events)


def test_ge_ct_enhanced_sr_dose_report():
    report = read("CT-ESR-GE_VCT.dcm")

    assert (report.object_kind, report.modality) == (ObjectKind.ENHANCED_SR, "CT")
    assert len(report.events) == 27
    assert report.stated_total_dlp_mgy_cm == approx(2002.39)
    assert sum(e.dlp_mgy_cm or 0 for e in report.events) == approx(2002.39)
    assert any(e.dlp_mgy_cm is None for e in report.events)  # localisers carry no dose: left empty, not zero


def test_philips_ct_with_an_empty_target_region():
    report = read("CT-RDSR-Philips_BigBore4DCT.dcm")

    (event,) = report.events
    assert event.dlp_mgy_cm == approx(541.1)
    assert event.ctdivol_mgy == approx(23.7)
    assert event.target_region == ""
    assert report.stated_total_dlp_mgy_cm == approx(541.1)
    assert any("Target Region" in w for w in report.warnings)


def test_ge_dx_image_headers_one_event_each_in_one_study():
    reports = [read(f"DX-Im-GE_XR220-{n}.dcm") for n in (1, 2, 3)]

    assert [r.object_kind for r in reports] == [ObjectKind.IMAGE] * 3
    assert {r.modality for r in reports} == {"DX"}
    assert len({r.study_instance_uid for r in reports}) == 1
    assert [len(r.events) for r in reports] == [1, 1, 1]
    assert [r.events[0].dap_gy_m2 for r in reports] == [approx(0.41e-5), approx(0.82e-5), approx(2.05e-5)]
    assert [r.events[0].uid for r in reports] == [r.sop_instance_uid for r in reports]
    assert total([r.events[0] for r in reports], "dap_gy_m2") == approx(3.28e-5)


def test_canon_dx_rdsr():
    report = read("DX-RDSR-Canon_CXDI.dcm")

    assert report.modality == "DX"
    assert report.stated_total_dap_gy_m2 == approx(1.07e-5)
    assert [e.dap_gy_m2 for e in report.events] == [approx(1.07e-5)]
    assert report.stated_total_rp_dose_gy is None  # the file has a Dose (RP) Total item with no value
    assert report == read("DX-RDSR-Canon_CXDI.dcm")


def test_carestream_dx_rdsr():
    report = read("DX-RDSR-Carestream_DRXEvolution.dcm")

    assert len(report.events) == 5
    assert report.stated_total_dap_gy_m2 == approx(5.81e-6)
    assert total(report.events, "dap_gy_m2") == approx(5.81e-6)
    assert {e.kind for e in report.events} == {EventKind.PROJECTION}


def test_hologic_mammography_rdsr_agd_per_breast():
    report = read("MG-RDSR-Hologic_2D.dcm")

    assert report.modality == "MG"
    assert {e.kind for e in report.events} == {EventKind.MAMMOGRAPHY}
    assert total([e for e in report.events if e.laterality == "L"], "agd_mgy") == approx(1.30)
    assert total([e for e in report.events if e.laterality == "R"], "agd_mgy") == approx(1.28)
    if "stated_agd_left_mgy" in DoseReport.__dataclass_fields__:  # requested addition to DoseReport
        assert report.stated_agd_left_mgy == approx(1.30)  # type: ignore[attr-defined]
        assert report.stated_agd_right_mgy == approx(1.28)  # type: ignore[attr-defined]
    left = next(e for e in report.events if e.laterality == "L")
    assert (left.view, left.anode_target, left.filter_material) == ("CC", "W", "Rh")
    assert left.compressed_thickness_mm == approx(43)
    assert left.entrance_exposure_mgy == approx(3.65)
    assert left.kvp == approx(28)


def test_ge_mammography_image_header():
    report = read("MG-Im-GE-SenDS-scaled.dcm")

    (event,) = report.events
    assert report.modality == "MG"
    assert event.agd_mgy == approx(1.373)
    assert event.laterality == "L"
    assert event.view == "CC"


def test_dental_panoramic_header():
    report = read("PX-Im-NewTom_Go.dcm")

    (event,) = report.events
    assert report.modality == "PX"
    assert event.dap_gy_m2 == approx(0.81e-5)
    assert event.kvp == approx(85)


def test_philips_azurion_fluoroscopy():
    report = read("RF-RDSR-Philips_Azurion.dcm")

    assert report.modality == "RF"
    assert len(report.events) == 89
    assert report.stated_total_dap_gy_m2 == approx(0.00247409)
    assert report.stated_fluoro_dap_gy_m2 == approx(0.00101567)
    assert report.stated_total_rp_dose_gy == approx(0.54837)
    assert report.stated_fluoro_time_s == approx(567.922)
    fluoroscopy = [e for e in report.events if e.kind is EventKind.FLUOROSCOPY]
    acquisitions = [e for e in report.events if e.kind is EventKind.ACQUISITION]
    assert len(fluoroscopy) + len(acquisitions) == 89
    assert total(report.events, "dap_gy_m2") == approx(0.00247409)
    assert total(fluoroscopy, "dap_gy_m2") == approx(0.00101567)
    # The events' irradiation durations add up to 566.2 s against the stated 567.9 s (the file's own rounding).
    assert total(fluoroscopy, "fluoro_time_s") == pytest.approx(567.922, rel=0.01)


def test_siemens_axiom_fluoroscopy():
    report = read("PySkinDose-siemens_axiom_example_procedure.dcm")

    assert report.modality == "RF"
    assert len(report.events) == 24
    assert report.stated_total_dap_gy_m2 == approx(2.7902e-4)
    assert report.stated_total_rp_dose_gy == approx(0.01406)
    assert total(report.events, "dap_gy_m2") == approx(2.7902e-4)


def test_structured_report_that_is_not_a_dose_report_is_ignored_with_a_clear_message():
    with pytest.raises(NotADoseObject, match=r"Enhanced SR titled \"Diagnostic Imaging Report\" \(LN 18748-4\): "
                                             "not a dose report"):
        read("ESR_non-dose.dcm")
