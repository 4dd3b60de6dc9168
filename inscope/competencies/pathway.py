"""The support-workforce career pathway as data (reference/career_pathway.yaml), and a person's progress toward
their next level. ``progress`` is pure: it reads a PersonRecord built by the caller, never the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PATHWAY_FILE = Path(__file__).resolve().parent / "reference" / "career_pathway.yaml"
MET_BY_KINDS = ("qualification", "training", "framework", "registration")


class State(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    CONFIRM = "confirm"  # nothing recorded here shows it: the manager confirms it


@dataclass(frozen=True)
class Requirement:
    text: str
    met_by: tuple[str, str] | None = None  # (kind, value), e.g. ("training", "radiation_safety")


@dataclass(frozen=True)
class Level:
    code: str
    title: str
    band: int
    band_source: str
    roles: frozenset[str]
    training_roles: frozenset[str]
    next: tuple[str, ...]
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class Pathway:
    source: str
    levels: tuple[Level, ...]

    def level(self, code: str) -> Level:
        return next(level for level in self.levels if level.code == code)


@dataclass(frozen=True)
class PersonRecord:
    """What the pathway reads about a person."""

    roles: frozenset[str]
    qualifications: tuple[str, ...] = ()  # descriptions of qualification and certificate evidence
    training: frozenset[str] = frozenset()  # courses with a current training record
    signed_frameworks: frozenset[str] = frozenset()  # frameworks with every competency signed off and current
    registered: bool = False


@dataclass(frozen=True)
class Progress:
    current: Level | None  # the level the person's role puts them at, if any
    target: Level | None  # the level they are working toward (None: the top of this pathway)
    in_training: bool  # they hold a trainee role for the target
    alternatives: tuple[Level, ...] = ()
    requirements: tuple[tuple[Requirement, State], ...] = field(default=())

    @property
    def met(self) -> int:
        return sum(1 for _, state in self.requirements if state is State.MET)


def _level(data: dict[str, Any]) -> Level:
    requirements = []
    for item in data.get("requirements", []):
        met_by = item.get("met_by")
        if met_by is not None:
            (kind, value), = met_by.items()
            if kind not in MET_BY_KINDS:
                raise ValueError(f"{data['code']}: unknown met_by {kind!r}")
            met_by = (kind, str(value))
        requirements.append(Requirement(item["text"], met_by))
    return Level(
        code=data["code"], title=data["title"], band=int(data["band"]), band_source=data.get("band_source", ""),
        roles=frozenset(data.get("roles", [])), training_roles=frozenset(data.get("training_roles", [])),
        next=tuple(data.get("next", [])), requirements=tuple(requirements),
    )


def parse_pathway(text: str) -> Pathway:
    data = yaml.safe_load(text)
    return Pathway(source=data.get("source", ""), levels=tuple(_level(level) for level in data["levels"]))


@cache
def pathway() -> Pathway:
    return parse_pathway(PATHWAY_FILE.read_text(encoding="utf-8"))


def requirement_state(requirement: Requirement, person: PersonRecord) -> State:
    if requirement.met_by is None:
        return State.CONFIRM
    kind, value = requirement.met_by
    if kind == "qualification":
        met = any(value.lower() in text.lower() for text in person.qualifications)
    elif kind == "training":
        met = value in person.training
    elif kind == "framework":
        met = value in person.signed_frameworks
    else:  # registration
        met = person.registered
    return State.MET if met else State.NOT_MET


def progress(path: Pathway, person: PersonRecord) -> Progress | None:
    """Return where the person is on the pathway and how far they meet the next level's requirements.

    None when no level of the pathway is theirs (e.g. a manager or a radiologist).
    """
    current = next((lv for lv in reversed(path.levels) if lv.roles & person.roles), None)
    training_for = next((lv for lv in path.levels if lv.training_roles & person.roles), None)
    alternatives: tuple[Level, ...] = ()
    if training_for is not None and (current is None or path.levels.index(training_for) > path.levels.index(current)):
        target, in_training = training_for, True
    elif current is not None and current.next:
        target, in_training = path.level(current.next[0]), False
        alternatives = tuple(path.level(code) for code in current.next[1:])
    elif current is not None:
        return Progress(current, None, False)
    else:
        return None
    states = tuple((r, requirement_state(r, person)) for r in target.requirements)
    return Progress(current, target, in_training, alternatives, states)
