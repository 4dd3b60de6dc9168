"""Projection X-ray and fluoroscopy dose reports (TID 10001-10003): per-event DAP and reference-point dose, fluoroscopy
or acquisition, accumulated totals and fluoroscopy time."""

import datetime as dt

import pytest

from inscope.dicom.extraction import read_dose, read_dose_bytes
from inscope.dicom.testing import builders
from inscope.dose.report import EventKind, ObjectKind

STUDY = "1.2.826.0.1.3680043.10.543.2"


def projection(**kwargs):
    kwargs.setdefault("study_uid", STUDY)
    return builders.projection_rdsr(**kwargs)


def test_fluoroscopy_report_with_fluoro_and_acquisition_events_and_totals():
    ds = projection(modality="RF", accession="RF1", events=[
        {"uid": "1.2.5.1", "kind": "fluoroscopy", "dap_gy_m2": 4.05878e-06, "rp_dose_gy": 0.000603992,
         "fluoro_time_s": 3.999, "kvp": 87, "tube_current_ma": 166, "exposure_uas": 375.967,
         "filter_material": "Cu", "started": "20261128093500", "protocol": "Cardiac"},
        {"uid": "1.2.5.2", "kind": "acquisition", "dap_gy_m2": 7.59717e-05, "rp_dose_gy": 0.0168819,
         "exposure_time_ms": 5.46},
        {"uid": "1.2.5.3", "kind": "rotational", "dap_gy_m2": 1e-05, "rp_dose_gy": 0.001},
    ], accumulated={"total_dap_gy_m2": 0.00247409, "fluoro_dap_gy_m2": 0.00101567,
                    "acquisition_dap_gy_m2": 0.00145842, "total_rp_dose_gy": 0.54837, "fluoro_time_s": 567.922,
                    "acquisition_time_s": 72.539})

    report = read_dose(ds)

    assert report.object_kind is ObjectKind.RDSR
    assert report.modality == "RF"
    assert report.accession_number == "RF1"
    assert report.stated_total_dap_gy_m2 == pytest.approx(0.00247409)
    assert report.stated_fluoro_dap_gy_m2 == pytest.approx(0.00101567)
    assert report.stated_acquisition_dap_gy_m2 == pytest.approx(0.00145842)
    assert report.stated_total_rp_dose_gy == pytest.approx(0.54837)
    assert report.stated_fluoro_time_s == pytest.approx(567.922)
    assert report.stated_acquisition_time_s == pytest.approx(72.539)
    fluoro, acquisition, rotational = report.events
    assert fluoro.kind is EventKind.FLUOROSCOPY
    assert fluoro.dap_gy_m2 == pytest.approx(4.05878e-06)
    assert fluoro.rp_dose_gy == pytest.approx(0.000603992)
    assert fluoro.fluoro_time_s == pytest.approx(3.999)
    assert fluoro.exposure_mas == pytest.approx(0.375967)
    assert (fluoro.kvp, fluoro.tube_current_ma, fluoro.filter_material) == (87, 166, "Cu")
    assert fluoro.at == dt.datetime(2026, 11, 28, 9, 35)
    assert fluoro.protocol == "Cardiac"
    assert acquisition.kind is EventKind.ACQUISITION
    assert acquisition.exposure_time_s == pytest.approx(0.00546)
    assert acquisition.fluoro_time_s is None
    assert rotational.kind is EventKind.ACQUISITION
    assert report.warnings == ()


def test_radiography_report_events_are_projections():
    ds = projection(modality="DX", events=[{"uid": "1.2.6.1", "kind": "acquisition", "dap_gy_m2": 1.07e-05,
                                            "kvp": 90, "exposure_time_ms": 5, "exposure_uas": 800}],
                    accumulated={"total_dap_gy_m2": 1.07e-05, "acquisition_dap_gy_m2": 1.07e-05})

    report = read_dose(ds)

    assert report.modality == "DX"
    event = report.events[0]
    assert event.kind is EventKind.PROJECTION
    assert event.dap_gy_m2 == pytest.approx(1.07e-05)
    assert event.exposure_time_s == pytest.approx(0.005)
    assert event.exposure_mas == pytest.approx(0.8)
    assert report.stated_total_dap_gy_m2 == pytest.approx(1.07e-05)
    assert report.stated_fluoro_dap_gy_m2 is None


def test_cassette_based_system_is_cr():
    report = read_dose(projection(modality="CR", events=[{"uid": "1.2.6.1", "dap_gy_m2": 1e-05}]))

    assert report.modality == "CR"
    assert report.events[0].kind is EventKind.PROJECTION


def test_biplane_accumulated_doses_are_added_and_times_are_the_longest_plane():
    ds = projection(modality="RF", events=[{"uid": "1.2.7.1", "dap_gy_m2": 1e-4, "plane": "A"},
                                           {"uid": "1.2.7.2", "dap_gy_m2": 2e-4, "plane": "B"}],
                    accumulated=[{"plane": "A", "total_dap_gy_m2": 1e-4, "total_rp_dose_gy": 0.1,
                                  "fluoro_time_s": 60},
                                 {"plane": "B", "total_dap_gy_m2": 2e-4, "total_rp_dose_gy": 0.05,
                                  "fluoro_time_s": 40}])

    report = read_dose(ds)

    assert report.stated_total_dap_gy_m2 == pytest.approx(3e-4)
    assert report.stated_total_rp_dose_gy == pytest.approx(0.15)
    assert report.stated_fluoro_time_s == pytest.approx(60)


def test_events_without_an_event_type_take_the_kind_of_the_report():
    report = read_dose(projection(modality="DX", events=[{"uid": "1.2.8.1", "kind": None, "dap_gy_m2": 1e-5}]))

    assert report.events[0].kind is EventKind.PROJECTION
    assert any("no Irradiation Event Type" in w for w in report.warnings)


def test_station_and_device_taken_from_the_observer_context_when_the_header_has_none():
    ds = projection(modality="DX", station_name="XR-ROOM-3", events=[{"uid": "1.2.9.1", "dap_gy_m2": 1e-5}],
                    extra={"StationName": ..., "DeviceSerialNumber": ..., "Manufacturer": ...,
                           "ManufacturerModelName": ...})

    report = read_dose_bytes(builders.to_bytes(ds))

    assert report.station_name == "XR-ROOM-3"
    assert report.manufacturer == "InScope Test"
    assert report.model_name == "Test DX"
    assert report.device_serial_number == "XR0001"
