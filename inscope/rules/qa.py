"""Quality assurance of imaging equipment: how a check's result is judged, calculated, scheduled, and what it does
to the unit (IR(ME)R 2017 reg 15: the employer's QA programme, with acceptance criteria and the action to take).

Four parts, each pure (the equipment app turns rows into these values and stores what comes back):

- **Tolerances**, with QATrack+'s semantics: four inclusive limits around a reference, absolute or percentage;
  a value exactly on a limit gets the better category; with no action limits a result is only OK or TOLERANCE.
  Values are compared to 12 significant figures in decimal, so 0.1 + 0.2 is on a limit of 0.3, not past it.
- **Calculations**: a test's value from other tests' values by their codes, evaluated by ``simpleeval`` on an
  arithmetic-only grammar (never ``eval``).
- **Due dates**: a frequency is an iCalendar (RFC 5545) recurrence rule, evaluated by ``dateutil.rrule`` on the
  department's wall clock (Europe/London), with a window before and after each due time.
- **Consequences**: what a result or an overdue check does to the unit; the worst status of a unit's checks wins.

docs/qa.md describes all four with examples.
"""

from __future__ import annotations

import ast
import datetime as dt
import graphlib
import math
import operator
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import simpleeval
from dateutil import rrule

from inscope.rules.facts import UnitStatus

# --- Tolerances -------------------------------------------------------------------------------------------------------


class Category(StrEnum):
    """How a result compares with its reference (QATrack+'s pass/fail categories)."""

    OK = "ok"
    TOLERANCE = "tolerance"  # outside the tolerance limits, inside the action limits: look into it
    ACTION = "action"  # outside the action limits: act now


class Difference(StrEnum):
    ABSOLUTE = "absolute"  # value - reference, in the test's own unit
    PERCENTAGE = "percentage"  # 100 × (value - reference) / reference


class ToleranceError(ValueError):
    """A tolerance, reference or value that cannot be judged: the message says why, for the person who set it."""


# Measurements carry far fewer than 12 significant figures, and a float carries about 16; rounding both sides to 12
# removes the binary noise of arithmetic (0.1 + 0.2 = 0.30000000000000004) without ever hiding a real difference.
SIGNIFICANT_FIGURES = 12
_ROUND = Context(prec=SIGNIFICANT_FIGURES)
_EXACT = Context(prec=40)  # wide enough that subtracting two 12-figure numbers of any likely magnitudes is exact


def _decimal(number: float, what: str) -> Decimal:
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise ToleranceError(f"The {what} must be a number, not {number!r}.")
    if not math.isfinite(number):
        raise ToleranceError(f"The {what} must be a finite number, not {number}.")
    return _ROUND.create_decimal_from_float(float(number))


@dataclass(frozen=True)
class Reference:
    """The value a test's results are compared with (set at acceptance or baseline, changed with a recorded reason)."""

    value: float

    def __post_init__(self) -> None:
        _decimal(self.value, "reference")


@dataclass(frozen=True)
class Tolerance:
    """Four limits on the difference from the reference: action low <= tolerance low <= tolerance high <= action high.

    Any limit may be absent (no limit on that side, e.g. a signal-to-noise ratio with only low limits); at least one
    must be set. With no action limits a result can only be OK or TOLERANCE.
    """

    difference: Difference
    tolerance_low: float | None = None
    tolerance_high: float | None = None
    action_low: float | None = None
    action_high: float | None = None

    def __post_init__(self) -> None:
        named = (("action low", self.action_low), ("tolerance low", self.tolerance_low),
                 ("tolerance high", self.tolerance_high), ("action high", self.action_high))
        present = [(name, _decimal(limit, f"{name} limit")) for name, limit in named if limit is not None]
        if not present:
            raise ToleranceError("Set at least one tolerance or action limit.")
        for (lower_name, lower), (upper_name, upper) in zip(present, present[1:], strict=False):
            if lower > upper:
                raise ToleranceError(
                    f"The {lower_name} limit ({lower}) is above the {upper_name} limit ({upper}): limits must run "
                    "action low <= tolerance low <= tolerance high <= action high."
                )


def difference(value: float, reference: Reference, kind: Difference) -> Decimal:
    """The difference the limits apply to, to 12 significant figures (absolute, or percentage of the reference)."""
    measured, ref = _decimal(value, "value"), _decimal(reference.value, "reference")
    if kind is Difference.ABSOLUTE:
        return _ROUND.plus(_EXACT.subtract(measured, ref))
    if ref == 0:
        raise ToleranceError(
            "A percentage tolerance needs a reference other than zero (a percentage of zero is undefined); "
            "use an absolute tolerance for this test."
        )
    return _ROUND.plus(_EXACT.divide(_EXACT.multiply(100, _EXACT.subtract(measured, ref)), ref))


def _inside(diff: Decimal, low: float | None, high: float | None) -> bool:
    """Inclusive: a difference exactly on a limit is inside it."""
    return (low is None or diff >= _decimal(low, "limit")) and (high is None or diff <= _decimal(high, "limit"))


def category(value: float, reference: Reference, tolerance: Tolerance) -> Category:
    """Judge a numeric result: OK inside the tolerance limits, TOLERANCE inside the action limits, else ACTION."""
    diff = difference(value, reference, tolerance.difference)
    # A side with no tolerance limit is OK up to its action limit (and unbounded when it has neither).
    low = tolerance.action_low if tolerance.tolerance_low is None else tolerance.tolerance_low
    high = tolerance.action_high if tolerance.tolerance_high is None else tolerance.tolerance_high
    if _inside(diff, low, high):
        return Category.OK
    if _inside(diff, tolerance.action_low, tolerance.action_high):
        return Category.TOLERANCE
    return Category.ACTION


@dataclass(frozen=True)
class BooleanTest:
    """A yes/no check. Failing a critical one is at action level; failing any other is at tolerance (reviewed)."""

    expected: bool = True  # the answer that passes ("Is the apron free of cracks?" passes on yes)
    critical: bool = False


def boolean_category(value: bool, test: BooleanTest) -> Category:
    if not isinstance(value, bool):
        raise ToleranceError(f"A yes/no check takes yes or no, not {value!r}.")
    if value is test.expected:
        return Category.OK
    return Category.ACTION if test.critical else Category.TOLERANCE


@dataclass(frozen=True)
class MultipleChoiceTest:
    """A check answered by choosing one of its choices, each mapped to a category by the department."""

    choices: Mapping[str, Category]

    def __post_init__(self) -> None:
        if Category.OK not in self.choices.values():
            raise ToleranceError("A multiple-choice check needs at least one choice that is OK.")
        blank = [choice for choice in self.choices if not choice.strip()]
        if blank:
            raise ToleranceError("A multiple-choice check's choices must not be blank.")


def choice_category(value: str, test: MultipleChoiceTest) -> Category:
    try:
        return test.choices[value]
    except KeyError:
        offered = ", ".join(repr(choice) for choice in test.choices)
        raise ToleranceError(f"{value!r} is not one of this check's choices ({offered}).") from None


# --- Calculated results -----------------------------------------------------------------------------------------------


class CalculationError(ValueError):
    """A calculation that is not allowed, or cannot be worked out from these values."""


def _mean(*values: float) -> float:
    if not values:
        raise ValueError("mean() needs at least one value")
    return statistics.fmean(values)


FUNCTIONS: dict[str, Callable[..., float]] = {
    "abs": abs, "min": min, "max": max, "sqrt": math.sqrt, "log10": math.log10, "mean": _mean,
}
_BINARY: dict[type[ast.AST], Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: simpleeval.safe_power,  # refuses exponents that would take the server's memory
}
_UNARY: dict[type[ast.AST], Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
ALLOWED = "numbers, test codes, + - * / ** and brackets, and the functions " + ", ".join(FUNCTIONS)


def _not_allowed(node: ast.AST) -> str | None:
    """Why this node has no place in an arithmetic calculation, or None when it has."""
    if isinstance(node, ast.Expression | ast.Name | ast.Load):
        return None
    if isinstance(node, ast.Constant):
        numeric = isinstance(node.value, int | float) and not isinstance(node.value, bool)
        return None if numeric else f"the literal {node.value!r} (only numbers)"
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        ok = type(node.op) in _BINARY or type(node.op) in _UNARY
        return None if ok else f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.operator | ast.unaryop):
        return None  # judged with its BinOp or UnaryOp
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            return f"calling {ast.unparse(node.func)}()"
        return "keyword arguments" if node.keywords else None
    return f"{type(node).__name__} ({ast.unparse(node) if isinstance(node, ast.expr) else 'a statement'})"


@dataclass(frozen=True)
class Calculation:
    """A calculated test: an arithmetic expression over other tests' codes, e.g. ``100 * (kv_measured - kv_set) /
    kv_set`` or ``mean(dose_1, dose_2, dose_3)``. Checked when it is made, so a bad one is refused at definition."""

    expression: str
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        try:
            tree = ast.parse(self.expression.strip(), mode="eval")
        except SyntaxError as error:
            raise CalculationError(
                f"{self.expression!r} is not a calculation ({error.msg}); use {ALLOWED}."
            ) from None
        for node in ast.walk(tree):
            why = _not_allowed(node)
            if why:
                raise CalculationError(f"{self.expression!r} uses {why}, which is not allowed; use {ALLOWED}.")
        called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Name)}
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - called
        clashing = names & set(FUNCTIONS)
        if clashing:
            raise CalculationError(f"{', '.join(sorted(clashing))} is a function; call it, e.g. abs(x).")
        object.__setattr__(self, "names", frozenset(names))

    def check(self, known: Iterable[str]) -> None:
        """Refuse a calculation naming tests that do not exist (when the test list is defined)."""
        unknown = self.names - set(known)
        if unknown:
            raise CalculationError(f"{self.expression!r} names unknown tests: {', '.join(sorted(unknown))}.")

    def evaluate(self, values: Mapping[str, float | None]) -> float:
        """The calculated value from the other tests' values (None: the test has no value yet)."""
        self.check(values)
        missing = sorted(name for name in self.names if values[name] is None)
        if missing:
            raise CalculationError(f"{self.expression!r} needs a value for {', '.join(missing)}.")
        used: dict[str, float] = {}
        for name in self.names:
            value = values[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CalculationError(f"{self.expression!r} needs a number for {name}, not {value!r}.")
            used[name] = value
        operators: dict[type[ast.AST], Callable[..., float]] = {**_BINARY, **_UNARY}
        evaluator = simpleeval.SimpleEval(operators=operators, functions=dict(FUNCTIONS), names=used)
        # Defence in depth: the evaluator itself also knows only the arithmetic nodes.
        evaluator.nodes = {kind: handler for kind, handler in evaluator.nodes.items()
                           if kind in (ast.Expr, ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Call)}
        try:
            result = evaluator.eval(self.expression.strip())
        except ZeroDivisionError:
            raise CalculationError(f"{self.expression!r} divides by zero with these values.") from None
        except OverflowError:
            raise CalculationError(f"{self.expression!r} gives a result too large to hold with these values.") from None
        except (ValueError, TypeError, simpleeval.InvalidExpression) as error:
            raise CalculationError(f"{self.expression!r} cannot be worked out with these values ({error}).") from None
        if isinstance(result, bool) or not isinstance(result, int | float) or not math.isfinite(result):
            raise CalculationError(f"{self.expression!r} gives {result!r} with these values, not a real number.")
        return float(result)


def calculate_all(calculations: Mapping[str, Calculation], values: Mapping[str, float | None]) -> dict[str, float]:
    """Work out every calculated test, each after the calculated tests it uses; refuse a circular definition."""
    order = graphlib.TopologicalSorter({code: calc.names & set(calculations) for code, calc in calculations.items()})
    try:
        codes = list(order.static_order())
    except graphlib.CycleError as error:
        raise CalculationError(f"Calculated tests use each other in a circle: {' -> '.join(error.args[1])}.") from None
    known: dict[str, float | None] = dict(values)
    results: dict[str, float] = {}
    for code in codes:
        if code in calculations:
            results[code] = known[code] = calculations[code].evaluate(known)
    return results


# --- Due dates --------------------------------------------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")
_FREQUENCIES = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY, "YEARLY": rrule.YEARLY}
_NOT_IN_A_FREQUENCY = ("DTSTART", "UNTIL", "COUNT")  # a QA programme does not end; its start is the assignment's
_SHORTEST_MONTH = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


class FrequencyError(ValueError):
    """A recurrence rule that is not a usable QA frequency."""


class DueStatus(StrEnum):
    NOT_DUE = "not_due"  # before the window opens
    DUE = "due"  # within the window
    OVERDUE = "overdue"  # past the window's end


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for part in filter(None, text.split(";")):
        key, equals, value = part.partition("=")
        if not equals or not value:
            raise FrequencyError(f"{rule!r}: {part!r} is not NAME=VALUE (e.g. FREQ=WEEKLY;BYDAY=MO).")
        parts[key.strip().upper()] = value.strip().upper()
    return parts


@dataclass(frozen=True)
class Frequency:
    """How often a check is due: an RFC 5545 RRULE (without DTSTART, UNTIL or COUNT), e.g. ``FREQ=WEEKLY;BYDAY=MO``,
    and how long before and after each due time doing the check counts for it. Due times are wall-clock times in
    the department's zone; a rule without BYHOUR takes its time of day from the assignment's start."""

    rule: str
    before: dt.timedelta = dt.timedelta(0)
    after: dt.timedelta = dt.timedelta(0)

    def __post_init__(self) -> None:
        parts = _parts(self.rule)
        if parts.get("FREQ") not in _FREQUENCIES:
            raise FrequencyError(f"{self.rule!r}: FREQ must be one of {', '.join(_FREQUENCIES)}.")
        for key in _NOT_IN_A_FREQUENCY:
            if key in parts:
                raise FrequencyError(f"{self.rule!r}: a QA frequency takes no {key}: it starts when the "
                                     "check is assigned and does not end.")
        if self.before < dt.timedelta(0) or self.after < dt.timedelta(0):
            raise FrequencyError("The window before and after the due time cannot be negative.")
        self.recurrence(dt.datetime(2026, 1, 1))  # refuses what dateutil cannot parse

    def recurrence(self, start: dt.datetime) -> rrule.rrule:
        """The rule's occurrences on the wall clock (naive local times), from ``start``."""
        parts = _parts(self.rule)
        _refuse_skipped_months(self.rule, parts, start)
        try:
            parsed = rrule.rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=start)
        except (ValueError, TypeError) as error:
            raise FrequencyError(f"{self.rule!r} is not a recurrence rule: {error}.") from None
        if not isinstance(parsed, rrule.rrule):
            raise FrequencyError(f"{self.rule!r} must be one recurrence rule.")
        return parsed


def _refuse_skipped_months(rule: str, parts: Mapping[str, str], start: dt.datetime) -> None:
    """RFC 5545 skips a month that lacks the day asked for: 'monthly on the 31st' is not due in February, and
    'yearly on 29 February' only in leap years. A QA check silently skipped is unsafe, so such rules are refused."""
    if parts.get("FREQ") not in ("MONTHLY", "YEARLY") or "BYSETPOS" in parts:
        return
    which = repr(rule)
    if "BYMONTHDAY" in parts:
        days = [int(day) for day in parts["BYMONTHDAY"].split(",") if day.lstrip("+-").isdigit()]
    elif any(key in parts for key in ("BYDAY", "BYYEARDAY", "BYWEEKNO")):
        return
    else:
        days = [start.day]  # the day of the month is taken from the start
        which = f"{rule!r}, starting on {start:%d %b %Y},"
    if "BYMONTH" in parts:
        months = [int(month) for month in parts["BYMONTH"].split(",") if month.isdigit()]
    else:
        months = list(_SHORTEST_MONTH) if parts["FREQ"] == "MONTHLY" else [start.month]
    shortest = min((_SHORTEST_MONTH[month] for month in months if month in _SHORTEST_MONTH), default=31)
    skipping = sorted(day for day in days if day > shortest)
    if skipping:
        raise FrequencyError(
            f"{which} asks for day {skipping[0]} of a month that does not always have "
            "one, so some months (or years) would have no check; use BYMONTHDAY=-1 for the last day of the month."
        )


@dataclass(frozen=True)
class Due:
    """The next time a check is due, its window, and whether it is due at the moment asked about."""

    due: dt.datetime
    opens: dt.datetime
    closes: dt.datetime
    status: DueStatus


def _aware(moment: dt.datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"The {what} must be a timezone-aware date and time.")


def _instant(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time as an instant. In the October repeated hour the first (summer time) reading is meant; in
    the March gap a time that does not exist is read on the winter offset (01:30 GMT, which is 02:30 BST)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def _after(occurrences: rrule.rrule, wall: dt.datetime, *, inclusive: bool = False) -> dt.datetime:
    found = occurrences.after(wall, inc=inclusive)
    if found is None:  # not expected: a rule without UNTIL or COUNT never ends
        raise FrequencyError(f"The frequency has no occurrence after {wall:%d %b %Y %H:%M}.")
    return found


def next_due(frequency: Frequency, *, start: dt.datetime, last_done: dt.datetime | None,
             zone: ZoneInfo = LONDON) -> dt.datetime:
    """When the check is next due. Never done: the first occurrence from ``start``. Done: the first occurrence
    after the completion, or the one after that if the completion was within its window (done early counts)."""
    _aware(start, "start")
    wall_start = start.astimezone(zone).replace(tzinfo=None, microsecond=0)
    occurrences = frequency.recurrence(wall_start)
    if last_done is None:
        return _instant(_after(occurrences, wall_start, inclusive=True), zone).astimezone(zone)
    _aware(last_done, "last completion")
    done = last_done.astimezone(dt.UTC)
    # Step back over the October repeated hour, then take the first occurrence that is after it as an instant.
    probe = done.astimezone(zone).replace(tzinfo=None) - dt.timedelta(hours=2)
    while True:
        candidate = _after(occurrences, probe)
        if _instant(candidate, zone) > done:
            break
        probe = candidate
    if _instant(candidate - frequency.before, zone) <= done:
        candidate = _after(occurrences, candidate)
    return _instant(candidate, zone).astimezone(zone)


def due_status(frequency: Frequency, *, start: dt.datetime, last_done: dt.datetime | None, at: dt.datetime,
               zone: ZoneInfo = LONDON) -> Due:
    """Whether the check is not due, due or overdue at ``at``; the window is counted on the wall clock, so one day
    after 08:00 is 08:00 the next day, across a clock change too."""
    _aware(at, "time asked about")
    if last_done is not None and last_done > at:
        raise ValueError("The last completion is after the time asked about; a result cannot be in the future.")
    due = next_due(frequency, start=start, last_done=last_done, zone=zone)
    wall = due.replace(tzinfo=None)
    opens = _instant(wall - frequency.before, zone).astimezone(zone)
    closes = _instant(wall + frequency.after, zone).astimezone(zone)
    if at < opens:
        status = DueStatus.NOT_DUE
    elif at <= closes:
        status = DueStatus.DUE
    else:
        status = DueStatus.OVERDUE
    return Due(due, opens, closes, status)


# --- Consequences -----------------------------------------------------------------------------------------------------

_SEVERITY = {UnitStatus.IN_SERVICE: 0, UnitStatus.RESTRICTED: 1, UnitStatus.OUT_OF_SERVICE: 2}


def worst(statuses: Iterable[UnitStatus]) -> UnitStatus:
    """The unit's status from its checks' (and faults') statuses: the worst wins; nothing against it is in service."""
    return max(statuses, key=_SEVERITY.__getitem__, default=UnitStatus.IN_SERVICE)


@dataclass(frozen=True)
class Consequences:
    """What the department chose for one test: the unit's status on an action-level result (or a failed critical
    yes/no check), on a tolerance-level one, and when the check is overdue past its window."""

    on_action: UnitStatus
    on_overdue: UnitStatus
    on_tolerance: UnitStatus = UnitStatus.IN_SERVICE

    def __post_init__(self) -> None:
        for name in ("on_action", "on_overdue"):
            if getattr(self, name) is UnitStatus.IN_SERVICE:
                raise ValueError(f"{name}: a check at action level or overdue must restrict the unit or take it "
                                 "out of service.")
        if _SEVERITY[self.on_tolerance] > _SEVERITY[self.on_action]:
            raise ValueError("on_tolerance: a result at tolerance cannot do more to the unit than one at action level.")


def consequence(result: Category, *, on_action: UnitStatus, on_tolerance: UnitStatus = UnitStatus.IN_SERVICE
                ) -> UnitStatus:
    """The unit's status after one result."""
    return {Category.OK: UnitStatus.IN_SERVICE, Category.TOLERANCE: on_tolerance, Category.ACTION: on_action}[result]


def check_consequence(latest: Category | None, due: DueStatus, chosen: Consequences) -> UnitStatus:
    """What one check does to its unit now: its latest result (None: never done) and whether it is overdue."""
    from_result = (UnitStatus.IN_SERVICE if latest is None
                   else consequence(latest, on_action=chosen.on_action, on_tolerance=chosen.on_tolerance))
    from_schedule = chosen.on_overdue if due is DueStatus.OVERDUE else UnitStatus.IN_SERVICE
    return worst((from_result, from_schedule))
