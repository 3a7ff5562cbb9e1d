"""Ordering an official tour's stops to shorten the walk: plain Python, no Django.

Points are (x, y) in metres on the site; the walk between two points is the straight line
between them (booths stand in open halls; corridors are wide). The tour is an open path: it
starts at ``start`` when given (the hall entrance), else wherever is best, and ends at the
last stop.

- Up to ``EXACT_LIMIT`` stops: the shortest path exactly, by the Held-Karp dynamic
  programme (O(2^n · n²): 12 stops take about 600,000 steps).
- Above: nearest neighbour from the start, then 2-opt (reverse a stretch while that
  shortens the path) until no reversal helps. Not always the best, seldom far from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]

EXACT_LIMIT = 12


def distance(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def path_length(points: Sequence[Point], order: Sequence[int], start: Point | None = None) -> float:
    """Length of the walk through ``points`` in ``order`` (from ``start`` if given)."""
    route = [points[i] for i in order]
    if start is not None:
        route = [start, *route]
    return sum(distance(route[i], route[i + 1]) for i in range(len(route) - 1))


def order_stops(points: Sequence[Point], *, start: Point | None = None) -> list[int]:
    """The indices of ``points`` in the order to visit them."""
    n = len(points)
    if n <= 2:
        if n == 2 and start is not None and distance(start, points[1]) < distance(start, points[0]):
            return [1, 0]
        return list(range(n))
    if n <= EXACT_LIMIT:
        return _held_karp(points, start)
    return _two_opt(points, _nearest_neighbour(points, start), start)


def _held_karp(points: Sequence[Point], start: Point | None) -> list[int]:
    n = len(points)
    d = [[distance(points[i], points[j]) for j in range(n)] for i in range(n)]
    first = [distance(start, p) if start is not None else 0.0 for p in points]
    full = (1 << n) - 1
    inf = math.inf
    # cost[mask][j]: shortest walk visiting exactly ``mask``, ending at j.
    cost = [[inf] * n for _ in range(1 << n)]
    parent = [[-1] * n for _ in range(1 << n)]
    for j in range(n):
        cost[1 << j][j] = first[j]
    for mask in range(1, full + 1):
        row = cost[mask]
        for j in range(n):
            here = row[j]
            if here == inf:
                continue
            dj = d[j]
            for k in range(n):
                if mask & (1 << k):
                    continue
                nxt = mask | (1 << k)
                value = here + dj[k]
                if value < cost[nxt][k]:
                    cost[nxt][k] = value
                    parent[nxt][k] = j
    end = min(range(n), key=lambda j: cost[full][j])
    order = []
    mask = full
    while end != -1:
        order.append(end)
        previous = parent[mask][end]
        mask &= ~(1 << end)
        end = previous
    return order[::-1]


def _nearest_neighbour(points: Sequence[Point], start: Point | None) -> list[int]:
    left = set(range(len(points)))
    here = start if start is not None else points[0]
    order: list[int] = []
    while left:
        nearest = min(left, key=lambda i: (distance(here, points[i]), i))
        order.append(nearest)
        left.remove(nearest)
        here = points[nearest]
    return order


def _two_opt(points: Sequence[Point], order: list[int], start: Point | None) -> list[int]:
    best = list(order)
    best_length = path_length(points, best, start)
    improved = True
    while improved:
        improved = False
        for i in range(len(best) - 1):
            for j in range(i + 1, len(best)):
                candidate = best[:i] + best[i : j + 1][::-1] + best[j + 1 :]
                length = path_length(points, candidate, start)
                if length < best_length - 1e-9:
                    best, best_length, improved = candidate, length, True
    return best
