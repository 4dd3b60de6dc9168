"""``inscope import_policy`` and ``inscope export_policy``, through call_command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inscope.audit.models import AuditEvent
from inscope.policy.models import PolicyVersion
from inscope.testing import factories as f

DEMO = f.DEMO_POLICY.read_text(encoding="utf-8")
NEXT = DEMO.replace('version_label: "2026-11"', 'version_label: "2026-12"')


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def next_file(tmp_path):
    path = tmp_path / "next.yaml"
    path.write_text(NEXT, encoding="utf-8")
    return path


def test_import_saves_a_draft(policy, manager, next_file):
    out, _ = run("import_policy", str(next_file), department="Northgate Imaging", by="m.okafor")
    version = PolicyVersion.objects.get(number=2)
    assert "Northgate Imaging policy v2 saved as a draft." in out
    assert (version.status, version.source_yaml, version.created_by) == ("draft", NEXT, manager)
    assert AuditEvent.objects.get(action="policy.draft_created", object_id=str(version.pk)).channel == "cli"


def test_import_and_approve(policy, manager, next_file):
    out, _ = run(
        "import_policy",
        str(next_file),
        "--approve",
        "--note",
        "Governance 27 Nov",
        department="Northgate Imaging",
        by="m.okafor",
    )
    assert "v2 approved and in force" in out
    policy.refresh_from_db()
    assert policy.status == "superseded"
    assert PolicyVersion.objects.get(number=2).approval_note == "Governance 27 Nov"


def test_import_of_an_invalid_file_prints_every_problem(policy, manager, tmp_path):
    path = tmp_path / "bad.yaml"
    text = DEMO.replace("modality: XR", "modality: XX", 1).replace("dose_class: standard", "dose_class: x", 1)
    path.write_text(text)
    modality, dose = (text[: text.index(what)].count("\n") + 1 for what in ("modality: XX", "dose_class: x"))
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_policy", str(path), department="Northgate Imaging", by="m.okafor", stdout=out)
    assert raised.value.returncode == 1 and "Nothing was saved" in str(raised.value)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{path}:{modality}: protocols[0].modality: must be one of XR")
    assert lines[1].startswith(f"{path}:{dose}: protocols[0].dose_class: must be one of")
    assert PolicyVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "ap.patel"], "Only a manager can write the local policy."),
        (["--by", "nobody"], "no user named 'nobody'"),
        (["--by", "m.okafor", "--department", "Elsewhere"], "no department named 'Elsewhere'"),
        (["--by", "m.okafor", "--approve"], "--approve needs an approval note"),
    ],
)
def test_import_refusals_save_nothing(policy, next_file, args, message):
    options = ["--department", "Northgate Imaging", *args] if "--department" not in args else args
    with pytest.raises(CommandError, match=message):
        run("import_policy", str(next_file), *options)
    assert PolicyVersion.objects.count() == 1


def test_a_failed_approval_leaves_no_draft(policy, manager, tmp_path):
    path = tmp_path / "unknown-person.yaml"
    path.write_text(NEXT + "\n  - username: no.account\n    name: No Account\n    roles: [radiographer]\n")
    with pytest.raises(CommandError, match="no.account"):
        run("import_policy", str(path), "--approve", "--note", "x", department="Northgate Imaging", by="m.okafor")
    assert PolicyVersion.objects.count() == 1


def test_import_of_a_file_that_is_not_utf8(policy, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run("import_policy", str(path), department="Northgate Imaging", by="m.okafor")


def test_export_writes_the_policy_in_force(policy, manager, next_file):
    run("import_policy", str(next_file), department="Northgate Imaging", by="m.okafor")  # a draft: not in force
    out, _ = run("export_policy")
    assert out == DEMO
    out, _ = run("export_policy", "--department", "Northgate Imaging", "--version", "2")
    assert out == NEXT


def test_export_to_a_file(policy, tmp_path):
    target = tmp_path / "out.yaml"
    _, err = run("export_policy", "-o", str(target), version=1)
    assert target.read_text(encoding="utf-8") == DEMO
    assert "Wrote Northgate Imaging policy v1 (approved)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--version", "9"], "has no policy v9"), (["--department", "Elsewhere"], "no department named 'Elsewhere'")],
)
def test_export_refusals(policy, args, message):
    with pytest.raises(CommandError, match=message):
        run("export_policy", *args)


def test_export_with_nothing_in_force(department):
    with pytest.raises(CommandError, match="no approved policy in force"):
        run("export_policy")
