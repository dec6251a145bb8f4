"""Charts drawn on the server as SVG (no script, no library, nothing fetched): horizontal bars and
a map of offers placed by the communes' coordinates. Labels are escaped; the figures stay in a
table next to each chart for screen readers."""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from tremplin.services.dashboard import Bar


def bars(items: Sequence[Bar], title: str, second: bool = False, width: int = 560) -> Markup:
    """One row per item; with `second`, a thinner bar for the second figure (places, placed)."""
    if not items:
        return Markup("")
    label_w, row_h = 190, 30 if second else 24
    top = max(max(b.value for b in items), max(b.extra for b in items) if second else 0, 1)
    scale = (width - label_w - 50) / top
    parts = [f'<svg class="chart" viewBox="0 0 {width} {row_h * len(items) + 8}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, bar in enumerate(items):
        y = 4 + i * row_h
        label = bar.label if len(bar.label) <= 24 else bar.label[:23] + "…"
        parts.append(f'<text x="0" y="{y + 14}">{escape(label)}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{max(1.0, bar.value * scale):.1f}" '
                     f'height="{12 if second else 16}"/>')
        parts.append(f'<text x="{label_w + bar.value * scale + 4:.1f}" y="{y + 14}">{bar.value}</text>')
        if second:
            parts.append(f'<rect class="bar2" x="{label_w}" y="{y + 17}" width="{max(1.0, bar.extra * scale):.1f}" '
                         f'height="8"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def offer_map(points: Sequence[tuple[float, float, int, str]], size: int = 360) -> Markup:
    """Dots sized by places, on a frame fitted to the points (an equirectangular sketch, no tiles)."""
    if not points:
        return Markup("")
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    lat0, lat1 = min(lats) - 0.05, max(lats) + 0.05
    lon0, lon1 = min(lons) - 0.05, max(lons) + 0.05
    span = max(lat1 - lat0, (lon1 - lon0) * 0.7, 0.1)
    parts = [f'<svg class="map" viewBox="0 0 {size} {size}" role="img" aria-label="Carte des offres publiées">'
             "<title>Carte des offres publiées (un point par commune, taille selon les places)</title>"]
    for lat, lon, places, name in points:
        x = 10 + (lon - lon0) * 0.7 / span * (size - 20)
        y = size - 10 - (lat - lat0) / span * (size - 20)
        r = 3 + min(places, 40) ** 0.5 * 1.5
        parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}">'
                     f"<title>{escape(name)} : {places} place(s)</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))
