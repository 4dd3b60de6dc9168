"""NHS number validation: ten digits whose last is a modulus 11 check digit (NHS Data Dictionary)."""

from __future__ import annotations

WEIGHTS = range(10, 1, -1)


def normalise(value: str) -> str:
    """Strip spaces and dashes that people type between the 3-3-4 groups."""
    return "".join(ch for ch in value if ch not in " -")


def check_digit(first_nine: str) -> int | None:
    """Return the check digit for nine digits, or None when no valid NHS number can have them (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def validation_error(value: str) -> str | None:
    """Return why the value is not a valid NHS number, or None if it is."""
    number = normalise(value)
    if len(number) != 10 or not number.isdigit():
        return "Enter an NHS number with 10 digits, like 943 476 5919."
    expected = check_digit(number[:9])
    if expected is None or expected != int(number[9]):
        return "This NHS number is not valid: its check digit does not match. Check it and try again."
    return None


def formatted(value: str) -> str:
    number = normalise(value)
    return f"{number[:3]} {number[3:6]} {number[6:]}"
