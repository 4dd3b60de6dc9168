"""Load test of the worklist API and page under gunicorn on PostgreSQL, against a bare Django view.

    .venv/bin/python benchmarks/worklist_load.py setup     # fresh inscope_bench database, demo + 50,000 exams
    .venv/bin/python benchmarks/worklist_load.py run       # gunicorn configs x scenarios, 50 clients, wrk
    .venv/bin/python benchmarks/worklist_load.py profile   # queries, EXPLAIN ANALYZE and cProfile of one request
    .venv/bin/python benchmarks/worklist_load.py all       # the three in turn

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), wrk (apt-get install wrk) and the built static
files (scripts/setup.sh). Every load run has a fixed duration and sends traffic to 127.0.0.1 only. Results go
to benchmarks/results/worklist_load.json (run) and worklist_profile.json/.txt (profile); docs/performance.md
explains them. The load generator and the server share this machine's cores, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.cookiejar
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WRK_SCRIPT = BENCH / "wrk_report.lua"

DB_NAME = "inscope_bench"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
DATABASE_URL = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB_NAME}"
HOST = "127.0.0.1"
USERNAME = "r.hughes"  # a supervising radiographer at every site: may view every worklist
PASSWORD = "inscope-demo-2026"  # noqa: S105 - inscope.demo.northgate.DEMO_PASSWORD, benchmark database only
SITE = "ngh"
TIME_ZONE = "Europe/London"

# gunicorn configurations to compare: name -> extra arguments (the machine has 2 cores).
CONFIGS = {
    "w2": ["-w", "2"],
    "w4": ["-w", "4"],
    "w2t4": ["-w", "2", "--threads", "4"],
    "w3t2": ["-w", "3", "--threads", "2"],
}
DEFAULT_CONFIGS = ["w2", "w4", "w2t4"]

# Scenarios: name -> (server, path template, auth). {date} and {site} are filled in.
SCENARIOS = {
    "api": ("inscope", "/api/v1/worklist?date={date}&site={site}", "bearer"),  # default page size (200)
    "api_full_day": ("inscope", "/api/v1/worklist?date={date}&site={site}&limit=1000", "bearer"),
    "page": ("inscope", "/examinations/?site={site}&date={date}", "session"),
    "page_poll": ("inscope", "/examinations/?site={site}&date={date}", "session+htmx"),  # the 10-second refresh
    "bare": ("bare", "/", None),
}
DEFAULT_SCENARIOS = ["api", "api_full_day", "page", "page_poll", "bare"]
# --app: the WSGI module gunicorn serves for InScope ("whatif" applies a proposed fix in memory).
APPS = {"inscope": "inscope.wsgi", "whatif": "whatif_wsgi"}
TARGET_P99_MS = 100
TARGET_RATIO = 0.5


def app_env() -> dict[str, str]:
    """The environment every InScope process of the benchmark gets (production-like: DEBUG off)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        DEBUG="false",
        SECRET_KEY="benchmark-only-secret-key-not-for-production-0123456789abcdef",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        TIME_ZONE=TIME_ZONE,
        DJANGO_SETTINGS_MODULE="inscope.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], *, env: dict[str, str] | None = None, capture: bool = False) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout if capture else ""


def psql(sql: str, database: str = "postgres") -> str:
    cmd = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", database, "-v", "ON_ERROR_STOP=1",
           "-tA", "-c", sql]
    return subprocess.run(cmd, check=True, text=True, capture_output=True).stdout.strip()


# --- setup ----------------------------------------------------------------------------------------------------------


def setup(args: argparse.Namespace) -> None:
    env = app_env()
    step(f"Creating a fresh database {DB_NAME}")
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    step("Migrating")
    run([PYTHON, "-m", "inscope", "migrate", "--noinput", "-v", "0"], env=env)
    step("Loading the demo department (inscope load_demo)")
    run([PYTHON, "-m", "inscope", "load_demo"], env=env)
    step(f"Seeding {args.exams:,} examinations over {args.days} days")
    seed_cmd = [PYTHON, str(BENCH / "seed_worklist.py"), "--exams", str(args.exams), "--days", str(args.days)]
    if not sys.stderr.isatty():
        seed_cmd.append("--no-progress")
    out = subprocess.run(seed_cmd, cwd=ROOT, env=env, check=True, text=True, stdout=subprocess.PIPE).stdout
    seeded = json.loads(out.strip().splitlines()[-1])
    step(f"Seeded: {seeded}")
    step("Collecting static files")
    run([PYTHON, "-m", "inscope", "collectstatic", "--noinput", "-v", "0"], env=env)
    RESULTS.mkdir(parents=True, exist_ok=True)
    dataset = {"database": DB_NAME, "seeded": seeded, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "table_rows": table_rows()}
    (RESULTS / "worklist_dataset.json").write_text(json.dumps(dataset, indent=2) + "\n")
    step(f"Dataset: {dataset['table_rows']}")


def table_rows() -> dict[str, int]:
    rows = {}
    for table in ("exams_examination", "exams_patient", "staff_user", "staff_roleassignment", "department_site"):
        rows[table] = int(psql(f"SELECT count(*) FROM {table}", DB_NAME))  # noqa: S608 - our own table names
    return rows


def day_count(day: dt.date, site: str) -> int:
    if not re.fullmatch(r"[a-z0-9_-]+", site):
        raise SystemExit(f"Bad site code {site!r}")
    where = f"s.code = '{site}' AND (e.scheduled_at AT TIME ZONE '{TIME_ZONE}')::date = '{day.isoformat()}'"
    sql = "SELECT count(*) FROM exams_examination e JOIN department_site s ON s.id = e.site_id WHERE " + where  # noqa: S608 - site checked above
    return int(psql(sql, DB_NAME))


# --- servers --------------------------------------------------------------------------------------------------------


class Server:
    """One gunicorn master we started (and only we stop, by its pid)."""

    def __init__(self, kind: str, config: str, port: int, log: Path, settings_module: str = "inscope.settings",
                 app_module: str = "inscope.wsgi") -> None:
        self.kind, self.config, self.port = kind, config, port
        app = [f"{app_module}:application"] if kind == "inscope" else ["bare_app:application"]
        app = ["--pythonpath", str(BENCH), *app]
        cmd = [GUNICORN, *app, "-b", f"{HOST}:{port}", *CONFIGS[config], "--log-level", "warning",
               "--worker-tmp-dir", "/dev/shm", "--timeout", "60"]  # noqa: S108 - gunicorn's documented advice
        env = app_env()
        env["DJANGO_SETTINGS_MODULE"] = settings_module
        if kind == "bare":
            env.pop("DJANGO_SETTINGS_MODULE", None)
        self.log = log.open("a")
        self.log.write(f"\n# {' '.join(cmd)}\n")
        self.log.flush()
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> int:
        """Wait until the server answers ``path`` at all; return the status it answered with."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:  # noqa: S310 - loopback
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn on port {self.port} not ready after {timeout}s")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the master and its workers so far."""
        return tree_cpu_seconds(self.proc.pid)

    def wait_idle(self, limit: float = 90, quiet: float = 0.05) -> float:
        """Wait until the workers have drained requests left queued by the last run (CPU below ``quiet``)."""
        start = time.monotonic()
        last = self.cpu_seconds()
        while time.monotonic() - start < limit:
            time.sleep(0.5)
            now = self.cpu_seconds()
            if now - last < quiet * 0.5:
                break
            last = now
        return round(time.monotonic() - start, 1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of the master and its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def tree_cpu_seconds(root: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        pid = int(entry)
        parents[pid] = int(fields[1])
        cpu[pid] = int(fields[11]) + int(fields[12])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(cpu.get(pid, 0) for pid in tree) / ticks


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of every CPU so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def free_port(wanted: int = 0) -> int:
    """Return ``wanted`` if nothing listens on it, or any free loopback port when it is 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, wanted))
        except OSError:
            raise SystemExit(f"Port {wanted} on {HOST} is in use; pick another with --port") from None
        return sock.getsockname()[1]


def log_in(base: str) -> str:
    """Sign in through the login form, as a browser does; return the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login/", timeout=10).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("No CSRF token on the login page")
    form = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)})
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{base}/login/", data=form.encode(), headers={"Referer": f"{base}/login/"})
    opener.open(request, timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError("Login failed: no session cookie")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def issue_token() -> str:
    out = run([PYTHON, "-m", "inscope", "issue_api_token", USERNAME, f"benchmark {time.strftime('%Y%m%d-%H%M%S')}"],
              env=app_env(), capture=True)
    return out.strip().splitlines()[-1]


def headers_for(auth: str | None, token: str, cookie: str) -> list[str]:
    if auth is None:
        return []
    if auth == "bearer":
        return [f"Authorization: Bearer {token}"]
    found = [f"Cookie: {cookie}"]
    if auth == "session+htmx":
        found.append("HX-Request: true")
    return found


def fetch(url: str, headers: list[str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wrk(url: str, headers: list[str], *, seconds: int, connections: int, threads: int) -> dict[str, object]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(WRK_SCRIPT)]
    for header in headers:
        cmd += ["-H", header]
    cmd.append(url)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, text=True, capture_output=True, timeout=seconds + 60).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(x for x in out.splitlines() if x.startswith("JSON:"))
    result = json.loads(line[5:])
    result["wrk_cpu_seconds"] = round((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 2)
    return result


def measure(server: Server, scenario: str, url: str, headers: list[str], args: argparse.Namespace) -> dict[str, object]:
    server.wait_idle()
    if args.warmup:
        wrk(url, headers, seconds=args.warmup, connections=args.connections, threads=args.threads)
        server.wait_idle()  # requests still queued when wrk stopped would otherwise count against the next run
    cpu_before, (busy_before, total_before) = server.cpu_seconds(), machine_busy()
    raw = wrk(url, headers, seconds=args.duration, connections=args.connections, threads=args.threads)
    cpu_after, (busy_after, total_after) = server.cpu_seconds(), machine_busy()
    drained = server.wait_idle()
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    errors = raw["errors"]
    result = {
        "config": server.config,
        "gunicorn_args": CONFIGS[server.config],
        "scenario": scenario,
        "url": url,
        "connections": args.connections,
        "seconds": round(seconds, 2),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "latency_ms": {k: round(v / 1000, 2) for k, v in latency.items()},
        "errors": errors,
        "bytes_per_response": round(raw["bytes"] / max(raw["requests"], 1)),
        "drain_seconds_after": drained,
        "cpu": {
            "server_seconds": round(cpu_after - cpu_before, 2),
            "wrk_seconds": raw["wrk_cpu_seconds"],
            "machine_busy_share": round((busy_after - busy_before) / max(total_after - total_before, 1), 3),
            "available_seconds": round(seconds * (os.cpu_count() or 1), 1),
        },
    }
    p = result["latency_ms"]
    bad = sum(errors.values())
    step(f"  {server.config:>5} {scenario:<13} {result['rps']:>8,.1f} req/s  p50 {p['p50']:>8.1f} ms  "
         f"p99 {p['p99']:>8.1f} ms  {result['bytes_per_response']:>8,} B/resp  errors {bad}")
    return result


def run_load(args: argparse.Namespace) -> dict[str, object]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    day = dt.date.fromisoformat(args.date) if args.date else dt.datetime.now(ZoneInfo(TIME_ZONE)).date()
    rows = day_count(day, args.site)
    step(f"Worklist under test: site {args.site}, {day} ({rows} examinations that day at the site)")
    token = issue_token()
    log = RESULTS / "gunicorn.log.tmp"
    results = []
    cookie = ""
    samples: dict[str, dict[str, object]] = {}
    problems: list[str] = []
    settings_module = "inscope.settings"
    for config in args.configs:
        wanted = [s for s in args.scenarios if SCENARIOS[s][0] == "inscope"]
        if wanted:
            server = Server("inscope", config, free_port(args.port), log, settings_module, APPS[args.app])
            try:
                if server.wait_ready("/login/") >= 500 and settings_module == "inscope.settings":
                    step("  The login page is a 500 with the real settings (see gunicorn.log.tmp); "
                         "serving pages with benchmarks/bench_settings.py instead")
                    problems.append("With DEBUG off, HTML pages answered 500 under inscope.settings "
                                    "(static('vendor/nhsuk/assets') has no manifest entry); pages were served with "
                                    "benchmarks/bench_settings.py (manifest_strict = False), otherwise identical.")
                    server.stop()
                    settings_module = "bench_settings"
                    server = Server("inscope", config, free_port(args.port), log, settings_module, APPS[args.app])
                    if server.wait_ready("/login/") >= 500:
                        raise RuntimeError(f"The login page is still a 500; see {log}")
                if not cookie:
                    cookie = log_in(server.base)
                for scenario in wanted:
                    _, path, auth = SCENARIOS[scenario]
                    url = server.base + path.format(date=day.isoformat(), site=args.site)
                    headers = headers_for(auth, token, cookie)
                    status, body = fetch(url, headers)
                    if status != 200:
                        raise RuntimeError(f"{scenario}: {url} answered {status}: {body[:300]!r}")
                    samples.setdefault(scenario, _sample(scenario, body))
                    results.append(measure(server, scenario, url, headers, args))
            finally:
                server.stop()
        if "bare" in args.scenarios:
            server = Server("bare", config, free_port(args.port + 1 if args.port else 0), log)
            try:
                server.wait_ready("/")
                url = server.base + SCENARIOS["bare"][1]
                status, body = fetch(url, [])
                if status != 200 or body != b"ok":
                    raise RuntimeError(f"bare: {url} answered {status}: {body[:100]!r}")
                results.append(measure(server, "bare", url, [], args))
            finally:
                server.stop()
    return {"day": day.isoformat(), "site": args.site, "examinations_that_day_at_site": rows,
            "settings_module": settings_module, "problems": problems, "samples": samples, "results": results}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of a list (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def paced_load(
    port: int, path: str, headers: list[str], *, clients: int, interval: float, seconds: float
) -> dict[str, object]:
    """Open loop: each client sends one request every ``interval`` seconds (random phase) for ``seconds``.

    Latency runs from when the request was due, not when it was sent, so a server that falls behind is charged
    for the wait (no coordinated omission).
    """
    header_map = dict(h.split(": ", 1) for h in headers)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    t0 = time.monotonic() + 0.5
    end = t0 + seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        due = t0 + rng.uniform(0, interval)
        while due < end:
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            # A new connection per request: gunicorn keeps idle connections 2 s, a poll comes every 10 s.
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            try:
                conn.request("GET", path, headers=header_map)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = 0
                with lock:
                    failures.append(repr(error))
            finally:
                conn.close()
            took = time.monotonic() - due
            with lock:
                if status == 200:
                    latencies.append(took)
                elif status:
                    failures.append(f"HTTP {status}")
            due += interval

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    ms = [x * 1000 for x in latencies]
    return {
        "clients": clients, "interval_s": interval, "seconds": seconds, "offered_rps": round(clients / interval, 2),
        "requests_ok": len(ms), "failures": len(failures), "failure_examples": failures[:5],
        "latency_ms": {"p50": round(percentile(ms, 50), 1), "p90": round(percentile(ms, 90), 1),
                       "p99": round(percentile(ms, 99), 1), "max": round(max(ms), 1) if ms else None,
                       "mean": round(sum(ms) / len(ms), 1) if ms else None},
    }


def run_paced(args: argparse.Namespace) -> dict[str, object]:
    """Each of the clients requests every ``--interval`` seconds, as open worklist pages poll: a realistic load."""
    day = dt.date.fromisoformat(args.date) if args.date else dt.datetime.now(ZoneInfo(TIME_ZONE)).date()
    config = args.paced_config
    token = issue_token()
    log = RESULTS / "gunicorn.log.tmp"
    settings_module = "inscope.settings"
    problems: list[str] = []
    server = Server("inscope", config, free_port(args.port), log, settings_module, APPS[args.app])
    results = []
    try:
        if server.wait_ready("/login/") >= 500:
            problems.append("HTML pages answered 500 under inscope.settings; served with benchmarks/bench_settings.py.")
            server.stop()
            settings_module = "bench_settings"
            server = Server("inscope", config, free_port(args.port), log, settings_module, APPS[args.app])
            server.wait_ready("/login/")
        cookie = log_in(server.base)
        for scenario in [s for s in args.paced_scenarios if SCENARIOS[s][0] == "inscope"]:
            _, path_template, auth = SCENARIOS[scenario]
            path = path_template.format(date=day.isoformat(), site=args.site)
            headers = headers_for(auth, token, cookie)
            status, _ = fetch(server.base + path, headers)
            if status != 200:
                raise RuntimeError(f"{scenario}: {path} answered {status}")
            server.wait_idle()
            cpu_before = server.cpu_seconds()
            result = paced_load(server.port, path, headers, clients=args.connections, interval=args.interval,
                                seconds=args.paced_duration)
            result.update(scenario=scenario, config=config, path=path,
                          server_cpu_seconds=round(server.cpu_seconds() - cpu_before, 2))
            lat = result["latency_ms"]
            step(f"  paced {config:>5} {scenario:<13} {result['requests_ok']:>5} ok  p50 {lat['p50']:>7.1f} ms  "
                 f"p90 {lat['p90']:>7.1f} ms  p99 {lat['p99']:>7.1f} ms  failures {result['failures']}")
            results.append(result)
    finally:
        server.stop()
    return {"benchmark": "worklist_paced", "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(["python", os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]]),
            "day": day.isoformat(), "site": args.site, "examinations_that_day_at_site": day_count(day, args.site),
            "settings_module": settings_module, "problems": problems,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()], "results": results}


def _sample(scenario: str, body: bytes) -> dict[str, object]:
    """What one response holds, to check the server answered the real thing."""
    if scenario.startswith("api"):
        data = json.loads(body)
        return {"bytes": len(body), "count": data["count"], "items": len(data["items"]), "limit": data["limit"]}
    text = body.decode()
    full_page = "<html" in text
    rows = text.count('<tr class="nhsuk-table__row">') - (1 if full_page else 0)  # less the header row
    return {"bytes": len(body), "rows": rows, "full_page": full_page}


def summarise(run_data: dict[str, object]) -> dict[str, object]:
    table: dict[str, dict[str, dict[str, object]]] = {}
    for r in run_data["results"]:
        table.setdefault(r["config"], {})[r["scenario"]] = r
    per_config = {}
    for config, scenarios in table.items():
        bare = scenarios.get("bare")
        entry = {}
        for name, r in scenarios.items():
            item = {"rps": r["rps"], "p50_ms": r["latency_ms"]["p50"], "p99_ms": r["latency_ms"]["p99"],
                    "errors": sum(r["errors"].values())}
            if bare and name != "bare":
                item["ratio_to_bare"] = round(r["rps"] / bare["rps"], 3)
            entry[name] = item
        per_config[config] = entry
    best = max(per_config, key=lambda c: per_config[c].get("api", {}).get("rps", 0)) if per_config else None
    verdict = {}
    if best:
        for name, item in per_config[best].items():
            if name == "bare":
                continue
            verdict[name] = {
                "p99_under_100ms": item["p99_ms"] < TARGET_P99_MS,
                "at_least_half_bare_rps": item.get("ratio_to_bare", 0) >= TARGET_RATIO,
            }
    return {"per_config": per_config, "best_config_for_api": best, "targets_with_best_config": verdict}


def machine() -> dict[str, object]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "")
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    gunicorn_version = run([GUNICORN, "--version"], capture=True).strip()
    django_version = run([PYTHON, "-c", "import django; print(django.get_version())"], capture=True).strip()
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": run([PYTHON, "-c", "import platform; print(platform.python_version())"], capture=True).strip(),
        "django": django_version,
        "postgresql": psql("SHOW server_version"),
        "gunicorn": gunicorn_version,
        "wrk": wrk_version[0] if wrk_version else "",
        "platform": platform.platform(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("phase", choices=["setup", "run", "paced", "profile", "all"])
    parser.add_argument("--exams", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=50)
    parser.add_argument("--duration", type=int, default=20, help="run: seconds of load per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="run: seconds of load before each measurement")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS), help=f"from {', '.join(CONFIGS)}")
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS), help=f"from {', '.join(SCENARIOS)}")
    parser.add_argument("--site", default=SITE)
    parser.add_argument("--date", default=None, help="worklist day, YYYY-MM-DD (default today)")
    parser.add_argument("--port", type=int, default=0, help="InScope's port (default: a free one); bare uses another")
    parser.add_argument("--output", type=Path, default=None,
                        help="default results/worklist_load.json (run), worklist_paced.json (paced); "
                             "_whatif is added with --app whatif")
    parser.add_argument("--app", choices=list(APPS), default="inscope",
                        help="whatif: serve benchmarks/whatif_wsgi.py (a proposed fix applied in memory)")
    parser.add_argument("--interval", type=float, default=10.0,
                        help="paced: seconds between one client's requests (the page polls every 10 s)")
    parser.add_argument("--paced-duration", type=int, default=60, help="paced: seconds per scenario")
    parser.add_argument("--paced-config", default="w2t4", help="paced: the gunicorn config to serve with")
    parser.add_argument("--paced-scenarios", default="api,page,page_poll")
    parser.add_argument("--settings", default="bench_settings",
                        help="settings module for the profile phase (inscope.settings once pages render with it)")
    args = parser.parse_args(argv)
    args.configs = [c for c in args.configs.split(",") if c]
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.paced_scenarios = [s for s in args.paced_scenarios.split(",") if s]
    for name in [*args.configs, args.paced_config]:
        if name not in CONFIGS:
            parser.error(f"unknown config {name!r}")
    for name in [*args.scenarios, *args.paced_scenarios]:
        if name not in SCENARIOS:
            parser.error(f"unknown scenario {name!r}")
    return args


def closed_loop_phase(args: argparse.Namespace, output: Path) -> None:
    started = dt.datetime.now(dt.UTC)
    load_before = [round(x, 2) for x in os.getloadavg()]
    data = run_load(args)
    summary = summarise(data)
    dataset = RESULTS / "worklist_dataset.json"
    report = {
        "benchmark": "worklist_load",
        "when": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]]),
        "app": {"module": APPS[args.app], "whatif": args.app == "whatif"},
        "machine": {**machine(), "load_average_at_start": load_before},
        "load_generator": {"tool": "wrk", "connections": args.connections, "threads": args.threads,
                           "duration_s": args.duration, "warmup_s": args.warmup,
                           "note": "closed loop; wrk, gunicorn and PostgreSQL share the same cores"},
        "targets": {"p99_ms_below": TARGET_P99_MS, "rps_ratio_to_bare_at_least": TARGET_RATIO},
        "dataset": json.loads(dataset.read_text()) if dataset.exists() else None,
        **data,
        "summary": summary,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    step(f"Best config for the API: {summary['best_config_for_api']}")
    for config, entry in summary["per_config"].items():
        for name, item in entry.items():
            ratio = f"  {item['ratio_to_bare']:.2%} of bare" if "ratio_to_bare" in item else ""
            step(f"  {config:>5} {name:<13} {item['rps']:>8,.1f} req/s  p50 {item['p50_ms']:.1f} ms  "
                 f"p99 {item['p99_ms']:.1f} ms{ratio}")
    step(f"Wrote {os.path.relpath(output, ROOT)}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    suffix = "_whatif" if args.app == "whatif" else ""
    if args.phase in ("setup", "all"):
        setup(args)
    else:
        step("Bringing the benchmark database up to date with the code (inscope migrate)")
        run([PYTHON, "-m", "inscope", "migrate", "--noinput", "-v", "0"], env=app_env())
    if args.phase in ("run", "all"):
        closed_loop_phase(args, args.output if args.phase == "run" and args.output else
                          RESULTS / f"worklist_load{suffix}.json")
    if args.phase in ("paced", "all"):
        output = args.output if args.phase == "paced" and args.output else RESULTS / f"worklist_paced{suffix}.json"
        report = run_paced(args)
        report["app"] = {"module": APPS[args.app], "whatif": args.app == "whatif"}
        output.write_text(json.dumps(report, indent=2) + "\n")
        step(f"Wrote {os.path.relpath(output, ROOT)}")
    if args.phase in ("profile", "all"):
        cmd = [PYTHON, str(BENCH / "worklist_profile.py"), "--site", args.site]
        if args.date:
            cmd += ["--date", args.date]
        env = app_env()
        env["DJANGO_SETTINGS_MODULE"] = args.settings
        subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
