"""The SVG helpers: the TopoJSON decoder of the world map, the charts, and small rules of
the selectors (hours of a day with a clock change, the rate as written)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from atrium.insight import charts, selectors, worldmap
from atrium.insight.models import ConversionRate
from tests.insight.helpers import build_edition
from tests.registration.factories_organiser import ConferenceRoleFactory

# Two unit squares side by side sharing the arc x=1: arc 0 is the shared edge (1,0)→(1,1),
# arc 1 the rest of the left square, arc 2 the rest of the right one. Quantised with a
# scale of 1 and delta-encoded, as TopoJSON writes them.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [1, 1], "translate": [0, 0]},
    "arcs": [
        [[1, 0], [0, 1]],  # (1,0) → (1,1)
        [[1, 1], [-1, 0], [0, -1], [1, 0]],  # (1,1) → (0,1) → (0,0) → (1,0)
        [[1, 0], [1, 0], [0, 1], [-1, 0]],  # (1,0) → (2,0) → (2,1) → (1,1)
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "724", "arcs": [[0, 1]], "properties": {"name": "A"}},
                {"type": "Polygon", "id": "156", "arcs": [[2, -1]], "properties": {"name": "B"}},
                {"type": "Polygon", "id": "010", "arcs": [[0, 1]], "properties": {"name": "Ice"}},
            ],
        }
    },
}


def test_arcs_are_undone_from_deltas_and_joined_both_ways():
    arcs = worldmap.decode_arcs(TOPOLOGY)
    assert arcs[0] == [(1, 0), (1, 1)]
    assert worldmap.ring_points([0, 1], arcs) == [(1, 0), (1, 1), (0, 1), (0, 0), (1, 0)]
    # ~0 is arc 0 walked backwards: (1,1) → (1,0).
    assert worldmap.ring_points([2, -1], arcs) == [(1, 0), (2, 0), (2, 1), (1, 1), (1, 0)]


def test_shapes_get_alpha2_codes_and_antarctica_is_left_out():
    shapes = worldmap.shapes_from_topology(TOPOLOGY)
    assert [(s.code, s.name) for s in shapes] == [("ES", "A"), ("CN", "B")]
    # Longitude + 180, 84 − latitude.
    assert shapes[0].path == "M181.0 84.0L181.0 83.0L180.0 83.0L180.0 84.0L181.0 84.0Z"


def test_a_ring_across_the_antimeridian_does_not_cross_the_map():
    topology = {
        "arcs": [[[179, 10], [179.5, 10], [-179.5, 10], [-179, 11], [179, 11], [179, 10]]],
        "objects": {
            "countries": {
                "geometries": [{"type": "Polygon", "id": "242", "arcs": [[0]], "properties": {}}]
            }
        },
    }
    path = worldmap.shapes_from_topology(topology)[0].path
    xs = [float(x) for x in re.findall(r"[ML]([-\d.]+) ", path)]
    assert max(xs) - min(xs) < 5  # walked on to 360.5, not back across to 0.5


def test_the_installed_atlas_has_the_worlds_countries():
    shapes = worldmap.world_shapes()
    codes = {shape.code for shape in shapes}
    assert {"CN", "KE", "ES", "US", "BR", "AU", "RU"} <= codes
    assert len(shapes) > 150
    svg = worldmap.map_svg(
        map_id="m", title="T", values={"CN": (3, 5, "China")}, link="/r/?country={code}"
    )
    assert '<a href="/r/?country=CN" tabindex="-1"><use href="#wm-CN" class="map-c5">' in svg
    assert 'aria-hidden="true"' in svg and "style=" not in svg


@pytest.mark.django_db
def test_without_the_npm_package_the_page_shows_the_table_only(client, settings):
    settings.ATRIUM_WORLD_ATLAS = settings.BASE_DIR / "node_modules" / "missing" / "x.json"
    edition = build_edition()
    client.force_login(ConferenceRoleFactory(conference=edition["conference"]).user)
    html = client.get(reverse("insight:page", args=["beijing"])).content.decode()
    assert "world-map" not in html
    assert 'data-table="countries"' in html
    assert "The world map is not installed" in html


def test_charts_are_accessible_images_without_inline_style():
    svg = charts.column_chart(
        chart_id="c",
        title="New <registrations>",
        desc="d",
        labels=["09-01", "09-02"],
        series=[charts.Series("A", [1, 2]), charts.Series("B", [3, 0])],
    )
    assert svg.startswith('<svg class="chart"')
    assert 'role="img" aria-labelledby="c-t c-d"' in svg
    assert '<title id="c-t">New &lt;registrations&gt;</title>' in svg
    assert "style=" not in svg
    assert svg.count("<rect") == 3  # a zero draws nothing
    line = charts.line_chart(
        chart_id="l",
        title="t",
        desc="d",
        labels=["a", "b", "c"],
        series=[charts.Series("x", [1, None, 2])],
    )
    assert line.count("<circle") == 2  # a gap splits the line into two points


@pytest.mark.parametrize(
    ("value", "top"), [(0, 4), (3, 4), (7, 8), (9, 16), (39, 40), (41, 80), (5000, 8000)]
)
def test_the_axis_top_is_whole_steps(value, top):
    assert charts.nice_max(value) == top


def test_a_day_with_a_clock_change_has_23_hours():
    madrid = ZoneInfo("Europe/Madrid")
    bounds = selectors._hour_bounds(dt.date(2025, 3, 30), madrid)
    assert len(bounds) == 23
    assert [hour for hour, _a, _b in bounds][:3] == [0, 1, 3]
    assert len(selectors._hour_bounds(dt.date(2025, 10, 26), madrid)) == 25
    assert len(selectors._hour_bounds(dt.date(2025, 9, 17), ZoneInfo("Asia/Shanghai"))) == 24


@pytest.mark.parametrize(
    ("rate", "text"), [("7.1", "7.10"), ("7.1000", "7.10"), ("7.1234", "7.1234"), ("7", "7.00")]
)
def test_the_rate_is_written_with_two_decimals_at_least(rate, text):
    assert ConversionRate(rate=Decimal(rate)).rate_text == text


@pytest.mark.parametrize(
    ("top", "value", "klass"), [(100, 0, 0), (100, 1, 1), (100, 100, 5), (1, 1, 5), (9, 3, 4)]
)
def test_map_classes_on_a_log_scale(top, value, klass):
    assert selectors.map_class(value, top) == klass
