"""Calls with review: talk proposals, award entries and host bids, one engine.

A ``Call`` of an edition has a form (``FormField``), tracks, a rubric (``Criterion``) and
reviewers; a ``Submission`` to it gets ``Assignment``s of reviewers, ``Review``s, then a
``Decision``. Every state change goes through ``atrium.reviews.services``.

The models are in modules by subject: ``call`` (the call, tracks, form fields, criteria),
``submission`` (submissions, co-authors), ``reviewing`` (reviewers, invitations, bids,
declared conflicts, assignments, runs, reviews), ``decision`` and ``discussion`` (the
reviewers' comments); all are named here.
"""

from atrium.reviews.models.call import Call, Criterion, FormField, Track
from atrium.reviews.models.decision import Decision
from atrium.reviews.models.discussion import Comment
from atrium.reviews.models.reviewing import (
    Assignment,
    AssignmentRun,
    Bid,
    DeclaredConflict,
    Review,
    Reviewer,
    ReviewerInvitation,
)
from atrium.reviews.models.submission import CoAuthor, Submission

__all__ = [
    "Assignment",
    "AssignmentRun",
    "Bid",
    "Call",
    "CoAuthor",
    "Comment",
    "Criterion",
    "Decision",
    "DeclaredConflict",
    "FormField",
    "Review",
    "Reviewer",
    "ReviewerInvitation",
    "Submission",
    "Track",
]
