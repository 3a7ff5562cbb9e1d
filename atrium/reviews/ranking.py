"""Rankings of a call's submissions from the totals of their submitted reviews.

Pure functions over plain numbers, so the figures are tested by hand.

The normalised score corrects for harsh and lenient reviewers with **per-reviewer
z-scores**: each reviewer's totals are centred on that reviewer's own mean and divided by
their own (population) standard deviation, so a reviewer who gives everyone 2 and one who
gives everyone 4 speak the same language; a submission's normalised score is the mean of the
z-scores of its reviews. A reviewer with fewer than two reviews, or who gave every
submission the same total, says nothing about relative quality: their z-scores are 0.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    count: int
    mean: float | None
    median: float | None
    stdev: float | None  # population standard deviation: the reviewers' disagreement
    normalised: float | None


def reviewer_z_scores(
    reviews: Iterable[tuple[int, int, float]],
) -> dict[tuple[int, int], float]:
    """(reviewer, submission) -> z-score of the total within the reviewer's own totals."""
    by_reviewer: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for reviewer, submission, total in reviews:
        by_reviewer[reviewer].append((submission, total))
    z: dict[tuple[int, int], float] = {}
    for reviewer, items in by_reviewer.items():
        totals = [t for _s, t in items]
        mean = sum(totals) / len(totals)
        sd = math.sqrt(sum((t - mean) ** 2 for t in totals) / len(totals))
        for submission, total in items:
            z[(reviewer, submission)] = (total - mean) / sd if sd > 1e-12 else 0.0
    return z


def rank_figures(reviews: Iterable[tuple[int, int, float]]) -> dict[int, Figures]:
    """Per submission: count, mean, median, standard deviation and normalised score."""
    reviews = list(reviews)
    z = reviewer_z_scores(reviews)
    totals: dict[int, list[float]] = defaultdict(list)
    zs: dict[int, list[float]] = defaultdict(list)
    for reviewer, submission, total in reviews:
        totals[submission].append(total)
        zs[submission].append(z[(reviewer, submission)])
    figures = {}
    for submission, values in totals.items():
        figures[submission] = Figures(
            count=len(values),
            mean=sum(values) / len(values),
            median=statistics.median(values),
            stdev=statistics.pstdev(values),
            normalised=sum(zs[submission]) / len(zs[submission]),
        )
    return figures


def weighted_total(scores: dict[str, float], criteria: Iterable[tuple[str, float]]) -> float | None:
    """Weighted mean of the scores of the counted criteria ``(key, weight)``; None if none."""
    num = den = 0.0
    for key, weight in criteria:
        if key in scores and scores[key] is not None:
            num += float(scores[key]) * weight
            den += weight
    return round(num / den, 4) if den else None
