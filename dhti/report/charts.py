"""Vector charts for reports as inline SVG: the index over time, and the portfolio's distributions.

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


def trend_axis(values: Sequence[float]) -> tuple[float, float]:
    """The span of the trend's axis: the values with a margin, in tens, at least 20 points wide, within 0..100.

    Two close points on a 0..100 axis would look flat whether the index moved by 1 or by 10.
    """
    low = math.floor((min(values, default=0) - 5) / 10) * 10
    high = math.ceil((max(values, default=100) + 5) / 10) * 10
    while high - low < 20:
        low, high = low - 5, high + 5
    low, high = max(low, 0), min(high, 100)
    return (float(low), float(high)) if high - low >= 20 else ((0.0, 20.0) if low == 0 else (80.0, 100.0))


def trend(points: Sequence[Point], *, title: str) -> str:
    """A small line chart of the index over successive assessments (labels are dates).

    Drawn at about the width of a phone, so that its text stays at 12 px or more there; the
    first and last date labels have room on both sides (none is clipped).
    """
    width, height, left, right, bottom, top = 380, 190, 44, 46, 30, 22
    plot_w, plot_h = width - left - right, height - bottom - top
    low, high = trend_axis([point.score or 0 for point in points])
    step = 10 if high - low <= 50 else 20

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
            f' font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart chart-trend">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    tick = low
    while tick <= high + 1e-9:
        parts.append(
            f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{left + plot_w}" y2="{y_of(tick):.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y_of(tick) + 4:.1f}" text-anchor="end" font-size="12" fill="#555555">'
            f"{tick:g}</text>"
        )
        tick += step
    count = len(points)
    coords = []
    for index, point in enumerate(points):
        x = left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)
        coords.append((x, y_of(point.score or 0)))
        parts.append(
            f'<text x="{x:.1f}" y="{height - 9}" text-anchor="middle" font-size="12" fill="{INK}">'
            f"{escape(point.label)}</text>"
        )
    if len(coords) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#2166ac" stroke-width="2.5"/>')
    for (x, y), point in zip(coords, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{stage_colour(point.stage)}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" font-size="13" font-weight="bold"'
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


def _wrap(label: str, width: int) -> list[str]:
    """``label`` in lines of about ``width`` characters, broken between words."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _label_lines(label: str, *, x: float, mid: float) -> str:
    """A row label ending at ``x``, on one line or two (a long domain title would run past the chart's edge)."""
    lines = _wrap(label, 34)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    top = mid + 4 - 6.5 * (len(lines) - 1)
    spans = "".join(f'<tspan x="{x}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>' for n, line in enumerate(lines))
    return f'<text x="{x}" y="{top:.1f}" text-anchor="end" font-size="11" fill="{INK}">{spans}</text>'


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
        parts.append(_label_lines(spread.label, x=label_width - 8, mid=mid))
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


def _svg_open(width: float, height: float, *, title: str, kind: str) -> list[str]:
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}"'
            f' height="{height:.0f}" font-family="{FONT}" role="img" aria-label="{escape(title)}" class="chart {kind}">'
        ),
        f"<title>{escape(title)}</title>",
    ]


def correlation_colour(r: float | None) -> str:
    """A diverging colour for a correlation: red below 0, white at 0, blue towards 1; grey for none."""
    if r is None:
        return "#eeeeee"
    strength = min(abs(r), 1.0)
    low, high = ((255, 255, 255), (33, 102, 172)) if r >= 0 else ((255, 255, 255), (178, 24, 43))
    mixed = (round(a + (b - a) * strength) for a, b in zip(low, high, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


@dataclass(frozen=True)
class MatrixCell:
    """One cell of a correlation heat map: its value (None: not computed), as shown, and its description."""

    r: float | None
    shown: str
    described: str


def heatmap(labels: Sequence[str], cells: Sequence[Sequence[MatrixCell]], *, title: str) -> str:
    """A square heat map of a correlation matrix: ``labels`` on both axes, each cell coloured and written.

    Each cell carries its own ``<title>`` (the pair, the value and the cases it rests on), which a
    screen reader or a pointer reads; the values are printed in the cells while they fit.
    """
    k = len(labels)
    cell = max(18.0, min(44.0, 440 / max(k, 1)))
    left, top = 44.0, 40.0
    size = left + cell * k + 8
    parts = _svg_open(size, top + cell * k + 8, title=title, kind="chart-heatmap")
    font = max(7.0, min(11.0, cell / 3.6))
    for n, label in enumerate(labels):
        centre = n * cell + cell / 2
        parts.append(
            f'<text x="{left - 4:.1f}" y="{top + centre + 4:.1f}" text-anchor="end" font-size="10" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<text x="{left + centre:.1f}" y="{top - 6:.1f}" text-anchor="middle" font-size="10" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    for a, row in enumerate(cells):
        for b, value in enumerate(row):
            x, y = left + b * cell, top + a * cell
            ink = "#ffffff" if value.r is not None and abs(value.r) > 0.6 else INK
            parts.append(
                f'<g><title>{escape(value.described)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}"'
                f' height="{cell:.1f}" fill="{correlation_colour(value.r)}" stroke="#ffffff"/>'
            )
            if cell >= 24:
                parts.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + font / 3:.1f}" text-anchor="middle"'
                    f' font-size="{font:.1f}" fill="{ink}">{escape(value.shown)}</text>'
                )
            parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Shares:
    """One question's answers split three ways: at its worst option, in between, at its best (fractions)."""

    label: str
    floor: float
    ceiling: float
    shown: str  # the two shares in words, printed beside the bar
    flagged: bool = False


CEILING_COLOUR = "#2166ac"
FLOOR_COLOUR = "#b2182b"
MIDDLE_COLOUR = "#d9d9d9"


def ceiling_floor(rows: Sequence[Shares], *, title: str, mark: float = 0.8) -> str:
    """A horizontal bar per question: the share at its worst option (left, red) and at its best (right, blue).

    A dashed line marks ``mark`` from each end, so a floor or a ceiling beyond it stands out.
    """
    label_w, plot_w, row_h, top = 70, 300, 20, 8
    width, height = label_w + plot_w + 150, top + row_h * len(rows) + 22
    parts = _svg_open(width, height, title=title, kind="chart-ceiling")
    for edge in (mark, 1 - mark):
        x = label_w + plot_w * edge
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + row_h * len(rows)}" stroke="{INK}"'
            ' stroke-dasharray="3,3"/>'
        )
    for n, row in enumerate(rows):
        y = top + n * row_h + 3
        floor_w, ceiling_w = plot_w * row.floor, plot_w * row.ceiling
        weight = ' font-weight="bold"' if row.flagged else ""
        parts += [
            (
                f'<text x="{label_w - 6}" y="{y + 11:.1f}" text-anchor="end" font-size="11"{weight} fill="{INK}">'
                f"{escape(row.label)}</text>"
            ),
            f'<rect x="{label_w}" y="{y:.1f}" width="{plot_w}" height="14" fill="{MIDDLE_COLOUR}"/>',
            f'<rect x="{label_w}" y="{y:.1f}" width="{floor_w:.1f}" height="14" fill="{FLOOR_COLOUR}"/>',
            (
                f'<rect x="{label_w + plot_w - ceiling_w:.1f}" y="{y:.1f}" width="{ceiling_w:.1f}" height="14"'
                f' fill="{CEILING_COLOUR}"/>'
            ),
            (
                f'<text x="{label_w + plot_w + 6}" y="{y + 11:.1f}" font-size="11"{weight} fill="{INK}">'
                f"{escape(row.shown)}</text>"
            ),
        ]
    for tick in (0, 50, 100):
        parts.append(
            f'<text x="{label_w + plot_w * tick / 100:.1f}" y="{height - 6}" text-anchor="middle" font-size="10"'
            f' fill="#555555">{tick}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
