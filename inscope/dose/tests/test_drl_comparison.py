"""Each recorded study is compared with the DRL that applies, and the comparison names the DRL and its version."""

from __future__ import annotations

import datetime as dt

import pytest

from inscope.dose.models import DoseStudy, ReferenceLevel
from inscope.dose.services import drls, record_dose
from inscope.dose.tests.reports import ct_event, event, report
from inscope.testing import factories as f


def local_drl(department, mpe, manager, *, value: float, room=None, ae: str = "", start=dt.date(2026, 1, 1),
              protocol: str = "XCHES") -> ReferenceLevel:
    level = drls.propose_local_drl(department=department, protocol_code=protocol, quantity="dap", value=value,
                                   unit="Gy·cm²", room=room, station_ae_title=ae, effective_from=start,
                                   source="Northgate dose audit 2026", by=mpe)
    return drls.approve_local_drl(level, by=manager)


def chest_dose(exam, dap_gy_cm2: float, sop: str = "a", **fields) -> DoseStudy:
    return record_dose(report(sop, [event(1, dap_gy_cm2=dap_gy_cm2)], accession_number=exam.accession_number,
                              **fields), source="import").study


@pytest.mark.django_db
def test_compared_with_the_policys_local_drl_when_nothing_else_is_set(chest_xray) -> None:
    study = chest_dose(chest_xray, 0.12)
    assert (study.drl_quantity, study.drl_value, study.drl_exceeded) == ("dap", pytest.approx(0.10e-4), True)
    assert study.drl_ratio == pytest.approx(1.2) and study.reference_level is None
    assert study.drl_label.startswith("Policy v1 local DRL XCHES: 0.1 Gy·cm²") and study.drl_note == ""


@pytest.mark.django_db
def test_an_approved_local_drl_beats_the_policys_and_is_stored_with_its_version(chest_xray, department, mpe,
                                                                               manager) -> None:
    level = local_drl(department, mpe, manager, value=0.15)
    study = chest_dose(chest_xray, 0.12)
    assert study.reference_level == level and study.drl_label == level.label
    assert "local, effective 01 Jan 2026" in study.drl_label
    assert study.drl_ratio == pytest.approx(0.8) and study.drl_exceeded is False


@pytest.mark.django_db
def test_the_equipments_drl_beats_the_rooms(chest_xray, department, mpe, manager, xray_room) -> None:
    local_drl(department, mpe, manager, value=0.2, room=xray_room)
    equipment = local_drl(department, mpe, manager, value=0.3, ae=xray_room.ae_title)
    study = chest_dose(chest_xray, 0.12, station_ae_title=xray_room.ae_title)
    assert study.reference_level == equipment and study.drl_ratio == pytest.approx(0.4)


@pytest.mark.django_db
def test_a_linked_national_drl_when_the_protocol_has_no_local_one(policy, department, site, mpe, tmp_path) -> None:
    csv = tmp_path / "xr.csv"
    csv.write_text("modality,examination,projection_or_protocol,quantity,value,unit,population,source,year\n"
                   "XR,Knee,AP and lateral,DAP per examination,0.3,Gy cm2,adult,Test NDRLs,2022\n")
    national = drls.load_national_drls(csv).levels.get()
    drls.link_protocol_to_national(department=department, protocol_code="XKNEE", reference_level=national, by=mpe)
    knee = f.ExaminationFactory(department=department, site=site, protocol_code="XKNEE", protocol_name="XR Knee")
    study = chest_dose(knee, 0.45)
    assert study.reference_level == national and study.drl_exceeded is True
    assert study.drl_ratio == pytest.approx(1.5) and "Test NDRLs" in study.drl_label


@pytest.mark.django_db
def test_ct_is_compared_on_dlp_per_examination(policy, department, site) -> None:
    ct = f.RoomFactory(site=site, name="CT 1", modality="CT", ae_title="NGH_CT1")
    exam = f.ExaminationFactory(department=department, site=site, room=ct, protocol_code="CHEAD",
                                protocol_name="CT Head", modality="CT")
    study = record_dose(report("a", [ct_event(1, dlp=400, ctdivol=50), ct_event(2, dlp=548, ctdivol=55)],
                               modality="CT", accession_number=exam.accession_number), source="import").study
    assert (study.drl_quantity, study.drl_value) == ("dlp", 790.0)
    assert study.drl_ratio == pytest.approx(948 / 790) and study.drl_exceeded is True


@pytest.mark.django_db
def test_the_comparison_follows_the_study_total_as_objects_arrive(chest_xray) -> None:
    assert chest_dose(chest_xray, 0.06, "a").drl_exceeded is False
    study = record_dose(report("b", [event(1, dap_gy_cm2=0.06), event(2, dap_gy_cm2=0.06)],
                               accession_number=chest_xray.accession_number), source="import").study
    assert study.drl_ratio == pytest.approx(1.2) and study.drl_exceeded is True


@pytest.mark.django_db
@pytest.mark.parametrize(("protocol", "note"), [
    ("XKNEE", "No approved DRL is set for protocol XKNEE."),
    ("XCHES", "The DRL for protocol XCHES is set on DAP per examination (Gy·m²), which this study does not report."),
])
def test_why_no_comparison_was_made_is_stored(policy, department, site, protocol, note) -> None:
    exam = f.ExaminationFactory(department=department, site=site, protocol_code=protocol)
    study = record_dose(report("a", [event(1)], accession_number=exam.accession_number), source="import").study
    assert study.drl_note == note
    assert (study.drl_ratio, study.drl_exceeded, study.reference_level, study.drl_label) == (None, None, None, "")


@pytest.mark.django_db
def test_a_withdrawn_local_drl_is_no_longer_used(chest_xray, department, mpe, manager) -> None:
    level = local_drl(department, mpe, manager, value=0.15)
    drls.withdraw_local_drl(level, by=manager, reason="Set on the wrong protocol")
    assert chest_dose(chest_xray, 0.12).drl_label.startswith("Policy v1")
