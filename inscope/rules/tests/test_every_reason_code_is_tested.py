"""Every reason code in the catalogue is the expected outcome of at least one table row, and every code the
code base raises is catalogued."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from inscope.rules.reasons import REASONS
from inscope.rules.tests.cases import Expect

TESTS = Path(__file__).resolve().parent
INSCOPE = TESTS.parents[1]
RAISED = re.compile(r"""\breason\(\s*["']([^"']+)["']""")


def _test_modules() -> Iterator[ModuleType]:
    for info in pkgutil.iter_modules([str(TESTS)]):
        if info.name.startswith("test_"):
            yield importlib.import_module(f"{__package__}.{info.name}")


def _rows(value: object) -> Iterator[object]:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        yield from value
    else:
        yield value


def expectations() -> list[Expect]:
    """Every Expect in a module-level table (a list, tuple or dict of rows with an ``expect``) of every test file."""
    found = []
    for module in _test_modules():
        for value in vars(module).values():
            for row in _rows(value):
                expect = row if isinstance(row, Expect) else getattr(row, "expect", None)
                if isinstance(expect, Expect):
                    found.append(expect)
    return found


def test_the_tables_are_found() -> None:
    assert len(expectations()) > 100


def test_every_reason_code_in_the_catalogue_is_expected_by_a_table_row() -> None:
    tested = {code for expect in expectations() for code in expect.codes}
    assert sorted(set(REASONS) - tested) == [], "add a table row that expects these codes"


def test_the_tables_expect_only_catalogued_codes() -> None:
    tested = {code for expect in expectations() for code in expect.codes}
    assert sorted(tested - set(REASONS)) == []


def test_every_code_the_code_base_raises_is_catalogued() -> None:
    raised = {
        (code, str(path.relative_to(INSCOPE)))
        for path in INSCOPE.rglob("*.py")
        if "tests" not in path.parts
        for code in RAISED.findall(path.read_text(encoding="utf-8"))
    }
    assert raised, "the search for reason(...) calls found nothing"
    assert sorted((code, where) for code, where in raised if code not in REASONS) == []
