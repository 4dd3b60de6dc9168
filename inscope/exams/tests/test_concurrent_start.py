"""Two people pressing Start on the same examination at the same moment: exactly one starts it."""

import threading

import pytest
from django.db import connection

from inscope.exams import services
from inscope.exams.models import Examination
from inscope.lib.errors import InvalidTransition
from inscope.testing import factories as f


@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_simultaneous_starts_succeeds(purge_allowed_after_test, ap, chest_xray, supervised,
                                                      second_radiographer):
    services.record_checklist(chest_xray, f.IN_SCOPE_CHECKS, by=ap, source="web")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press_start(person):
        barrier.wait()
        try:
            services.start_examination(chest_xray, by=person, source="web")
            outcomes.append(f"started by {person.username}")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press_start, args=(p,)) for p in (ap, second_radiographer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes)[0] == "refused" and len(outcomes) == 2, outcomes
    exam = Examination.objects.get(pk=chest_xray.pk)
    assert exam.status == "in_progress"
    assert exam.events.filter(action="started").count() == 1
