"""Charts as SVG, with no plotting library: throughput against N for each way of draining, and the
table's rows (each ratio against its target)."""
from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT, MARGIN, LEFT = 640, 400, 50, 90
LEGEND_ROW = 18
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def line_chart(series: dict[str, list[tuple[float, float]]], *, title: str, x_label: str, y_label: str) -> str:
    """``series``: name → [(x, y)]. The x axis is logarithmic (N grows by decades), y starts at 0."""
    points = [p for values in series.values() for p in values]
    if not points:
        raise ValueError("nothing to plot")
    xs = [math.log10(x) for x, _ in points]
    x_min, x_max = min(xs), max(xs)
    if x_max == x_min:
        x_min, x_max = x_min - 0.5, x_max + 0.5
    step = _nice_step(max(y for _, y in points) / 4)
    y_max = step * 4
    height = HEIGHT + LEGEND_ROW * len(series)

    def at(x: float, y: float) -> tuple[float, float]:
        px = LEFT + (math.log10(x) - x_min) / (x_max - x_min) * (WIDTH - LEFT - MARGIN)
        py = HEIGHT - MARGIN - y / y_max * (HEIGHT - 2 * MARGIN)
        return px, py

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" '
             f'font-size="12">', f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" stroke="black"/>',
             f'<line x1="{LEFT}" y1="{MARGIN}" x2="{LEFT}" y2="{HEIGHT - MARGIN}" stroke="black"/>',
             f'<text x="{WIDTH / 2}" y="{HEIGHT - 15}" text-anchor="middle">{escape(x_label)}</text>',
             f'<text x="15" y="{HEIGHT / 2}" text-anchor="middle" transform="rotate(-90 15 {HEIGHT / 2})">'
             f'{escape(y_label)}</text>']
    for x in sorted({x for x, _ in points}):
        px, _ = at(x, 0)
        parts.append(f'<text x="{px:.1f}" y="{HEIGHT - MARGIN + 16}" text-anchor="middle">{x:,.0f}</text>')
    for tick in range(5):
        y = y_max * tick / 4
        _, py = at(10 ** x_min, y)
        parts.append(f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">{y:,.0f}</text>')
        parts.append(f'<line x1="{LEFT}" y1="{py:.1f}" x2="{WIDTH - MARGIN}" y2="{py:.1f}" stroke="#ddd"/>')
    for index, (name, values) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in (at(x, y) for x, y in sorted(values)))
        dash = ' stroke-dasharray="6 4"' if "floor" in name else ""
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        parts.extend(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>'
                     for px, py in (at(x, y) for x, y in values))
        row = HEIGHT + LEGEND_ROW * index + 4  # the legend sits under the chart, one series a row
        parts.append(f'<line x1="{LEFT}" y1="{row - 4}" x2="{LEFT + 30}" y2="{row - 4}" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        parts.append(f'<text x="{LEFT + 38}" y="{row}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _nice_step(rough: float) -> float:
    """1, 2 or 5 times a power of ten: tick labels a person can read."""
    if rough <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


ROW_HEIGHT, BAR_LEFT = 26, 330
_MET_COLOUR = {True: "#2ca02c", False: "#d62728", None: "#999999"}


def rows_chart(rows: list[tuple[str, float, float | None, bool | None]], *, title: str) -> str:
    """One horizontal bar per table row: ``(label, ratio, target, met)``. The axis is logarithmic
    (ratios run from below 1 to hundreds); the target is a black tick; the bar is green when the row
    met its target, red when it missed it, grey when it has none."""
    drawn = [(label, ratio, target, met) for label, ratio, target, met in rows if ratio and ratio > 0]
    if not drawn:
        raise ValueError("nothing to plot")
    values = [r for _, r, _, _ in drawn] + [t for _, _, t, _ in drawn if t]
    low, high = math.log10(min(values + [1.0]) / 1.5), math.log10(max(values) * 1.5)
    height = 60 + ROW_HEIGHT * len(drawn) + 30

    def at(value: float) -> float:
        return BAR_LEFT + (math.log10(value) - low) / (high - low) * (WIDTH - BAR_LEFT - 20)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" '
             f'font-size="11">', f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>',
             f'<line x1="{at(1):.1f}" y1="40" x2="{at(1):.1f}" y2="{height - 30}" stroke="#ddd"/>',
             f'<text x="{at(1):.1f}" y="{height - 14}" text-anchor="middle">1x (as fast as the floor)</text>']
    for index, (label, ratio, target, met) in enumerate(drawn):
        top = 48 + ROW_HEIGHT * index
        parts.append(f'<text x="{BAR_LEFT - 8}" y="{top + 14}" text-anchor="end">{escape(label[:48])}</text>')
        parts.append(f'<rect x="{at(10 ** low):.1f}" y="{top + 3}" width="{at(ratio) - at(10 ** low):.1f}" '
                     f'height="{ROW_HEIGHT - 8}" fill="{_MET_COLOUR[met]}"/>')
        parts.append(f'<text x="{at(ratio) + 4:.1f}" y="{top + 14}">{ratio:.2f}x</text>')
        if target:
            parts.append(f'<line x1="{at(target):.1f}" y1="{top}" x2="{at(target):.1f}" y2="{top + ROW_HEIGHT - 2}" '
                         f'stroke="black" stroke-width="2"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
