"""The tour's walk: exact up to 12 stops (checked against every order), a heuristic above."""

from __future__ import annotations

import itertools
import random

import pytest

from atrium.exhibition.tour import EXACT_LIMIT, order_stops, path_length


def brute_force(points, start):
    return min(
        path_length(points, order, start) for order in itertools.permutations(range(len(points)))
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("with_start", [True, False])
def test_exact_order_is_as_short_as_the_best_of_every_order(seed, with_start):
    rng = random.Random(seed)
    n = rng.randint(3, 7)
    points = [(rng.uniform(0, 100), rng.uniform(0, 60)) for _ in range(n)]
    start = (0.0, 30.0) if with_start else None
    order = order_stops(points, start=start)
    assert sorted(order) == list(range(n))
    assert path_length(points, order, start) == pytest.approx(brute_force(points, start))


def test_a_row_of_booths_is_walked_from_the_entrance_end():
    points = [(40.0, 0.0), (10.0, 0.0), (30.0, 0.0), (20.0, 0.0)]
    assert order_stops(points, start=(0.0, 0.0)) == [1, 3, 2, 0]


def test_above_the_exact_limit_the_heuristic_visits_every_stop_once_and_beats_the_given_order():
    rng = random.Random(7)
    points = [(rng.uniform(0, 200), rng.uniform(0, 100)) for _ in range(EXACT_LIMIT + 13)]
    order = order_stops(points, start=(0.0, 0.0))
    assert sorted(order) == list(range(len(points)))
    given = path_length(points, list(range(len(points))), (0.0, 0.0))
    assert path_length(points, order, (0.0, 0.0)) < given


def test_twelve_stops_are_ordered_exactly():
    # Points on a circle: the best open path walks round it, never across.
    import math

    points = [(math.cos(2 * math.pi * i / 12), math.sin(2 * math.pi * i / 12)) for i in range(12)]
    shuffled = points[::5] + [p for p in points if p not in points[::5]]
    order = order_stops(shuffled)
    step = 2 * math.sin(math.pi / 12)
    assert path_length(shuffled, order) == pytest.approx(11 * step)
