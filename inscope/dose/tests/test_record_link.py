"""Linking a recorded study to its examination (accession number, else Study Instance UID), and so to the
department and room; a later object re-checks the link."""

from __future__ import annotations

import pytest

from inscope.audit.models import AuditEvent
from inscope.dose.services import record_dose
from inscope.dose.tests.reports import STUDY, event, report
from inscope.testing import factories as f


@pytest.mark.django_db
def test_linked_by_accession_number_with_the_examinations_room_and_department(chest_xray) -> None:
    study = record_dose(report("a", [event(1)], accession_number=chest_xray.accession_number,
                               station_ae_title="SOMEWHERE"), source="listener").study
    assert study.examination == chest_xray
    assert (study.room, study.department) == (chest_xray.room, chest_xray.department)
    assert AuditEvent.objects.filter(action="dose.study_linked", object_id=str(study.pk)).count() == 1


@pytest.mark.django_db
def test_linked_by_study_instance_uid_when_there_is_no_accession_number(chest_xray) -> None:
    chest_xray.study_instance_uid = STUDY
    chest_xray.save(update_fields=["study_instance_uid"])
    study = record_dose(report("a", [event(1)]), source="listener").study
    assert study.examination == chest_xray


@pytest.mark.django_db
def test_a_later_object_links_a_study_the_first_could_not(chest_xray) -> None:
    first = record_dose(report("a", [event(1, dap_gy_cm2=0.05)]), source="listener").study
    assert first.examination is None and "No examination is linked" in first.drl_note
    later = record_dose(report("b", [event(2, dap_gy_cm2=0.05)], accession_number=chest_xray.accession_number),
                        source="listener").study
    assert later.examination == chest_xray and later.drl_ratio is not None  # compared once linked
    assert later.accession_number == chest_xray.accession_number


@pytest.mark.django_db
def test_an_object_naming_another_accession_keeps_the_link_and_warns(chest_xray) -> None:
    record_dose(report("a", [event(1)], accession_number=chest_xray.accession_number), source="listener")
    study = record_dose(report("b", [event(2)], accession_number="OTHER1"), source="listener").study
    assert study.examination == chest_xray
    assert any("accession number OTHER1" in w for w in study.warnings)


@pytest.mark.django_db
def test_an_unlinked_study_finds_its_room_by_the_stations_ae_title(xray_room) -> None:
    study = record_dose(report("a", [event(1)], station_ae_title=xray_room.ae_title), source="listener").study
    assert study.examination is None
    assert (study.room, study.department) == (xray_room, xray_room.site.department)


@pytest.mark.django_db
def test_an_ae_title_shared_by_two_rooms_names_no_room(xray_room) -> None:
    f.RoomFactory(site=xray_room.site, name="X-ray room 2", ae_title=xray_room.ae_title)
    study = record_dose(report("a", [event(1)], station_ae_title=xray_room.ae_title), source="listener").study
    assert study.room is None and study.department is None
