"""InScope's WSGI app with one proposed fix applied in memory, to measure it before anyone changes the code.

The fix: ``ExaminationQuerySet.on_day`` filters ``scheduled_at__date=day``, which PostgreSQL runs as
``(scheduled_at AT TIME ZONE 'Europe/London')::date = day`` and cannot answer from the (site, scheduled_at)
index, so every worklist request scans the whole examination table (twice in the API: page and count). The
same day as a half-open range on scheduled_at uses the index. Used only by
``benchmarks/worklist_load.py run --app whatif``; nothing in inscope/ is changed.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from inscope.wsgi import application  # noqa: F401 - sets Django up; gunicorn serves this object


def on_day(self, day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    return self.filter(scheduled_at__gte=start, scheduled_at__lt=end)


def _apply() -> None:
    from inscope.exams.models.examinations import ExaminationQuerySet  # after Django is set up

    ExaminationQuerySet.on_day = on_day


_apply()
