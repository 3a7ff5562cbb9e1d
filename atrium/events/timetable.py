"""The programme grid: rooms across, time down, one HTML table per day.

Plain data in, plain data out, so it is easy to test and needs no JavaScript or
inline styles: a session spans rows with ``rowspan``; rooms where sessions
overlap (four visit buses leaving at once) split into lanes with ``colspan``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Column:
    key: Hashable
    label: Any
    lanes: int = 1


@dataclass
class Cell:
    item: Any = None
    rowspan: int = 1

    @property
    def is_empty(self) -> bool:
        return self.item is None


@dataclass
class Row:
    start: datetime
    end: datetime
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Grid:
    columns: list[Column]
    rows: list[Row]

    @property
    def lane_count(self) -> int:
        return sum(column.lanes for column in self.columns)


def _assign_lanes(items: Sequence[Any], start, end) -> list[list[Any]]:
    """Interval partitioning: the fewest lanes with no overlap inside a lane."""
    lanes: list[list[Any]] = []
    for item in sorted(items, key=lambda i: (start(i), end(i))):
        for lane in lanes:
            if end(lane[-1]) <= start(item):
                lane.append(item)
                break
        else:
            lanes.append([item])
    return lanes


def build_grid(
    items: Sequence[Any],
    columns: Sequence[tuple[Hashable, Any]],
    *,
    start=lambda item: item.start,
    end=lambda item: item.end,
    column_of=lambda item: item.column_key,
) -> Grid:
    """Lay ``items`` out in a grid of ``columns`` (key, label), rows at every boundary.

    Items whose column key is not in ``columns`` are left out. Columns without
    items are kept (a room free all day still shows).
    """
    order = {key: index for index, (key, _label) in enumerate(columns)}
    by_column: dict[Hashable, list[Any]] = {key: [] for key, _label in columns}
    for item in items:
        key = column_of(item)
        if key in order:
            by_column[key].append(item)

    boundaries = sorted(
        {start(i) for i in items if column_of(i) in order}
        | {end(i) for i in items if column_of(i) in order}
    )
    index_of = {moment: index for index, moment in enumerate(boundaries)}
    rows = [Row(start=a, end=b) for a, b in zip(boundaries, boundaries[1:], strict=False)]

    grid_columns: list[Column] = []
    for key, label in columns:
        lanes = _assign_lanes(by_column[key], start, end) or [[]]
        grid_columns.append(Column(key=key, label=label, lanes=len(lanes)))
        for lane in lanes:
            cursor = 0
            for item in lane:
                first, last = index_of[start(item)], index_of[end(item)]
                for row_index in range(cursor, first):
                    rows[row_index].cells.append(Cell())
                rows[first].cells.append(Cell(item=item, rowspan=last - first))
                cursor = last
            for row_index in range(cursor, len(rows)):
                rows[row_index].cells.append(Cell())
    return Grid(columns=grid_columns, rows=rows)
