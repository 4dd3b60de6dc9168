"""Frameworks as YAML: export and import round trip, problems located by line, versions only go up; by the
service, the commands and the web page."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inscope.competencies import services
from inscope.competencies.framework_document import dump_framework, parse_framework
from inscope.competencies.models import Competency, Framework
from inscope.competencies.services.frameworks import InvalidFramework
from inscope.lib.errors import DomainError, NotAllowed

from .conftest import AP_FRAMEWORK

pytestmark = pytest.mark.django_db

BROKEN = """name: Broken
version: 1
roles: [assistant_practitioner]
competencies:
  - code: ap-lower
    title: Lower case code
    kind: practical
  - code: AP-K-X
    title: Knowledge with observations
    kind: knowledge
    observations_required: 3
"""


def test_dump_reads_back_to_the_same_document():
    document = parse_framework(AP_FRAMEWORK.read_text())

    assert parse_framework(dump_framework(document)) == document


def test_export_then_import_as_the_next_version(framework, manager, tmp_path):
    out = tmp_path / "ap.yaml"
    call_command("export_framework", "AP general radiography", "-o", str(out), stderr=io.StringIO())
    text = out.read_text().replace("version: 1", "version: 2")

    second = services.import_framework(text, by=manager, channel="cli")

    fields = ("code", "title", "kind", "area", "protocols", "observations_required", "reassess_months",
              "assessor_roles")
    assert second.version == 2
    assert list(second.competencies.values_list(*fields)) == list(framework.competencies.values_list(*fields))


def test_export_writes_the_yaml_to_standard_output(framework):
    out = io.StringIO()

    call_command("export_framework", "AP general radiography", "--version", "1", stdout=out)

    assert out.getvalue() == framework.source_yaml


def test_problems_are_located_by_line(manager):
    with pytest.raises(InvalidFramework) as error:
        services.import_framework(BROKEN, by=manager, channel="web")

    assert [(p.line, p.location) for p in error.value.problems] == [
        (5, "competencies[0].code"),
        (5, "competencies[0].protocols"),
        (11, "competencies[1].observations_required"),
    ]
    assert not Framework.objects.exists()


def test_a_version_that_does_not_go_up_is_refused(framework, manager):
    with pytest.raises(DomainError, match="already at version 1; give the new one version 2"):
        services.import_framework(AP_FRAMEWORK.read_text(), by=manager, channel="web")

    assert Framework.objects.count() == 1


def test_only_a_manager_imports(radiographer):
    with pytest.raises(NotAllowed):
        services.import_framework(AP_FRAMEWORK.read_text(), by=radiographer, channel="web")


def test_the_command_imports_and_prints_located_problems(manager, tmp_path):
    out = io.StringIO()
    call_command("import_framework", str(AP_FRAMEWORK), "--by", manager.username, stdout=out)
    assert "AP general radiography v1 imported with 17 competencies." in out.getvalue()

    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import_framework", str(broken), "--by", manager.username, stdout=out)
    assert f"{broken}:5: competencies[0].code:" in out.getvalue()
    assert not Framework.objects.filter(name="Broken").exists()


def test_the_web_page_imports_and_shows_located_problems(client, manager, policy):
    client.force_login(manager)

    bad = client.post("/people/frameworks/import/", {"source_yaml": BROKEN})
    assert bad.status_code == 400
    assert "Line 5: competencies[0].code:" in bad.text
    assert not Framework.objects.exists()

    upload = io.BytesIO(Path(AP_FRAMEWORK).read_bytes())
    upload.name = "ap.yaml"
    good = client.post("/people/frameworks/import/", {"upload": upload, "source_yaml": ""}, follow=True)
    assert "AP general radiography v1 imported with 17 competencies." in good.text
    assert Competency.objects.count() == 17

    export = client.get(f"/people/frameworks/{Framework.objects.get().pk}/export/")
    assert export.status_code == 200
    assert export.content.decode() == AP_FRAMEWORK.read_text()


def test_the_web_refuses_a_version_that_does_not_go_up(client, manager, framework):
    client.force_login(manager)

    page = client.post("/people/frameworks/import/", {"source_yaml": AP_FRAMEWORK.read_text()})

    assert page.status_code == 400
    assert "already at version 1" in page.text
