"""Units, numbers and date-times as equipment writes them."""

import datetime as dt

import pytest

from inscope.dicom.extraction import read_dose
from inscope.dicom.extraction.units import UnitError, convert
from inscope.dicom.extraction.values import BadNumber, Notes, parse_date_time, parse_datetime, parse_number
from inscope.dicom.testing import builders


@pytest.mark.parametrize(("value", "given", "target", "expected"), [
    (1, "Gy.m2", "Gy.m2", 1),
    (0.41, "dGy.cm2", "Gy.m2", 4.1e-06),
    (1, "cGy.cm2", "Gy.m2", 1e-06),
    (1, "mGy.cm2", "Gy.m2", 1e-07),
    (1, "uGy.m2", "Gy.m2", 1e-06),
    (1, "Gy.cm2", "Gy.m2", 1e-04),
    (1, "µGy.m2", "Gy.m2", 1e-06),
    (1, "Gy.cm", "mGy.cm", 1000),
    (1, "mGycm", "mGy.cm", 1),
    (600, "mGy", "Gy", 0.6),
    (1, "dGy", "mGy", 100),
    (2, "min", "s", 120),
    (5, "ms", "s", 0.005),
    (800, "uA.s", "mA.s", 0.8),
    (800, "uAs", "mA.s", 0.8),
    (20, "mCi", "MBq", 740),
    (1, "GBq", "MBq", 1000),
    (1, "MGY", "mGy", 1),  # capitals: milligray, never megagray
])
def test_unit_conversion(value, given, target, expected):
    assert convert(value, given, target) == pytest.approx(expected)


@pytest.mark.parametrize(("given", "target"), [("furlong", "Gy.m2"), ("mGy", "Gy.m2"), ("s", "mm")])
def test_unknown_or_mismatched_units(given, target):
    with pytest.raises(UnitError):
        convert(1, given, target)


@pytest.mark.parametrize(("text", "expected", "noted"), [
    ("12.5", 12.5, False),
    (" 12.5 ", 12.5, False),
    ("4.05878e-006", 4.05878e-06, False),
    ("1\\2", 1.0, True),
    ("0,41", 0.41, True),
    ("", None, False),
    (None, None, False),
])
def test_numbers(text, expected, noted):
    notes = Notes()

    assert parse_number(text, "X", notes) == expected
    assert bool(notes.warnings) is noted


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "-Infinity", "1e999", "1.2.3"])
def test_not_numbers(text):
    with pytest.raises(BadNumber):
        parse_number(text, "X", Notes())


def test_date_times():
    assert parse_datetime("20181004134903") == dt.datetime(2018, 10, 4, 13, 49, 3)
    assert parse_datetime("20160309170317.534000") == dt.datetime(2016, 3, 9, 17, 3, 17, 534000)
    assert parse_datetime("19970101000631.737+0000") == dt.datetime(1997, 1, 1, 0, 6, 31, 737000, tzinfo=dt.UTC)
    assert parse_datetime("20260630120000", "+0100") == dt.datetime(2026, 6, 30, 11, tzinfo=dt.UTC)
    assert parse_datetime("2026") == dt.datetime(2026, 1, 1)
    assert parse_datetime("not a date") is None
    assert parse_datetime("20261340") is None
    assert parse_date_time("20140930", "141024.000") == dt.datetime(2014, 9, 30, 14, 10, 24)
    assert parse_date_time("2014.09.30", "14:10:24") == dt.datetime(2014, 9, 30, 14, 10, 24)
    assert parse_date_time("20140930", "") == dt.datetime(2014, 9, 30)
    assert parse_date_time("", "141024") is None


def test_study_time_with_a_timezone_offset_is_aware():
    ds = builders.dx_image(study_uid="1.2.3", dap_dgy_cm2=1, extra={"TimezoneOffsetFromUTC": "+0100"})

    report = read_dose(ds)

    assert report.study_date_time == dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert report.events[0].at is not None and report.events[0].at.utcoffset() == dt.timedelta(hours=1)
