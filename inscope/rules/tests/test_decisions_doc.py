"""docs/decisions.md explains every reason code, with the same outcome, routing and urgency as the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inscope.rules.reasons import REASONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "decisions.md"
ROW = re.compile(r"^\|\s*`(?P<code>[a-z0-9-]+)`\s*\|(?P<cells>.*)\|\s*$", re.MULTILINE)


def documented() -> dict[str, list[str]]:
    """The reason-code table: code -> [outcome, escalates to, urgency, meaning, what the AP should do]."""
    rows: dict[str, list[str]] = {}
    for match in ROW.finditer(DOC.read_text(encoding="utf-8")):
        cells = [cell.strip().strip("*") for cell in match["cells"].split("|")]
        if len(cells) == 5:
            rows[match["code"]] = cells
    return rows


def test_the_decisions_doc_exists_next_to_the_code() -> None:
    assert DOC.is_file(), f"{DOC} is missing"


def test_every_reason_code_is_in_the_decisions_doc() -> None:
    assert sorted(set(REASONS) - set(documented())) == [], "add a row to the table in docs/decisions.md §4"


def test_the_doc_documents_no_code_that_is_not_in_the_catalogue() -> None:
    assert sorted(set(documented()) - set(REASONS)) == []


@pytest.mark.parametrize("code", sorted(REASONS))
def test_the_doc_gives_each_code_the_catalogues_outcome_routing_and_urgency(code: str) -> None:
    spec = REASONS[code]
    outcome, escalates_to, urgency, meaning, action = documented().get(code, ["(missing)"] * 5)
    assert (outcome, escalates_to, urgency) == (spec.outcome.value, spec.escalate_to or "—", spec.urgency.value)
    assert meaning and action, "say what the code means and what the AP should do"
