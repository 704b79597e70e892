"""One chart definition, drawn once to SVG by pygal: the same SVG goes inline into the page and into the
bulletin's PDF (WeasyPrint draws SVG), with the records' CJK fonts so the Chinese labels have their glyphs.

A chart is a `ChartSpec` (kind, title, categories, series); `svg(spec)` draws it. The SVG has no script
(pygal's tooltips are left out): the pages' Content-Security-Policy allows none inline, and a PDF needs none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pygal
from django.conf import settings
from django.core.cache import cache
from pygal.style import Style

from workflows.hashing import canonical_json, sha256_hex

KINDS = {"bar": pygal.Bar, "hbar": pygal.HorizontalBar, "line": pygal.Line, "pie": pygal.Pie}
CACHE_SECONDS = 24 * 3600
COLOURS = ("#1f5fa8", "#d7000f", "#2e8b57", "#e08a00", "#6a4c93", "#00838f", "#8d6e63", "#546e7a")


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # bar, hbar, line or pie
    title: str
    categories: Sequence[str]
    series: Sequence[tuple[str, Sequence[float | int | None]]]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "categories": list(self.categories),
            "series": [[name, list(values)] for name, values in self.series],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChartSpec:
        return cls(
            kind=data["kind"],
            title=data["title"],
            categories=tuple(data["categories"]),
            series=tuple((name, tuple(values)) for name, values in data["series"]),
        )


def style() -> Style:
    font = settings.RECORDS_FONT_SANS
    return Style(
        font_family=font,
        label_font_family=font,
        major_label_font_family=font,
        value_font_family=font,
        value_label_font_family=font,
        tooltip_font_family=font,
        title_font_family=font,
        legend_font_family=font,
        no_data_font_family=font,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#222222",
        foreground_strong="#000000",
        foreground_subtle="#888888",
        colors=COLOURS,
        title_font_size=18,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=12,
    )


def svg(spec: ChartSpec) -> str:
    """The chart as an <svg> element (no XML declaration, no script), sized by its viewBox. Kept in the cache
    by its spec (and fonts): the same figures draw the same chart, for every reader of the page."""
    key = "dashboard-chart-" + sha256_hex(canonical_json({**spec.as_dict(), "font": settings.RECORDS_FONT_SANS}))
    drawn = cache.get(key)
    if drawn is None:
        drawn = _draw(spec)
        cache.set(key, drawn, CACHE_SECONDS)
    return drawn


def _draw(spec: ChartSpec) -> str:
    chart = KINDS[spec.kind](
        style=style(),
        title=spec.title,
        js=[],
        disable_xml_declaration=True,
        width=720,
        height=360,
        show_legend=len(spec.series) > 1 or spec.kind == "pie",
        legend_at_bottom=True,
        print_values=spec.kind != "line",
        x_label_rotation=30 if spec.kind in ("bar", "line") and len(spec.categories) > 6 else 0,
        truncate_label=-1,
        truncate_legend=-1,
        no_data_text="暂无数据",
    )
    if spec.kind == "pie":
        values = spec.series[0][1] if spec.series else ()
        for category, value in zip(spec.categories, values, strict=False):
            chart.add(category, value)
    else:
        chart.x_labels = list(spec.categories)
        for name, values in spec.series:
            chart.add(name, list(values))
    drawn = chart.render(is_unicode=True)
    # pygal writes its configuration in a <script> and the day in a comment, and names the chart at random:
    # without them, and with an id from the spec, the same spec draws the same SVG.
    # Its legends' ids (for the script) would repeat across the charts of one page.
    drawn = re.sub(r"<script.*?</script>|<!--.*?-->", "", drawn, flags=re.S)
    drawn = re.sub(r' id="activate-serie-\d+"', "", drawn)
    fixed = "chart-" + sha256_hex(canonical_json(spec.as_dict()))[:12]
    for found in set(re.findall(r'id="(chart-[0-9a-f-]+)"', drawn)):
        drawn = drawn.replace(found, fixed)
    return drawn
