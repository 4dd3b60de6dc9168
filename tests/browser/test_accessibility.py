"""The main pages, toured once by each kind of user: axe-core finds no violation of any impact, no page has a
JavaScript or console error, and every request a page makes goes to the app itself (a hospital network often
blocks other hosts, so nothing may come from the NHS font CDN or anywhere else).

The tour includes the pages with file uploads (policy import, framework import, portfolio evidence) with every
collapsed form opened, and a page with a back link for each layout that has one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "build" / "static" / "vendor" / "axe" / "axe.min.js"
# Requests that never leave the browser.
LOCAL_SCHEMES = {"data", "blob"}


@dataclass
class Tour:
    origin: str
    violations: dict[str, list[dict]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


def _axe(page: Page) -> list[dict]:
    """Run axe on the page as it is now; return every violation, briefly."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]][:10]}
        for v in results["violations"]
    ]


@pytest.fixture(scope="module")
def tour(browser: Browser, app_server: str, login) -> Iterator[Tour]:
    """Visit the main pages as each kind of user; record axe's findings, errors and every request made."""
    assert AXE.exists(), f"{AXE} is missing: run scripts/setup.sh"
    seen = Tour(origin=app_server)
    contexts: list[BrowserContext] = []

    def person(username: str | None) -> Page:
        context = browser.new_context(base_url=app_server)
        contexts.append(context)
        context.on("request", lambda request: seen.requests.append(request.url))
        page = context.new_page()
        page.on("pageerror", lambda error: seen.errors.append(f"{page.url}: {error}"))

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                seen.errors.append(f"{page.url}: console: {message.text}")

        page.on("console", console)
        if username:
            login(page, username)
        return page

    def check(name: str, on: Page, *, open_forms: bool = False) -> None:
        expect(on.get_by_role("heading", level=1)).to_be_visible()
        on.wait_for_load_state("networkidle")
        if open_forms:  # forms folded into <details> are hidden from axe until opened
            on.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        seen.pages.append(name)
        found = _axe(on)
        if found:
            seen.violations[f"{name} ({on.url})"] = found

    def visit(on: Page, name: str, path: str, **options) -> None:
        on.goto(path)
        check(name, on, **options)

    try:
        visit(person(None), "sign in", "/login/")

        # The assistant practitioner: the worklist, an examination with its checks, and her own portfolio.
        ap = person("ap.patel")
        visit(ap, "worklist", "/examinations/")
        ap.locator("#worklist").get_by_role("link", name="OKORO, James", exact=True).click()
        check("examination detail", ap)
        ap.get_by_role("link", name=re.compile("Report a fault with the equipment")).click()
        check("report a fault in the examination's room", ap)
        visit(ap, "own portfolio, with evidence upload", "/people/ap.patel/", open_forms=True)

        # The supervising radiographer: the queue (MRI knee patient already escalated in the demo), an escalation,
        # the supervision board, and a trainee's portfolio with every assessor's form opened.
        radiographer = person("r.hughes")
        visit(radiographer, "escalation queue", "/examinations/escalations/")
        radiographer.locator("#queue").get_by_role("link", name="TURNER, Lucy").click()
        expect(radiographer).to_have_url(re.compile(r"/examinations/escalations/\d+/$"))
        check("escalation detail", radiographer)
        visit(radiographer, "supervision board", "/supervision/")
        visit(radiographer, "people", "/people/")
        visit(radiographer, "trainee's portfolio, every form open", "/people/ap.trainee/", open_forms=True)
        visit(radiographer, "who can do what", "/people/matrix/")
        visit(radiographer, "rota coverage", "/examinations/coverage/")

        # The manager: the policy pages with the YAML import, frameworks with theirs, the audit trail, dose.
        manager = person("m.okafor")
        visit(manager, "policy list", "/policy/")
        manager.get_by_role("link", name="v1", exact=True).click()
        check("policy detail", manager)
        visit(manager, "new policy draft, with YAML import", "/policy/new/")
        visit(manager, "an AP's portfolio, with the grant form and its conditions", "/people/ap.patel/",
              open_forms=True)
        visit(manager, "competency frameworks, with YAML import", "/people/frameworks/")
        visit(manager, "new examination request", "/examinations/new/")
        visit(manager, "audit", "/audit/")
        visit(manager, "dose audit", "/dose/audit/")
        visit(manager, "DRLs", "/dose/drls/")
        visit(manager, "equipment register", "/equipment/")
        manager.get_by_role("link", name="Southview X-ray detector").click()
        check("out-of-service unit, with the service and return-to-service forms", manager)
        visit(manager, "add a unit", "/equipment/units/new/")

        # The radiation protection supervisor and the IT administrator.
        rps = person("rps.lee")
        visit(rps, "SAUE reviews", "/dose/saue/")
        rps.locator("#open-reviews tbody tr").first.get_by_role("link").click()
        check("SAUE review", rps)
        rps.locator('a[href^="/dose/studies/"]').first.click()
        check("dose study", rps)
        visit(person("it.admin"), "interfaces", "/interfaces/")
        yield seen
    finally:
        for context in contexts:
            context.close()


def test_main_pages_have_no_accessibility_violations(tour: Tour) -> None:
    assert len(tour.pages) >= 24
    assert not tour.violations, "axe found violations:\n" + json.dumps(tour.violations, indent=2, ensure_ascii=False)


def test_main_pages_have_no_script_or_console_errors(tour: Tour) -> None:
    assert not tour.errors, "Errors on the pages:\n" + "\n".join(tour.errors)


def test_every_request_goes_to_the_app_itself(tour: Tour) -> None:
    app = urlsplit(tour.origin)
    # The pages' own styles and scripts were seen, so the requests were really recorded.
    assert any(url.endswith("nhsuk-frontend.min.css") for url in tour.requests)
    assert any(url.endswith("htmx.min.js") for url in tour.requests)
    elsewhere = sorted({
        url for url in tour.requests
        if urlsplit(url).scheme not in LOCAL_SCHEMES
        and (urlsplit(url).scheme, urlsplit(url).netloc) != (app.scheme, app.netloc)
    })
    assert elsewhere == [], "Requests to other hosts:\n" + "\n".join(elsewhere)
