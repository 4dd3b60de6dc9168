"""A for-processing and a for-presentation image of the same mammography exposure are one exposure: recorded from
real encoded image headers, on the real database, the breast's AGD counts each exposure once and the kept event
says which rule matched the second image."""

from __future__ import annotations

import pytest

from inscope.dicom.extraction import read_dose_bytes, sop
from inscope.dicom.testing import builders as b
from inscope.dicom.tests.test_corpus_conformance import CORPUS
from inscope.dose.models import DoseStudy
from inscope.dose.services import record_dose

pytestmark = pytest.mark.django_db
STUDY = "2.25.9191"
VIEWS = [("L", "CC", "20261128093010", 0.0120), ("L", "MLO", "20261128093105", 0.0131),
         ("R", "CC", "20261128093202", 0.0118), ("R", "MLO", "20261128093250", 0.0127)]  # organ dose in dGy


def image(n: int, side: str, view: str, when: str, dose: float, *, processing: bool, **extra) -> bytes:
    return b.to_bytes(b.mg_image(
        study_uid=STUDY, sop_uid=f"{STUDY}.{'1' if processing else '2'}.{n}", organ_dose_dgy=dose,
        entrance_dose_mgy=dose * 40, laterality=side, view=view, kvp=29, acquisition_datetime=when,
        sop_class=sop.MG_IMAGE_PROCESSING if processing else sop.MG_IMAGE_PRESENTATION, **extra))


def record(data: bytes) -> DoseStudy:
    return record_dose(read_dose_bytes(data), source="import").study


def test_a_for_processing_and_a_for_presentation_image_of_each_view_count_once() -> None:
    for n, (side, view, when, dose) in enumerate(VIEWS):
        record(image(n, side, view, when, dose, processing=True))
        study = record(image(n, side, view, when, dose, processing=False))
    assert study.event_count == 4 and study.source_objects.count() == 8
    assert study.agd_left_mgy == pytest.approx(1.20 + 1.31) and study.agd_right_mgy == pytest.approx(1.18 + 1.27)
    kept = study.events.get(laterality="L", view="CC")
    assert kept.source_sop_instance_uid == f"{STUDY}.1.0"
    assert kept.same_exposure == [{"sop_instance_uid": f"{STUDY}.2.0", "rule": "same-exposure",
                                   "presentation_intent": "FOR PRESENTATION"}]
    assert (f"Image {STUDY}.2.0 (for presentation) reports the same exposure as {STUDY}.1.0: same acquisition "
            "time, laterality, view and dose figures; its dose is counted once.") in study.warnings
    assert not study.saue_reviews.filter(criterion="repeat-exposures").exists()  # not a repeated view either


def test_the_presentation_image_first_then_the_processing_one_also_counts_once() -> None:
    side, view, when, dose = VIEWS[0]
    record(image(0, side, view, when, dose, processing=False))
    study = record(image(0, side, view, when, dose, processing=True))
    assert study.event_count == 1 and study.agd_left_mgy == pytest.approx(1.20)
    assert study.events.get().same_exposure[0]["presentation_intent"] == "FOR PROCESSING"


def test_a_shared_irradiation_event_uid_is_one_exposure_whatever_the_times_say() -> None:
    side, view, _, dose = VIEWS[0]
    record(image(0, side, view, "20261128093010", dose, processing=True, irradiation_event_uid="2.25.77.1"))
    study = record(image(0, side, view, "20261128093011", dose, processing=False, irradiation_event_uid="2.25.77.1"))
    assert study.event_count == 1 and study.agd_left_mgy == pytest.approx(1.20)
    assert study.events.get().same_exposure[0]["rule"] == "irradiation-event-uid"


def test_a_real_repeat_of_a_view_is_two_exposures() -> None:
    side, view, when, dose = VIEWS[0]
    record(image(0, side, view, when, dose, processing=True))
    study = record(image(1, side, view, "20261128093400", dose, processing=True))  # repositioned, 4 min later
    assert study.event_count == 2 and study.agd_left_mgy == pytest.approx(2.40)
    assert all(e.same_exposure == [] for e in study.events.all())


@pytest.mark.parametrize("changed", [{"organ_dose": 0.0121}, {"view": "MLO"}, {"side": "R"}])
def test_images_differing_in_dose_view_or_side_are_different_exposures(changed) -> None:
    side, view, when, dose = VIEWS[0]
    record(image(0, side, view, when, dose, processing=True))
    study = record(image(0, changed.get("side", side), changed.get("view", view), when,
                         changed.get("organ_dose", dose), processing=False))
    assert study.event_count == 2


def test_a_dose_report_and_the_images_of_its_exposures_count_once_by_irradiation_event_uid() -> None:
    record(b.to_bytes(b.projection_rdsr(study_uid=STUDY, modality="MG", events=[
        {"uid": "2.25.77.1", "kind": "projection", "laterality": "L", "view": "CC", "agd_mgy": 1.2,
         "started": "20261128093010"}], accumulated={"agd_left_mgy": 1.2})))
    side, view, when, dose = VIEWS[0]
    study = record(image(0, side, view, when, dose, processing=False, irradiation_event_uid="2.25.77.1"))
    assert study.event_count == 1 and study.agd_left_mgy == pytest.approx(1.2)
    assert study.events.get().same_exposure[0]["rule"] == "irradiation-event-uid"


def test_a_dose_report_arriving_after_the_images_is_matched_to_them_by_exposure() -> None:
    side, view, _, dose = VIEWS[0]
    record(image(0, side, view, "20261128093010", dose, processing=True))
    rdsr = b.projection_rdsr(study_uid=STUDY, modality="MG", sop_uid=f"{STUDY}.5", events=[
        {"uid": "2.25.77.9", "kind": "projection", "laterality": "L", "view": "CC", "agd_mgy": 1.2,
         "entrance_exposure_mgy": 0.48, "started": "20261128093010"}])
    study = record(b.to_bytes(rdsr))
    assert study.event_count == 1 and study.agd_left_mgy == pytest.approx(1.2)
    assert (f"Dose report {STUDY}.5 reports the same exposure as {STUDY}.1.0: same acquisition time, laterality, "
            "view and dose figures; its dose is counted once.") in study.warnings


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared DICOM corpus is not there")
def test_the_corpus_ge_mammography_image_and_its_for_presentation_copy_count_once() -> None:
    processing = b.from_bytes((CORPUS / "MG-Im-GE-SenDS-scaled.dcm").read_bytes())
    presentation = b.from_bytes((CORPUS / "MG-Im-GE-SenDS-scaled.dcm").read_bytes())
    presentation.SOPInstanceUID = processing.SOPInstanceUID + ".2"
    presentation.SOPClassUID = sop.MG_IMAGE_PRESENTATION
    presentation.PresentationIntentType = "FOR PRESENTATION"
    record(b.to_bytes(processing))
    study = record(b.to_bytes(presentation))
    assert study.event_count == 1 and study.agd_left_mgy == pytest.approx(1.373)
    assert study.events.get().same_exposure[0]["rule"] == "same-exposure"


def test_the_study_page_says_which_image_repeated_which_exposure_and_by_which_rule(client, rps) -> None:
    from django.urls import reverse

    side, view, when, dose = VIEWS[0]
    record(image(0, side, view, when, dose, processing=True))
    study = record(image(0, side, view, when, dose, processing=False))
    client.force_login(rps)

    page = client.get(reverse("dose:study", args=[study.pk])).text

    assert "Also reported in" in page
    assert (f"{STUDY}.2.0 (for presentation, same acquisition time, laterality, view and dose figures)") in page
