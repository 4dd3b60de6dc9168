"""``inscope dose import PATH... [--json]``: files and folders through the inbox, one line per study."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from inscope.dicom.models import ReceivedObject
from inscope.dicom.testing import builders as b
from inscope.dicom.tests.processes import ROOT, database_url
from inscope.dose.models import DoseStudy
from inscope.lib.uids import new_uid

KEYS = {"study_instance_uid", "modality", "events", "total_dlp_mgy_cm", "total_dap_gy_m2", "total_rp_dose_gy",
        "agd_mgy", "administered_activity_mbq", "status", "message"}


def write(folder: Path, name: str, ds) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b.to_bytes(ds))
    return path


def run(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("dose", "import", *args, "--json", stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def by_study(lines: list[dict]) -> dict[str | None, dict]:
    return {line["study_instance_uid"]: line for line in lines}


@pytest.fixture
def ct_uid():
    return new_uid()


@pytest.fixture
def dx_uid():
    return new_uid()


@pytest.fixture
def folder(tmp_path, ct_uid, dx_uid):
    """A CT dose report, three DX images of one study (one per exposure, GE style) in a sub-folder, and a report
    that is not a dose report."""
    write(tmp_path, "ct.dcm", b.ct_rdsr(study_uid=ct_uid, events=[(new_uid(), 12.5, 400.0), (new_uid(), 8.0, 250.5)],
                                        total_dlp=650.5))
    for i, dap in enumerate([1.5, 2.0, 2.5], start=1):
        write(tmp_path, f"dx/image{i}.dcm", b.dx_image(study_uid=dx_uid, dap_dgy_cm2=dap, kvp=70))
    write(tmp_path, "other/measurements.dcm", b.non_dose_sr(study_uid=new_uid()))
    return tmp_path


@pytest.mark.django_db
def test_it_prints_one_json_line_per_study_with_totals_in_si_units(folder, ct_uid, dx_uid):
    lines = run(str(folder))
    assert all(set(line) == KEYS and set(line["agd_mgy"]) == {"left", "right"} for line in lines)
    studies = by_study(lines)
    ct = studies[ct_uid]
    assert (ct["status"], ct["modality"], ct["events"]) == ("imported", "CT", 2)
    assert ct["total_dlp_mgy_cm"] == pytest.approx(650.5)
    assert ct["total_dap_gy_m2"] is None and ct["administered_activity_mbq"] is None
    assert ct["agd_mgy"] == {"left": None, "right": None}
    # Three images of one study: one line, DAP summed (1.5 + 2.0 + 2.5 dGy·cm² = 6 dGy·cm² = 6e-5 Gy·m²).
    dx = studies[dx_uid]
    assert (dx["status"], dx["modality"], dx["events"]) == ("imported", "DX", 3)
    assert dx["total_dap_gy_m2"] == pytest.approx(6.0e-5)
    assert dx["message"].startswith("3 files: 1 imported, 2 updated")
    ignored = [line for line in lines if line["status"] == "ignored"]
    assert len(ignored) == 1 and ignored[0]["events"] is None and ignored[0]["message"]
    assert len(lines) == 3
    assert ReceivedObject.objects.filter(source="import").count() == 5
    assert ReceivedObject.objects.get(origin=str(folder / "ct.dcm")).state == "processed"


@pytest.mark.django_db
def test_importing_the_same_files_again_reports_duplicates(folder, ct_uid, dx_uid):
    run(str(folder))
    studies = by_study(run(str(folder / "ct.dcm"), str(folder / "dx")))
    assert studies[ct_uid]["status"] == studies[dx_uid]["status"] == "duplicate"
    assert studies[dx_uid]["total_dap_gy_m2"] == pytest.approx(6.0e-5)  # the study's totals, unchanged
    assert DoseStudy.objects.count() == 2


@pytest.mark.django_db
def test_a_file_that_is_not_dicom_is_an_error_and_the_command_fails(tmp_path, ct_uid):
    write(tmp_path, "ct.dcm", b.ct_rdsr(study_uid=ct_uid, events=[(new_uid(), 5.0, 100.0)]))
    (tmp_path / "notes.dcm").write_bytes(b"Not a DICOM file.\n" * 20)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 of 3 files failed") as failure:
        call_command("dose", "import", str(tmp_path), str(tmp_path / "missing.dcm"), "--json", stdout=out,
                     stderr=io.StringIO())
    assert failure.value.returncode == 1
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    studies = by_study([line for line in lines if line["study_instance_uid"]])
    assert studies[ct_uid]["status"] == "imported"  # the good file was imported all the same
    errors = [line for line in lines if line["status"] == "error"]
    assert {line["study_instance_uid"] for line in errors} == {None}
    messages = " ".join(line["message"] for line in errors)
    assert "no such file or folder" in messages and "SOP Instance UID" in messages


@pytest.mark.django_db
def test_without_json_it_prints_a_readable_summary(folder, dx_uid):
    out = io.StringIO()
    call_command("dose", "import", str(folder), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert f"imported   DX  {dx_uid}  3 events  DAP 0.6 Gy·cm²" in text
    assert text.rstrip().endswith("5 files, 3 studies: 2 imported, 2 updated, 1 ignored")


@pytest.mark.django_db(transaction=True)
def test_the_real_command_exits_non_zero_when_a_file_fails(tmp_path, purge_allowed_after_test, ct_uid):
    write(tmp_path, "ct.dcm", b.ct_rdsr(study_uid=ct_uid, events=[(new_uid(), 5.0, 100.0)]))
    (tmp_path / "garbage.dcm").write_bytes(os.urandom(512))
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url()}
    result = subprocess.run([sys.executable, "-m", "inscope", "dose", "import", str(tmp_path), "--json"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(line["status"] for line in lines) == ["error", "imported"], result.stdout + result.stderr
    assert "1 of 2 files failed" in result.stderr
    # Only the good file again: nothing fails, so the exit status is 0.
    again = subprocess.run([sys.executable, "-m", "inscope", "dose", "import", str(tmp_path / "ct.dcm"), "--json"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "duplicate", again.stdout + again.stderr
