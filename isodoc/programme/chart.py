"""The dashboard's charts as inline SVG drawn on the server (as isodoc/objectives/chart.py
does): no script, no CDN, so the page's CSP holds and it prints. Each chart is
aria-hidden: the same figures are in the table beside it, with links to their lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from isodoc.programme.stage import Stage
from isodoc.timeutil import format_percent

WIDTH = 760
ROW, LABEL, RIGHT = 26, 330, 110
STAGE_COLOURS = {
    Stage.NOT_STARTED: "#d0d7de", Stage.ISO2008: "#a5b4c3", Stage.BUILDING: "#f2c14e",
    Stage.APPLYING: "#58a6ff", Stage.AUDITED: "#1f6feb", Stage.DECLARED: "#1a7f37",
}


@dataclass(frozen=True)
class Bar:
    label: str
    fraction: float          # 0..1 of the bar's scale
    target: float | None     # 0..1, where the target's tick goes
    text: str                # the figure written at the end, e.g. "31,5% / 30%"
    met: bool


def _short(text: str, limit: int = 46) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def bars_svg(bars: Sequence[Bar], css_class: str = "bars") -> Markup:
    """One horizontal bar per row, a dark tick at the target; green when met."""
    height = ROW * len(bars) + 8
    plot = WIDTH - LABEL - RIGHT
    parts = [f'<svg class="chart {escape(css_class)}" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" aria-hidden="true" focusable="false" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        fraction = max(0.0, min(1.0, bar.fraction))
        colour = "#1a7f37" if bar.met else "#cf222e"
        parts.append(f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
                     f'fill="#333">{escape(_short(bar.label))}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{plot}" height="16" '
                     'fill="#f0f3f6"/>')
        parts.append(f'<rect class="{"met" if bar.met else "missed"}" x="{LABEL}" '
                     f'y="{y + 3}" width="{plot * fraction:.1f}" height="16" '
                     f'fill="{colour}"/>')
        if bar.target is not None:
            tx = LABEL + plot * max(0.0, min(1.0, bar.target))
            parts.append(f'<line class="target" x1="{tx:.1f}" x2="{tx:.1f}" y1="{y}" '
                         f'y2="{y + 22}" stroke="#111" stroke-width="2"/>')
        parts.append(f'<text x="{LABEL + plot + 6}" y="{y + 15}" font-size="12" '
                     f'fill="#333">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (numbers we formatted, text escaped)


def stages_svg(rows: Sequence[tuple[str, dict[str, int]]]) -> Markup:
    """One stacked bar per agency kind: the share of its agencies at each stage, with a
    legend of the stages below."""
    height = ROW * len(rows) + 8 + 22 * 2
    plot = WIDTH - LABEL - 20
    parts = [f'<svg class="chart stages" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
             f'height="{height}" aria-hidden="true" focusable="false" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, counts) in enumerate(rows):
        y = 4 + i * ROW
        total = sum(counts.values())
        parts.append(f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
                     f'fill="#333">{escape(_short(label))}</text>')
        x = float(LABEL)
        for stage in Stage:
            n = counts.get(stage.value, 0)
            if not n or not total:
                continue
            w = plot * n / total
            parts.append(f'<rect class="stage-{stage.value}" x="{x:.1f}" y="{y + 3}" '
                         f'width="{w:.1f}" height="16" fill="{STAGE_COLOURS[stage]}"/>')
            x += w
    y = 8 + len(rows) * ROW
    x = 10.0
    for n, stage in enumerate(Stage):
        if n == 3:
            y, x = y + 22, 10.0
        parts.append(f'<rect x="{x:.0f}" y="{y}" width="12" height="12" '
                     f'fill="{STAGE_COLOURS[stage]}"/>')
        parts.append(f'<text x="{x + 16:.0f}" y="{y + 11}" font-size="12" fill="#333">'
                     f'{escape(stage.short)}</text>')
        x += 200
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (numbers we formatted, text escaped)


def percent(value: float) -> str:
    return format_percent(value)
