"""A study's dose page, and the dose on the examination page: events, totals in display units, the DRL comparison
with its label (or why none was made), warnings, source objects and SAUE items."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from inscope.audit.models import AuditEvent
from inscope.dose.tests.audit_data import at, local_drl, saue_review, study
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def chest_report(department, site, xray_room, manager, ap):
    drl = local_drl(department, "XCHES", dap_gy_cm2=0.1, by=manager)
    exam = f.ExaminationFactory.create(department=department, site=site, room=xray_room, status="completed",
                                       operator=ap)
    s = study(when=at("2026-11-27", 9), exam=exam, room=xray_room, dap_gy_cm2=0.15, drl=drl, events=2,
              warnings=["DAP reported in dGy·cm²; converted"], manufacturer="Acme", model_name="DR-1")
    return s, drl


def part(page: str, pattern: str) -> str:
    """The first piece of the page the pattern matches (failing the test when there is none)."""
    found = re.search(pattern, page, re.S)
    assert found, f"nothing matches {pattern}"
    return found.group(0)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_study_page_shows_events_totals_the_drl_comparison_and_where_it_came_from(client, rps, chest_report):
    s, drl = chest_report
    review = saue_review(s)
    client.force_login(rps)

    page = client.get(reverse("dose:study", args=[s.pk]))

    assert page.status_code == 200
    words = text_of(page.text)
    assert "Priya Patel" in words and "XCHES XR Chest PA" in words  # operator and protocol
    exam_url = reverse("exams:detail", args=[s.examination_id])
    assert f'<a class="nhsuk-link" href="{exam_url}">{s.examination.accession_number}</a>' in page.text
    assert "Total DAP 0.150 Gy·cm² Not recorded" in words  # a study row made directly, with no source recorded
    assert f"DRL 0.100 Gy·cm² DRL used {drl.label} Ratio to the DRL 1.50 Above the DRL" in words
    assert "DAP reported in dGy·cm²; converted" in words
    assert f"{s.study_instance_uid}.0.1" in words  # the source object's SOP Instance UID
    events = part(page.text, r'<table[^>]*id="event-table".*?</table>')
    headers = re.findall(r'<th[^>]*scope="col">(.*?)</th>', events)
    assert "DAP (Gy·cm²)" in headers and "kVp" in headers
    assert "DLP (mGy·cm)" not in headers and "AGD (mGy)" not in headers  # columns no event fills are left out
    assert events.count("0.0750") == 2  # each of the two events' DAP, in Gy·cm²
    assert f'href="{reverse("dose:saue_review", args=[review.pk])}"' in page.text
    read = AuditEvent.objects.get(action="patient.viewed")
    assert read.actor == rps and read.object_id == str(s.examination.patient_id)


def test_a_study_not_linked_and_not_compared_says_why(client, rps, xray_room):
    s = study(when=at("2026-11-27"), room=xray_room, description="CHEST", dap_gy_cm2=0.2,
              drl_note="No DRL applies: the study is not linked to an examination, so its protocol is not known.",
              patient_name="DOE^JANE", patient_id="X123")
    client.force_login(rps)

    words = text_of(client.get(reverse("dose:study", args=[s.pk])).text)

    assert "Not linked to an examination" in words
    assert "No comparison was made: No DRL applies: the study is not linked to an examination" in words
    assert "DOE JANE · ID X123" in words
    assert AuditEvent.objects.filter(action="dose.study_viewed", object_id=str(s.pk)).exists()


def test_people_who_may_not_read_dose_audits_are_refused(client, ap, chest_report):
    s, _ = chest_report
    client.force_login(ap)

    assert client.get(reverse("dose:study", args=[s.pk])).status_code == 403


def test_an_unknown_study_is_not_found(client, rps):
    client.force_login(rps)

    assert client.get(reverse("dose:study", args=[99999])).status_code == 404


def test_the_examination_page_shows_its_dose_and_links_the_study_for_dose_readers(client, radiographer, ap,
                                                                                    chest_report, policy):
    s, drl = chest_report
    saue_review(s)
    client.force_login(radiographer)

    page = client.get(reverse("exams:detail", args=[s.examination_id])).text

    section = part(page, r'<section id="dose".*?</section>')
    words = text_of(section)
    assert "Radiation dose" in words and "DAP in Gy·cm²" in words
    assert "DAP 0.150 Gy·cm²" in words
    assert "DAP 0.150 against 0.100 Gy·cm²: Above the DRL (1.50 × DRL)" in words and drl.label in words
    assert f'href="{reverse("dose:study", args=[s.pk])}"' in section
    assert "Awaiting review" in words and "dose at least 10 × the local DRL" in words

    client.force_login(ap)  # may see the examination but not dose audits: the figures, without the links
    section = part(client.get(
        reverse("exams:detail", args=[s.examination_id])).text, r'<section id="dose".*?</section>')
    assert "DAP 0.150 Gy·cm²" in text_of(section) and "/dose/" not in section


def test_an_examination_without_dose_has_no_dose_section(client, radiographer, chest_xray):
    client.force_login(radiographer)

    assert '<section id="dose"' not in client.get(reverse("exams:detail", args=[chest_xray.pk])).text


def test_the_study_page_shows_the_device_totals_where_each_came_from_and_the_disagreement(client, rps) -> None:
    from inscope.dose.report import EventKind
    from inscope.dose.services import record_dose
    from inscope.dose.tests.reports import event, report

    events = [event(1, kind=EventKind.FLUOROSCOPY, dap_gy_cm2=10, rp_dose_gy=0.1),
              event(2, kind=EventKind.ACQUISITION, dap_gy_cm2=11.5)]
    s = record_dose(report("a", events, modality="RF", stated_total_dap_gy_m2=25e-4), source="import").study
    client.force_login(rps)

    page = client.get(reverse("dose:study", args=[s.pk]))

    rows = html.unescape(text_of(part(page.text, r'<table[^>]*id="study-totals".*?</table>')))
    assert ("Total DAP 25.0 Gy·cm² Device's accumulated total The device's accumulated total; the events sum to "
            "21.5 Gy·cm² (14.0 % below it).") in rows
    assert ("Total reference-point dose 100 mGy Sum of the events The sum of the study's events: the dose reports "
            "state no accumulated total.") in rows
    warning = html.unescape(text_of(part(page.text, r'<ul[^>]*id="total-warnings".*?</ul>')))
    assert warning.startswith("The total DAP the device states (25 Gy·cm²) and the sum of the study's events "
                              "(21.5 Gy·cm²) differ by 14.0 %")
