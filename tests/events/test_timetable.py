from dataclasses import dataclass
from datetime import datetime

from atrium.events.timetable import build_grid


@dataclass
class Item:
    name: str
    start: int
    end: int
    column_key: str


def at(hour: int) -> datetime:
    return datetime(2025, 9, 16, hour)


def test_rows_at_every_boundary_and_rowspans():
    items = [
        Item("opening", at(9), at(11), "hall"),
        Item("forum", at(9), at(10), "room"),
        Item("lunch", at(11), at(12), "hall"),
    ]
    grid = build_grid(items, [("hall", "Hall"), ("room", "Room")])
    assert [row.start.hour for row in grid.rows] == [9, 10, 11]
    first, second, third = grid.rows
    assert [(c.item.name if c.item else None, c.rowspan) for c in first.cells] == [
        ("opening", 2),
        ("forum", 1),
    ]
    # The hall is covered by the opening; only the room's empty cell remains.
    assert [c.is_empty for c in second.cells] == [True]
    assert [(c.item.name if c.item else None) for c in third.cells] == ["lunch", None]


def test_overlapping_items_in_one_column_get_lanes():
    buses = [Item(f"visit {i}", at(13), at(17), "off-site") for i in range(4)]
    grid = build_grid(buses, [("off-site", None)])
    assert grid.columns[0].lanes == 4
    assert len(grid.rows) == 1
    assert len(grid.rows[0].cells) == 4
    assert grid.lane_count == 4


def test_items_outside_the_columns_are_left_out():
    grid = build_grid([Item("x", at(9), at(10), "elsewhere")], [("hall", "Hall")])
    assert grid.rows == []
    assert grid.columns[0].lanes == 1
