"""Builders for calls with review: real objects through the models and services."""

from __future__ import annotations

import datetime as dt

from atrium.events.models import ConferenceRole
from atrium.reviews import services
from atrium.reviews.models import Assignment, Call, Criterion, FormField, Reviewer, Track
from tests.factories import ConferenceFactory, OrganisationFactory, PersonFactory, UserFactory

#: The tests' frozen clock (tests/conftest.py): calls are dated around it.
NOW = dt.datetime(2025, 8, 16, 1, 0, tzinfo=dt.UTC)


def make_call(conference=None, *, kind=Call.Kind.TALKS, open_now=True, reviewing=False, **extra):
    """A call open now (or closed and in review with ``reviewing``), with a rubric and a form."""
    conference = conference or ConferenceFactory()
    if reviewing:
        dates = {
            "opens_at": NOW - dt.timedelta(days=30),
            "closes_at": NOW - dt.timedelta(days=10),
            "review_from": NOW - dt.timedelta(days=9),
            "review_until": NOW + dt.timedelta(days=20),
            "decisions_at": NOW + dt.timedelta(days=25),
        }
    elif open_now:
        dates = {
            "opens_at": NOW - dt.timedelta(days=10),
            "closes_at": NOW + dt.timedelta(days=10),
            "review_from": NOW + dt.timedelta(days=11),
            "review_until": NOW + dt.timedelta(days=30),
            "decisions_at": NOW + dt.timedelta(days=35),
        }
    else:  # closed, reviews over
        dates = {
            "opens_at": NOW - dt.timedelta(days=60),
            "closes_at": NOW - dt.timedelta(days=40),
            "review_from": NOW - dt.timedelta(days=39),
            "review_until": NOW - dt.timedelta(days=20),
            "decisions_at": NOW - dt.timedelta(days=10),
        }
    call = Call.objects.create(
        conference=conference,
        slug=extra.pop("slug", f"call-{kind}"),
        kind=kind,
        title=extra.pop("title", "Call for talk proposals"),
        title_zh="演讲征集",
        reviews_per_submission=extra.pop("k", 2),
        **dates,
        **extra,
    )
    Track.objects.create(call=call, slug="health", name="Life and health", name_zh="生命健康")
    Criterion.objects.create(call=call, key="relevance", name="Relevance", weight=2)
    Criterion.objects.create(call=call, key="clarity", name="Clarity", weight=1)
    Criterion.objects.create(call=call, key="fit", name="Fit", weight=1, counts=False)
    FormField.objects.create(
        call=call, key="slides", kind=FormField.Kind.FILE, label="Slides", max_file_size=1000
    )
    FormField.objects.create(
        call=call,
        key="audience",
        kind=FormField.Kind.TEXT,
        label="Audience",
        max_length=20,
        required=True,
    )
    return call


def make_person(**kwargs):
    user = kwargs.pop("user", None) or UserFactory()
    return PersonFactory(user=user, **kwargs)


def make_submission(call, *, person=None, submit=True, **data):
    person = person or make_person()
    fields = {"title": "Green parks", "abstract": "Low-carbon practice"}
    if call.kind == Call.Kind.TALKS:
        fields.update(session_kind="parallel_forum", duration_minutes=20)
    elif call.kind == Call.Kind.AWARD:
        fields.update(organisation=person.organisation, solution="An incubator")
    fields.update(data)
    at = call.opens_at + dt.timedelta(hours=1)
    submission = services.submission_save(
        call=call, person=person, data=fields, answers={"audience": "Parks"}, actor=None, at=at
    )
    if submit:
        submission = services.submission_submit(
            submission=submission, person=person, actor=None, at=at
        )
    return submission


def make_reviewer(call, *, person=None, max_load=5, **kwargs):
    person = person or make_person(organisation=OrganisationFactory(), **kwargs)
    ConferenceRole.objects.get_or_create(
        conference=call.conference, user=person.user, role=ConferenceRole.Role.REVIEWER
    )
    return Reviewer.objects.create(call=call, user=person.user, person=person, max_load=max_load)


def assign_published(reviewer, submission):
    return Assignment.objects.create(reviewer=reviewer, submission=submission, published=True)


def make_organiser(conference):
    user = UserFactory()
    ConferenceRole.objects.create(
        conference=conference, user=user, role=ConferenceRole.Role.ORGANISER
    )
    return user
