"""The audit's charts: SVG that names itself for assistive technology, marks the DRL and the 75th percentile with
labelled lines, and can sit beside other charts on one page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from inscope.dose import charts
from inscope.dose.audit import REPORT, AuditRow, Sample, trend

SVG = "{http://www.w3.org/2000/svg}"


def row(values, drl=5.0):
    r = AuditRow(source=REPORT, protocol="XCHES", protocol_name="XR Chest PA", linked=True, room_id=1,
                 room="X-ray room 1, Northgate General Hospital", modality="DX", quantity="dap", drl_value=drl,
                 drl_label="Local DRL XCHES (local, effective 01 Jan 2026)" if drl else "")
    for number, value in enumerate(values):
        r.samples.append(Sample(dt.date(2026, 9, 7) + dt.timedelta(days=7 * number), float(value)))
    r.finish()
    return r


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]  # noqa: S314 - our own SVG


def test_the_distribution_marks_the_drl_and_the_75th_percentile_with_labelled_lines():
    chart = charts.distribution(row(range(1, 11)), "chart-1-distribution")

    root = ET.fromstring(chart.svg)  # noqa: S314 - our own SVG; parsing shows it is well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-1-distribution-title chart-1-distribution-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert title.text == chart.title == (
        "Distribution of DAP (Gy·cm²): XCHES XR Chest PA, X-ray room 1, Northgate General Hospital")
    assert desc.text == chart.description
    labels = texts(chart.svg)
    assert "DRL 5.00 Gy·cm²" in labels
    assert "75th percentile 7.75 Gy·cm²" in labels
    assert "Studies (n = 10)" in labels
    assert "DAP (Gy·cm²)" in labels
    assert chart.description == (
        "10 studies from 1.00 to 10.0 Gy·cm²; median 5.50, 75th percentile 7.75 Gy·cm². DRL 5.00 Gy·cm²: "
        "Local DRL XCHES (local, effective 01 Jan 2026). The median is above the DRL.")


def test_the_trend_shows_the_median_per_week_with_the_drl_line():
    r = row([1, 2, 3])
    points = trend(r.samples, "week")

    chart = charts.trend(r, points, "week", "chart-1-trend")

    labels = texts(chart.svg)
    assert "DRL 5.00 Gy·cm²" in labels and "Median per week" in labels and "Week commencing" in labels
    assert "07 Sep" in labels and "21 Sep" in labels
    assert chart.description == ("Median per week from w/c 07 Sep 2026 to w/c 21 Sep 2026: w/c 07 Sep 2026 1.00 "
                                 "(n = 1); w/c 14 Sep 2026 2.00 (n = 1); w/c 21 Sep 2026 3.00 (n = 1). "
                                 "DRL 5.00 Gy·cm².")


def test_without_a_drl_there_is_no_drl_line_and_the_text_says_so():
    r = row([1, 2, 3], drl=None)

    chart = charts.distribution(r, "chart-2-distribution")

    assert not [t for t in texts(chart.svg) if t.startswith("DRL")]
    assert chart.description.endswith("No DRL was applied to these studies.")
    assert "Fewer than 10" not in chart.description  # said only next to a DRL comparison
    assert "No DRL" in charts.trend(r, trend(r.samples, "month"), "month", "chart-2-trend").description


def test_small_samples_are_called_indicative():
    assert charts.distribution(row([1, 9]), "c").description.endswith("Fewer than 10 studies: indicative only.")


def test_charts_on_one_page_share_no_element_id_and_are_drawn_the_same_every_time():
    first = charts.distribution(row(range(1, 11)), "chart-1-distribution").svg
    second = charts.trend(row(range(1, 11)), trend(row(range(1, 11)).samples, "week"), "week", "chart-1-trend").svg

    ids = re.findall(r'\bid="([^"]+)"', first) + re.findall(r'\bid="([^"]+)"', second)
    assert len(ids) == len(set(ids))
    references = re.findall(r'url\(#([^)]+)\)', first) + re.findall(r'xlink:href="#([^"]+)"', first)
    assert references and set(references) <= set(ids)
    charts._draw.cache_clear()
    assert charts.distribution(row(range(1, 11)), "chart-1-distribution").svg == first


def test_a_chart_scales_with_the_page():
    svg = charts.distribution(row([1, 2]), "c").svg
    head = svg[:svg.index(">")]
    assert 'width="100%"' in head and "height=" not in head and "viewBox=" in head
