"""The reviews admin: every model shown read-only, times in the edition's zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from atrium.reviews import discussion, services
from atrium.reviews.models import (
    AssignmentRun,
    Call,
    Decision,
    Review,
    Reviewer,
    Submission,
)
from tests.factories import ConferenceFactory

from .helpers import assign_published, make_call, make_reviewer, make_submission

pytestmark = pytest.mark.django_db

MODELS = [Call, Submission, Reviewer, AssignmentRun, Review, Decision]


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("orga", "orga@example.org", "pw-For-tests-1")
    client.force_login(user)
    return client


@pytest.fixture
def rows():
    # 01:00 UTC is 09:00 in Shanghai and 04:00 in Nairobi (UTC+3)
    call = make_call(ConferenceFactory(time_zone="Africa/Nairobi"), reviewing=True)
    sub = make_submission(call)
    reviewer = make_reviewer(call)
    assign_published(reviewer, sub)
    services.review_save(
        reviewer=reviewer,
        submission=sub,
        scores={"relevance": 4, "clarity": 3, "fit": 2},
        submit=True,
        actor=None,
    )
    services.assignment_run(call=call, actor=None)
    services.decision_set(submission=sub, outcome="accept", actor=None)
    discussion.comment_post(submission=sub, user=reviewer.user, body="A discussed point")
    services.reviewer_invite(
        call=call, email="new@uni.example.org", accept_url="/x/{token}/", actor=None
    )
    return call


def test_every_reviews_model_is_registered_read_only(admin_client, rows):
    for model in MODELS:
        model_admin = admin.site._registry[model]
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, model
        if model_admin.search_fields:
            assert admin_client.get(changelist, {"q": "beijing 北京"}).status_code == 200
        assert (
            admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
            == 403
        )
        obj = model.objects.first()
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = admin_client.get(change)
        assert page.status_code == 200, model
        assert not page.context["has_change_permission"]
        # a POST changes nothing
        assert admin_client.post(change, {}).status_code == 403
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Call.objects.count() == 1 and Decision.objects.count() == 1
    # the submission's page shows its discussion, read-only
    sub = Submission.objects.get()
    page = admin_client.get(reverse("admin:reviews_submission_change", args=[sub.pk]))
    assert "A discussed point" in page.content.decode()


def test_times_in_the_editions_zone(admin_client, rows):
    call = rows
    assert call.opens_at.astimezone(dt.UTC).hour == 1
    page = admin_client.get(reverse("admin:reviews_call_change", args=[call.pk]))
    html = page.content.decode()
    assert "Times are in Africa/Nairobi" in html
    assert "4 a.m." in html  # opens_at, 01:00 UTC
    assert "1 a.m." not in html
    # the invitation inline too
    assert "new@uni.example.org" in html
    page = admin_client.get(
        reverse("admin:reviews_submission_changelist"),
        {"call__conference__id__exact": call.conference_id},
    )
    assert "Times are in Africa/Nairobi" in page.content.decode()
