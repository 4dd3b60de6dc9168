"""Journey: the medical physics expert audits patient dose against the DRLs, takes the report away as CSV and XLSX,
and proposes a local DRL that the manager approves; the radiation protection supervisor reviews a study that met a
SAUE screening criterion. axe finds no serious or critical violation on the dose pages.

What it needs from the demo (inscope/demo/northgate.py and inscope/demo/dose_history.py): the medical physics expert
``p.shah`` and the radiation protection supervisor ``rps.lee``, an approved local DRL, and twelve weeks of dose
studies, one chest X-ray at ten times its DRL with an open SAUE review item; no local DRL for foot X-rays.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "build" / "static" / "vendor" / "axe" / "axe.min.js"
BLOCKING = {"serious", "critical"}
PROPOSED_FOR = "XFOOT"  # a protocol the demo gives no local DRL


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


def test_mpe_audits_dose_and_rps_reviews_a_saue(page: Page, new_page, login) -> None:
    assert AXE.exists(), f"{AXE} is missing: run scripts/setup.sh"
    found: dict[str, list[dict]] = {}

    def check(name: str, on: Page) -> None:
        expect(on.get_by_role("heading", level=1)).to_be_visible()
        violations = _axe(on)
        if violations:
            found[f"{name} ({on.url})"] = violations

    # The medical physics expert opens the dose audit from the header.
    login(page, "p.shah")
    page.get_by_role("navigation").get_by_role("link", name="Dose", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Patient dose audit")
    table = page.locator("#audit-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(page.locator("#drl-versions li").first).to_contain_text("local")
    expect(page.get_by_text("Percentiles of fewer than 10 studies are indicative only")).to_be_visible()
    chart = page.locator("svg.inscope-chart").first
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("text").filter(has_text=re.compile(r"^DRL "))).to_have_count(1)
    check("dose audit", page)

    # The report as files, with the same header block.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Audit table (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    header = {row[0]: row[1] for row in rows[:rows.index([])]}
    assert header["Department"] == "Northgate Imaging" and "both days included" in header["Period"]
    assert any(key.startswith("DRL version used") for key in header)
    assert rows[rows.index([]) + 1][:2] == ["Protocol", "Protocol name"]
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Report, audit table and studies (XLSX)").click()
    assert re.fullmatch(r"dose-audit-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.xlsx", xlsx_download.value.suggested_filename)
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    assert book.sheetnames == ["Report", "Audit", "Studies"] and book["Studies"].max_row > 1

    # The SAUE list says, before anything else, that InScope never notifies the regulator.
    page.get_by_role("navigation").get_by_role("link", name="SAUE reviews").click()
    expect(page.locator("#not-a-notification")).to_contain_text("InScope never notifies")
    check("SAUE reviews (MPE)", page)

    # She proposes a local DRL for foot X-rays; approving her own proposal is refused; the manager approves it.
    page.goto("/dose/drls/")
    check("DRLs", page)
    page.select_option("#propose-protocol_code", PROPOSED_FOR)
    page.select_option("#propose-quantity", "dap")
    page.fill("#propose-value", "0.05")
    page.select_option("#propose-unit", "Gy·cm²")
    page.fill("#propose-effective_from", (dt.date.today() + dt.timedelta(days=1)).isoformat())
    page.fill("#propose-source", "Median of the local audit, 52 patients, X-ray room 2")
    page.get_by_role("button", name="Propose DRL").click()
    expect(page.get_by_role("status")).to_contain_text(f"Local DRL for {PROPOSED_FOR} proposed")
    proposed = page.locator(f'#local-drls tr[data-protocol="{PROPOSED_FOR}"][data-status="proposed"]')
    expect(proposed).to_contain_text("0.0500 Gy·cm²")
    proposed.get_by_role("button", name=f"Approve the local DRL for {PROPOSED_FOR}").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check("DRLs with an error", page)

    manager = new_page()
    login(manager, "m.okafor")
    manager.goto("/dose/drls/")
    row = manager.locator(f'#local-drls tr[data-protocol="{PROPOSED_FOR}"][data-status="proposed"]')
    row.get_by_role("button", name=f"Approve the local DRL for {PROPOSED_FOR}").click()
    expect(manager.get_by_role("status")).to_contain_text(f"Local DRL for {PROPOSED_FOR} approved")
    approved = manager.locator(f'#local-drls tr[data-protocol="{PROPOSED_FOR}"][data-status="approved"]')
    expect(approved).to_contain_text("Mary Okafor")

    # The radiation protection supervisor reviews the open SAUE item and records the employer's decision.
    rps = new_page()
    login(rps, "rps.lee")
    rps.get_by_role("navigation").get_by_role("link", name="SAUE reviews").click()
    open_items = rps.locator("#open-reviews tbody tr")
    expect(open_items.first).to_be_visible()
    waiting = open_items.count()
    open_items.first.get_by_role("link").click()
    expect(rps.locator("#not-a-notification")).to_contain_text("InScope never notifies")
    expect(rps.locator("#criterion")).to_contain_text("CQC notification code")
    check("SAUE review", rps)
    rps.get_by_role("button", name="Record the outcome").click()  # nothing chosen: refused, kept on the page
    expect(rps.locator(".nhsuk-error-summary")).to_contain_text("Choose the outcome.")
    rps.get_by_label("Unintended exposure below the notification criteria: recorded locally").check()
    rps.fill("#note", "Dose reviewed with the MPE: repeat screening after patient movement; recorded locally.")
    rps.get_by_role("button", name="Record the outcome").click()
    expect(rps.get_by_role("status")).to_contain_text("Outcome recorded")
    expect(rps.locator("#decision")).to_contain_text("recorded locally")
    expect(rps.locator("#decision")).to_contain_text("repeat screening after patient movement")

    # The study it came from: the comparison with the DRL and its label.
    rps.locator('a[href^="/dose/studies/"]').first.click()
    expect(rps.get_by_role("heading", name="Comparison with the DRL")).to_be_visible()
    expect(rps.locator("#drl ~ dl").first).to_contain_text("Above the DRL")
    check("dose study", rps)
    rps.goto("/dose/saue/")
    expect(rps.locator("#open-reviews tbody tr")).to_have_count(waiting - 1)
    expect(rps.locator("#closed-reviews")).to_contain_text("recorded locally")

    assert not found, "axe found serious or critical violations:\n" + json.dumps(found, indent=2, ensure_ascii=False)
