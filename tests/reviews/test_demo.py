"""The demo's calls: the talk call partly reviewed, the award with the Dart entry, bids."""

from __future__ import annotations

import pytest

from atrium.demo.loader import load_demo
from atrium.reviews.models import Assignment, Call, Review, Reviewer, Submission
from atrium.reviews.selectors import award_winners, call_conflicts


@pytest.mark.django_db
def test_demo_calls_and_idempotence(client):
    load_demo()
    talks = Call.objects.get(conference__slug="beijing-2025", slug="talks")
    assert talks.submissions.count() == 60
    assert Reviewer.objects.filter(call=talks).count() == 15
    reviews = Review.objects.filter(submission__call=talks, status="submitted").count()
    pairs = Assignment.objects.filter(reviewer__call=talks).count()
    assert 0.4 * pairs < reviews < 0.8 * pairs  # partly reviewed
    conflicts = call_conflicts(talks)
    assert not any(
        (a.reviewer_id, a.submission_id) in conflicts
        for a in Assignment.objects.filter(reviewer__call=talks)
    )
    award = Call.objects.get(conference__slug="beijing-2025", kind="award")
    assert award.submissions.count() == 40
    assert award.reviewers.count() == 7
    dart = Submission.objects.get(
        call=award, organisation__slug="feibiao-dart-acceleration-service-platform"
    )
    assert (dart.projects_served, dart.ip_rights) == (30, 200)
    assert dart.status == "accepted"
    winners = award_winners(conference=award.conference)
    assert len(winners) == 10 and dart in winners
    assert Call.objects.get(conference__slug="beijing-2025", kind="bids").submissions.count() >= 3
    page = client.get("/c/beijing-2025/awards/").content.decode()
    assert "Feibiao (Dart) Acceleration Service Platform" in page
    assert "/directory/feibiao-dart-acceleration-service-platform/" in page
    zh = client.get("/c/beijing-2025/awards/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "飞镖加速服务平台" in zh
    assert "20亿元" in zh and "十亿" not in zh and "百万" not in zh
    assert "2 billion yuan" in page

    before = (Submission.objects.count(), Review.objects.count(), Assignment.objects.count())
    load_demo()
    assert (
        Submission.objects.count(),
        Review.objects.count(),
        Assignment.objects.count(),
    ) == before
