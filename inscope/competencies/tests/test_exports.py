"""Exports: the portfolio as CSV (which parses) and PDF (latin-1 safe), and the employer's IR(ME)R entitlement
record with every grant and revocation and the entitlements written in the policy in force."""

import csv
import datetime as dt
import io

import pytest

from inscope.competencies import services
from inscope.competencies.exports import latin1
from inscope.competencies.models import Competency

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_portfolio(ap, manager, radiographer, department, framework, signed_lower_limb, policy):
    radprot = Competency.objects.get(framework=framework, code="AP-K-RADPROT")
    services.record_evidence(ap, radprot, kind="certificate", occurred_on=dt.date(2026, 10, 1), by=ap, channel="web",
                             description="DAP in Gy·cm² — dose course")
    services.record_training(ap, course="radiation_safety", completed_on=dt.date(2026, 1, 10),
                             renew_on=dt.date(2027, 1, 10), by=manager, channel="web")
    services.add_cpd_entry(ap, occurred_on=dt.date(2026, 11, 20), title="=HYPERLINK(evil)", hours="2",
                           reflection="Learnt about µGy·m²", by=ap, channel="web")
    services.grant_entitlement(ap, "XFOOT", review_date=dt.date(2027, 11, 28), by=manager, channel="web",
                               department=department)
    services.revoke_entitlement(ap, "XFOOT", by=manager, channel="web", reason="Audit of repeats")


def test_the_portfolio_csv_parses_with_every_section(client, ap, full_portfolio):
    client.force_login(ap)

    response = client.get("/people/ap.patel/portfolio.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="portfolio-ap.patel-2026-11-28.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    sections = {r["section"] for r in rows}
    assert {"competency", "evidence", "sign_off", "entitlement", "training", "cpd", "pathway"} <= sections
    lower = next(r for r in rows if r["section"] == "competency" and r["item"].startswith("AP-XR-LOWER-LIMB"))
    assert lower["status"] == "signed"
    assert "Signed off until 28 November 2028" in lower["detail"]
    assert [r["status"] for r in rows if r["section"] == "entitlement"] == ["granted", "revoked"]
    assert next(r for r in rows if r["section"] == "cpd")["item"] == "'=HYPERLINK(evil)"  # no formula injection


def test_the_portfolio_pdf_is_a_pdf(client, radiographer, full_portfolio):
    client.force_login(radiographer)

    response = client.get("/people/ap.patel/portfolio.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 1000


def test_text_is_made_latin1_safe():
    assert latin1("0.1 Gy·cm² — ≤30 days") == "0.1 Gy-cm2 - <=30 days"
    assert latin1("日本").encode("latin-1") == b"??"


def test_the_entitlement_record_lists_grants_revocations_and_the_policy(client, manager, full_portfolio):
    client.force_login(manager)

    response = client.get("/people/entitlement-record.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    grants = [r for r in rows if r["source"] == "grant"]
    assert [(r["username"], r["protocols"], r["revoked"], r["reason"]) for r in grants] == [
        ("ap.patel", "XFOOT", "no", ""), ("ap.patel", "XFOOT", "yes", "Audit of repeats")]
    assert grants[0]["granted_by"] == "m.okafor"
    assert grants[0]["review_date"] == "2027-11-28"
    assert grants[0]["tasks"] == "operator"
    policy_rows = [r for r in rows if r["source"] == "policy v1"]
    patel = next(r for r in policy_rows if r["username"] == "ap.patel")
    assert "XCHES" in patel["protocols"] and patel["review_date"] == "2027-01-12"
    assert {r["username"] for r in policy_rows} >= {"r.hughes", "ap.brown", "ap.trainee"}
