"""Modality worklist matching (PS3.4 C.2.2.2), called directly: what is offered, how each key matches, what comes
back, and which queries are refused."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from pydicom import Dataset
from pydicom.sequence import Sequence

from inscope.dicom.worklist import WorklistQueryError, find_worklist_items, parse_query
from inscope.testing import factories as f

# The malformed queries are malformed on purpose; pydicom warns about them as it builds them.
pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:Invalid value for VR")]

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def rooms(site):
    return {
        "dx1": f.RoomFactory.create(site=site, name="X-ray room 1", modality="DX", ae_title="NGH_DX1"),
        "dx2": f.RoomFactory.create(site=site, name="X-ray room 2", modality="DX", ae_title="NGH_DX2"),
        "ct": f.RoomFactory.create(site=site, name="CT 1", modality="CT", ae_title="NGH_CT1"),
    }


@pytest.fixture
def exams(department, site, rooms, ap, radiographer):
    """Offered and not offered examinations over 27-29 November, keyed by a short name."""

    def exam(name, *, room, when, status, patient=None, **kwargs):
        return f.ExaminationFactory.create(department=department, site=site, room=room, scheduled_at=when,
                                           status=status, operator=ap if status != "scheduled" else None,
                                           accession_number=name, patient=patient or smith, **kwargs)

    smith = f.PatientFactory.create(nhs_number="9434765919", family_name="Smith", given_name="Alex",
                             date_of_birth=dt.date(1970, 5, 17), sex="male")
    muller = f.PatientFactory.create(nhs_number="9434765870", family_name="Müller", given_name="Zoë",
                              date_of_birth=dt.date(1985, 2, 3), sex="female")
    ivanov = f.PatientFactory.create(nhs_number="9434765897", family_name="Иванов", given_name="Иван",
                              date_of_birth=dt.date(1990, 12, 1), sex="male")
    smithers = f.PatientFactory.create(nhs_number="9434765862", family_name="Smithers", given_name="Jo",
                                date_of_birth=dt.date(2001, 7, 9), sex="female")
    return {
        "CHEST1": exam("CHEST1", room=rooms["dx1"], when=at(28, 9, 30), status="in_progress"),
        "HAND2": exam("HAND2", room=rooms["dx1"], when=at(28, 14), status="authorised", patient=muller,
                      protocol_code="XHAND", protocol_name="XR Hand", referrer="Dr P Anand"),
        "KNEE3": exam("KNEE3", room=rooms["dx2"], when=at(28, 11), status="in_progress", patient=ivanov,
                      protocol_code="XKNEE", protocol_name="XR Knee"),
        "HEAD4": exam("HEAD4", room=rooms["ct"], when=at(27, 10), status="in_progress", patient=smithers,
                      protocol_code="CHEAD", protocol_name="CT Head", modality="CT"),
        "NOROOM5": exam("NOROOM5", room=None, when=at(29, 11), status="authorised"),
        # Never offered:
        "SCHED6": exam("SCHED6", room=rooms["dx1"], when=at(28, 10), status="scheduled"),
        "ESC7": exam("ESC7", room=rooms["dx1"], when=at(28, 10), status="escalated"),
        "DONE8": exam("DONE8", room=rooms["dx1"], when=at(28, 8), status="completed"),
        "CANC9": exam("CANC9", room=rooms["dx1"], when=at(28, 8), status="cancelled"),
        "DISC10": exam("DISC10", room=rooms["dx1"], when=at(28, 8), status="discontinued"),
    }


def query(charset: str | None = None, sps: dict | None = None, **keys) -> Dataset:
    """A worklist identifier: top-level keys, and Scheduled Procedure Step keys (None for no sequence)."""
    ds = Dataset()
    if charset is not None:
        ds.SpecificCharacterSet = charset
    for keyword, value in keys.items():
        setattr(ds, keyword, value)
    if sps is not None:
        item = Dataset()
        for keyword, value in sps.items():
            setattr(item, keyword, value)
        ds.ScheduledProcedureStepSequence = Sequence([item])
    return ds


def found(identifier: Dataset) -> list[str]:
    return [item.AccessionNumber for item in find_worklist_items(identifier, calling_ae="TEST")]


def accession(sps: dict | None = None, **keys) -> list[str]:
    return found(query(sps=sps, AccessionNumber="", **keys))


def test_offers_only_authorised_and_in_progress_examinations_in_scheduled_order(exams):
    assert accession() == ["HEAD4", "CHEST1", "KNEE3", "HAND2", "NOROOM5"]


@pytest.mark.parametrize(
    ("station", "expected"),
    [
        ("NGH_DX1", ["CHEST1", "HAND2"]),
        ("NGH_DX*", ["CHEST1", "KNEE3", "HAND2"]),
        ("NGH_??1", ["HEAD4", "CHEST1", "HAND2"]),
        ("NGH_DX1\\NGH_CT1", ["HEAD4", "CHEST1", "HAND2"]),
        ("ngh_dx1", []),  # AE titles are case-sensitive
        ("UNKNOWN", []),
        ("", ["HEAD4", "CHEST1", "KNEE3", "HAND2", "NOROOM5"]),
        ("*", ["HEAD4", "CHEST1", "KNEE3", "HAND2", "NOROOM5"]),
    ],
)
def test_scheduled_station_ae_title(exams, station, expected):
    assert accession(sps={"ScheduledStationAETitle": station}) == expected


@pytest.mark.parametrize(
    ("modality", "expected"),
    [
        ("DX", ["CHEST1", "KNEE3", "HAND2", "NOROOM5"]),  # the room's modality; XR with no room is DX
        ("CT", ["HEAD4"]),
        ("MR", []),
        ("DX\\CT", ["HEAD4", "CHEST1", "KNEE3", "HAND2", "NOROOM5"]),
    ],
)
def test_modality(exams, modality, expected):
    assert accession(sps={"Modality": modality}) == expected


@pytest.mark.parametrize(
    ("date", "time", "expected"),
    [
        ("20261128", "", ["CHEST1", "KNEE3", "HAND2"]),
        ("20261127-20261128", "", ["HEAD4", "CHEST1", "KNEE3", "HAND2"]),
        ("-20261127", "", ["HEAD4"]),
        ("20261129-", "", ["NOROOM5"]),
        ("2026.11.29", "", ["NOROOM5"]),  # the old ACR-NEMA form
        ("20261128", "0900-1200", ["CHEST1", "KNEE3"]),
        ("20261128", "1100", ["KNEE3"]),  # a time matches to its precision: 11:00:00-11:00:59
        ("20261128", "11", ["KNEE3"]),
        ("20261128", "1101-", ["HAND2"]),
        # Date and time together are one date-time range: 27 Nov 10:00 to 28 Nov 10:00
        ("20261127-20261128", "1000-1000", ["HEAD4", "CHEST1"]),
        ("", "1000-1100", ["HEAD4", "KNEE3", "NOROOM5"]),  # a time alone matches the time of day on any date
        ("", "-093000", ["CHEST1"]),
    ],
)
def test_scheduled_start_date_and_time(exams, date, time, expected):
    assert accession(sps={"ScheduledProcedureStepStartDate": date, "ScheduledProcedureStepStartTime": time}) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SMITH^ALEX", ["CHEST1", "NOROOM5"]),
        ("smith", ["CHEST1", "NOROOM5"]),  # a name without ^ constrains the family name; case does not matter
        ("SMITH^A*", ["CHEST1", "NOROOM5"]),
        ("SMITH*", ["HEAD4", "CHEST1", "NOROOM5"]),
        ("Sm?th", ["CHEST1", "NOROOM5"]),
        ("*^JO", ["HEAD4"]),
        ("MÜLLER^Z*", ["HAND2"]),
        ("müller^zoë", ["HAND2"]),
        ("MULLER", []),  # no accent folding without fuzzy matching
        ("ИВАНОВ^И*", ["KNEE3"]),
        ("SMITH^B*", []),
        ("*", ["HEAD4", "CHEST1", "KNEE3", "HAND2", "NOROOM5"]),
    ],
)
def test_patient_name(exams, name, expected):
    assert accession(PatientName=name) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"PatientID": "9434765919"}, ["CHEST1", "NOROOM5"]),
        ({"PatientID": "943476587*"}, ["HAND2"]),
        ({"PatientBirthDate": "19850203"}, ["HAND2"]),
        ({"PatientBirthDate": "19800101-19951231"}, ["HAND2", "KNEE3"]),
        ({"PatientSex": "F"}, ["HEAD4", "HAND2"]),
        ({"RequestedProcedureID": "KNEE3"}, ["KNEE3"]),
        ({"RequestedProcedureDescription": "XR*"}, ["CHEST1", "KNEE3", "HAND2", "NOROOM5"]),
        ({"ReferringPhysicianName": "*ANAND*"}, ["HAND2"]),
    ],
)
def test_patient_and_request_keys(exams, keys, expected):
    assert sorted(accession(**keys)) == sorted(expected)


def test_accession_number_single_value_and_wildcard(exams):
    assert found(query(AccessionNumber="HAND2")) == ["HAND2"]
    assert found(query(AccessionNumber="H*")) == ["HEAD4", "HAND2"]
    assert found(query(AccessionNumber="SCHED6")) == []  # exists, but not offered


def test_scheduled_procedure_step_id_is_the_accession_number(exams):
    assert accession(sps={"ScheduledProcedureStepID": "CHEST1"}) == ["CHEST1"]


def test_study_instance_uid_list(exams):
    uids = [exams["CHEST1"].study_instance_uid, exams["HEAD4"].study_instance_uid]
    assert accession(StudyInstanceUID="\\".join(uids)) == ["HEAD4", "CHEST1"]


def test_sequence_matching_on_the_requested_procedure_code(exams):
    code = Dataset()
    code.CodeValue = "XKNEE"
    code.CodingSchemeDesignator = "99INSCOPE"
    code.CodeMeaning = ""
    results = list(find_worklist_items(query(AccessionNumber="", RequestedProcedureCodeSequence=[code]),
                                       calling_ae="TEST"))
    assert [r.AccessionNumber for r in results] == ["KNEE3"]
    assert results[0].RequestedProcedureCodeSequence[0].CodeMeaning == "XR Knee"


def test_keys_together_must_all_match(exams):
    assert accession(PatientName="SMITH", sps={"ScheduledStationAETitle": "NGH_DX1", "Modality": "DX"}) == ["CHEST1"]


def test_returns_exactly_the_keys_asked_for_filled_from_the_examination(exams, ap):
    identifier = query(
        AccessionNumber="CHEST1", PatientName="", PatientID="", PatientBirthDate="", PatientSex="",
        StudyInstanceUID="", RequestedProcedureID="", RequestedProcedureDescription="", ReferringPhysicianName="",
        AdmissionID="",  # a key InScope has no value for: returned empty
        sps={"ScheduledStationAETitle": "", "Modality": "", "ScheduledProcedureStepStartDate": "",
             "ScheduledProcedureStepStartTime": "", "ScheduledPerformingPhysicianName": "",
             "ScheduledProcedureStepDescription": "", "ScheduledProcedureStepID": ""},
    )
    [item] = find_worklist_items(identifier, calling_ae="NGH_DX1")

    exam = exams["CHEST1"]
    assert item.PatientName == "Smith^Alex"
    assert (item.PatientID, item.PatientBirthDate, item.PatientSex) == ("9434765919", "19700517", "M")
    assert item.StudyInstanceUID == exam.study_instance_uid
    assert (item.RequestedProcedureID, item.RequestedProcedureDescription) == ("CHEST1", "XR Chest PA")
    assert item.ReferringPhysicianName == "Dr A Jones (GP)"
    assert "AdmissionID" in item and item.AdmissionID == ""
    step = item.ScheduledProcedureStepSequence[0]
    assert (step.ScheduledStationAETitle, step.Modality) == ("NGH_DX1", "DX")
    assert (step.ScheduledProcedureStepStartDate, step.ScheduledProcedureStepStartTime) == ("20261128", "093000")
    assert step.ScheduledPerformingPhysicianName == "Patel^Priya"
    assert (step.ScheduledProcedureStepDescription, step.ScheduledProcedureStepID) == ("XR Chest PA", "CHEST1")
    # Nothing that was not asked for
    assert {e.keyword for e in item} == {e.keyword for e in identifier} | {"SpecificCharacterSet"}
    assert {e.keyword for e in step} == {e.keyword for e in identifier.ScheduledProcedureStepSequence[0]}


def test_an_empty_sequence_returns_the_whole_item(exams):
    [item] = find_worklist_items(query(AccessionNumber="HEAD4", ScheduledProcedureStepSequence=[]),
                                 calling_ae="TEST")
    step = item.ScheduledProcedureStepSequence[0]
    assert (step.ScheduledStationAETitle, step.Modality, step.ScheduledStationName) == ("NGH_CT1", "CT", "CT 1")
    assert step.ScheduledProtocolCodeSequence[0].CodeValue == "CHEAD"


def test_a_room_without_an_ae_title_is_left_out_when_the_station_is_named(exams, rooms):
    rooms["dx2"].ae_title = ""
    rooms["dx2"].save()
    assert accession(sps={"ScheduledStationAETitle": "NGH_*"}) == ["HEAD4", "CHEST1", "HAND2"]


@pytest.mark.parametrize(
    ("charset", "accession_number", "expected"),
    [
        (None, "CHEST1", "ISO_IR 100"),  # default repertoire: Latin-1 is a superset of it
        ("ISO_IR 100", "HAND2", "ISO_IR 100"),  # MÜLLER^Zoë fits Latin-1
        ("ISO_IR 100", "KNEE3", "ISO_IR 192"),  # a Cyrillic name does not
        (None, "KNEE3", "ISO_IR 192"),
        ("ISO_IR 192", "HAND2", "ISO_IR 192"),
        ("ISO_IR 144", "KNEE3", "ISO_IR 192"),  # another character set pydicom reads: answered in UTF-8
    ],
)
def test_answers_in_the_query_character_set_or_utf8(exams, charset, accession_number, expected):
    [item] = find_worklist_items(query(charset=charset, AccessionNumber=accession_number, PatientName=""),
                                 calling_ae="TEST")
    assert item.SpecificCharacterSet == expected


def test_accepts_a_latin1_query_for_an_accented_name(exams):
    from pynetdicom.dsutils import decode, encode

    sent = query(charset="ISO_IR 100", PatientName="MÜLLER^ZOË", AccessionNumber="")
    raw = encode(sent, True, True)
    assert raw is not None and "MÜLLER".encode("latin-1") in raw
    received = decode(__import__("io").BytesIO(raw), True, True)
    assert found(received) == ["HAND2"]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"sps": {"ScheduledProcedureStepStartDate": "2026-11-28"}}, "not a date"),
        ({"sps": {"ScheduledProcedureStepStartDate": "20261340"}}, "not a valid date"),
        ({"sps": {"ScheduledProcedureStepStartDate": "20261129-20261128"}}, "ends before it starts"),
        ({"sps": {"ScheduledProcedureStepStartDate": "202611*"}}, "wildcards are not allowed"),
        ({"sps": {"ScheduledProcedureStepStartTime": "2500"}}, "not a valid time"),
        ({"sps": {"ScheduledProcedureStepStartTime": "10h"}}, "not a time"),
        ({"PatientBirthDate": "1970"}, "not a date"),
        ({"StudyInstanceUID": "1.2.*"}, "wildcards are not allowed"),
        ({"charset": "ISO_IR 999", "PatientName": ""}, "Specific Character Set 'ISO_IR 999' is not supported"),
    ],
)
def test_malformed_queries_are_refused_with_a_reason(exams, keys, message):
    with pytest.raises(WorklistQueryError, match=message):
        find_worklist_items(query(**keys), calling_ae="TEST")


def test_a_query_sequence_with_two_items_is_refused(exams):
    identifier = query(AccessionNumber="")
    identifier.ScheduledProcedureStepSequence = Sequence([Dataset(), Dataset()])
    with pytest.raises(WorklistQueryError, match="one item, not 2"):
        find_worklist_items(identifier, calling_ae="TEST")


def test_keys_it_cannot_match_on_are_noted_and_ignored(exams):
    parsed = parse_query(query(AccessionNumber="CHEST1", AdmissionID="A123", sps={"ScheduledProcedureStepLocation": "",
                                                                                    "PreMedication": "none"}))
    assert parsed.unsupported == ["AdmissionID", "ScheduledProcedureStepSequence.PreMedication"]
    assert found(query(AccessionNumber="CHEST1", AdmissionID="A123")) == ["CHEST1"]


def test_one_rooms_day_takes_a_fixed_number_of_queries(exams, django_assert_max_num_queries):
    identifier = query(PatientName="", AccessionNumber="", sps={"ScheduledStationAETitle": "NGH_DX1", "Modality": "DX",
                                                                "ScheduledProcedureStepStartDate": "20261128"})
    with django_assert_max_num_queries(2):  # the rooms, then the examinations with patient, room, site, operator
        assert found(identifier) == ["CHEST1", "HAND2"]


def test_a_room_with_an_out_of_service_required_unit_offers_nothing(exams, rooms):
    detector = f.UnitFactory.create(room=rooms["dx1"], status="out_of_service", status_reason="Uniformity failed")
    f.UnitFactory.create(room=rooms["dx2"], status="restricted")  # restricted: a radiographer decides, still offered
    # A mobile unit has no room: it takes no room out of the worklist.
    f.UnitFactory.create(room=None, site=rooms["ct"].site, name="Mobile 1", status="out_of_service")

    assert accession() == ["HEAD4", "KNEE3", "NOROOM5"]

    detector.status = "in_service"
    detector.save()
    assert accession() == ["HEAD4", "CHEST1", "KNEE3", "HAND2", "NOROOM5"]
