"""Vector charts for reports as inline SVG: a radar of domains and bars of indicators.

Pure functions that return SVG markup.  Every text is escaped here; only presentation
attributes are used (no ``<style>``, no scripts), so the same SVG renders alike in a browser
and in WeasyPrint.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

STAGE_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#e0b040", 4: "#67a9cf", 5: "#2166ac"}
NO_SCORE_COLOUR = "#bbbbbb"
INK = "#222222"
FONT = "DHTI Sans, Noto Sans, DejaVu Sans, Arial, sans-serif"
GRID = "#c8c8c8"


@dataclass(frozen=True)
class Point:
    """One value to draw: a label, a score 0..100 (or None) and its text as shown."""

    label: str
    score: float | None
    shown: str
    stage: int | None = None


def stage_colour(stage: int | None) -> str:
    return STAGE_COLOURS.get(stage or 0, NO_SCORE_COLOUR)


def _wrap(label: str, width: int) -> list[str]:
    words, lines, current = label.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return lines[:3]


def radar(points: Sequence[Point], *, title: str, thresholds: Sequence[float] = (20, 40, 60, 80, 100)) -> str:
    """A radar (spider) chart, one axis per point, with grid rings at the stage thresholds."""
    width, height, centre_x, centre_y, radius = 560, 440, 280, 220, 135
    count = max(len(points), 3)
    angles = [-math.pi / 2 + 2 * math.pi * index / count for index in range(count)]

    def at(angle: float, value: float) -> tuple[float, float]:
        return centre_x + radius * value / 100 * math.cos(angle), centre_y + radius * value / 100 * math.sin(angle)

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
            f' font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart chart-radar">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for ring in thresholds:
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(angle, ring) for angle in angles))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        x, y = at(angles[0], ring)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="10" fill="#777777">{ring:g}</text>')
    for angle in angles:
        x, y = at(angle, 100)
        parts.append(
            f'<line x1="{centre_x}" y1="{centre_y}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
    values = [point.score or 0.0 for point in points]
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(a, v) for a, v in zip(angles, values, strict=False)))
    parts.append(f'<polygon points="{shape}" fill="#2166ac" fill-opacity="0.28" stroke="#2166ac" stroke-width="2.5"/>')
    for angle, point in zip(angles, points, strict=False):
        x, y = at(angle, point.score or 0.0)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{stage_colour(point.stage)}" stroke="#ffffff"/>')
        parts.extend(_axis_label(angle, point, at))
    parts.append("</svg>")
    return "".join(parts)


def _axis_label(angle: float, point: Point, at: object) -> list[str]:
    x, y = at(angle, 118)  # type: ignore[operator]
    cos = math.cos(angle)
    anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
    lines = _wrap(point.label, 20)
    top = (
        y - 14 * len(lines) if math.sin(angle) < -0.3 else (y + 6 if math.sin(angle) > 0.3 else y - 7 * len(lines) + 4)
    )
    out = [f'<text x="{x:.1f}" y="{top:.1f}" text-anchor="{anchor}" font-size="14" fill="{INK}">']
    for index, line in enumerate(lines):
        out.append(f'<tspan x="{x:.1f}" dy="{0 if index == 0 else 16}">{escape(line)}</tspan>')
    out.append(f'<tspan x="{x:.1f}" dy="17" font-weight="bold">{escape(point.shown)}</tspan></text>')
    return out


def bars(points: Sequence[Point], *, title: str, legend: Sequence[tuple[int, str]] = ()) -> str:
    """Horizontal bars, one per point, coloured by stage, with the value at the end."""
    label_width, bar_width, row, top = 330, 300, 24, 10
    legend_height = 30 if legend else 0
    height = top + row * len(points) + legend_height + 10
    width = label_width + bar_width + 60
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
            f' font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart chart-bars">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 20, 40, 60, 80, 100):
        x = label_width + bar_width * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + row * len(points)}" stroke="{GRID}"'
            ' stroke-width="1" stroke-dasharray="3,3"/>'
        )
    for index, point in enumerate(points):
        y = top + index * row
        label = point.label if len(point.label) <= 48 else point.label[:47].rstrip() + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="11.5" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        length = bar_width * (point.score or 0) / 100
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 1.5):.1f}" height="{row - 8}" rx="2"'
            f' fill="{stage_colour(point.stage)}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 16}" font-size="11.5" fill="{INK}">'
            f"{escape(point.shown)}</text>"
        )
    step = (width - 20) / max(len(legend), 1)
    for index, (level, name) in enumerate(legend):
        x, y = 10 + index * step, top + row * len(points) + 14
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" rx="2" fill="{stage_colour(level)}"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y + 10}" font-size="10.5" fill="{INK}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend(points: Sequence[Point], *, title: str) -> str:
    """A small line chart of the index over successive assessments (labels are dates)."""
    width, height, left, bottom, top = 520, 200, 40, 30, 16
    plot_w, plot_h = width - left - 20, height - bottom - top
    count = len(points)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
            f' font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart chart-trend">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 20, 40, 60, 80, 100):
        y = top + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="#777777">{tick}</text>'
        )
    coords = []
    for index, point in enumerate(points):
        x = left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)
        y = top + plot_h * (1 - (point.score or 0) / 100)
        coords.append((x, y))
        parts.append(
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="10.5" fill="{INK}">'
            f"{escape(point.label)}</text>"
        )
    if len(coords) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#2166ac" stroke-width="2.5"/>')
    for (x, y), point in zip(coords, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{stage_colour(point.stage)}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" font-size="11" font-weight="bold"'
            f' fill="{INK}">{escape(point.shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(counts: Sequence[int], *, title: str, labels: Sequence[str]) -> str:
    """Vertical bars: how many entities fall in each band of the index."""
    width, height, left, bottom, top = 560, 230, 36, 34, 14
    plot_w, plot_h = width - left - 10, height - bottom - top
    highest = max(max(counts, default=0), 1)
    slot = plot_w / max(len(counts), 1)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
            f' font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart chart-histogram">'
        ),
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>',
    ]
    for index, (count, label) in enumerate(zip(counts, labels, strict=True)):
        x = left + index * slot
        bar = plot_h * count / highest
        stage = min(index // 2 + 1, 5)  # 10-point bands: two per stage of 20 points
        if count:
            parts.append(
                f'<rect x="{x + 3:.1f}" y="{top + plot_h - bar:.1f}" width="{slot - 6:.1f}" height="{bar:.1f}"'
                f' fill="{stage_colour(stage)}"/>'
            )
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{top + plot_h - bar - 4:.1f}" text-anchor="middle" font-size="11"'
                f' font-weight="bold" fill="{INK}">{count}</text>'
            )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{height - 14}" text-anchor="middle" font-size="10" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Spread:
    """A five-number summary to draw as a box: label, then minimum, quartiles, median, maximum."""

    label: str
    minimum: float
    lower: float
    median: float
    upper: float
    maximum: float
    shown: str


def boxes(rows: Sequence[Spread], *, title: str) -> str:
    """Horizontal box plots on a 0..100 scale, one per row."""
    label_width, plot_w, row, top = 230, 330, 34, 12
    width, height = label_width + plot_w + 70, top + row * len(rows) + 24

    def x(value: float) -> float:
        return label_width + plot_w * value / 100

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
            f' font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart chart-boxes">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 20, 40, 60, 80, 100):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" y2="{top + row * len(rows)}" stroke="{GRID}"'
            ' stroke-dasharray="3,3"/>'
        )
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - 6}" text-anchor="middle" font-size="10" fill="#777777">{tick}</text>'
        )
    for index, spread in enumerate(rows):
        mid = top + index * row + row / 2
        parts.append(
            f'<text x="{label_width - 8}" y="{mid + 4:.1f}" text-anchor="end" font-size="11.5" fill="{INK}">'
            f"{escape(spread.label)}</text>"
        )
        parts.append(
            f'<line x1="{x(spread.minimum):.1f}" y1="{mid:.1f}" x2="{x(spread.maximum):.1f}" y2="{mid:.1f}"'
            f' stroke="{INK}" stroke-width="1.2"/>'
        )
        box = max(x(spread.upper) - x(spread.lower), 1.5)
        parts.append(
            f'<rect x="{x(spread.lower):.1f}" y="{mid - 9:.1f}" width="{box:.1f}" height="18" fill="#67a9cf"'
            ' fill-opacity="0.55" stroke="#2166ac"/>'
        )
        parts.append(
            f'<line x1="{x(spread.median):.1f}" y1="{mid - 9:.1f}" x2="{x(spread.median):.1f}" y2="{mid + 9:.1f}"'
            ' stroke="#16365c" stroke-width="3"/>'
        )
        parts.append(
            f'<text x="{x(100) + 8:.1f}" y="{mid + 4:.1f}" font-size="11" font-weight="bold" fill="{INK}">'
            f"{escape(spread.shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def distribution(counts: Sequence[int], *, title: str, labels: Sequence[str], colours: Sequence[str]) -> str:
    """Vertical bars of how many units fall in each band, narrow enough that its text stays legible on a phone.

    The portfolio's charts: 360 units wide with 12-unit text, so that scaled to a 390 px screen
    no text is under 11 CSS px; each band has its own colour (the stage, or the direction of a change).
    """
    width, height, left, bottom, top = 360, 210, 8, 40, 18
    plot_w, plot_h = width - 2 * left, height - bottom - top
    highest = max(max(counts, default=0), 1)
    slot = plot_w / max(len(counts), 1)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
            f' font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart chart-distribution">'
        ),
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>',
    ]
    for index, (count, label, colour) in enumerate(zip(counts, labels, colours, strict=True)):
        x = left + index * slot + slot / 2
        bar = plot_h * count / highest
        if count:
            parts.append(
                f'<rect x="{x - slot / 2 + 2:.1f}" y="{top + plot_h - bar:.1f}" width="{slot - 4:.1f}"'
                f' height="{bar:.1f}" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h - bar - 4:.1f}" text-anchor="middle" font-size="12"'
            f' font-weight="bold" fill="{INK}">{count}</text>'
        )
        # Band labels in two lines when they hold a range, so that ten of them fit side by side.
        first, _sep, second = label.partition("–")
        lines = [first.strip() + ("–" if second else ""), second.strip()] if second else [label]
        for n, line in enumerate(lines):
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 15 + 13 * n}" text-anchor="middle" font-size="12"'
                f' fill="{INK}">{escape(line)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
