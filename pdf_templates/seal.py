"""Seal (公章) geometry as SVG. No Django: tested without a database.

WeasyPrint ignores <textPath>, so the organisation name is drawn one <text>
per character, each rotated about the seal's centre into its place on the
upper arc, as a seal engraver lays it out.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

SEAL_RED = "#d7000f"
VIEWBOX = 200
CENTER = VIEWBOX / 2
RING_RADIUS = 95
RING_WIDTH = 5
# Where the top of the name's characters sits, measured from the centre.
NAME_TOP_RADIUS = 86
NAME_MAX_FONT = 26
NAME_MAX_SPREAD_DEG = 220
STAR_RADIUS = 28


def star_points(cx: float, cy: float, outer: float, inner_ratio: float = 0.382) -> list[tuple[float, float]]:
    """A five-pointed star, one point up: ten vertices alternating outer and inner."""
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else outer * inner_ratio
        angle = math.radians(-90 + i * 36)
        points.append((round(cx + radius * math.cos(angle), 2), round(cy + radius * math.sin(angle), 2)))
    return points


def name_layout(name: str) -> tuple[float, list[float]]:
    """Font size and the rotation (degrees, 0 = top, clockwise) of each character of the name."""
    count = len(name)
    if count == 0:
        return NAME_MAX_FONT, []
    baseline_radius = NAME_TOP_RADIUS - NAME_MAX_FONT * 0.5
    step = math.degrees(NAME_MAX_FONT * 1.08 / baseline_radius)
    font = NAME_MAX_FONT
    if step * (count - 1) > NAME_MAX_SPREAD_DEG:
        # Long names: shrink the characters rather than run past the star's shoulders.
        step = NAME_MAX_SPREAD_DEG / (count - 1)
        font = max(10.0, math.radians(step) * baseline_radius / 1.08)
    angles = [round((i - (count - 1) / 2) * step, 2) for i in range(count)]
    return round(font, 2), angles


def seal_svg(name: str, purpose: str = "", *, font_family: str = "serif", size: str = "42mm") -> str:
    """The seal as an inline SVG element: ring, star, name on the upper arc, purpose line below.

    The text is thickened with a stroke instead of font-weight: a bold face
    would embed one more CJK font (about 110 KB) in every PDF.
    """
    font, angles = name_layout(name)
    # Baseline of an upright character whose top touches NAME_TOP_RADIUS.
    baseline_y = round(CENTER - NAME_TOP_RADIUS + font * 0.88, 2)
    family = quoteattr(font_family)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="seal" width="{size}" height="{size}" '
        f'viewBox="0 0 {VIEWBOX} {VIEWBOX}">',
        f'<circle cx="{CENTER}" cy="{CENTER}" r="{RING_RADIUS}" fill="none" stroke="{SEAL_RED}" '
        f'stroke-width="{RING_WIDTH}"/>',
        '<polygon fill="{}" points="{}"/>'.format(
            SEAL_RED, " ".join(f"{x},{y}" for x, y in star_points(CENTER, CENTER, STAR_RADIUS))
        ),
    ]
    for char, angle in zip(name, angles, strict=True):
        parts.append(
            f'<text x="{CENTER}" y="{baseline_y}" font-size="{font}" font-family={family} '
            f'fill="{SEAL_RED}" stroke="{SEAL_RED}" stroke-width="0.6" text-anchor="middle" transform="rotate({angle} {CENTER} {CENTER})">'
            f"{escape(char)}</text>"
        )
    if purpose:
        # The chord under the star is about 150 units wide; keep a margin.
        purpose_font = round(min(18.0, 128 / max(len(purpose), 1)), 2)
        parts.append(
            f'<text x="{CENTER}" y="{CENTER + STAR_RADIUS + 8 + purpose_font}" font-size="{purpose_font}" '
            f'font-family={family} fill="{SEAL_RED}" stroke="{SEAL_RED}" stroke-width="0.4" text-anchor="middle">'
            f"{escape(purpose)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
