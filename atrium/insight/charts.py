"""Small server-rendered SVG charts: columns (stacked by series) and lines.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (its accessible
name and summary); the page puts the same figures in a table beside it, which is also
what screen readers and the "download" links use. No inline style (the CSP forbids it):
colours come from classes (``chart-s0`` … ``chart-s7``) in ``insight/insight.css``, sizes
from SVG attributes. The SVG scales to its box (``viewBox``), so it fits a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
LEFT = 52
RIGHT = 12
TOP = 12
BOTTOM = 34
SERIES_CLASSES = 8


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


def nice_max(value: float, *, ticks: int = 4) -> int:
    """The top of the vertical axis: ``ticks`` whole steps of 1, 2, 2.5, 4 or 5 × 10ⁿ
    reaching ``value`` (counts get whole-number grid lines: 4, 8, 16, 40, 100, 160…)."""
    need = max(value, 1) / ticks
    magnitude = 1
    while True:
        for step in (1, 2, 2.5, 4, 5):
            size = step * magnitude
            if size >= need and size == int(size):
                return int(size) * ticks
        magnitude *= 10


def _f(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _frame(title: str, desc: str, chart_id: str, body: list[str]) -> SafeString:
    head = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - parts escaped above


def _axes(top_value: float, labels: Sequence[str], *, every: int) -> list[str]:
    """Horizontal grid lines with their values, and the x labels (every ``every``-th)."""
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        value = top_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _f(y),
                _f(y),
                LEFT - 4,
                _f(y + 4),
                _number(value),
            )
        )
    n = len(labels)
    plot_w = WIDTH - LEFT - RIGHT
    for i, label in enumerate(labels):
        # Every ``every``-th label, and the last one (with room before it).
        if i != n - 1 and (i % every or n - 1 - i < every):
            continue
        x = LEFT + plot_w * (i + 0.5) / max(n, 1)
        parts.append(
            format_html(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                _f(x),
                HEIGHT - BOTTOM + 16,
                label,
            )
        )
    return parts


def _every(n: int, room: int = 8) -> int:
    return max(1, -(-n // room))


def column_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """Columns, one per label, stacked by series (one colour class each)."""
    n = len(labels)
    totals = [sum((s.values[i] or 0) for s in series) for i in range(n)]
    top_value = nice_max(max(totals, default=0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(n, 1)
    width = min(max(step * 0.8, 0.5), 48)
    body = _axes(top_value, labels, every=_every(n))
    for i in range(n):
        base = 0.0
        for index, s in enumerate(series):
            value = s.values[i] or 0
            if not value:
                continue
            h = plot_h * value / top_value
            y = TOP + plot_h - plot_h * base / top_value - h
            body.append(
                format_html(
                    '<rect class="chart-s{}" x="{}" y="{}" width="{}" '
                    'height="{}"><title>{}: {} {}</title></rect>',
                    index % SERIES_CLASSES,
                    _f(LEFT + step * i + (step - width) / 2, 2),
                    _f(y, 2),
                    _f(width, 2),
                    _f(h, 2),
                    labels[i],
                    s.name,
                    _number(value),
                )
            )
            base += value
    return _frame(title, desc, chart_id, body)


def line_chart(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """One line per series over ``labels``; ``None`` values leave a gap."""
    n = len(labels)
    top_value = nice_max(max((v or 0 for s in series for v in s.values), default=0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    body = _axes(top_value, labels, every=_every(n))
    for index, s in enumerate(series):
        segments: list[list[str]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                segments.append([])
                continue
            x = LEFT + plot_w * (i + 0.5) / max(n, 1)
            y = TOP + plot_h - plot_h * value / top_value
            segments[-1].append(f"{x:.1f},{y:.1f}")
        for points in segments:
            if len(points) == 1:
                x, y = points[0].split(",")
                body.append(
                    format_html(
                        '<circle class="chart-line chart-s{}" cx="{}" cy="{}" r="2.5"/>',
                        index % SERIES_CLASSES,
                        x,
                        y,
                    )
                )
            elif points:
                body.append(
                    format_html(
                        '<polyline class="chart-line chart-s{}" fill="none" stroke-width="2.5" '
                        'points="{}"/>',
                        index % SERIES_CLASSES,
                        " ".join(points),
                    )
                )
    return _frame(title, desc, chart_id, body)


def legend(series: Sequence[Series]) -> SafeString:
    """A list naming each series beside its colour."""
    items = "".join(
        format_html(
            '<li><svg class="chart-key" viewBox="0 0 10 10" aria-hidden="true">'
            '<rect class="chart-s{}" width="10" height="10"/></svg>{}</li>',
            index % SERIES_CLASSES,
            s.name,
        )
        for index, s in enumerate(series)
    )
    return mark_safe(f'<ul class="chart-legend">{items}</ul>')  # noqa: S308 - items escaped


__all__ = ["Series", "column_chart", "legend", "line_chart", "nice_max"]
