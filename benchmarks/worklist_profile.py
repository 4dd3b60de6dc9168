"""Where one worklist request spends its time: queries, EXPLAIN ANALYZE of the day's query, and a cProfile.

Run by ``benchmarks/worklist_load.py profile`` against the seeded inscope_bench database (it sets the
environment); in-process with Django's test client, one request at a time, so no network or queueing.
Writes benchmarks/results/worklist_profile.json and worklist_profile.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inscope.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from inscope.department.models import Site  # noqa: E402
from inscope.exams.models import Examination  # noqa: E402
from inscope.staff.models import ApiToken, User  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
USERNAME = "r.hughes"


def requests_for(day: dt.date, site: str) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "api": (f"/api/v1/worklist?date={day}&site={site}", {}),
        "api_full_day": (f"/api/v1/worklist?date={day}&site={site}&limit=1000", {}),
        "page": (f"/examinations/?site={site}&date={day}", {}),
        "page_poll": (f"/examinations/?site={site}&date={day}", {"HTTP_HX_REQUEST": "true"}),
    }


def _redact(sql: str) -> str:
    """Hide the (throwaway) token hash and session key: the report needs the query's shape, not its secrets."""
    sql = re.sub(r'("key_hash" = )\'[0-9a-f]+\'', r"\1'<redacted>'", sql)
    return re.sub(r'("session_key" = )\'[^\']+\'', r"\1'<redacted>'", sql)


class QueryRecorder:
    """An execute wrapper that keeps each query's SQL (with its parameters) and time."""

    def __init__(self) -> None:
        self.queries: list[dict[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = round((time.perf_counter() - start) * 1000, 2)
            self.queries.append({"ms": ms, "sql": sql, "params": None if many else params})

    def resolved(self) -> list[dict[str, object]]:
        """The queries with their parameters filled in (mogrified on a cursor of its own)."""
        found = []
        with connection.cursor() as cursor:
            for q in self.queries:
                text = cursor.mogrify(q["sql"], q["params"]) if q["params"] else q["sql"]
                found.append({"ms": q["ms"], "sql": _redact(text)})
        return found


def measure(client: Client, path: str, extra: dict[str, str], repeat: int) -> dict[str, object]:
    client.get(path, **extra)  # warm
    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):
        response = client.get(path, **extra)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path, **extra)
        times.append(time.perf_counter() - start)
    queries = recorder.resolved()
    return {
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(queries),
        "query_ms_total": round(sum(q["ms"] for q in queries), 2),
        "request_ms_median": round(statistics.median(times) * 1000, 2),
        "request_ms_min": round(min(times) * 1000, 2),
        "query_list": queries,
    }


def profile(client: Client, path: str, extra: dict[str, str], top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        client.get(path, **extra)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def range_query_sql(site: Site, day: dt.date, limit: int) -> str:
    """The same worklist query with the day as a range on scheduled_at (which the site/time index can use)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    qs = (Examination.objects.select_related("patient", "site", "room", "operator")
          .filter(site__in=[site], scheduled_at__gte=start, scheduled_at__lt=end).order_by("scheduled_at", "id"))
    sql, params = qs[:limit].query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default="ngh")
    parser.add_argument("--date", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    if "bench" not in str(settings.DATABASES["default"]["NAME"]):
        raise SystemExit("Run against the benchmark database (benchmarks/worklist_load.py profile).")

    day = dt.date.fromisoformat(args.date) if args.date else timezone.localdate()
    site = Site.objects.get(code=args.site)
    user = User.objects.get(username=USERNAME)
    _, key = ApiToken.issue(user, "benchmark profile")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    report: dict[str, object] = {"day": day.isoformat(), "site": args.site,
                                 "examinations": Examination.objects.filter(site=site).on_day(day).count(),
                                 "settings_module": os.environ["DJANGO_SETTINGS_MODULE"], "requests": {}}
    text = io.StringIO()
    for name, (path, extra) in requests_for(day, args.site).items():
        if name.startswith("api"):
            extra = {**extra, "HTTP_AUTHORIZATION": f"Bearer {key}"}
        result = measure(client, path, extra, args.repeat)
        report["requests"][name] = result
        print(f"{name:<13} {result['request_ms_median']:>8.1f} ms/request in-process, {result['queries']} queries "
              f"({result['query_ms_total']:.1f} ms), {result['bytes']:,} bytes")
        text.write(f"\n===== {name}: GET {path} =====\n")
        text.write(f"median {result['request_ms_median']} ms; {result['queries']} queries, "
                   f"{result['query_ms_total']} ms in the database\n")
        for q in result["query_list"]:
            text.write(f"  [{q['ms']:>7.2f} ms] {q['sql'][:400]}\n")
        text.write(profile(client, path, extra, args.top))

    # EXPLAIN ANALYZE of the day's examination query as the API runs it, and as a range on scheduled_at.
    api_queries = report["requests"]["api"]["query_list"]
    day_query = next(q["sql"] for q in api_queries if "exams_examination" in q["sql"] and "LIMIT" in q["sql"])
    count_query = next(q["sql"] for q in api_queries if "COUNT(*)" in q["sql"] and "exams_examination" in q["sql"])
    plans = {
        "api_page_query": {"sql": day_query, "plan": explain(day_query)},
        "api_count_query": {"sql": count_query, "plan": explain(count_query)},
        "range_alternative": {"sql": (alt := range_query_sql(site, day, 200)), "plan": explain(alt)},
    }
    report["explain"] = plans
    for name, item in plans.items():
        text.write(f"\n===== EXPLAIN ANALYZE: {name} =====\n{item['sql']}\n\n{item['plan']}\n")
        last = item["plan"].splitlines()[-1]
        print(f"EXPLAIN {name:<18} {last}")
    ApiToken.objects.filter(key_hash=ApiToken.hash(key)).delete()

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "worklist_profile.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (RESULTS / "worklist_profile.txt").write_text(text.getvalue())
    print("Wrote benchmarks/results/worklist_profile.json and worklist_profile.txt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
