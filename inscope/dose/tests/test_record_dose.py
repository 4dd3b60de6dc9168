"""Recording a study reported in several objects: cumulative, continuation, duplicated and out-of-order objects
count every irradiation event exactly once."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from inscope.audit.models import AuditEvent
from inscope.dose.models import DoseObject, DoseStudy, IrradiationEventRecord
from inscope.dose.services import RecordResult, record_dose
from inscope.dose.tests.reports import STUDY, event, report
from inscope.lib.errors import DomainError

DAP = {1: 1.0, 2: 2.0, 3: 3.0, 4: 4.0}  # Gy·cm² of each event


def obj(name: str, *numbers: int):
    return report(name, [event(n, dap_gy_cm2=DAP[n]) for n in numbers])


@dataclass(frozen=True)
class Arrival:
    case: str
    objects: tuple  # the objects in the order they arrive
    statuses: tuple[str, ...]
    new_events: tuple[int, ...]
    events: int
    total_gy_cm2: float

    @property
    def id(self) -> str:
        return self.case


A12, B123, C1234 = obj("a", 1, 2), obj("b", 1, 2, 3), obj("c", 1, 2, 3, 4)
B3, C4, B23 = obj("b", 3), obj("c", 4), obj("b", 2, 3)
ARRIVALS = [
    Arrival("cumulative, in order", (A12, B123, C1234), ("imported", "updated", "updated"), (2, 1, 1), 4, 10.0),
    Arrival("cumulative, last report first", (C1234, A12, B123), ("imported", "updated", "updated"), (4, 0, 0), 4,
            10.0),
    Arrival("continuation, in order", (A12, B3, C4), ("imported", "updated", "updated"), (2, 1, 1), 4, 10.0),
    Arrival("continuation, out of order", (C4, A12, B3), ("imported", "updated", "updated"), (1, 2, 1), 4, 10.0),
    Arrival("overlapping reports", (A12, B23), ("imported", "updated"), (2, 1), 3, 6.0),
    Arrival("the same object twice", (A12, A12), ("imported", "duplicate"), (2, 0), 2, 3.0),
    Arrival("an earlier object again after a later one", (A12, B123, A12), ("imported", "updated", "duplicate"),
            (2, 1, 0), 3, 6.0),
]


@pytest.mark.django_db
@pytest.mark.parametrize("arrival", ARRIVALS, ids=[a.id for a in ARRIVALS])
def test_each_event_counts_once(arrival: Arrival) -> None:
    results = [record_dose(o, source="import") for o in arrival.objects]
    assert tuple(r.status for r in results) == arrival.statuses
    assert tuple(r.new_events for r in results) == arrival.new_events
    study = DoseStudy.objects.get()
    assert study.event_count == arrival.events == study.events.count()
    assert study.total_dap_gy_m2 == pytest.approx(arrival.total_gy_cm2 * 1e-4)
    assert DoseObject.objects.filter(study=study).count() == len({o.sop_instance_uid for o in arrival.objects})
    assert all(r.study.pk == study.pk for r in results)


@pytest.mark.django_db
def test_an_event_remembers_the_object_that_first_reported_it() -> None:
    later = obj("d", 1, 2, 3, 4)
    record_dose(C4, source="import")
    record_dose(later, source="import")
    first = dict(IrradiationEventRecord.objects.values_list("event_uid", "source_sop_instance_uid"))
    assert first[f"{STUDY}.7.4"] == C4.sop_instance_uid
    assert first[f"{STUDY}.7.1"] == later.sop_instance_uid


@pytest.mark.django_db
def test_messages_say_what_happened() -> None:
    assert record_dose(A12, source="import").message == "New study, 2 events; total DAP 3 Gy·cm²"
    assert record_dose(B123, source="import").message == "1 new event (2 already recorded); study total DAP 6 Gy·cm²"
    assert record_dose(A12, source="import").message == (
        f"Already imported: same object (SOP Instance UID {A12.sop_instance_uid})")
    assert record_dose(obj("d", 1, 2), source="import").message.startswith("No new events (2 already recorded)")


@pytest.mark.django_db
def test_each_change_is_audited_but_a_duplicate_is_not() -> None:
    record_dose(A12, source="import")
    record_dose(B123, source="listener")
    record_dose(B123, source="listener")
    recorded = AuditEvent.objects.filter(action="dose.recorded").order_by("id")
    assert [(e.channel, e.detail["status"], e.actor_id) for e in recorded] == [
        ("cli", "imported", None), ("system", "updated", None)]


@pytest.mark.django_db
def test_an_object_repeating_an_event_uid_counts_it_once_and_says_so() -> None:
    result = record_dose(report("a", [event(1, dap_gy_cm2=1.0), event(1, dap_gy_cm2=1.0)]), source="import")
    assert result.new_events == 1 and result.study.total_dap_gy_m2 == pytest.approx(1e-4)
    assert any("more than once" in w for w in result.study.warnings)


@pytest.mark.django_db
def test_events_without_a_uid_are_identified_by_their_content() -> None:
    blank = replace(event(1, dap_gy_cm2=2.0), uid="")
    record_dose(report("a", [blank]), source="import")
    second = record_dose(report("b", [blank, event(2, dap_gy_cm2=1.0)]), source="import")  # cumulative
    assert second.new_events == 1 and second.study.total_dap_gy_m2 == pytest.approx(3e-4)
    assert any("no Irradiation Event UID" in w for w in second.study.warnings)


@pytest.mark.django_db
def test_the_reports_warnings_are_kept_once_each() -> None:
    record_dose(replace(A12, warnings=("DAP given in dGy·cm² in a Gy·m² field",)), source="import")
    result = record_dose(replace(B3, warnings=("DAP given in dGy·cm² in a Gy·m² field", "kVp was multi-valued")),
                         source="import")
    assert result.study.warnings == ["DAP given in dGy·cm² in a Gy·m² field", "kVp was multi-valued"]


@pytest.mark.django_db
def test_an_object_of_another_study_with_a_recorded_sop_instance_uid_is_refused() -> None:
    record_dose(A12, source="import")
    clash = replace(obj("x", 3), sop_instance_uid=A12.sop_instance_uid, study_instance_uid="2.25.999")
    with pytest.raises(DomainError, match="already recorded for study"):
        record_dose(clash, source="import")
    assert not DoseStudy.objects.filter(study_instance_uid="2.25.999").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["sop_instance_uid", "study_instance_uid"])
def test_a_report_without_its_uids_is_refused(name: str) -> None:
    with pytest.raises(DomainError, match="no"):
        record_dose(replace(A12, **{name: " \x00"}), source="import")
    assert not DoseObject.objects.exists()


@pytest.mark.django_db
def test_uids_padded_by_dicom_are_trimmed() -> None:
    record_dose(replace(A12, sop_instance_uid=A12.sop_instance_uid + "\x00"), source="import")
    assert record_dose(A12, source="import").status == "duplicate"


@pytest.mark.django_db
def test_the_result_is_the_documented_frozen_value() -> None:
    result = record_dose(A12, source="import")
    assert isinstance(result, RecordResult)
    with pytest.raises(AttributeError):
        result.status = "updated"  # type: ignore[misc]
