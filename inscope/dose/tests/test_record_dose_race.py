"""Two objects of one new study recorded at the same moment by two processes: one creates the study, the other
waits for its lock and adds to it; no event is lost or counted twice. (SQLite serialises the two transactions;
PostgreSQL makes the second wait on the first's new row and retry.)"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from inscope.dose.models import DoseObject, DoseStudy
from inscope.dose.services import RecordResult, record_dose
from inscope.dose.tests.reports import event, report


def _at_once(*objects) -> list[RecordResult | BaseException]:
    barrier = threading.Barrier(len(objects))
    results: list[RecordResult | BaseException] = []

    def record(obj) -> None:
        try:
            barrier.wait()
            results.append(record_dose(obj, source="listener"))
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever a thread raised
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(obj,)) for obj in objects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_continuation_objects_of_a_new_study_at_once(purge_allowed_after_test) -> None:
    results = _at_once(report("a", [event(1, dap_gy_cm2=1.0), event(2, dap_gy_cm2=2.0)]),
                       report("b", [event(3, dap_gy_cm2=4.0)]))
    assert all(isinstance(r, RecordResult) for r in results), results
    assert sorted(r.status for r in results if isinstance(r, RecordResult)) == ["imported", "updated"]
    study = DoseStudy.objects.get()
    assert study.event_count == 3 and study.total_dap_gy_m2 == pytest.approx(7e-4)
    assert DoseObject.objects.filter(study=study).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_cumulative_objects_of_a_new_study_at_once(purge_allowed_after_test) -> None:
    results = _at_once(report("a", [event(1, dap_gy_cm2=1.0)]),
                       report("b", [event(1, dap_gy_cm2=1.0), event(2, dap_gy_cm2=2.0)]))
    assert all(isinstance(r, RecordResult) for r in results), results
    study = DoseStudy.objects.get()
    assert study.event_count == 2 and study.total_dap_gy_m2 == pytest.approx(3e-4)
    assert sum(r.new_events for r in results if isinstance(r, RecordResult)) == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_object_twice_at_once_is_recorded_once(purge_allowed_after_test) -> None:
    same = report("a", [event(1, dap_gy_cm2=1.0)])
    results = _at_once(same, same)
    assert sorted(r.status for r in results if isinstance(r, RecordResult)) == ["duplicate", "imported"], results
    assert DoseObject.objects.count() == 1 and DoseStudy.objects.get().event_count == 1
