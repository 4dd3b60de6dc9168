"""Reading YAML with line numbers, and checking values so that every problem names where it is.

Pure Python (PyYAML only): shared by the policy document (document.py) and case files (cases.py).
A location is a path such as ``protocols[2].patients.min_age``; ``(document)`` is the whole file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

ROOT = "(document)"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LAST_STEP = re.compile(r"^(.*?)(\.[^.\[\]]+|\[\d+\])$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, and where."""

    location: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line is not None else ""
        return f"{where}{self.location}: {self.message}"


class DocumentError(Exception):
    """A document could not be read; ``problems`` lists every problem found, in document order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        listed = "\n".join(f"  {p}" for p in self.problems)
        return f"{count} problem{'s' if count != 1 else ''}:\n{listed}"


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def load_located(text: str, error: type[DocumentError] = DocumentError) -> tuple[Any, dict[str, int]]:
    """Parse YAML (or JSON) into plain values and a map of location -> 1-based line.

    Mapping keys are always read as text (so a key ``on`` stays "on", never ``True``). A scalar that YAML
    recognises as a date but is not a real one (``2026-02-30``) is kept as its text, for the checker to report.
    Duplicate keys are problems, reported through ``error``.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "unreadable"
        raise error([Problem(ROOT, mark.line + 1 if mark else None, f"not valid YAML: {what}")]) from exc
    except yaml.YAMLError as exc:
        raise error([Problem(ROOT, None, f"not valid YAML: {exc}")]) from exc
    if node is None:
        return None, {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    value = _convert(node, "", lines, problems, yaml.constructor.SafeConstructor())
    if problems:
        raise error(problems)
    return value, lines


def _convert(node: yaml.Node, path: str, lines: dict[str, int], problems: list[Problem], c: Any) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, f"{path}[{i}]", lines, problems, c) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        c.flatten_mapping(node)  # YAML merge keys (<<)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(path or ROOT, key_line, "a key must be plain text"))
                continue
            key = str(key_node.value)
            child = join(path, key)
            if key in result:
                problems.append(Problem(child, key_line, f"duplicate key {key!r} (first at line {lines[child]})"))
                continue
            lines[child] = key_line
            result[key] = _convert(value_node, child, lines, problems, c)
        return result
    try:
        return c.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):
        return node.value  # e.g. 2026-02-30: keep the text so the checker can say what is wrong


def describe(value: object) -> str:
    """Say what a value is, for messages."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text ({shown!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


class Checker:
    """Collects problems while reading plain values; each getter returns None when the value is unusable."""

    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: str) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            match = _LAST_STEP.match(path)
            path = match.group(1) if match else ""

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path or ROOT, self.line(path), message))

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.line is None, p.line or 0))

    # --- containers ---------------------------------------------------------------------------------

    def mapping(
        self, value: Any, path: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        """Return the mapping, reporting missing required keys and unknown keys (with a suggestion)."""
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping of keys to values, not {describe(value)}")
            return None
        required, optional = list(required), list(optional)
        for key in required:
            if key not in value:
                self.add(join(path, key), "is required but missing")
        for key in value:
            if key not in required and key not in optional:
                self.add(join(path, key), f"unknown key {key!r}{suggest(key, required + optional)}")
        return value

    def items(self, m: dict[str, Any], key: str, path: str) -> list[tuple[str, Any]]:
        """Return (location, item) pairs for a list value; an absent or null list is empty."""
        where = join(path, key)
        value = m.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(where, f"must be a list, not {describe(value)}")
            return []
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]

    def list_of(self, m: dict[str, Any], key: str, path: str, read: Callable[[Any, str], Any]) -> list[Any]:
        """Read each item of a list with ``read(value, location)``, keeping the usable ones."""
        found = [read(item, where) for where, item in self.items(m, key, path)]
        return [v for v in found if v is not None]

    # --- scalars -------------------------------------------------------------------------------------

    def text(
        self,
        m: dict[str, Any],
        key: str,
        path: str,
        *,
        default: str | None = None,
        pattern: re.Pattern | None = None,
        hint: str = "",
    ) -> str | None:
        if key not in m:
            return default
        return self.text_value(m[key], join(path, key), pattern=pattern, hint=hint)

    def text_value(self, value: Any, where: str, *, pattern: re.Pattern | None = None, hint: str = "") -> str | None:
        if not isinstance(value, str):
            quote = ' (put it in quotes, e.g. "2026")' if isinstance(value, int | float | dt.date) else ""
            self.add(where, f"must be text, not {describe(value)}{quote}")
            return None
        if not value.strip():
            self.add(where, "must not be empty")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.add(where, f"{value!r} is not valid: {hint}")
            return None
        return value

    def optional_text(self, m: dict[str, Any], key: str, path: str) -> str | None:
        """Free text that may be omitted, null or empty (read as "")."""
        value = m.get(key)
        if value is None or value == "":
            return ""
        return self.text_value(value, join(path, key))

    def integer(
        self,
        m: dict[str, Any],
        key: str,
        path: str,
        *,
        default: int | None = None,
        minimum: int | None = None,
        nullable: bool = False,
        what: str = "a whole number",
    ) -> int | None:
        if key not in m:
            return default
        value, where = m[key], join(path, key)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, f"must be {what}, not {describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.add(where, "must not be negative" if minimum == 0 else f"must be {what}, not {value}")
            return None
        return value

    def number(self, m: dict[str, Any], key: str, path: str) -> float | None:
        if key not in m:
            return None
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(join(path, key), f"must be a number, not {describe(value)}")
            return None
        return float(value)

    def boolean(self, m: dict[str, Any], key: str, path: str, *, nullable: bool = False) -> bool | None:
        if key not in m:
            return None
        value = m[key]
        if value is None and nullable:
            return None
        if not isinstance(value, bool):
            self.add(join(path, key), f"must be true or false, not {describe(value)}")
            return None
        return value

    def choice_value(self, value: Any, where: str, choices: Iterable[str]) -> str | None:
        choices = list(choices)
        if isinstance(value, str) and value in choices:
            return value
        shown = f"{value!r}" if isinstance(value, str) else describe(value)
        hint = suggest(value, choices) if isinstance(value, str) else ""
        self.add(where, f"must be one of {', '.join(choices)}; not {shown}{hint}")
        return None

    def choice(
        self, m: dict[str, Any], key: str, path: str, choices: Iterable[str], *, nullable: bool = False
    ) -> str | None:
        if key not in m or (nullable and m[key] is None):
            return None
        return self.choice_value(m[key], join(path, key), choices)

    def date(self, m: dict[str, Any], key: str, path: str, *, nullable: bool = False) -> dt.date | None:
        if key not in m or (nullable and m[key] is None):
            return None
        return self.date_value(m[key], join(path, key))

    def date_value(self, value: Any, where: str) -> dt.date | None:
        if isinstance(value, dt.datetime):
            self.add(where, f"must be a date without a time (YYYY-MM-DD), not {value.isoformat()}")
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.add(where, f"{value.strip()} is not a real date")
                return None
        self.add(where, f"must be a date written YYYY-MM-DD, not {describe(value)}")
        return None
