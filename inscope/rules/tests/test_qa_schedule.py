"""QA/QC schedules and consequences: next due dates from recurrence rules on the London wall clock (month ends,
leap years, clock changes), the due window, and what a result or an overdue check does to the unit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from inscope.rules.facts import UnitStatus
from inscope.rules.qa import (
    LONDON,
    Category,
    Consequences,
    DueStatus,
    Frequency,
    FrequencyError,
    check_consequence,
    consequence,
    due_status,
    next_due,
    worst,
)
from inscope.rules.tests.cases import table

DAY = dt.timedelta(days=1)
IN, RESTRICTED, OUT = UnitStatus.IN_SERVICE, UnitStatus.RESTRICTED, UnitStatus.OUT_OF_SERVICE


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON, fold=fold)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def shown(moment: dt.datetime) -> str:
    """A due time as people read it: the London wall clock and whether it is GMT or BST."""
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M %Z")


DAILY_8 = Frequency("FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0")
DAILY_0130 = Frequency("FREQ=DAILY;BYHOUR=1;BYMINUTE=30;BYSECOND=0")
WEEKLY_MONDAY = Frequency("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0", before=2 * DAY, after=DAY)
MONTH_END = Frequency("RRULE:FREQ=MONTHLY;BYMONTHDAY=-1")
MONTHLY_1ST = Frequency("FREQ=MONTHLY;BYMONTHDAY=1", before=7 * DAY, after=7 * DAY)
FIRST_WEEKDAY = Frequency("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1")
FEBRUARY_END = Frequency("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1")
ANNUAL_APRIL = Frequency("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=1")
JAN_AND_MAR_31 = Frequency("FREQ=YEARLY;BYMONTH=1,3;BYMONTHDAY=31")  # both months always have a 31st
EARLY_MORNING = Frequency("FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0", before=dt.timedelta(hours=2))
START = london(2026, 1, 1, 9)  # a rule without BYHOUR takes 09:00 from here


@dataclass(frozen=True)
class NextDue:
    case: str
    frequency: Frequency
    last_done: dt.datetime | None
    due: str
    start: dt.datetime = START

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.due}"


CLOCK_CHANGES = [  # 2026: clocks go forward on Sunday 29 March, back on Sunday 25 October
    NextDue("daily 08:00, done the Saturday before the spring change", DAILY_8, london(2026, 3, 28, 8, 5),
            "Sun 29 Mar 2026 08:00 BST"),
    NextDue("daily 08:00, done on the spring change day", DAILY_8, london(2026, 3, 29, 8, 10),
            "Mon 30 Mar 2026 08:00 BST"),
    NextDue("daily 08:00, done the Saturday before the autumn change", DAILY_8, london(2026, 10, 24, 8, 5),
            "Sun 25 Oct 2026 08:00 GMT"),
    NextDue("daily 08:00, done on the autumn change day", DAILY_8, london(2026, 10, 25, 8, 10),
            "Mon 26 Oct 2026 08:00 GMT"),
    NextDue("daily 01:30 does not exist on the spring change day: read on the winter offset", DAILY_0130,
            london(2026, 3, 28, 1, 35), "Sun 29 Mar 2026 02:30 BST"),
    NextDue("daily 01:30 happens twice on the autumn change day: the first (BST) is meant", DAILY_0130,
            london(2026, 10, 24, 1, 35), "Sun 25 Oct 2026 01:30 BST"),
    NextDue("daily 01:30, done in the repeated hour after the first 01:30", DAILY_0130,
            london(2026, 10, 25, 1, 10, fold=1), "Mon 26 Oct 2026 01:30 GMT"),
]
MONTH_ENDS = [
    NextDue("last day of the month, never done", MONTH_END, None, "Sat 31 Jan 2026 09:00 GMT"),
    NextDue("last day of the month, done 31 Jan: February's is the 28th", MONTH_END, london(2026, 1, 31, 10),
            "Sat 28 Feb 2026 09:00 GMT"),
    NextDue("last day of the month, done 28 Feb", MONTH_END, london(2026, 2, 28, 10), "Tue 31 Mar 2026 09:00 BST"),
    NextDue("last day of the month, done 31 Mar", MONTH_END, london(2026, 3, 31, 10), "Thu 30 Apr 2026 09:00 BST"),
    NextDue("last day of the month in a leap year: 29 Feb", MONTH_END, london(2028, 2, 28, 10),
            "Tue 29 Feb 2028 09:00 GMT"),
    NextDue("31 January and 31 March every year", JAN_AND_MAR_31, london(2026, 1, 31, 10),
            "Tue 31 Mar 2026 09:00 BST"),
]
LEAP_YEARS = [
    NextDue("end of February yearly, done 2027: 29 Feb 2028", FEBRUARY_END, london(2027, 2, 28, 10),
            "Tue 29 Feb 2028 09:00 GMT"),
    NextDue("end of February yearly, done 29 Feb 2028: 28 Feb 2029", FEBRUARY_END, london(2028, 2, 29, 10),
            "Wed 28 Feb 2029 09:00 GMT"),
    NextDue("daily across 28 Feb in a leap year", DAILY_8, london(2028, 2, 28, 9), "Tue 29 Feb 2028 08:00 GMT"),
    NextDue("daily across 28 Feb in a common year", DAILY_8, london(2027, 2, 28, 9), "Mon 01 Mar 2027 08:00 GMT"),
]
RULES = [
    NextDue("daily, never done, started before 08:00", DAILY_8, None, "Thu 01 Jan 2026 08:00 GMT",
            start=london(2026, 1, 1, 7)),
    NextDue("daily, never done, started exactly at 08:00", DAILY_8, None, "Thu 01 Jan 2026 08:00 GMT",
            start=london(2026, 1, 1, 8)),
    NextDue("daily, never done, started after 08:00", DAILY_8, None, "Fri 02 Jan 2026 08:00 GMT",
            start=london(2026, 1, 1, 8, 1)),
    NextDue("daily, done exactly at the due time", DAILY_8, london(2026, 1, 5, 8), "Tue 06 Jan 2026 08:00 GMT"),
    NextDue("daily, done 15 minutes early within a 2-hour window", EARLY_MORNING, london(2026, 1, 5, 7, 45),
            "Tue 06 Jan 2026 08:00 GMT"),
    NextDue("daily, done before the 2-hour window opens", EARLY_MORNING, london(2026, 1, 5, 5),
            "Mon 05 Jan 2026 08:00 GMT"),
    NextDue("weekly on Monday, never done, assigned on a Wednesday", WEEKLY_MONDAY, None,
            "Mon 07 Dec 2026 09:00 GMT", start=london(2026, 12, 2, 14)),
    NextDue("weekly on Monday, done on the Monday", WEEKLY_MONDAY, london(2026, 12, 7, 10),
            "Mon 14 Dec 2026 09:00 GMT", start=london(2026, 12, 2, 14)),
    NextDue("weekly on Monday, done early on the Saturday within the window", WEEKLY_MONDAY,
            london(2026, 12, 12, 11), "Mon 21 Dec 2026 09:00 GMT", start=london(2026, 12, 2, 14)),
    NextDue("weekly on Monday, done on the Friday before the window", WEEKLY_MONDAY, london(2026, 12, 11, 11),
            "Mon 14 Dec 2026 09:00 GMT", start=london(2026, 12, 2, 14)),
    NextDue("monthly on the 1st ±7 days, done late on 10 Mar", MONTHLY_1ST, london(2026, 3, 10, 10),
            "Wed 01 Apr 2026 09:00 BST"),
    NextDue("monthly on the 1st ±7 days, done 24 Mar before April's window", MONTHLY_1ST, london(2026, 3, 24, 10),
            "Wed 01 Apr 2026 09:00 BST"),
    NextDue("monthly on the 1st ±7 days, done 26 Mar within April's window", MONTHLY_1ST, london(2026, 3, 26, 10),
            "Fri 01 May 2026 09:00 BST"),
    NextDue("first weekday of the month, 1 Aug is a Saturday", FIRST_WEEKDAY, london(2026, 7, 1, 10),
            "Mon 03 Aug 2026 09:00 BST"),
    NextDue("first weekday of the month, 1 Jan 2027 is a Friday", FIRST_WEEKDAY, london(2026, 12, 1, 10),
            "Fri 01 Jan 2027 09:00 GMT"),
    NextDue("annually on 1 April", ANNUAL_APRIL, london(2026, 4, 1, 10), "Thu 01 Apr 2027 09:00 BST"),
    NextDue("a completion recorded in UTC is the same instant", DAILY_8, utc(2026, 6, 1, 7, 30),
            "Tue 02 Jun 2026 08:00 BST"),
]


@pytest.mark.parametrize("row", table(CLOCK_CHANGES + MONTH_ENDS + LEAP_YEARS + RULES))
def test_next_due(row: NextDue) -> None:
    assert shown(next_due(row.frequency, start=row.start, last_done=row.last_done)) == row.due


def test_due_times_are_wall_clock_times_so_the_utc_instant_moves_with_the_clocks() -> None:
    before = next_due(DAILY_8, start=START, last_done=london(2026, 3, 28, 8, 5))
    after = next_due(DAILY_8, start=START, last_done=london(2026, 3, 29, 8, 5))
    assert (before.astimezone(dt.UTC), after.astimezone(dt.UTC)) == (utc(2026, 3, 29, 7), utc(2026, 3, 30, 7))
    assert next_due(DAILY_8, start=START, last_done=london(2026, 10, 24, 8, 5)).astimezone(dt.UTC) == utc(
        2026, 10, 25, 8)


@dataclass(frozen=True)
class Status:
    case: str
    frequency: Frequency
    last_done: dt.datetime | None
    at: dt.datetime
    status: DueStatus
    start: dt.datetime = START

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.status.value}"


WITH_A_DAY_AFTER = Frequency("FREQ=DAILY;BYHOUR=8;BYMINUTE=0;BYSECOND=0", after=DAY)
WEEKLY_START = london(2026, 12, 2, 14)
STATUSES = [
    Status("weekly Monday 09:00 -2/+1 days: Friday before", WEEKLY_MONDAY, london(2026, 12, 7, 10),
           london(2026, 12, 11, 23, 59), DueStatus.NOT_DUE, WEEKLY_START),
    Status("window opens Saturday 09:00", WEEKLY_MONDAY, london(2026, 12, 7, 10), london(2026, 12, 12, 9),
           DueStatus.DUE, WEEKLY_START),
    Status("on the due time", WEEKLY_MONDAY, london(2026, 12, 7, 10), london(2026, 12, 14, 9), DueStatus.DUE,
           WEEKLY_START),
    Status("window closes Tuesday 09:00, inclusive", WEEKLY_MONDAY, london(2026, 12, 7, 10), london(2026, 12, 15, 9),
           DueStatus.DUE, WEEKLY_START),
    Status("a minute after the window closes", WEEKLY_MONDAY, london(2026, 12, 7, 10), london(2026, 12, 15, 9, 1),
           DueStatus.OVERDUE, WEEKLY_START),
    Status("never done, weeks later", WEEKLY_MONDAY, None, london(2027, 1, 4, 9), DueStatus.OVERDUE, WEEKLY_START),
    Status("daily 08:00 with no window: overdue at 08:30 BST on the spring change day", DAILY_8,
           london(2026, 3, 28, 8, 5), utc(2026, 3, 29, 7, 30), DueStatus.OVERDUE),
    Status("daily 08:00 with no window: not due at 07:30 BST on the spring change day", DAILY_8,
           london(2026, 3, 28, 8, 5), utc(2026, 3, 29, 6, 30), DueStatus.NOT_DUE),
    Status("daily 08:00 with no window: not due at 07:30 GMT on the autumn change day", DAILY_8,
           london(2026, 10, 24, 8, 5), utc(2026, 10, 25, 7, 30), DueStatus.NOT_DUE),
    Status("a day's window across the spring change closes at 08:00 BST, 23 hours later", WITH_A_DAY_AFTER,
           london(2026, 3, 27, 8, 5), london(2026, 3, 29, 7, 59), DueStatus.DUE),
    Status("and is overdue at 08:01 BST", WITH_A_DAY_AFTER, london(2026, 3, 27, 8, 5), london(2026, 3, 29, 8, 1),
           DueStatus.OVERDUE),
    Status("a day's window across the autumn change closes at 08:00 GMT, 25 hours later", WITH_A_DAY_AFTER,
           london(2026, 10, 23, 8, 5), utc(2026, 10, 25, 7, 59), DueStatus.DUE),
]


@pytest.mark.parametrize("row", table(STATUSES))
def test_due_status(row: Status) -> None:
    due = due_status(row.frequency, start=row.start, last_done=row.last_done, at=row.at)
    assert due.status is row.status, due
    assert due.opens <= due.due <= due.closes


def test_the_window_is_reported_with_the_due_time() -> None:
    due = due_status(WEEKLY_MONDAY, start=WEEKLY_START, last_done=london(2026, 12, 7, 10), at=london(2026, 12, 13))
    assert (shown(due.opens), shown(due.due), shown(due.closes)) == (
        "Sat 12 Dec 2026 09:00 GMT", "Mon 14 Dec 2026 09:00 GMT", "Tue 15 Dec 2026 09:00 GMT")


@dataclass(frozen=True)
class RefusedRule:
    case: str
    rule: str
    message: str
    start: dt.datetime = START

    @property
    def id(self) -> str:
        return f"{self.case} -> refused: {self.message}"


REFUSED_RULES = [
    RefusedRule("monthly on the 31st skips short months", "FREQ=MONTHLY;BYMONTHDAY=31",
                "asks for day 31 of a month that does not always have one"),
    RefusedRule("monthly on the 30th skips February", "FREQ=MONTHLY;BYMONTHDAY=1,30", "asks for day 30"),
    RefusedRule("monthly from a start on the 31st", "FREQ=MONTHLY", "starting on 31 Jan 2026, asks for day 31",
                london(2026, 1, 31, 9)),
    RefusedRule("yearly on 29 February is only in leap years", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
                "asks for day 29"),
    RefusedRule("yearly from a start on 29 February", "FREQ=YEARLY", "starting on 29 Feb 2028, asks for day 29",
                london(2028, 2, 29, 9)),
    RefusedRule("sub-daily frequencies", "FREQ=HOURLY", "FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY"),
    RefusedRule("no FREQ", "BYDAY=MO", "FREQ must be one of"),
    RefusedRule("a frequency that ends after a count", "FREQ=DAILY;COUNT=3", "takes no COUNT"),
    RefusedRule("a frequency that ends on a date", "FREQ=DAILY;UNTIL=20270101T000000", "takes no UNTIL"),
    RefusedRule("a start in the rule", "DTSTART=20260101T000000;FREQ=DAILY", "takes no DTSTART"),
    RefusedRule("an unknown weekday", "FREQ=WEEKLY;BYDAY=XX", "is not a recurrence rule"),
    RefusedRule("an unknown part", "FREQ=DAILY;FOO=1", "unknown parameter 'FOO'"),
    RefusedRule("not NAME=VALUE", "every day", "is not NAME=VALUE"),
]


@pytest.mark.parametrize("row", table(REFUSED_RULES))
def test_refused_rules(row: RefusedRule) -> None:
    with pytest.raises(FrequencyError, match=re.escape(row.message)):
        next_due(Frequency(row.rule), start=row.start, last_done=None)


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(FrequencyError, match="cannot be negative"):
        Frequency("FREQ=DAILY", before=-DAY)


def test_naive_times_and_results_in_the_future_are_refused() -> None:
    with pytest.raises(ValueError, match="start must be a timezone-aware"):
        next_due(DAILY_8, start=dt.datetime(2026, 1, 1), last_done=None)
    with pytest.raises(ValueError, match="last completion must be a timezone-aware"):
        next_due(DAILY_8, start=START, last_done=dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="time asked about must be a timezone-aware"):
        due_status(DAILY_8, start=START, last_done=None, at=dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="a result cannot be in the future"):
        due_status(DAILY_8, start=START, last_done=london(2026, 1, 2), at=london(2026, 1, 1))


# --- Consequences -----------------------------------------------------------------------------------------------------

DETECTOR = Consequences(on_action=OUT, on_overdue=RESTRICTED)  # tolerance leaves the unit in service
APRON = Consequences(on_action=OUT, on_overdue=OUT, on_tolerance=RESTRICTED)


@dataclass(frozen=True)
class Consequence:
    case: str
    latest: Category | None
    due: DueStatus
    chosen: Consequences
    unit: UnitStatus

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.unit.value}"


CONSEQUENCES = [
    Consequence("OK and not due", Category.OK, DueStatus.NOT_DUE, DETECTOR, IN),
    Consequence("OK and due today", Category.OK, DueStatus.DUE, DETECTOR, IN),
    Consequence("tolerance, department leaves it in service", Category.TOLERANCE, DueStatus.NOT_DUE, DETECTOR, IN),
    Consequence("tolerance, department restricts", Category.TOLERANCE, DueStatus.NOT_DUE, APRON, RESTRICTED),
    Consequence("action level (or a failed critical yes/no)", Category.ACTION, DueStatus.NOT_DUE, DETECTOR, OUT),
    Consequence("OK but overdue past its window", Category.OK, DueStatus.OVERDUE, DETECTOR, RESTRICTED),
    Consequence("never done and overdue", None, DueStatus.OVERDUE, APRON, OUT),
    Consequence("never done, not yet due", None, DueStatus.NOT_DUE, APRON, IN),
    Consequence("action level and overdue: the worse", Category.ACTION, DueStatus.OVERDUE, DETECTOR, OUT),
    Consequence("tolerance and overdue: the worse", Category.TOLERANCE, DueStatus.OVERDUE, APRON, OUT),
]


@pytest.mark.parametrize("row", table(CONSEQUENCES))
def test_check_consequence(row: Consequence) -> None:
    assert check_consequence(row.latest, row.due, row.chosen) is row.unit


def test_consequence_of_one_result() -> None:
    assert consequence(Category.OK, on_action=OUT) is IN
    assert consequence(Category.TOLERANCE, on_action=OUT) is IN
    assert consequence(Category.TOLERANCE, on_action=OUT, on_tolerance=RESTRICTED) is RESTRICTED
    assert consequence(Category.ACTION, on_action=RESTRICTED) is RESTRICTED


@pytest.mark.parametrize(("statuses", "unit"), [
    ((), IN), ((IN, IN), IN), ((IN, RESTRICTED, IN), RESTRICTED), ((RESTRICTED, OUT, IN), OUT), ((OUT,), OUT),
], ids=["no checks", "all in service", "one restricted", "one out of service among others", "only out"])
def test_the_worst_status_wins(statuses: tuple[UnitStatus, ...], unit: UnitStatus) -> None:
    assert worst(statuses) is unit


def test_a_department_cannot_choose_to_do_nothing_on_action_or_overdue() -> None:
    with pytest.raises(ValueError, match="on_action: a check at action level or overdue must"):
        Consequences(on_action=IN, on_overdue=OUT)
    with pytest.raises(ValueError, match="on_overdue"):
        Consequences(on_action=OUT, on_overdue=IN)
    with pytest.raises(ValueError, match="cannot do more to the unit than one at action level"):
        Consequences(on_action=RESTRICTED, on_overdue=RESTRICTED, on_tolerance=OUT)
