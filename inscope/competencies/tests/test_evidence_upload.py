"""Evidence uploads: real PDFs and PNGs are kept (and served only to those who may see the portfolio); a text
file renamed .pdf, a file over 5 MB, a future or impossible date, an unknown competency, and an AP recording an
assessment of themselves are refused with a clear message, and nothing is saved."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inscope.competencies.models import Evidence
from inscope.staff.models import User

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    """A real 1 x 1 pixel PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + \
        chunk(b"IEND", b"")


def form(**changes):
    data = {"kind": "certificate", "competency": "AP-K-RADPROT", "occurred_on[day]": "2", "occurred_on[month]": "11",
            "occurred_on[year]": "2026", "description": "IR(ME)R update course"}
    data.update(changes)
    return data


def post(client, person, data):
    return client.post(f"/people/{person.username}/evidence/", data)


@pytest.mark.parametrize(("name", "content", "extension"), [("cert.pdf", PDF, ".pdf"), ("badge.png", png(), ".png")])
def test_a_real_file_is_kept_under_a_generated_name(client, ap, framework, name, content, extension):
    client.force_login(ap)

    page = post(client, ap, form(file=SimpleUploadedFile(name, content)))

    assert page.status_code == 302
    evidence = Evidence.objects.get(person=ap)
    assert evidence.file_name == name
    stored = evidence.file.name or ""
    assert stored.endswith(extension) and name not in stored
    assert (evidence.kind, evidence.recorded_by, evidence.competency.code) == ("certificate", ap, "AP-K-RADPROT")


def test_the_file_is_served_only_to_those_who_may_see_it(client, ap, framework, radiographer, policy):
    client.force_login(ap)
    post(client, ap, form(file=SimpleUploadedFile("cert.pdf", PDF)))
    url = f"/people/evidence/{Evidence.objects.get().pk}/file/"

    mine = client.get(url)
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content).startswith(b"%PDF")
    assert 'filename="cert.pdf"' in mine["Content-Disposition"]

    client.force_login(radiographer)
    assert client.get(url).status_code == 200
    client.force_login(User.objects.get(username="ap.brown"))  # another AP
    assert client.get(url).status_code == 404


def test_a_text_file_renamed_pdf_is_refused(client, ap, framework):
    client.force_login(ap)

    page = post(client, ap, form(file=SimpleUploadedFile("cert.pdf", b"just some text, honestly a PDF")))

    assert page.status_code == 400
    assert "The file must be a PDF, PNG or JPEG." in page.text
    assert 'href="#evidence-file"' in page.text
    assert not Evidence.objects.exists()


def test_a_file_over_5_mb_is_refused(client, ap, framework):
    client.force_login(ap)
    big = PDF + b"0" * (5 * 1024 * 1024)

    page = post(client, ap, form(file=SimpleUploadedFile("big.pdf", big)))

    assert page.status_code == 400
    assert "The file must be smaller than 5 MB." in page.text
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message", "anchor"),
    [
        ({"occurred_on[day]": "29", "occurred_on[year]": "2027"}, "The date must be today or in the past.",
         "#evidence-occurred_on-day"),
        ({"occurred_on[day]": "31", "occurred_on[month]": "2"}, "Date must be a real date",
         "#evidence-occurred_on-day"),
        ({"occurred_on[month]": ""}, "Date must include a month.", "#evidence-occurred_on-day"),
        ({"competency": "AP-NOPE"}, "AP-NOPE is not a competency in this person&#39;s frameworks.",
         "#evidence-competency"),
        ({"kind": "observed"}, "Choose the kind of evidence.", "#evidence-kind"),
        ({"description": "  "}, "Enter the description.", "#evidence-description"),
    ],
)
def test_bad_input_is_refused_with_a_located_message(client, ap, framework, changes, message, anchor):
    client.force_login(ap)

    page = post(client, ap, form(file=SimpleUploadedFile("cert.pdf", PDF), **changes))

    assert page.status_code == 400
    assert message in page.text
    assert f'href="{anchor}"' in page.text
    assert not Evidence.objects.exists()


def test_an_ap_cannot_record_an_assessment_of_themselves(client, ap, framework):
    client.force_login(ap)

    page = post(client, ap, form(kind="assessment"))

    assert page.status_code == 403
    assert "An assessment must be recorded by the assessor" in page.text
    assert not Evidence.objects.exists()


def test_an_assessor_records_an_assessment(client, ap, radiographer, framework, policy):
    client.force_login(radiographer)

    page = post(client, ap, form(kind="assessment", description="Written assessment passed"))

    assert page.status_code == 302
    assert Evidence.objects.get().recorded_by == radiographer
