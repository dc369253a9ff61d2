"""The trend chart of an objective as inline SVG, drawn on the server: no script, so the
page's CSP holds, and it prints. The same values are in a table beside it for screen
readers (the SVG is aria-hidden)."""

from __future__ import annotations

from markupsafe import Markup, escape

from isodoc.i18n import _
from isodoc.objectives.models import QualityObjective, format_number

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


def trend_svg(objective: QualityObjective) -> Markup:
    values = [(m.month, m.value, m.met) for m in objective.measurements]
    numbers = [v for _, v, _ in values] + [objective.target]
    low, high = min(numbers), max(numbers)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month: int) -> float:
        return LEFT + (month - 0.5) * plot_w / 12

    def y(value: float) -> float:
        return TOP + (high - value) * plot_h / (high - low)

    parts = [f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" aria-hidden="true" focusable="false" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafbfc" '
             'stroke="#d0d7de"/>']
    for value in (high - pad, low + pad):
        parts.append(f'<text x="{LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#555">{escape(format_number(round(value, 2)))}'
                     '</text>')
    for month in range(1, 13):
        short = escape(_("T%(month)s", month=month))  # the month's short name on the axis
        parts.append(f'<text x="{x(month):.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
                     f'font-size="11" fill="#555">{short}</text>')
    target_y = y(objective.target)
    parts.append(f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{target_y:.1f}" '
                 f'y2="{target_y:.1f}" stroke="#1f6feb" stroke-dasharray="6 4"/>')
    if values:
        points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v, _ in values)
        parts.append(f'<polyline points="{points}" fill="none" stroke="#333" '
                     'stroke-width="1.5"/>')
        for month, value, met in values:
            colour = "#1a7f37" if met else "#cf222e"
            parts.append(f'<circle class="{"met" if met else "missed"}" cx="{x(month):.1f}" '
                         f'cy="{y(value):.1f}" r="4" fill="{colour}"/>')
    parts.append("</svg>")
    # every piece is a number we formatted or text passed through escape()
    return Markup("".join(parts))  # noqa: S704
