"""The MRI safety screening questions (reference/mri_screening_questions.yaml, copied from shared/reference
with its sources), and which answers flag a stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ANSWERS = ("no", "yes", "unsure")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    stops_on: frozenset[str]  # answers that stop entry to the MR controlled access area


@cache
def questions() -> tuple[Question, ...]:
    data = yaml.safe_load((Path(__file__).parent / "reference" / "mri_screening_questions.yaml").read_text())
    found = []
    for q in data["questions"]:
        if q.get("answer_type") == "values":
            continue  # height and weight are recorded on the scanner, not answered yes or no
        if not q.get("stop_and_escalate"):
            stops: frozenset[str] = frozenset()
        elif q.get("escalate_if") == "not removed":
            stops = frozenset({"no", "unsure"})  # asked the other way round: "all removed?"
        else:
            stops = frozenset({"yes", "unsure"})
        found.append(Question(q["id"], " ".join(q["text"].split()), stops))
    return tuple(found)


def stop_answers(answers: dict[str, str]) -> tuple[str, ...] | None:
    """Return the texts of questions whose answers flag a stop; None if any question is unanswered."""
    flagged = []
    for q in questions():
        answer = answers.get(q.id)
        if answer not in ANSWERS:
            return None
        if answer in q.stops_on:
            flagged.append(q.text)
    return tuple(flagged)
