"""Calls with review: the open calls (public), my submissions, my assigned reviews, decisions.

The same rules as the pages, from the same selectors and services
(``atrium.reviews``): a submitter and confirmed co-authors read their own submissions
and, once sent, the decision and the reviews' parts for them; a reviewer reads and
scores only the submissions assigned to them without a conflict (anything else is a 404,
and a forged review of a conflicted submission a 422 that changes nothing); organisers of
the edition read every submission and decision of it.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from atrium.api.auth import Role, conference_for_role, require_scope, token_auth
from atrium.api.errors import ErrorOut, not_found, responses
from atrium.api.models import ApiToken
from atrium.api.pagination import Page
from atrium.api.routers.events import Slug, published_conference
from atrium.api.schemas import MAX_ID, SLUG_PATTERN, TEXT_PATTERN
from atrium.reviews import selectors, services
from atrium.reviews.models import Call, Decision, Submission

router = Router(tags=["Reviews"])

CallSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The call's slug.")
SubmissionId = Path(..., ge=1, le=MAX_ID, description="The submission's id.")


class CallOut(Schema):
    slug: str
    kind: str
    title: str
    title_zh: str
    guidance: str
    guidance_zh: str
    opens_at: datetime
    closes_at: datetime
    deadline: datetime
    review_until: datetime
    decisions_at: datetime
    anonymised: bool
    reviews_per_submission: int


class PublicReviewOut(Schema):
    text_for_submitter: str


class MySubmissionOut(Schema):
    id: int
    call: str
    title: str
    abstract: str
    status: str
    submitted_at: datetime | None
    decision: str | None = None
    reviews: list[PublicReviewOut] = []


class AssignedOut(Schema):
    id: int
    title: str
    abstract: str
    track: str | None = None
    submitter: str | None = None
    my_review_status: str | None = None
    my_scores: dict[str, int] = {}


class ReviewIn(Schema):
    scores: dict[str, int | None] = Field(default_factory=dict, max_length=50)
    text_for_submitter: str = Field("", max_length=20000, pattern=TEXT_PATTERN)
    text_for_committee: str = Field("", max_length=20000, pattern=TEXT_PATTERN)
    submit: bool = False


class ReviewOut(Schema):
    submission: int = Field(..., alias="submission_id")
    status: str
    scores: dict[str, int]
    total: float | None


class DecisionOut(Schema):
    submission: int = Field(..., alias="submission_id")
    title: str = Field(..., alias="submission.title")
    outcome: str
    status: str
    mailed_at: datetime | None


def _call(conference, call_slug: str) -> Call:
    found = Call.objects.filter(conference=conference, slug=call_slug).first()
    if found is None:
        raise not_found(_("There is no call “%(slug)s”.") % {"slug": call_slug})
    return found


@router.get("/conferences/{slug}/calls", response=responses(list[CallOut]))
@paginate(Page)
def call_list(request, slug: str = Slug):
    """The edition's calls (talk proposals, award entries, host bids) with their dates."""
    conference = published_conference(slug)
    return list(Call.objects.filter(conference=conference).order_by("opens_at", "id"))


@router.get(
    "/conferences/{slug}/me/submissions",
    response=responses(list[MySubmissionOut], auth=True),
    auth=token_auth,
)
@paginate(Page)
def my_submissions(request, slug: str = Slug):
    """My submissions and those I co-author; the decision and reviews once it is sent."""
    conference = published_conference(slug)
    person = selectors.person_of(request.auth.user)
    rows = selectors.submissions_for_person(person=person, conference=conference)
    for sub in rows:
        decision = selectors.decision_sent(sub)
        sub.decision_value = decision.outcome if decision else None
    return [
        {
            "id": s.pk,
            "call": s.call.slug,
            "title": s.title,
            "abstract": s.abstract,
            "status": s.status,
            "submitted_at": s.submitted_at,
            "decision": s.decision_value,
            "reviews": [
                {"text_for_submitter": r.text_for_submitter}
                for r in (selectors.public_reviews(s) if s.decision_value else [])
            ],
        }
        for s in rows
    ]


@router.get(
    "/conferences/{slug}/calls/{call_slug}/assigned",
    response=responses(list[AssignedOut], auth=True),
    auth=token_auth,
)
@paginate(Page)
def my_assigned(request, slug: str = Slug, call_slug: str = CallSlug):
    """The submissions assigned to me as a reviewer (never a conflicted one), with my review."""
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    reviewer = selectors.reviewer_for(user=request.auth.user, call=call)
    if reviewer is None:
        raise not_found(_("You are not a reviewer of this call."))
    out = []
    for a in selectors.reviewer_assignments(reviewer):
        if not a.published:
            continue
        s = a.submission
        out.append(
            {
                "id": s.pk,
                "title": s.title,
                "abstract": s.abstract,
                "track": s.track.name if s.track else None,
                "submitter": None if call.anonymised else s.submitter.name,
                "my_review_status": a.review.status if a.review else None,
                "my_scores": a.review.scores if a.review else {},
            }
        )
    return out


@router.put(
    "/conferences/{slug}/calls/{call_slug}/submissions/{submission_id}/review",
    # 400: a body that is not JSON at all
    response={**responses(ReviewOut, auth=True), 400: ErrorOut},
    auth=token_auth,
)
def review_save(
    request,
    payload: ReviewIn,
    slug: str = Slug,
    call_slug: str = CallSlug,
    submission_id: int = SubmissionId,
):
    """Save my review as a draft, or submit it (``submit``). Needs a read-and-write token.

    Scores are whole numbers within each criterion's scale; a submission not assigned to me,
    or one I have a conflict with, is refused with a message and nothing is saved.
    """
    require_scope(request, ApiToken.Scope.WRITE)
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    reviewer = selectors.reviewer_for(user=request.auth.user, call=call)
    submission = Submission.objects.filter(call=call, pk=submission_id).first()
    if reviewer is None or submission is None:
        raise not_found(_("No such submission for you to review."))
    return services.review_save(
        reviewer=reviewer,
        submission=submission,
        scores=payload.scores,
        text_for_submitter=payload.text_for_submitter,
        text_for_committee=payload.text_for_committee,
        submit=payload.submit,
        actor=request.auth.user,
    )


@router.get(
    "/conferences/{slug}/calls/{call_slug}/decisions",
    response=responses(list[DecisionOut], auth=True),
    auth=token_auth,
)
@paginate(Page)
def decisions(request, slug: str = Slug, call_slug: str = CallSlug):
    """Every decision of the call, pending or sent (organisers of the edition)."""
    conference = conference_for_role(request, slug, Role.ORGANISER)
    call = _call(conference, call_slug)
    return list(
        Decision.objects.filter(submission__call=call)
        .select_related("submission")
        .order_by("submission_id")
    )
