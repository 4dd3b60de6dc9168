"""The dose audit's charts, drawn with matplotlib's Agg/SVG backend into SVG text to put inline in the page.

Each chart comes with a text alternative (the SVG's <title> and <desc>, which the page also prints as the figure's
caption), and the same numbers are in the audit table and the trend table beside it, so nothing is only a picture.
Figures are built with ``matplotlib.figure.Figure`` (no pyplot global state), so requests can draw at once.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402 - the backend is chosen first

from inscope.dose.audit import AuditRow, TrendPoint, fmt  # noqa: E402

# NHS.UK colours: blue, dark grey, red (the DRL), warm yellow (the 75th percentile).
BLUE = "#005eb8"
GREY = "#425563"
RED = "#d5281b"
AMBER = "#8a5300"  # dark enough to read on white (contrast ≥ 4.5:1)
SIZE = (5.2, 3.3)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    svg: str  # an <svg> element, ready to put in the page


def _as_element(figure: Figure, chart_id: str, title: str, description: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    # matplotlib numbers its elements from 1 in every file: prefix the ids so charts on one page never share one.
    svg = re.sub(r'id="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = svg.replace("url(#", f"url(#{chart_id}-").replace('xlink:href="#', f'xlink:href="#{chart_id}-')
    # Scale with the page (the viewBox keeps the proportions), and name the picture for assistive technology.
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', svg, count=1)
    label = f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" class="inscope-chart"'
    svg = svg.replace("<svg", f"<svg {label}", 1)
    head_end = svg.index(">") + 1
    text = (f'<title id="{chart_id}-title">{_escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{_escape(description)}</desc>')
    return svg[:head_end] + text + svg[head_end:]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _figure() -> Figure:
    # Fixed margins rather than a layout engine: a layout engine draws every chart twice.
    figure = Figure(figsize=SIZE, dpi=100)
    figure.set_facecolor("white")
    return figure


def _legend(axes) -> None:
    """Below the plot, so it never hides a point."""
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize="small", frameon=False)


def drl_text(row: AuditRow) -> str:
    return f"DRL {fmt(row.drl_value)} {row.unit}" if row.drl_value is not None else "No DRL"


@dataclass(frozen=True)
class _Spec:
    """Everything a chart shows, hashable, so a chart already drawn is served from the cache."""

    kind: str
    chart_id: str
    title: str
    description: str
    axis: str  # quantity and unit
    unit: str
    values: tuple[float, ...]
    ticks: tuple[str, ...] = ()
    per: str = ""
    p75: float | None = None
    drl_value: float | None = None
    drl_text: str = ""


def distribution(row: AuditRow, chart_id: str) -> Chart:
    """Every study's value as a dot, a box from the 25th to the 75th percentile, the 75th percentile and the DRL
    as labelled vertical lines."""
    spec = _Spec(kind="distribution", chart_id=chart_id,
                 title=f"Distribution of {row.quantity_name} ({row.unit}): {row.title}",
                 description=_distribution_words(row), axis=f"{row.quantity_name} ({row.unit})",
                 unit=row.unit, values=tuple(row.values), p75=row.p75, drl_value=row.drl_value, drl_text=drl_text(row))
    return Chart(chart_id, spec.title, spec.description, _draw(spec))


def _draw_distribution(spec: _Spec) -> Figure:
    figure = _figure()
    axes = figure.add_subplot()
    values = spec.values
    if values:
        axes.boxplot([values], orientation="horizontal", widths=0.5, showfliers=False, patch_artist=True,
                     boxprops={"facecolor": "#e8edee", "edgecolor": GREY}, medianprops={"color": BLUE, "linewidth": 2},
                     whiskerprops={"color": GREY}, capprops={"color": GREY})
        # Dots spread up and down in a fixed pattern so equal values stay visible (no randomness: same chart twice).
        offsets = [((i % 7) - 3) * 0.04 for i in range(len(values))]
        axes.scatter(values, [1 + o for o in offsets], s=14, color=BLUE, alpha=0.7, zorder=3,
                     label=f"Studies (n = {len(values)})")
    if spec.p75 is not None:
        axes.axvline(spec.p75, color=AMBER, linestyle=":", linewidth=2,
                     label=f"75th percentile {fmt(spec.p75)} {spec.unit}")
    if spec.drl_value is not None:
        axes.axvline(spec.drl_value, color=RED, linestyle="--", linewidth=2, label=spec.drl_text)
    figure.subplots_adjust(left=0.04, right=0.97, top=0.97, bottom=0.36)
    axes.set_yticks([])
    axes.set_xlabel(spec.axis)
    axes.set_xlim(0, 1.08 * max([*values, spec.drl_value or 0, 1e-9]))
    return figure


def _distribution_words(row: AuditRow) -> str:
    if not row.values:
        return f"No {row.quantity_name} figures for {row.title} in the period."
    words = (f"{row.n} {'study' if row.n == 1 else 'studies'} from {fmt(row.values[0])} to {fmt(row.values[-1])} "
             f"{row.unit}; median {fmt(row.median)}, 75th percentile {fmt(row.p75)} {row.unit}.")
    if row.drl_value is None:
        return words + " No DRL was applied to these studies."
    where = "above" if row.exceeded else "at or below"
    words += f" {drl_text(row)}: {row.drl_label}. The median is {where} the DRL."
    if row.indicative:
        words += " Fewer than 10 studies: indicative only."
    return words


def trend(row: AuditRow, points: Sequence[TrendPoint], bucket: str, chart_id: str) -> Chart:
    """The median per week or month as a line, with the DRL as a labelled horizontal line."""
    per = "week" if bucket == "week" else "month"
    if points:
        description = (f"Median per {per} from {points[0].label} to {points[-1].label}: "
                       + "; ".join(f"{p.label} {fmt(p.median)} (n = {p.n})" for p in points) + f". {drl_text(row)}.")
    else:
        description = f"No {row.quantity_name} figures for {row.title} in the period."
    spec = _Spec(kind="trend", chart_id=chart_id,
                 title=f"Median {row.quantity_name} per {per} ({row.unit}): {row.title}", description=description,
                 axis=f"{row.quantity_name} ({row.unit})", unit=row.unit,
                 values=tuple(p.median for p in points), per=per,
                 ticks=tuple(f"{p.period:%d %b}" if per == "week" else f"{p.period:%b %y}" for p in points),
                 drl_value=row.drl_value, drl_text=drl_text(row))
    return Chart(chart_id, spec.title, spec.description, _draw(spec))


def _draw_trend(spec: _Spec) -> Figure:
    figure = _figure()
    axes = figure.add_subplot()
    if spec.values:
        xs = list(range(len(spec.values)))
        axes.plot(xs, spec.values, color=BLUE, marker="o", linewidth=2, label=f"Median per {spec.per}")
        step = math.ceil(len(xs) / 6)  # at most six labels, so they never overlap
        axes.set_xticks(xs[::step], spec.ticks[::step], fontsize="small")
        axes.set_xlabel("Week commencing" if spec.per == "week" else "Month")
    if spec.drl_value is not None:
        axes.axhline(spec.drl_value, color=RED, linestyle="--", linewidth=2, label=spec.drl_text)
    figure.subplots_adjust(left=0.17, right=0.97, top=0.97, bottom=0.36)
    axes.set_ylabel(spec.axis)
    axes.set_ylim(0, 1.12 * max([*spec.values, spec.drl_value or 0, 1e-9]))
    return figure


@lru_cache(maxsize=256)
def _draw(spec: _Spec) -> str:
    # Text stays text in the SVG (searchable, and read at the page's font), large enough to read at a column's
    # width; the hash salt makes the clip-path ids, and so the whole file, the same every time.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": spec.chart_id, "font.size": 11,
                                "font.family": "sans-serif"}):
        figure = _draw_distribution(spec) if spec.kind == "distribution" else _draw_trend(spec)
        _legend(figure.axes[0])
        return _as_element(figure, spec.chart_id, spec.title, spec.description)
