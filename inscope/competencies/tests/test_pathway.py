"""The career pathway as data (five levels with typical bands) and a person's progress toward the next level."""

import datetime as dt

import pytest

from inscope.competencies import services
from inscope.competencies.models import Competency
from inscope.competencies.pathway import PersonRecord, State, pathway, progress
from inscope.competencies.portfolio import pathway_progress

BANDS = {"clinical_support_worker": 2, "senior_clinical_support_worker": 3, "mammography_associate": 4,
         "assistant_practitioner": 4, "radiographer": 5}


def test_the_five_levels_with_their_typical_bands():
    levels = pathway().levels

    assert {lv.code: lv.band for lv in levels} == BANDS
    assert all(lv.band_source == "typical; employer to confirm" for lv in levels)
    assert all(lv.requirements for lv in levels)


def test_an_ap_works_toward_radiographer():
    record = PersonRecord(roles=frozenset({"assistant_practitioner"}), training=frozenset({"radiation_safety"}),
                          qualifications=("BSc (Hons) Diagnostic Radiography, year 1 of 3",))

    found = progress(pathway(), record)
    assert found is not None and found.current is not None and found.target is not None

    assert (found.current.code, found.target.code, found.in_training) == ("assistant_practitioner", "radiographer",
                                                                         False)
    states = {r.text: s for r, s in found.requirements}
    assert states["BSc (Hons) Diagnostic Radiography, or the Level 6 degree apprenticeship"] is State.MET
    assert states["Registration with the Health and Care Professions Council (HCPC)"] is State.NOT_MET
    assert states["Radiation safety training"] is State.MET
    assert found.met == 2


def test_a_trainee_is_in_training_for_ap():
    found = progress(pathway(), PersonRecord(roles=frozenset({"trainee_assistant_practitioner"}),
                                             signed_frameworks=frozenset({"AP general radiography"})))
    assert found is not None and found.target is not None

    assert (found.current, found.target.code, found.in_training) == (None, "assistant_practitioner", True)
    framework = next(s for r, s in found.requirements if r.met_by == ("framework", "AP general radiography"))
    assert framework is State.MET


def test_a_radiographer_is_at_the_top_and_a_manager_is_not_on_it():
    top = progress(pathway(), PersonRecord(roles=frozenset({"radiographer"})))
    assert top is not None and top.current is not None

    assert (top.current.code, top.target) == ("radiographer", None)
    assert progress(pathway(), PersonRecord(roles=frozenset({"manager"}))) is None


def test_a_requirement_without_evidence_is_for_the_manager_to_confirm():
    senior = pathway().level("senior_clinical_support_worker")

    assert any(r.met_by is None for r in senior.requirements)


@pytest.mark.django_db
def test_progress_reads_the_persons_record(ap, manager, framework):
    level5 = Competency.objects.get(framework=framework, code="AP-K-ACQUISITION")
    services.record_evidence(ap, level5, kind="qualification", occurred_on=dt.date(2025, 7, 1), by=ap,
                             channel="web", description="BSc Diagnostic Radiography: first year modules passed")
    services.record_training(ap, course="radiation_safety", completed_on=dt.date(2026, 3, 1),
                             renew_on=dt.date(2027, 3, 1), by=manager, channel="web")

    found = pathway_progress(ap, dt.date(2026, 11, 28))
    assert found is not None and found.target is not None

    assert found.target.code == "radiographer"
    assert [s for _, s in found.requirements] == [State.MET, State.NOT_MET, State.MET]
