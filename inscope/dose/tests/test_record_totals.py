"""A study's totals, recomputed from its distinct events after each object (or from the totals the objects state
when their events carry no figure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from inscope.dose.report import EventKind, ObjectKind
from inscope.dose.services import record_dose
from inscope.dose.tests.reports import WHEN, ct_event, event, report

FLUORO, ACQ, MAMMO = EventKind.FLUOROSCOPY, EventKind.ACQUISITION, EventKind.MAMMOGRAPHY


@pytest.mark.django_db
def test_ct_total_dlp_and_highest_ctdivol() -> None:
    record_dose(report("a", [ct_event(1, dlp=300, ctdivol=45)], modality="CT"), source="import")
    study = record_dose(report("b", [ct_event(1, dlp=300, ctdivol=45), ct_event(2, dlp=520.5, ctdivol=52)],
                               modality="CT", stated_total_dlp_mgy_cm=820.5), source="import").study
    assert study.total_dlp_mgy_cm == pytest.approx(820.5) and study.max_ctdivol_mgy == 52
    assert study.total_dap_gy_m2 is None and study.modality == "CT"


@pytest.mark.django_db
def test_fluoroscopy_and_acquisition_dap_rp_dose_and_fluoro_time() -> None:
    events = [event(1, kind=FLUORO, dap_gy_cm2=10, rp_dose_gy=0.1, fluoro_time_s=120),
              event(2, kind=ACQ, dap_gy_cm2=5, rp_dose_gy=0.05),
              event(3, kind=FLUORO, dap_gy_cm2=2.5, rp_dose_gy=0.02, fluoro_time_s=30)]
    study = record_dose(report("a", events, modality="XA"), source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(17.5e-4)
    assert study.fluoro_dap_gy_m2 == pytest.approx(12.5e-4) and study.acquisition_dap_gy_m2 == pytest.approx(5e-4)
    assert study.total_rp_dose_gy == pytest.approx(0.17) and study.fluoro_time_s == pytest.approx(150)


@pytest.mark.django_db
def test_a_radiograph_has_no_fluoroscopy_figures() -> None:
    study = record_dose(report("a", [event(1, dap_gy_cm2=0.1)]), source="import").study
    assert (study.fluoro_dap_gy_m2, study.acquisition_dap_gy_m2, study.fluoro_time_s) == (None, None, None)


@pytest.mark.django_db
def test_agd_is_summed_per_breast() -> None:
    views = [event(1, kind=MAMMO, agd_mgy=1.2, laterality="L", view="CC"),
             event(2, kind=MAMMO, agd_mgy=1.3, laterality="L", view="MLO"),
             event(3, kind=MAMMO, agd_mgy=1.1, laterality="r", view="CC")]
    study = record_dose(report("a", views, modality="MG"), source="import").study
    assert study.agd_left_mgy == pytest.approx(2.5) and study.agd_right_mgy == pytest.approx(1.1)


@pytest.mark.django_db
def test_agd_of_no_single_breast_is_not_given_to_either_and_is_reported() -> None:
    study = record_dose(report("a", [event(1, kind=MAMMO, agd_mgy=2.0, laterality="B", view="CC")], modality="MG"),
                        source="import").study
    assert (study.agd_left_mgy, study.agd_right_mgy) == (None, None)
    assert any("no single breast" in w for w in study.warnings)


@pytest.mark.django_db
def test_a_total_stated_with_no_event_figures_is_used_the_largest_of_the_objects() -> None:
    no_dap = [event(1, kind=FLUORO), event(2, kind=ACQ)]
    record_dose(report("a", no_dap, modality="RF", stated_total_dap_gy_m2=20e-4), source="import")
    record_dose(report("b", no_dap, modality="RF", stated_total_dap_gy_m2=35e-4), source="import")
    study = record_dose(report("c", no_dap, modality="RF", stated_total_dap_gy_m2=30e-4), source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(35e-4)  # never added up: each report restates the total
    assert study.total_sources["total_dap_gy_m2"] == {
        "source": "device", "note": "The device's accumulated total; the events carry no figure to check it against."}


@pytest.mark.django_db
def test_stated_fluoroscopy_and_acquisition_dap_make_the_total_when_no_total_is_stated() -> None:
    study = record_dose(report("a", [event(1, kind=FLUORO)], modality="RF", stated_fluoro_dap_gy_m2=4e-4,
                               stated_acquisition_dap_gy_m2=6e-4, stated_fluoro_time_s=90.0), source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(10e-4) and study.fluoro_dap_gy_m2 == pytest.approx(4e-4)
    assert study.fluoro_time_s == 90.0


@pytest.mark.django_db
def test_a_device_total_above_the_sum_of_the_events_is_used_with_a_warning() -> None:
    study = record_dose(report("a", [event(1, dap_gy_cm2=1.0)], stated_total_dap_gy_m2=5e-4), source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(5e-4)
    assert study.total_sources["total_dap_gy_m2"]["source"] == "device"
    assert study.total_warnings == [
        "The total DAP the device states (5 Gy·cm²) and the sum of the study's events (1 Gy·cm²) differ by 80.0 %, "
        "more than rounding; the device's total is used. The events sum below it, which suggests events the device "
        "did not list (for example short fluoroscopy runs)."]


@pytest.mark.django_db
def test_impossible_event_figures_are_ignored_and_reported() -> None:
    study = record_dose(report("a", [event(1, dap_gy_cm2=1.0), event(2, dap_gy_cm2=-3.0),
                                     event(3, kvp=float("nan"))]), source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(1e-4) and study.event_count == 3
    assert any("impossible dap" in w for w in study.warnings) and any("impossible kvp" in w for w in study.warnings)


@pytest.mark.django_db
def test_administered_activity_repeated_is_not_added_but_another_administration_is() -> None:
    dose = [event(1, kind=EventKind.RADIOPHARMACEUTICAL)]
    nm: dict[str, Any] = {"modality": "NM", "kind": ObjectKind.RRDSR, "radionuclide": "Technetium-99m"}
    record_dose(report("a", dose, administered_activity_mbq=600.0, **nm), source="import")
    study = record_dose(report("b", dose, administered_activity_mbq=600.0, **nm), source="import").study
    assert study.administered_activity_mbq == 600.0
    second = [event(2, kind=EventKind.RADIOPHARMACEUTICAL)]
    study = record_dose(report("c", second, administered_activity_mbq=80.0, **nm), source="import").study
    assert study.administered_activity_mbq == 680.0 and study.radionuclide == "Technetium-99m"


@pytest.mark.django_db
def test_header_blanks_are_filled_by_later_objects_never_overwritten() -> None:
    record_dose(report("a", [event(1)], station_ae_title="", manufacturer="Acme", study_date_time=None),
                source="import")
    study = record_dose(report("b", [event(2)], station_ae_title="NGH_DX1", manufacturer="Other",
                               accession_number="NGH0000001"), source="import").study
    assert (study.station_ae_title, study.manufacturer, study.accession_number) == ("NGH_DX1", "Acme", "NGH0000001")
    assert study.study_date_time == WHEN + dt.timedelta(minutes=1)  # the first event's time, when none was stated


@pytest.mark.django_db
def test_naive_times_are_taken_as_local_time() -> None:
    naive = dt.datetime(2026, 7, 1, 9, 0)
    study = record_dose(report("a", [event(1)], study_date_time=naive), source="import").study
    study.refresh_from_db()
    assert study.study_date_time == dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)  # 09:00 BST


@pytest.mark.django_db
def test_long_texts_from_equipment_are_cut_to_fit() -> None:
    study = record_dose(report("a", [event(1, protocol="P" * 300, view="V" * 80, laterality="Left")],
                               station_name="S" * 100, study_description="D" * 300), source="import").study
    row = study.events.get()
    assert (len(row.protocol), len(row.view), row.laterality) == (200, 60, "L")
    assert (len(study.station_name), len(study.study_description)) == (64, 200)


@pytest.mark.django_db
def test_fluoroscopy_events_summing_below_the_device_total_keep_the_device_total_and_warn() -> None:
    events = [event(1, kind=FLUORO, dap_gy_cm2=10, rp_dose_gy=0.1, fluoro_time_s=100),
              event(2, kind=ACQ, dap_gy_cm2=11.5, rp_dose_gy=0.12)]
    study = record_dose(report("a", events, modality="RF", stated_total_dap_gy_m2=25e-4, stated_total_rp_dose_gy=0.25,
                               stated_fluoro_dap_gy_m2=12e-4, stated_fluoro_time_s=101.0), source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(25e-4) and study.total_rp_dose_gy == pytest.approx(0.25)
    assert study.fluoro_dap_gy_m2 == pytest.approx(12e-4) and study.fluoro_time_s == 101.0
    assert study.acquisition_dap_gy_m2 == pytest.approx(11.5e-4)  # no accumulated acquisition DAP: the events'
    assert {k: v["source"] for k, v in study.total_sources.items()} == {
        "total_dap_gy_m2": "device", "total_rp_dose_gy": "device", "fluoro_dap_gy_m2": "device",
        "fluoro_time_s": "device", "acquisition_dap_gy_m2": "events"}
    assert [w.split(" (")[0] for w in study.total_warnings] == [
        "The total DAP the device states", "The fluoroscopy DAP the device states",
        "The total reference-point dose the device states"]  # fluoroscopy time 100 s against 101 s is rounding


@pytest.mark.django_db
def test_zero_accumulated_totals_give_way_to_the_sum_of_the_events_and_the_study_says_so() -> None:
    study = record_dose(report("a", [event(1, dap_gy_cm2=0.12)], stated_total_dap_gy_m2=0.0,
                               stated_total_rp_dose_gy=0.0), source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(0.12e-4)
    assert study.total_sources["total_dap_gy_m2"] == {
        "source": "events", "note": "The sum of the study's events: the device states an accumulated total of zero."}
    assert study.total_warnings == ["The device states an accumulated total DAP of zero but the study's events sum "
                                    "to 0.12 Gy·cm²; the sum of the events is used."]
    assert study.total_rp_dose_gy == 0.0  # zero stated and no event figure


@pytest.mark.django_db
def test_cumulative_reports_the_largest_accumulated_total_counts_in_any_order() -> None:
    first, second = [event(1, kind=FLUORO, dap_gy_cm2=10)], [event(2, kind=FLUORO, dap_gy_cm2=10)]
    # The later, more complete report arrives first; the early one (20 Gy·cm²) arrives after it.
    record_dose(report("late", first + second, modality="RF", stated_total_dap_gy_m2=23e-4), source="import")
    study = record_dose(report("early", first, modality="RF", stated_total_dap_gy_m2=11.5e-4),
                        source="import").study
    assert study.total_dap_gy_m2 == pytest.approx(23e-4) and study.device_totals["total_dap_gy_m2"] == 23e-4
    assert len(study.total_warnings) == 1 and "differ by 13.0 %" in study.total_warnings[0]


@pytest.mark.django_db
def test_a_later_report_that_agrees_clears_the_earlier_cross_check_warning() -> None:
    record_dose(report("a", [event(1, dap_gy_cm2=10)], stated_total_dap_gy_m2=20e-4), source="import")
    study = record_dose(report("b", [event(1, dap_gy_cm2=10), event(2, dap_gy_cm2=10)],
                               stated_total_dap_gy_m2=20e-4), source="import").study
    assert study.total_warnings == [] and study.total_dap_gy_m2 == pytest.approx(20e-4)


@pytest.mark.django_db
def test_ct_the_dose_length_product_total_is_the_device_total() -> None:
    study = record_dose(report("a", [ct_event(1, dlp=300, ctdivol=45), ct_event(2, dlp=400, ctdivol=50)],
                               modality="CT", stated_total_dlp_mgy_cm=760.0), source="import").study
    assert study.total_dlp_mgy_cm == 760.0 and study.total_sources["total_dlp_mgy_cm"]["source"] == "device"
    assert "differ by 7.9 %" in study.total_warnings[0]


@pytest.mark.django_db
def test_accumulated_agd_per_breast_is_the_device_total() -> None:
    views = [event(1, kind=MAMMO, agd_mgy=1.2, laterality="L", view="CC"),
             event(2, kind=MAMMO, agd_mgy=1.3, laterality="L", view="MLO")]
    study = record_dose(report("a", views, modality="MG", stated_agd_left_mgy=2.49), source="import").study
    assert study.agd_left_mgy == 2.49 and study.total_warnings == []
    assert study.total_sources["agd_left_mgy"]["source"] == "device"
