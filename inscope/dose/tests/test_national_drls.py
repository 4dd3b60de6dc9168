"""Loading national DRLs: versioned by the file's SHA-256, converted to stored units, a newer file replacing the
older from its date, and a bad row refused by its line with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from inscope.audit.models import AuditEvent
from inscope.dose.models import DrlSet, ProtocolDrlLink, ReferenceLevel
from inscope.dose.services import drls
from inscope.lib.errors import DomainError, NotAllowed
from inscope.testing import factories as f

HEADER = "modality,examination,projection_or_protocol,quantity,value,unit,population,source,year\n"


def csv_file(tmp_path, *rows: str, name: str = "drls.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_packaged_ukhsa_file_loads_as_the_current_set() -> None:
    drl_set = drls.load_national_drls()
    assert drl_set.is_current and drl_set.levels.count() == 21
    assert drl_set.name.startswith("UKHSA National Diagnostic Reference Levels (NDRLs) from 20 November 2024 [")
    head = drl_set.levels.get(examination="Head", quantity="dlp")
    assert (head.value, head.value_as_published, head.modality, head.year) == (790.0, "790 mGy cm", "CT", 2022)
    assert head.effective_from == dt.date(2024, 11, 20) and head.status == "approved"
    assert drl_set.levels.get(examination="Head", quantity="ctdivol").value == 47.0
    assert AuditEvent.objects.filter(action="dose.national_drls_loaded", object_id=str(drl_set.pk)).count() == 1


@pytest.mark.django_db
def test_loading_the_same_file_again_returns_the_set_already_loaded() -> None:
    first = drls.load_national_drls()
    assert drls.load_national_drls() == first
    assert (DrlSet.objects.count(), ReferenceLevel.objects.count()) == (1, 21)


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "unit", "stored"), [
    ("0.15", "Gy cm2", 0.15e-4), ("150", "mGy cm2", 0.15e-4), ("15", "cGy·cm²", 0.15e-4), ("1.5", "dGy.cm2", 0.15e-4),
    ("0.000015", "Gy m2", 0.15e-4),
])
def test_dap_is_stored_in_gy_m2_whatever_unit_it_was_published_in(tmp_path, value, unit, stored) -> None:
    path = csv_file(tmp_path, f"DX,Chest,PA,DAP per examination,{value},{unit},adult,Test,2022")
    level = drls.load_national_drls(path).levels.get()
    assert level.value == pytest.approx(stored) and level.value_as_published == f"{value} {unit}"
    assert level.effective_from == dt.date(2022, 1, 1)  # no date in the source: 1 January of its year


@pytest.mark.django_db
def test_a_newer_file_replaces_the_older_from_its_date_and_carries_links_over(tmp_path, policy, department):
    mpe = f.person("mpe.khan", "medical_physics_expert")
    stroke = "clinical indication: Acute stroke; scan region/technique: All sequences"  # as the newer file says
    old = drls.load_national_drls(csv_file(tmp_path, f"CT,Head,{stroke},DLP per complete examination,970,mGy cm,"
                                                     "adult,\"UKHSA, 'NDRLs from 15 January 2019'\",2019",
                                           name="old.csv"))
    drls.link_protocol_to_national(department=department, protocol_code="CHEAD", reference_level=old.levels.get(),
                                   by=mpe)
    new = drls.load_national_drls()
    old.refresh_from_db()
    assert new.is_current and not old.is_current
    assert old.levels.get().effective_to == dt.date(2024, 11, 19)
    successor = new.levels.get(examination="Head", quantity="dlp")
    assert ProtocolDrlLink.objects.filter(protocol_code="CHEAD", reference_level=successor).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "message"), [
    ("CT,Head,x,DAP per radiograph,1,Gy cm2,adult,S,2022", "line 3: unknown quantity 'DAP per radiograph'"),
    ("CT,Head,x,DLP,lots,mGy cm,adult,S,2022", "line 3: the value 'lots' is not a number"),
    ("CT,Head,x,DLP,-5,mGy cm,adult,S,2022", "line 3: the value must be more than 0"),
    ("CT,Head,x,DLP,5,Gy cm2,adult,S,2022", "line 3: A dlp DRL cannot be given in 'Gy cm2'; use mGy·cm"),
    ("CT,Head,x,DLP,5,mGy cm,adult,S,", "line 3: give a year, or a source that says which date"),
    ("CT,Head,x,DLP,5,mGy cm,adult,S,twenty", "line 3: the year 'twenty' is not a year"),
    ("CT,,x,DLP,5,mGy cm,adult,S,2022", "line 3: modality, examination and source are required"),
])
def test_a_bad_row_is_refused_by_its_line_and_nothing_is_saved(tmp_path, row, message) -> None:
    path = csv_file(tmp_path, "CT,Head,x,DLP,790,mGy cm,adult,S,2022", row)
    with pytest.raises(DomainError) as error:
        drls.load_national_drls(path)
    assert f"drls.csv {message}" in error.value.message
    assert not DrlSet.objects.exists() and not ReferenceLevel.objects.exists()


@pytest.mark.django_db
def test_a_file_lacking_columns_or_rows_is_refused(tmp_path) -> None:
    (tmp_path / "short.csv").write_text("modality,examination,value\nCT,Head,790\n")
    with pytest.raises(DomainError, match="line 1: the header lacks the columns projection_or_protocol"):
        drls.load_national_drls(tmp_path / "short.csv")
    with pytest.raises(DomainError, match="the file has no DRLs"):
        drls.load_national_drls(csv_file(tmp_path))


@pytest.mark.django_db
def test_only_a_physicist_or_the_drl_approver_may_load_drls_through_the_app(radiographer) -> None:
    with pytest.raises(NotAllowed):
        drls.load_national_drls(by=radiographer)
    assert not DrlSet.objects.exists()


@pytest.mark.django_db
def test_the_command_loads_the_packaged_file_and_says_so_once(capsys) -> None:
    call_command("load_national_drls")
    out = capsys.readouterr().out
    assert out.startswith("Loaded 21 national DRLs: UKHSA National Diagnostic Reference Levels")
    assert "CT Head, clinical indication: Acute stroke" in out and "790 mGy cm" in out
    call_command("load_national_drls")
    assert capsys.readouterr().out.startswith("Already loaded: UKHSA")


@pytest.mark.django_db
def test_the_command_reports_a_bad_file(tmp_path) -> None:
    with pytest.raises(CommandError, match="line 2: the value 'x' is not a number. Nothing was saved."):
        call_command("load_national_drls", str(csv_file(tmp_path, "CT,Head,s,DLP,x,mGy cm,adult,S,2022")))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_national_drls", str(tmp_path / "missing.csv"))
