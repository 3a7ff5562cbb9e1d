"""Rankings against a hand-computed example (docs/reviews.md, "Rankings")."""

import pytest

from atrium.reviews.ranking import rank_figures, reviewer_z_scores, weighted_total

# (reviewer, submission, total)
REVIEWS = [
    ("A", 1, 4),
    ("A", 2, 2),
    ("A", 3, 3),  # mean 3, sd sqrt(2/3): z = +1.2247, -1.2247, 0
    ("B", 1, 5),
    ("B", 2, 5),  # lenient and flat: sd 0, so z = 0 (says nothing)
    ("C", 2, 1),
    ("C", 3, 3),  # harsh: mean 2, sd 1: z = -1, +1
]


def test_z_scores_by_hand():
    z = reviewer_z_scores(REVIEWS)
    assert z[("A", 1)] == pytest.approx(1.224745, abs=1e-6)  # (4 - 3) / sqrt(2/3)
    assert z[("A", 3)] == 0
    assert z[("B", 1)] == z[("B", 2)] == 0
    assert z[("C", 2)] == pytest.approx(-1.0)


def test_figures_by_hand():
    f = rank_figures(REVIEWS)
    assert (f[1].count, f[1].mean, f[1].median, f[1].stdev) == (2, 4.5, 4.5, 0.5)
    assert f[1].normalised == pytest.approx(0.612372, abs=1e-6)  # (1.224745 + 0) / 2
    assert f[2].mean == pytest.approx(2.666667, abs=1e-6)
    assert f[2].median == 2
    assert f[2].stdev == pytest.approx(1.699673, abs=1e-6)  # sqrt(26/9)
    assert f[2].normalised == pytest.approx(-0.741582, abs=1e-6)  # (-1.224745 + 0 - 1) / 3
    assert f[3].normalised == pytest.approx(0.5)  # (0 + 1) / 2
    # the harsh reviewer's 3 for submission 3 counts as much as A's 4 for submission 1
    by_norm = sorted(f, key=lambda s: f[s].normalised, reverse=True)
    assert by_norm == [1, 3, 2]


def test_weighted_total_counts_only_the_counted_criteria():
    assert weighted_total({"a": 5, "b": 2, "shown": 1}, [("a", 2), ("b", 1)]) == pytest.approx(4.0)
    assert weighted_total({}, [("a", 1)]) is None


def test_money_raised_in_words_of_each_language():
    from decimal import Decimal

    from django.utils import translation

    from atrium.reviews.models import Submission

    dart = Submission(money_raised_cny=Decimal("1980000000"))
    assert dart.money_raised_i18n == "1.98 billion yuan"
    with translation.override("zh-hans"):
        assert dart.money_raised_i18n == "19.8亿元"
    assert Submission(money_raised_cny=Decimal("91000000")).money_raised_i18n == "91 million yuan"
