"""The organiser's review table and a reviewer's page: a query count that does not grow.

pretalx's review dashboard ran 2,400+ queries for 81 reviews; here the count is the same
for 50 × 10 and for 500 submissions × 100 reviewers.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from atrium.network.models import Organisation, Person
from atrium.reviews.models import Assignment, Review, Reviewer, Submission
from tests.factories import UserFactory

from .helpers import make_call, make_organiser

pytestmark = pytest.mark.django_db

MAX_QUERIES = 30


def build(n_submissions: int, n_reviewers: int):
    call = make_call(reviewing=True, k=3)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Org {i}", slug=f"org-q-{i}") for i in range(20)
    )
    # submitters in the first ten organisations, reviewers in the other ten: no conflicts
    people = Person.objects.bulk_create(
        Person(
            name=f"P {i}",
            slug=f"p-q-{i}",
            organisation=orgs[i % 10 if i < n_submissions else 10 + i % 10],
            email=f"p{i}@example.org",
        )
        for i in range(n_submissions + n_reviewers)
    )
    subs = Submission.objects.bulk_create(
        Submission(
            call=call,
            submitter=people[i],
            title=f"Entry {i}",
            status="submitted",
            track=call.tracks.first(),
        )
        for i in range(n_submissions)
    )
    users = [UserFactory(email=f"rq{i}@example.org") for i in range(n_reviewers)]
    reviewers = Reviewer.objects.bulk_create(
        Reviewer(call=call, user=users[i], person=people[n_submissions + i], max_load=50)
        for i in range(n_reviewers)
    )
    pairs = [
        (reviewers[(i * 3 + j) % n_reviewers], s) for i, s in enumerate(subs) for j in range(3)
    ]
    Assignment.objects.bulk_create(
        Assignment(reviewer=r, submission=s, published=True) for r, s in pairs
    )
    Review.objects.bulk_create(
        Review(
            reviewer=r, submission=s, scores={"relevance": 3}, total=1 + (i % 5), status="submitted"
        )
        for i, (r, s) in enumerate(pairs[: len(pairs) // 2])
    )
    return call, reviewers[0]


@pytest.mark.parametrize(("subs", "revs"), [(50, 10), (500, 100)])
def test_organiser_table_query_count_does_not_grow(
    client, django_assert_max_num_queries, subs, revs
):
    call, _reviewer = build(subs, revs)
    client.force_login(make_organiser(call.conference))
    url = reverse("reviews:organiser-submissions", args=[call.conference.slug, call.slug])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url + "?sort=normalised")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == subs + 1  # rows and the header


@pytest.mark.parametrize(("subs", "revs"), [(50, 10), (500, 100)])
def test_reviewer_page_query_count_does_not_grow(client, django_assert_max_num_queries, subs, revs):
    call, reviewer = build(subs, revs)
    client.force_login(reviewer.user)
    url = reverse("reviews:review-home", args=[call.conference.slug, call.slug])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Entry ") == reviewer.assignments.count()
