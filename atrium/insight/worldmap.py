"""The world map of the insight page: Natural Earth's countries (npm ``world-atlas``,
``countries-110m.json``, TopoJSON) decoded here into SVG paths, once per process.

TopoJSON keeps shared borders once, as *arcs* of quantised, delta-encoded points; a
country is a list of polygons, each a list of rings, each a list of arc indexes (``~i``,
that is ``-i - 1``, for arc ``i`` walked backwards). Decoding: undo the deltas, scale and
translate to longitude/latitude, join the arcs of a ring (each arc starts where the last
ended, so its first point is dropped), then project.

The projection is plain equirectangular (x = longitude + 180, y = 84 - latitude), cut
below 58° south: Antarctica is left out, it has no delegates. A ring that crosses the
antimeridian (Russia, Fiji) is walked on past the map's edge, where the viewBox cuts it.
Feature ids are ISO 3166-1 numeric codes, turned into alpha-2 codes with django-countries
(``countries.alpha2``);
the few shapes without a code (Kosovo, Northern Cyprus, Somaliland) are drawn grey.

Without the npm package (no npm on the machine) ``world_shapes()`` is empty and the page
shows the tables only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_countries import countries

#: The SVG's coordinate box: 360 × 142 (longitude −180…180, latitude 84…−58).
WIDTH = 360
TOP = 84
BOTTOM = -58
HEIGHT = TOP - BOTTOM
ANTARCTICA = "010"


@dataclass(frozen=True)
class Shape:
    code: str  # alpha-2, "" when the shape has no ISO code
    name: str  # Natural Earth's English name (the page shows django-countries' names)
    path: str  # SVG path data in the map's box


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc of ``topology`` as (longitude, latitude) points."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_rest in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]):
    """The points of a ring made of ``ring``'s arcs (negative: walked backwards)."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _project(lon: float, lat: float) -> tuple[float, float]:
    return lon + 180, TOP - max(BOTTOM, min(TOP, lat))


def polygons_path(polygons: list[list[list[int]]], arcs) -> str:
    """SVG path data for ``polygons`` (each a list of rings), one decimal place."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = ring_points(ring, arcs)
            if len(points) < 3:
                continue
            coords = []
            last = None
            offset = 0.0
            previous = points[0][0]
            for lon, lat in points:
                # A ring crossing the antimeridian jumps from 180 to -180: keep walking
                # east (or west) instead; the part beyond the edge is cut by the viewBox.
                if lon - previous > 180:
                    offset -= 360
                elif lon - previous < -180:
                    offset += 360
                previous = lon
                x, y = _project(lon + offset, lat)
                point = f"{x:.1f} {y:.1f}"
                if point != last:
                    coords.append(point)
                    last = point
            if len(coords) >= 3:
                parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def shapes_from_topology(topology: dict) -> list[Shape]:
    arcs = decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = str(geometry.get("id") or "")
        if numeric == ANTARCTICA:
            continue
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        code = (countries.alpha2(numeric) or "") if numeric else ""
        path = polygons_path(polygons, arcs)
        if path:
            name = (geometry.get("properties") or {}).get("name", "")
            shapes.append(Shape(code=code, name=name, path=path))
    return shapes


def atlas_path() -> Path:
    return Path(settings.ATRIUM_WORLD_ATLAS)


@cache
def _shapes_of(path: str) -> tuple[Shape, ...]:
    try:
        topology = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(shapes_from_topology(topology))


def world_shapes() -> tuple[Shape, ...]:
    """The countries as SVG paths (cached per process); empty without the npm package."""
    return _shapes_of(str(atlas_path()))


def map_shapes_svg() -> SafeString:
    """Every country's outline, once per page, as ``<path id="wm-XX">`` in a hidden SVG's
    ``<defs>``: the maps draw them with ``<use>``, so two maps cost one set of outlines."""
    return _shapes_svg(str(atlas_path()))


def _shape_id(index: int, shape: Shape) -> str:
    return f"wm-{shape.code or index}"


@cache
def _shapes_svg(path: str) -> SafeString:
    shapes = _shapes_of(path)
    if not shapes:
        return mark_safe("")  # noqa: S308 - nothing to escape
    paths = "".join(
        f'<path id="{_shape_id(i, shape)}" d="{shape.path}"/>' for i, shape in enumerate(shapes)
    )
    return mark_safe(  # noqa: S308 - ids and path data are made here of letters and digits
        '<svg class="world-map-shapes" width="0" height="0" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg"><defs>{paths}</defs></svg>'
    )


def map_svg(
    *,
    map_id: str,
    title: str,
    values: dict[str, tuple[int, int, str]],
    link: str = "",
) -> SafeString:
    """The world as SVG, each country in its colour class (``map-c0`` … ``map-c5``), drawn
    from the outlines of ``map_shapes_svg()`` (which the page includes once).

    ``values``: alpha-2 code → (figure, class, name in the page's language). A country
    with a figure links to ``link`` with ``{code}`` filled in (for a mouse or a finger);
    keyboards and screen readers use the table beside the map, which has the same links
    and figures, so the drawing itself is hidden from them (``aria-hidden``, links out of
    the tab order). Empty without the npm package.
    """
    shapes = world_shapes()
    if not shapes:
        return mark_safe("")  # noqa: S308 - nothing to escape
    parts = [
        format_html(
            '<svg class="world-map" id="{}" viewBox="0 0 {} {}" aria-hidden="true" '
            'focusable="false" xmlns="http://www.w3.org/2000/svg"><title>{}</title>',
            map_id,
            WIDTH,
            HEIGHT,
            title,
        )
    ]
    for index, shape in enumerate(shapes):
        figure, klass, name = values.get(shape.code, (0, 0, ""))
        ref = _shape_id(index, shape)
        if figure and link:
            parts.append(
                format_html(
                    '<a href="{}" tabindex="-1"><use href="#{}" class="map-c{}">'
                    "<title>{}: {}</title></use></a>",
                    link.replace("{code}", shape.code),
                    ref,
                    klass,
                    name,
                    figure,
                )
            )
        else:
            parts.append(f'<use href="#{ref}" class="map-c0"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html
