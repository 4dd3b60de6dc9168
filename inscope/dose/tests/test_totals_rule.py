"""The rule that makes a study total the device's accumulated total, and its "more than rounding" tolerance."""

from __future__ import annotations

import pytest

from inscope.dose.totals import RELATIVE_TOLERANCE, Source, agree, choose, largest, tolerance


def dap(device: float | None, events: float | None, n: int = 10):
    return choose("dap", "total DAP", device=device, events=events, n_events=n, unit="Gy·cm²", scale=1e4)


@pytest.mark.parametrize(("device", "events", "source", "value", "warned"), [
    (25e-4, 25e-4, Source.DEVICE, 25e-4, False),  # agree exactly
    (25e-4, 24.8e-4, Source.DEVICE, 25e-4, False),  # 0.8 %: rounding
    (25e-4, 21.5e-4, Source.DEVICE, 25e-4, True),  # 14 % below: the fluoroscopy units of the issue
    (25e-4, 30e-4, Source.DEVICE, 25e-4, True),  # above: the device total kept, with a warning
    (25e-4, None, Source.DEVICE, 25e-4, False),  # no event figures
    (None, 3e-4, Source.EVENTS, 3e-4, False),  # no accumulated total
    (0.0, 3e-4, Source.EVENTS, 3e-4, True),  # a zero accumulated total is not a measurement
    (0.0, 0.0, Source.EVENTS, 0.0, False),
    (0.0, None, Source.DEVICE, 0.0, False),
    (None, None, Source.NONE, None, False),
    (float("nan"), 3e-4, Source.EVENTS, 3e-4, False),
])
def test_which_figure_is_the_total(device, events, source, value, warned) -> None:
    chosen = dap(device, events)
    assert (chosen.source, chosen.value, bool(chosen.warning)) == (source, value, warned)
    assert chosen.note or source is Source.NONE  # every total says where it came from


def test_the_relative_tolerance_is_one_percent_of_the_larger_figure() -> None:
    assert RELATIVE_TOLERANCE == 0.01
    assert agree("dlp", 1000.0, 990.0, 4) and not agree("dlp", 1000.0, 989.0, 4)
    assert agree("dlp", 990.0, 1000.0, 4) and not agree("dlp", 989.0, 1000.0, 4)


def test_small_figures_written_with_fixed_decimals_may_differ_by_half_a_last_digit_per_figure() -> None:
    # Three small exposures of 0.05, 0.04 and 0.06 dGy·cm², written to 0.01 dGy·cm² (1e-7 Gy·m²): the sum and the
    # total may each be off by half a last digit per figure, 4 half-digits in all (2e-7 Gy·m², 13 % of the study).
    assert tolerance("dap", 1.5e-6, 1.5e-6, 3) == pytest.approx(2e-7)
    assert agree("dap", 1.6e-6, 1.5e-6, 3) and not agree("dap", 1.8e-6, 1.5e-6, 3)
    assert tolerance("dap", 3.28e-5, 3.28e-5, 3) == pytest.approx(3.28e-7)  # larger studies: the 1 % governs


def test_the_warning_says_both_figures_and_the_difference() -> None:
    chosen = dap(25e-4, 21.5e-4)
    assert chosen.warning == (
        "The total DAP the device states (25 Gy·cm²) and the sum of the study's events (21.5 Gy·cm²) differ by "
        "14.0 %, more than rounding; the device's total is used. The events sum below it, which suggests events "
        "the device did not list (for example short fluoroscopy runs).")
    assert chosen.note == "The device's accumulated total; the events sum to 21.5 Gy·cm² (14.0 % below it)."


def test_the_largest_total_stated_so_far_counts() -> None:
    assert largest(None, 2.0) == 2.0 and largest(3.0, 2.0) == 3.0 and largest(None, None) is None
    assert largest(float("inf"), 1.0) == 1.0
