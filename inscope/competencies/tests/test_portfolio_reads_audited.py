"""Reading someone's development records is audited like reading a patient's: the portfolio page, its CSV and PDF
exports and each evidence file download record who read whose, when and how; a refused read records nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inscope.audit.models import AuditEvent
from inscope.competencies.models import Evidence
from inscope.staff.models import User

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def reads():
    return list(AuditEvent.objects.filter(action__startswith="portfolio.").order_by("id"))


@pytest.mark.parametrize(
    ("path", "action", "summary"),
    [
        ("/people/ap.patel/", "portfolio.viewed", "Viewed the portfolio of ap.patel"),
        ("/people/ap.patel/portfolio.csv", "portfolio.exported", "Exported (CSV) the portfolio of ap.patel"),
        ("/people/ap.patel/portfolio.pdf", "portfolio.exported", "Exported (PDF) the portfolio of ap.patel"),
    ],
)
def test_an_assessor_reading_a_portfolio_is_recorded(client, ap, radiographer, framework, policy, path, action,
                                                     summary):
    client.force_login(radiographer)

    assert client.get(path).status_code == 200

    [read] = reads()
    assert (read.action, read.object_type, read.object_id) == (action, "staff.user", str(ap.pk))
    assert (read.actor, read.actor_label, read.channel) == (radiographer, "r.hughes", "web")
    assert read.summary == summary
    assert read.detail == {"own": False}


def test_each_read_is_recorded_again(client, ap, radiographer, framework, policy):
    client.force_login(radiographer)

    client.get("/people/ap.patel/")
    client.get("/people/ap.patel/")

    assert [r.action for r in reads()] == ["portfolio.viewed", "portfolio.viewed"]


def test_reading_ones_own_portfolio_is_recorded_as_such(client, ap, framework, policy):
    client.force_login(ap)

    client.get("/people/ap.patel/")

    [read] = reads()
    assert (read.actor, read.object_id, read.detail) == (ap, str(ap.pk), {"own": True})
    assert read.summary == "Viewed the portfolio of ap.patel (their own)"


def test_an_evidence_download_is_recorded_against_the_person(client, ap, radiographer, framework, policy):
    client.force_login(ap)
    client.post("/people/ap.patel/evidence/", {
        "kind": "certificate", "competency": "AP-K-RADPROT", "occurred_on[day]": "2", "occurred_on[month]": "11",
        "occurred_on[year]": "2026", "description": "IR(ME)R update course",
        "file": SimpleUploadedFile("cert.pdf", PDF)})
    evidence = Evidence.objects.get()
    client.force_login(radiographer)

    response = client.get(f"/people/evidence/{evidence.pk}/file/")

    assert response.status_code == 200
    [read] = reads()
    assert (read.action, read.object_id, read.actor) == ("portfolio.evidence_downloaded", str(ap.pk), radiographer)
    assert read.detail == {"own": False, "evidence": evidence.pk}
    assert read.summary == f"Downloaded evidence file {evidence.pk} of ap.patel"


def test_a_refused_read_records_nothing(client, ap, framework, policy):
    client.force_login(User.objects.get(username="ap.brown"))  # another AP may not see it

    for path in ("/people/ap.patel/", "/people/ap.patel/portfolio.csv", "/people/ap.patel/portfolio.pdf"):
        assert client.get(path).status_code == 404

    assert reads() == []
