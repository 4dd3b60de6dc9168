"""Browser tests: the real app in its own process, against its own fresh database, driven by headless Chromium.

Why not pytest-django's ``live_server``: it needs a transactional test database that is flushed between tests,
and the append-only audit triggers make SQLite's DELETE-based flush fail. So ``app_server`` (once per session)
creates a database, runs ``migrate`` and ``load_demo`` into it, starts ``runserver`` on a free port and yields its
base URL; at the end it stops the server and removes the database.

  * DATABASE_URL=postgres://...  -> a new database ``<dbname>_browser_<pid>`` on that server (created and dropped
    here; the role needs CREATEDB);
  * otherwise                     -> a SQLite file in a temporary directory.

The tests never touch the test process's database (they do not request ``db``): everything goes through HTTP.
The repository's conftest.py has autouse fixtures that take pytest-django's ``settings`` fixture; that fixture
does not open the database, so they are harmless here (and they change nothing in the app's own process).

The demo department is loaded once and shared, so each journey uses its own patients (see inscope/demo/northgate.py).
The server's output (requests, tracebacks, e-mails) goes to runserver.log in pytest's temporary directory
(/tmp/pytest-of-$USER/pytest-N/app_server0/).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from inscope.demo.northgate import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
STARTUP_SECONDS = 30

# Every expect() waits up to this long unless told otherwise (the escalation queue polls every 5 s).
expect.set_options(timeout=10_000)


def _python() -> str:
    return str(PYTHON) if PYTHON.exists() else sys.executable


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_url_for(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _postgres_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} failed with exit status {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-5000:]}\n--- stderr ---\n{result.stderr[-10000:]}",
            pytrace=False,
        )


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The app server exited with status {process.returncode}:\n{log.read_text()[-10000:]}",
                        pytrace=False)
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            return  # it answered: good enough
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"The app server did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-10000:]}",
                pytrace=False)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run the real app against a fresh demo database; yield its base URL (no trailing slash)."""
    workdir = tmp_path_factory.mktemp("app_server")
    configured = os.environ.get("DATABASE_URL", "")
    admin_url = None
    if configured.startswith(("postgres://", "postgresql://")):
        base_name = urlsplit(configured).path.lstrip("/") or "postgres"
        name = f"{base_name}_browser_{os.getpid()}"
        admin_url = configured
        _postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres_admin(admin_url, f'CREATE DATABASE "{name}"')
        database_url = _postgres_url_for(configured, name)
    else:
        name = ""
        database_url = f"sqlite:///{workdir / 'inscope-browser.sqlite3'}"

    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for pytest's own process only
    python = _python()
    process = None
    log = workdir / "runserver.log"
    try:
        _run([python, "-m", "inscope", "migrate", "--noinput"], env)
        _run([python, "-m", "inscope", "load_demo"], env)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with log.open("w") as out:
            process = subprocess.Popen(
                [python, "-m", "inscope", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        _wait_until_up(url, process, log)
        yield url
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if admin_url is not None:
            _postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def base_url(app_server: str) -> str:
    """pytest-playwright gives every context this base URL, so page.goto("/examinations/") works."""
    return app_server


@pytest.fixture
def new_page(browser: Browser, app_server: str) -> Iterator:
    """Open extra pages, each in its own browser context (its own cookies: another person signed in)."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(base_url=app_server)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Log out")).to_be_visible()


def _open_patient(page: Page, patient: str) -> None:
    page.goto("/examinations/")
    page.locator("#worklist").get_by_role("link", name=patient, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _answer(page: Page, name: str, value: str) -> None:
    page.locator(f'input[type="radio"][name="{name}"][value="{value}"]').check()


@pytest.fixture(scope="session")
def login(app_server: str):
    """``login(page, username)``: sign in through the login page (demo password) and wait for the home page.
    Session-scoped, so a module's fixture can sign people in once for several tests."""
    return _login


@pytest.fixture
def open_patient(app_server: str):
    """``open_patient(page, "WALKER, Sarah")``: open that patient's examination from today's worklist."""
    return _open_patient


@pytest.fixture
def answer():
    """``answer(page, "cooperative", "no")``: choose a radio answer in the pre-examination checks."""
    return _answer
