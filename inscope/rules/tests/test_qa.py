"""QA/QC results: tolerance categories at and either side of every limit, yes/no and multiple-choice checks, and
calculated results from other tests. (Due dates and consequences: test_qa_schedule.py.)"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import pytest

from inscope.rules.qa import (
    BooleanTest,
    Calculation,
    CalculationError,
    Category,
    Difference,
    MultipleChoiceTest,
    Reference,
    Tolerance,
    ToleranceError,
    boolean_category,
    calculate_all,
    category,
    choice_category,
    difference,
)
from inscope.rules.tests.cases import table

OK, TOL, ACT = Category.OK, Category.TOLERANCE, Category.ACTION
ABS, PCT = Difference.ABSOLUTE, Difference.PERCENTAGE

# QATrack+'s oracle (qa/tests/test_models.py): reference 100, absolute limits -3, -2, +2, +3.
QATRACK = Tolerance(ABS, tolerance_low=-2, tolerance_high=2, action_low=-3, action_high=3)
PERCENT = Tolerance(PCT, tolerance_low=-5, tolerance_high=5, action_low=-10, action_high=10)
NO_ACTION = Tolerance(ABS, tolerance_low=-2, tolerance_high=2)
ONLY_ACTION = Tolerance(ABS, action_low=-3, action_high=3)
LOW_ONLY = Tolerance(PCT, tolerance_low=-10, action_low=-20)  # e.g. signal-to-noise: no upper limit
BELOW = Tolerance(ABS, action_low=-4, tolerance_low=-3, tolerance_high=-1, action_high=0)  # every limit <= 0
APRON = MultipleChoiceTest({"intact": OK, "minor defect": TOL, "crack over a vital organ": ACT})
STEP = 1e-6  # "just inside / just outside": far above the 12-significant-figure resolution, far below any real step


@dataclass(frozen=True)
class Judged:
    case: str
    value: float
    reference: float
    tolerance: Tolerance
    category: Category

    @property
    def id(self) -> str:
        return f"{self.case}: {self.value!r} against {self.reference:g} -> {self.category.value}"


def around(limit_value: float, reference: float, tolerance: Tolerance, name: str, on: Category, below: Category,
           above: Category) -> list[Judged]:
    """A limit and either side of it: the value on it, STEP below it and STEP above it."""
    return [
        Judged(f"{name}, just below", limit_value - STEP, reference, tolerance, below),
        Judged(f"{name}, on it", limit_value, reference, tolerance, on),
        Judged(f"{name}, just above", limit_value + STEP, reference, tolerance, above),
    ]


QATRACK_ORACLE = [
    Judged("QATrack+ oracle", value, 100, QATRACK, expected)
    for value, expected in [(98, OK), (100, OK), (102, OK), (97, TOL), (97.5, TOL), (102.1, TOL), (103, TOL),
                            (96, ACT), (103.1, ACT), (1e9, ACT), (-1e9, ACT)]
]
ABSOLUTE_BOUNDARIES = (
    around(97, 100, QATRACK, "absolute action low", on=TOL, below=ACT, above=TOL)
    + around(98, 100, QATRACK, "absolute tolerance low", on=OK, below=TOL, above=OK)
    + around(102, 100, QATRACK, "absolute tolerance high", on=OK, below=OK, above=TOL)
    + around(103, 100, QATRACK, "absolute action high", on=TOL, below=TOL, above=ACT)
)
PERCENTAGE_BOUNDARIES = (  # reference 50: 5 % is 2.5, 10 % is 5
    around(45, 50, PERCENT, "-10 % action low", on=TOL, below=ACT, above=TOL)
    + around(47.5, 50, PERCENT, "-5 % tolerance low", on=OK, below=TOL, above=OK)
    + around(52.5, 50, PERCENT, "+5 % tolerance high", on=OK, below=OK, above=TOL)
    + around(55, 50, PERCENT, "+10 % action high", on=TOL, below=TOL, above=ACT)
)
NEGATIVE_LIMITS = (  # the result must read 1 to 3 below the reference
    around(-4, 0, BELOW, "negative action low", on=TOL, below=ACT, above=TOL)
    + around(-3, 0, BELOW, "negative tolerance low", on=OK, below=TOL, above=OK)
    + around(-1, 0, BELOW, "negative tolerance high", on=OK, below=OK, above=TOL)
    + around(0, 0, BELOW, "action high at zero", on=TOL, below=TOL, above=ACT)
)
NEGATIVE_REFERENCE = [  # 100 × (value − reference) / reference: a negative reference turns the sign round
    Judged("negative reference: further from zero is a positive percentage", -52.5, -50, PERCENT, OK),
    Judged("negative reference: just past +5 %", -52.5 - STEP, -50, PERCENT, TOL),
    Judged("negative reference: nearer zero is a negative percentage", -47.5, -50, PERCENT, OK),
    Judged("negative reference: past -10 %", -44.9, -50, PERCENT, ACT),
]
MISSING_LIMITS = [
    Judged("no action limits: far above is only tolerance", 1e9, 100, NO_ACTION, TOL),
    Judged("no action limits: far below is only tolerance", -1e9, 100, NO_ACTION, TOL),
    Judged("no action limits: on the tolerance limit", 98, 100, NO_ACTION, OK),
    Judged("only action limits: on the action limit", 103, 100, ONLY_ACTION, OK),
    Judged("only action limits: just past it", 103 + STEP, 100, ONLY_ACTION, ACT),
    Judged("only low limits: far above is OK", 1000, 100, LOW_ONLY, OK),
    Judged("only low limits: on -10 %", 90, 100, LOW_ONLY, OK),
    Judged("only low limits: just under -10 %", 90 - STEP, 100, LOW_ONLY, TOL),
    Judged("only low limits: on -20 %", 80, 100, LOW_ONLY, TOL),
    Judged("only low limits: just under -20 %", 80 - STEP, 100, LOW_ONLY, ACT),
]
# Values that should land exactly on a limit but arrive with binary noise: raw float arithmetic puts each one past
# its limit (checked below); compared to 12 significant figures they are on it and get the better category.
FLOATING_POINT = [
    Judged("0.1 + 0.2 is on a 0.3 limit", 0.1 + 0.2, 0, Tolerance(ABS, tolerance_low=-0.3, tolerance_high=0.3), OK),
    Judged("-(0.1 + 0.2) is on a -0.3 limit", -(0.1 + 0.2), 0, Tolerance(ABS, tolerance_low=-0.3, tolerance_high=0.3),
           OK),
    Judged("1.1 + 2.2 is on +10 % of 3", 1.1 + 2.2, 3, Tolerance(PCT, tolerance_low=-10, tolerance_high=10), OK),
    Judged("0.1 + 0.2 + 0.03 is on +10 % of 0.3", 0.1 + 0.2 + 0.03, 0.3,
           Tolerance(PCT, tolerance_low=-10, tolerance_high=10), OK),
    Judged("0.1 + 0.2 is on a 0.3 action limit, so tolerance", 0.1 + 0.2, 0,
           Tolerance(ABS, tolerance_high=0.1, action_high=0.3), TOL),
]
RESOLUTION = [
    Judged("a difference in the 11th significant figure counts", 102.00000001, 100, QATRACK, TOL),
    Judged("a difference past the 12th significant figure does not", 102.0000000000001, 100, QATRACK, OK),
]
JUDGED = (QATRACK_ORACLE + ABSOLUTE_BOUNDARIES + PERCENTAGE_BOUNDARIES + NEGATIVE_LIMITS + NEGATIVE_REFERENCE
          + MISSING_LIMITS + FLOATING_POINT + RESOLUTION)


@pytest.mark.parametrize("row", table(JUDGED))
def test_category(row: Judged) -> None:
    assert category(row.value, Reference(row.reference), row.tolerance) is row.category


@pytest.mark.parametrize("row", table(FLOATING_POINT))
def test_the_floating_point_rows_are_past_their_limit_in_raw_float_arithmetic(row: Judged) -> None:
    raw = row.value - row.reference
    if row.tolerance.difference is PCT:
        raw = 100 * raw / row.reference
    limits = [limit for limit in (row.tolerance.tolerance_low, row.tolerance.tolerance_high,
                                  row.tolerance.action_low, row.tolerance.action_high) if limit is not None]
    assert any(raw != limit and math.isclose(raw, limit) for limit in limits), raw


def test_the_difference_is_decimal_to_12_significant_figures() -> None:
    assert difference(0.1 + 0.2, Reference(0), ABS) == Decimal("0.3")
    assert difference(1.1 + 2.2, Reference(3), PCT) == Decimal("10")
    assert difference(100 / 3, Reference(3), PCT) == Decimal("1011.11111111")


@dataclass(frozen=True)
class Refused:
    case: str
    make: Callable[[], object]  # must raise
    message: str

    @property
    def id(self) -> str:
        return f"{self.case} -> refused: {self.message}"


REFUSED_TOLERANCES = [
    Refused("no limits at all", lambda: Tolerance(ABS), "Set at least one tolerance or action limit"),
    Refused("tolerance low above tolerance high", lambda: Tolerance(ABS, tolerance_low=2, tolerance_high=-2),
            "tolerance low limit (2) is above the tolerance high limit (-2)"),
    Refused("action high inside the tolerance", lambda: Tolerance(ABS, tolerance_high=3, action_high=2),
            "tolerance high limit (3) is above the action high limit (2)"),
    Refused("action low above a tolerance high with no tolerance low",
            lambda: Tolerance(ABS, tolerance_high=1, action_low=2), "action low limit (2) is above"),
    Refused("a limit that is not a number", lambda: Tolerance(ABS, tolerance_high=math.nan),
            "tolerance high limit must be a finite number"),
    Refused("a percentage of a zero reference", lambda: category(1, Reference(0), PERCENT),
            "A percentage tolerance needs a reference other than zero"),
    Refused("an infinite value", lambda: category(math.inf, Reference(100), QATRACK), "value must be a finite"),
    Refused("a value that is not a number", lambda: category("102", Reference(100), QATRACK),  # type: ignore[arg-type]
            "value must be a number, not '102'"),
    Refused("yes or no given as a numeric value", lambda: category(True, Reference(1), QATRACK),
            "value must be a number, not True"),
    Refused("an infinite reference", lambda: Reference(math.inf), "reference must be a finite number"),
    Refused("a yes/no check answered with a number", lambda: boolean_category(1, BooleanTest()),  # type: ignore[arg-type]
            "takes yes or no, not 1"),
    Refused("a multiple-choice check with no OK choice",
            lambda: MultipleChoiceTest({"cracked": ACT}), "at least one choice that is OK"),
    Refused("a blank choice", lambda: MultipleChoiceTest({"intact": OK, " ": TOL}), "must not be blank"),
    Refused("a choice the check does not offer", lambda: choice_category("Intact", APRON),
            "'Intact' is not one of this check's choices ('intact', 'minor defect', 'crack over a vital organ')"),
]


@pytest.mark.parametrize("row", table(REFUSED_TOLERANCES))
def test_refused(row: Refused) -> None:
    with pytest.raises(ToleranceError, match=re.escape(row.message)):
        row.make()


# --- Yes/no and multiple choice ---------------------------------------------------------------------------------------



@dataclass(frozen=True)
class Answered:
    case: str
    answer: bool | str
    test: BooleanTest | MultipleChoiceTest
    category: Category

    @property
    def id(self) -> str:
        return f"{self.case} -> {self.category.value}"


ANSWERED = [
    Answered("yes/no: expected yes, answered yes", True, BooleanTest(), OK),
    Answered("yes/no: expected yes, answered no, not critical", False, BooleanTest(), TOL),
    Answered("yes/no: expected yes, answered no, critical", False, BooleanTest(critical=True), ACT),
    Answered("yes/no: expected no ('any cracks?'), answered no", False, BooleanTest(expected=False), OK),
    Answered("yes/no: expected no, answered yes, critical", True, BooleanTest(expected=False, critical=True), ACT),
    Answered("apron: intact", "intact", APRON, OK),
    Answered("apron: minor defect", "minor defect", APRON, TOL),
    Answered("apron: crack over a vital organ", "crack over a vital organ", APRON, ACT),
]


@pytest.mark.parametrize("row", table(ANSWERED))
def test_answered(row: Answered) -> None:
    if isinstance(row.test, BooleanTest):
        assert isinstance(row.answer, bool)
        assert boolean_category(row.answer, row.test) is row.category
    else:
        assert isinstance(row.answer, str)
        assert choice_category(row.answer, row.test) is row.category


# --- Calculated results -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calculated:
    case: str
    expression: str
    values: Mapping[str, float | None]
    result: float | str  # the value, or the text of the refusal

    @property
    def id(self) -> str:
        outcome = f"refused: {self.result}" if isinstance(self.result, str) else f"{self.result:g}"
        return f"{self.case}: {self.expression} -> {outcome}"


KV = {"kv_set": 80.0, "kv_measured": 81.6}
DOSES = {"dose_1": 1.02, "dose_2": 0.98, "dose_3": 1.03}
CALCULATED = [
    Calculated("kV accuracy as a percentage", "100 * (kv_measured - kv_set) / kv_set", KV, 2.0),
    Calculated("mean of repeat exposures", "mean(dose_1, dose_2, dose_3)", DOSES, 1.01),
    Calculated("coefficient of variation", "100 * (max(dose_1, dose_2, dose_3) - min(dose_1, dose_2, dose_3))"
               " / mean(dose_1, dose_2, dose_3)", DOSES, 100 * 0.05 / 1.01),
    Calculated("powers, roots, logarithms and unary minus", "sqrt(a ** 2) + log10(100) - -abs(-1)",
               {"a": 3.0}, 6.0),
    Calculated("a test code that is not used is fine", "a * 2", {"a": 1.5, "b": 0.0}, 3.0),
    Calculated("division by zero", "100 * (kv_measured - kv_set) / kv_set", {"kv_set": 0.0, "kv_measured": 1.0},
               "divides by zero with these values"),
    Calculated("a test not in the list", "a + b", {"a": 1.0}, "names unknown tests: b"),
    Calculated("a test with no value yet", "a + b", {"a": 1.0, "b": None}, "needs a value for b"),
    Calculated("a root of a negative number", "sqrt(a)", {"a": -1.0}, "math domain error"),
    Calculated("a complex result", "a ** 0.5", {"a": -8.0}, "not a real number"),
    Calculated("a result too large", "a ** 400", {"a": 10.0}, "too large to hold"),
    Calculated("an exponent that would exhaust memory", "a ** 5000000", {"a": 10}, "10 ** 5000000"),
    Calculated("a function called wrongly", "min()", {}, "min expected at least 1 argument"),
    Calculated("mean of nothing", "mean()", {}, "mean() needs at least one value"),
]


@pytest.mark.parametrize("row", table(CALCULATED))
def test_calculated(row: Calculated) -> None:
    calculation = Calculation(row.expression)
    if isinstance(row.result, str):
        with pytest.raises(CalculationError, match=re.escape(row.result)):
            calculation.evaluate(row.values)
    else:
        assert calculation.evaluate(row.values) == pytest.approx(row.result)


NOT_ARITHMETIC = [  # refused when the calculation is defined, naming what is not allowed
    ("a if b else c", "IfExp"), ("a < b", "Compare"), ("a and b", "BoolOp"), ("'text'", "the literal 'text'"),
    ("True", "the literal True"), ("1j", "the literal 1j"), ("a.real", "Attribute"), ("a[0]", "Subscript"),
    ("[a, b]", "List"), ("lambda: 1", "Lambda"),
    ("__import__('os').system('true')", "calling __import__('os').system()"),
    ("open('/etc/passwd')", "calling open()"), ("max(a, key=b)", "keyword arguments"), ("a // b", "FloorDiv"),
    ("a % b", "Mod"), ("a << b", "LShift"), ("a; b", "not a calculation"), ("a = 1", "not a calculation"),
    ("", "not a calculation"), ("abs", "abs is a function"), ("f'{a}'", "JoinedStr"), ("(x := 1)", "NamedExpr"),
]


@pytest.mark.parametrize(("expression", "why"), NOT_ARITHMETIC,
                         ids=[f"{e!r} -> refused: {w}" for e, w in NOT_ARITHMETIC])
def test_anything_not_arithmetic_is_refused_at_definition(expression: str, why: str) -> None:
    with pytest.raises(CalculationError, match=re.escape(why)) as refused:
        Calculation(expression)
    assert "use numbers, test codes" in str(refused.value) or "is a function" in str(refused.value)


def test_a_calculation_knows_the_tests_it_uses_and_checks_them_against_the_list() -> None:
    calculation = Calculation("mean(dose_1, dose_2) / ref_dose")
    assert calculation.names == {"dose_1", "dose_2", "ref_dose"}
    calculation.check(["dose_1", "dose_2", "ref_dose", "kv"])
    with pytest.raises(CalculationError, match="names unknown tests: ref_dose"):
        calculation.check(["dose_1", "dose_2"])


def test_calculated_tests_are_worked_out_in_order_of_use() -> None:
    calculations = {"cv": Calculation("100 * spread / average"), "average": Calculation("mean(d1, d2)"),
                    "spread": Calculation("abs(d1 - d2)")}
    results = calculate_all(calculations, {"d1": 1.1, "d2": 0.9, "cv": None, "average": None, "spread": None})
    assert results == pytest.approx({"average": 1.0, "spread": 0.2, "cv": 20.0})


def test_calculated_tests_that_use_each_other_in_a_circle_are_refused() -> None:
    calculations = {"a": Calculation("b + 1"), "b": Calculation("a * 2")}
    with pytest.raises(CalculationError, match="use each other in a circle"):
        calculate_all(calculations, {"a": None, "b": None})
