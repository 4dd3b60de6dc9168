"""The dose audit page and its downloads: who may see them, the report's numbers, charts and header, and the same
filters carried into the CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from inscope.audit.models import AuditEvent
from inscope.dose.tests.audit_data import at, local_drl, study
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def chest_studies(department, site, xray_room, manager):
    """Ten chest X-rays in October, 1..10 Gy·cm², against a local DRL of 5 Gy·cm²; and a hand X-ray in room 2."""
    drl = local_drl(department, "XCHES", dap_gy_cm2=5.0, by=manager)
    for value in range(1, 11):
        exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="completed")
        study(when=at(dt.date(2026, 10, value)), exam=exam, room=xray_room, dap_gy_cm2=float(value), drl=drl)
    room2 = f.RoomFactory.create(site=site, name="X-ray room 2", ae_title="NGH_DX2")
    hand = f.ExaminationFactory.create(department=department, site=site, room=room2, protocol_code="XHAND",
                                protocol_name="XR Hand", status="completed")
    study(when=at("2026-10-03"), exam=hand, room=room2, dap_gy_cm2=0.08)
    return drl, room2


def cells(page: str, row_id_start: str) -> dict[str, str]:
    """The data cells (by data-cell name) of the audit table row whose id starts with the given text."""
    row = re.search(rf'<tr[^>]*id="row-{re.escape(row_id_start)}[^"]*"[^>]*>(.*?)</tr>', page, re.S)
    assert row, f"no row {row_id_start}"
    return {name: " ".join(re.sub(r"<[^>]+>", " ", text).split())
            for name, text in re.findall(r'data-cell="(\w+)">(.*?)</td>', row.group(1), re.S)}


@pytest.mark.parametrize(("persona", "allowed"), [
    ("manager", True), ("radiographer", True), ("mpe", True), ("rps", True), ("ap", False), ("stranger", False),
])
def test_who_may_see_the_dose_audit(client, request, persona, allowed):
    client.force_login(request.getfixturevalue(persona))

    responses = [client.get(reverse(name)) for name in ("dose:audit", "dose:audit_csv", "dose:audit_xlsx")]

    assert [r.status_code for r in responses] == [200 if allowed else 403] * 3


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(reverse("dose:audit")).status_code == 302


def test_the_audit_page_shows_the_numbers_the_drl_and_the_flags(client, mpe, chest_studies):
    drl, _ = chest_studies
    client.force_login(mpe)

    page = client.get(reverse("dose:audit"), {"from": "2026-10-01", "to": "2026-10-31"}).text

    chest = cells(page, "report-xches-")
    assert chest["n"] == "10" and chest["median"] == "5.50" and chest["p75"] == "7.75"
    assert chest["drl"].startswith("5.00 Gy·cm²") and drl.label in chest["drl"]
    assert chest["ratio"] == "1.10"
    assert "Median above DRL" in chest["flags"] and "Indicative" not in chest["flags"]
    assert "5 studies above their DRL" in chest["flags"]
    hand = cells(page, "report-xhand-")
    assert hand["n"] == "1" and hand["drl"] == "No DRL applied" and "Indicative: n &lt; 10" in hand["flags"]
    # The report's header block: period, department, generated, DRL versions, the small-sample note.
    assert "01 Oct 2026 to 31 Oct 2026 (both days included)" in page
    assert "Northgate Imaging" in page and "Pooja Shah" in page
    assert f'id="drl-versions"><li>{drl.label}</li></ul>' in page
    assert "Percentiles of fewer than 10 studies are indicative only" in page


def test_the_page_draws_the_charts_with_the_drl_and_a_table_of_the_trend(client, mpe, chest_studies):
    client.force_login(mpe)

    page = client.get(reverse("dose:audit"), {"from": "2026-10-01", "to": "2026-10-31"}).text

    svgs = re.findall(r"<svg[^>]*class=\"inscope-chart\".*?</svg>", page, re.S)
    assert len(svgs) == 4  # a distribution and a trend for each of the two rows
    assert all('role="img"' in svg for svg in svgs)
    assert sum("DRL 5.00 Gy·cm²" in svg for svg in svgs) == 2
    assert "Median per week as a table" in page and "w/c 28 Sep 2026" in page
    assert "<figcaption" in page and "10 studies from 1.00 to 10.0 Gy·cm²" in page


def test_filters_narrow_the_table_and_are_kept_in_the_download_links(client, mpe, chest_studies):
    _, room2 = chest_studies
    client.force_login(mpe)

    page = client.get(reverse("dose:audit"), {"from": "2026-10-01", "to": "2026-10-31", "room": room2.pk}).text

    assert 'data-protocol="XHAND"' in page and 'data-protocol="XCHES"' not in page
    query = f"from=2026-10-01&amp;to=2026-10-31&amp;room={room2.pk}"
    assert f'href="/dose/audit.csv?{query}"' in page
    assert f'href="/dose/audit.csv?{query}&amp;table=studies"' in page
    assert f'href="/dose/audit.xlsx?{query}"' in page


def test_impossible_filters_are_explained(client, mpe):
    client.force_login(mpe)

    page = client.get(reverse("dose:audit"), {"from": "2026-10-31", "to": "2026-10-01"})

    assert page.status_code == 400
    assert "nhsuk-error-summary" in page.text
    assert "The end date must be the same as or after the start date." in page.text
    assert client.get(reverse("dose:audit"), {"from": "31/10/2026"}).status_code == 400
    assert client.get(reverse("dose:audit_csv"), {"room": "999"}).status_code == 400


def test_the_csv_download_is_the_filtered_audit_and_is_recorded(client, mpe, chest_studies):
    client.force_login(mpe)

    response = client.get(reverse("dose:audit_csv"), {"from": "2026-10-01", "to": "2026-10-31",
                                                      "protocol": "XCHES"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dose-audit-2026-10-01-to-2026-10-31.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads the units' special characters
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows.index([]) + 1
    table = [dict(zip(rows[header], r, strict=True)) for r in rows[header + 1:]]
    assert [(r["Protocol"], r["Studies (n)"], r["Median (in Unit)"]) for r in table] == [("XCHES", "10", "5.5")]
    assert ["Protocol", "XCHES"] in rows[:header]
    event = AuditEvent.objects.get(action="dose.audit_exported")
    assert event.actor == mpe and event.detail["protocol"] == "XCHES"


def test_the_studies_csv_and_the_workbook(client, mpe, chest_studies):
    client.force_login(mpe)
    period = {"from": "2026-10-01", "to": "2026-10-31"}

    studies = client.get(reverse("dose:audit_csv"), {**period, "table": "studies"})
    workbook = client.get(reverse("dose:audit_xlsx"), period)

    assert 'filename="dose-audit-studies-2026-10-01-to-2026-10-31.csv"' in studies["Content-Disposition"]
    assert studies.content.decode().count("\nDose report,") == 11
    assert workbook["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["Report", "Audit", "Studies"]
    assert book["Studies"].max_row == 12
