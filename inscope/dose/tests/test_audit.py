"""The dose audit's numbers: count, median and 75th percentile (method 7) per protocol and room against the DRL,
manual-entry examinations kept apart and marked, and the filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from inscope.dose.audit import MANUAL, REPORT, AuditFilters, percentile, run_audit, study_rows, trend
from inscope.dose.tests.audit_data import at, local_drl, study
from inscope.testing import factories as f

pytestmark = pytest.mark.django_db

PERIOD = AuditFilters(start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 28))


def test_percentiles_interpolate_linearly_between_closest_ranks():
    values = [float(v) for v in range(1, 11)]

    assert percentile(values, 0.5) == 5.5
    assert percentile(values, 0.75) == 7.75
    assert percentile([1.0, 2.0], 0.75) == 1.75
    assert percentile([4.0], 0.75) == 4.0
    assert percentile([], 0.5) is None


@pytest.fixture
def chest(department, site, xray_room):
    def make(**fields):
        fields = {"room": xray_room, **fields}
        return f.ExaminationFactory.create(department=department, site=site, protocol_code="XCHES",
                                    protocol_name="XR Chest PA", status="completed", **fields)
    return make


def test_one_row_per_protocol_and_room_with_median_p75_and_ratio_to_the_drl(department, xray_room, manager, chest):
    drl = local_drl(department, "XCHES", dap_gy_cm2=5.0, by=manager)
    for day, value in enumerate(range(1, 11), start=1):
        study(when=at(dt.date(2026, 10, day)), exam=chest(), room=xray_room, dap_gy_cm2=float(value), drl=drl)

    audit = run_audit(PERIOD)

    [row] = audit.rows
    assert (row.source, row.protocol, row.protocol_name, row.linked) == (REPORT, "XCHES", "XR Chest PA", True)
    assert row.room == "X-ray room 1, Northgate General Hospital"
    assert (row.quantity, row.unit, row.n) == ("dap", "Gy·cm²", 10)
    assert row.median == pytest.approx(5.5)
    assert row.p75 == pytest.approx(7.75)
    assert row.drl_value == pytest.approx(5.0)
    assert row.ratio == pytest.approx(1.1)
    assert row.exceeded is True
    assert row.above_drl == 5  # 6..10 Gy·cm² are above 5
    assert row.indicative is False
    assert row.drl_label == drl.label and row.drl_versions == [drl.label]
    assert audit.drl_versions == [drl.label]
    assert audit.studies == 10


def test_fewer_than_ten_studies_are_indicative_and_a_median_at_the_drl_is_not_above_it(department, xray_room,
                                                                                          manager, chest):
    drl = local_drl(department, "XCHES", dap_gy_cm2=2.0, by=manager)
    for value in (1.0, 2.0, 3.0):
        study(when=at("2026-10-01"), exam=chest(), room=xray_room, dap_gy_cm2=value, drl=drl)

    [row] = run_audit(PERIOD).rows

    assert row.n == 3 and row.indicative is True
    assert row.median == pytest.approx(2.0) and row.ratio == pytest.approx(1.0)
    assert row.exceeded is False


def test_rooms_are_separate_rows_and_unlinked_studies_group_by_description(department, site, xray_room, chest):
    room2 = f.RoomFactory.create(site=site, name="X-ray room 2", ae_title="NGH_DX2")
    study(when=at("2026-10-01"), exam=chest(), room=xray_room, dap_gy_cm2=1.0)
    study(when=at("2026-10-02"), exam=chest(room=room2), room=None, dap_gy_cm2=2.0)  # room from the examination
    study(when=at("2026-10-03"), room=room2, description="CHEST PA", dap_gy_cm2=3.0)
    study(when=at("2026-10-04"), room=room2, description="CHEST PA", dap_gy_cm2=5.0)

    rows = {(r.protocol, r.room.split(",")[0], r.linked): r for r in run_audit(PERIOD).rows}

    assert set(rows) == {("XCHES", "X-ray room 1", True), ("XCHES", "X-ray room 2", True),
                         ("CHEST PA", "X-ray room 2", False)}
    unlinked = rows[("CHEST PA", "X-ray room 2", False)]
    assert unlinked.n == 2 and unlinked.median == pytest.approx(4.0)
    assert unlinked.drl_value is None and unlinked.ratio is None and unlinked.exceeded is None
    assert unlinked.title == "CHEST PA (not linked), X-ray room 2, Northgate General Hospital"


def test_ct_studies_are_audited_on_dlp(department, site, manager):
    ct = f.RoomFactory.create(site=site, name="CT 1", modality="CT", ae_title="NGH_CT1")
    drl = local_drl(department, "CHEAD", dlp_mgy_cm=790.0, by=manager)
    for value in (700.0, 800.0, 900.0):
        exam = f.ExaminationFactory.create(department=department, site=site, room=ct, protocol_code="CHEAD",
                                    protocol_name="CT Head", modality="CT", status="completed")
        study(when=at("2026-11-02"), modality="CT", exam=exam, room=ct, dlp_mgy_cm=value, drl=drl)

    [row] = run_audit(PERIOD).rows

    assert (row.quantity, row.unit, row.quantity_name) == ("dlp", "mGy·cm", "DLP")
    assert row.median == pytest.approx(800.0) and row.p75 == pytest.approx(850.0)
    assert row.drl_value == pytest.approx(790.0) and row.exceeded is True


def test_manual_entries_are_counted_as_dap_and_marked_manual(department, xray_room, chest, ap):
    for value in ("0.10", "0.20", "0.40"):
        chest(total_dap_gy_cm2=Decimal(value), drl_value=Decimal("0.15"), drl_source="Northgate local DRL (example)",
              drl_exceeded=Decimal(value) > Decimal("0.15"), ended_at=at("2026-11-20"), operator=ap)
    with_report = chest(total_dap_gy_cm2=Decimal("9.9"), ended_at=at("2026-11-20"))
    study(when=at("2026-11-20"), exam=with_report, room=xray_room, dap_gy_cm2=0.12)
    chest(total_dap_gy_cm2=None, ended_at=at("2026-11-20"))  # nothing typed in: nothing to audit
    f.ExaminationFactory.create(department=department, room=xray_room, total_dap_gy_cm2=Decimal("5"))  # not completed

    rows = {r.source: r for r in run_audit(PERIOD).rows}

    assert set(rows) == {REPORT, MANUAL}
    manual = rows[MANUAL]
    assert manual.source_label == "Manual entry" and manual.title.endswith("– manual entry")
    assert manual.n == 3 and manual.median == pytest.approx(0.2) and manual.p75 == pytest.approx(0.3)
    assert manual.drl_value == pytest.approx(0.15) and manual.drl_label == "Northgate local DRL (example)"
    assert manual.above_drl == 2 and manual.exceeded is True
    assert rows[REPORT].n == 1 and rows[REPORT].median == pytest.approx(0.12)  # the report, not the typed 9.9


def test_filters_select_period_modality_room_and_protocol(department, site, xray_room, chest):
    room2 = f.RoomFactory.create(site=site, name="X-ray room 2", ae_title="NGH_DX2")
    study(when=at("2026-08-31", 23), exam=chest(), room=xray_room, dap_gy_cm2=1.0)  # the day before the period
    study(when=at("2026-09-01", 0), exam=chest(), room=xray_room, dap_gy_cm2=2.0)  # first minute of the period
    study(when=at("2026-11-28", 23), exam=chest(), room=room2, dap_gy_cm2=3.0)  # last hour of the last day
    hand = f.ExaminationFactory.create(department=department, site=site, room=xray_room, protocol_code="XHAND",
                                protocol_name="XR Hand", status="completed")
    study(when=at("2026-10-01"), exam=hand, room=xray_room, dap_gy_cm2=0.5)
    study(when=at("2026-10-01"), modality="CR", room=xray_room, description="HAND", dap_gy_cm2=0.7)

    def counted(**narrow):
        filters = AuditFilters(start=PERIOD.start, end=PERIOD.end, department=department, **narrow)
        return sorted((r.protocol, r.n) for r in run_audit(filters).rows)

    assert counted() == [("HAND", 1), ("XCHES", 1), ("XCHES", 1), ("XHAND", 1)]
    assert counted(modality="CR") == [("HAND", 1)]
    assert counted(room_id=room2.pk) == [("XCHES", 1)]
    assert counted(protocol="XCHES") == [("XCHES", 1), ("XCHES", 1)]
    assert counted(protocol="HAND") == [("HAND", 1)]


def test_two_drl_versions_in_the_period_are_both_listed_and_the_latest_is_used(department, xray_room, manager,
                                                                                 chest):
    old = local_drl(department, "XCHES", dap_gy_cm2=4.0, by=manager, effective_from=dt.date(2026, 1, 1),
                    status="withdrawn")
    new = local_drl(department, "XCHES", dap_gy_cm2=2.0, by=manager, effective_from=dt.date(2026, 10, 15))
    study(when=at("2026-10-01"), exam=chest(), room=xray_room, dap_gy_cm2=3.0, drl=old)
    study(when=at("2026-10-20"), exam=chest(), room=xray_room, dap_gy_cm2=3.0, drl=new)

    [row] = run_audit(PERIOD).rows

    assert row.drl_versions == sorted([old.label, new.label])
    assert row.drl_value == pytest.approx(2.0) and row.drl_label == new.label
    assert row.ratio == pytest.approx(1.5)
    assert row.above_drl == 1


def test_weekly_and_monthly_medians_for_the_trend(department, xray_room, chest):
    for when, value in [("2026-11-02", 1.0), ("2026-11-04", 3.0), ("2026-11-09", 5.0), ("2026-12-01", 7.0)]:
        study(when=at(when), exam=chest(), room=xray_room, dap_gy_cm2=value)
    [row] = run_audit(AuditFilters(start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31))).rows

    weekly = trend(row.samples, "week")
    monthly = trend(row.samples, "month")

    assert [(p.period, p.n, p.median) for p in weekly] == [
        (dt.date(2026, 11, 2), 2, pytest.approx(2.0)), (dt.date(2026, 11, 9), 1, pytest.approx(5.0)),
        (dt.date(2026, 11, 30), 1, pytest.approx(7.0))]
    assert [(p.label, p.median) for p in monthly] == [("Nov 2026", pytest.approx(3.0)),
                                                      ("Dec 2026", pytest.approx(7.0))]


def test_the_audit_reads_a_fixed_number_of_queries_however_many_studies(department, xray_room, manager, chest,
                                                                        django_assert_max_num_queries):
    drl = local_drl(department, "XCHES", dap_gy_cm2=5.0, by=manager)
    exam = chest()
    for number in range(60):
        study(when=at(dt.date(2026, 9, 1) + dt.timedelta(days=number)), room=xray_room, exam=exam if number == 0
              else None, description="CHEST", dap_gy_cm2=1.0 + number % 7, drl=drl)

    with django_assert_max_num_queries(3):  # rooms, studies, manual-entry examinations
        audit = run_audit(PERIOD)

    assert sum(r.n for r in audit.rows) == 60


def test_study_rows_list_every_study_and_manual_entry_with_units(department, xray_room, manager, chest, ap):
    drl = local_drl(department, "XCHES", dap_gy_cm2=0.1, by=manager)
    s = study(when=at("2026-10-01"), exam=chest(operator=ap), room=xray_room, dap_gy_cm2=0.15, drl=drl)
    chest(total_dap_gy_cm2=Decimal("0.05"), ended_at=at("2026-10-02"), drl_value=Decimal("0.1"),
          drl_source="Policy DRL", drl_exceeded=False)

    report, manual = study_rows(PERIOD)

    assert report[0] == "Dose report" and report[3] == s.study_instance_uid
    assert report[10] == "ap.patel"
    assert report[12] == pytest.approx(0.15)  # Gy·cm²
    assert report[18:24] == ["dap", pytest.approx(0.1), "Gy·cm²", drl.label, pytest.approx(1.5), "yes"]
    assert manual[0] == "Manual entry" and manual[12] == pytest.approx(0.05)
    assert manual[18:24] == ["dap", pytest.approx(0.1), "Gy·cm²", "Policy DRL", pytest.approx(0.5), "no"]

