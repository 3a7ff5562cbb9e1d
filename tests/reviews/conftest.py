"""The world of a call in review, with one user for every row of the permission matrix."""

from __future__ import annotations

import pytest

from atrium.reviews.models import CoAuthor
from tests.factories import ConferenceFactory

from .helpers import (
    assign_published,
    make_call,
    make_organiser,
    make_person,
    make_reviewer,
    make_submission,
)


@pytest.fixture
def world():
    """A call in review with a submission, and one user for every row of the matrix."""
    call = make_call(reviewing=True)
    submission = make_submission(call)
    coauthor = make_person()
    CoAuthor.objects.create(
        submission=submission, email="co@x.org", person=coauthor, token_hash="x", status="confirmed"
    )
    assigned = make_reviewer(call)
    assign_published(assigned, submission)
    unassigned = make_reviewer(call)
    conflicted = make_reviewer(call)
    assign_published(conflicted, submission)
    # conflicted: the reviewer's organisation is the submitter's (found, not declared)
    conflicted.person.organisation = submission.submitter.organisation
    conflicted.person.save()
    other = ConferenceFactory()
    return {
        "call": call,
        "submission": submission,
        "users": {
            "submitter": submission.submitter.user,
            "coauthor": coauthor.user,
            "assigned": assigned.user,
            "unassigned": unassigned.user,
            "conflicted": conflicted.user,
            "organiser": make_organiser(call.conference),
            "other_organiser": make_organiser(other),
            "anonymous": None,
        },
        "reviewers": {"assigned": assigned, "conflicted": conflicted},
    }
