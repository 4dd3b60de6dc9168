"""Accessibility: axe-core finds no serious or critical violations on the main pages, and no page has a
JavaScript error (console errors from the unreachable NHS font CDN aside)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "build" / "static" / "vendor" / "axe" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# The NHS CSS loads its Frutiger fonts from the NHS font CDN, which cannot be reached here (falls back to Arial).
HARMLESS_CONSOLE_ERRORS = ("net::ERR_NAME_NOT_RESOLVED",)


def _axe(page: Page) -> list[dict]:
    """Run axe on the page as it is now; return its serious and critical violations, briefly."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [", ".join(map(str, node["target"])) for node in v["nodes"]][:10]}
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def test_main_pages_have_no_serious_or_critical_violations(page: Page, new_page, login) -> None:
    assert AXE.exists(), f"{AXE} is missing: run scripts/setup.sh"
    found: dict[str, list[dict]] = {}
    script_errors: list[str] = []

    def watch(on: Page) -> Page:
        """Record JavaScript errors (htmx, the NHS.UK components) and console errors, bar the font CDN's."""

        def console(message: ConsoleMessage) -> None:
            if message.type == "error" and not any(h in message.text for h in HARMLESS_CONSOLE_ERRORS):
                script_errors.append(f"{on.url}: console: {message.text}")

        on.on("pageerror", lambda error: script_errors.append(f"{on.url}: {error}"))
        on.on("console", console)
        return on

    def check(name: str, on: Page) -> None:
        expect(on.get_by_role("heading", level=1)).to_be_visible()
        violations = _axe(on)
        if violations:
            found[f"{name} ({on.url})"] = violations

    # Signed out.
    watch(page)
    page.goto("/login/")
    check("login", page)

    # The assistant practitioner: the worklist and an examination with its checks.
    login(page, "ap.patel")
    page.goto("/examinations/")
    check("worklist", page)
    page.locator("#worklist").get_by_role("link", name="OKORO, James", exact=True).click()
    check("examination detail", page)

    # The supervising radiographer: the queue (MRI knee patient already escalated in the demo) and one escalation.
    radiographer = watch(new_page())
    login(radiographer, "r.hughes")
    radiographer.goto("/examinations/escalations/")
    check("escalation queue", radiographer)
    radiographer.locator("#queue").get_by_role("link", name="TURNER, Lucy").click()
    expect(radiographer).to_have_url(re.compile(r"/examinations/escalations/\d+/$"))
    check("escalation detail", radiographer)
    radiographer.goto("/supervision/")
    check("supervision board", radiographer)

    # The manager: the policy pages, who can do what, a portfolio with the grant form, and the audit trail.
    manager = watch(new_page())
    login(manager, "m.okafor")
    manager.goto("/policy/")
    check("policy list", manager)
    manager.get_by_role("link", name="v1", exact=True).click()
    check("policy detail", manager)
    manager.goto("/people/matrix/")
    check("who can do what", manager)
    manager.goto("/people/ap.patel/")
    manager.locator("details#entitle summary").click()  # the grant form, with its conditions
    expect(manager.locator("#entitle-exclude")).to_be_visible()
    check("portfolio with the grant form", manager)
    manager.goto("/audit/")
    check("audit", manager)

    assert not script_errors, "JavaScript errors on the pages:\n" + "\n".join(script_errors)
    assert not found, "axe found serious or critical violations:\n" + json.dumps(found, indent=2, ensure_ascii=False)
