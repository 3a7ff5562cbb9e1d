"""Calls with review: the open calls (public), my submissions (create, edit, hand in), my
assigned reviews and bids, decisions.

The same rules as the pages, from the same selectors and services
(``atrium.reviews``): a submitter and confirmed co-authors read their own submissions
and, once sent, the decision and the reviews' parts for them; a reviewer reads and
scores only the submissions assigned to them without a conflict (anything else is a 404,
and a forged review of a conflicted submission a 422 that changes nothing); organisers of
the edition read every submission and decision of it. A submitter creates, edits and hands
in their own submissions through the same services as the pages (deadlines, answers checked
against the form; files are uploaded on the page only); a reviewer bids only on entries
without a found conflict (the others are not listed, and a bid on one is a 422). The
reviewers' discussion of a submission is read by its assigned reviewers without a conflict
and the edition's organisers only (``atrium.reviews.discussion``); to anyone else, authors
included, it is a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from atrium.api.auth import Role, conference_for_role, require_scope, token_auth
from atrium.api.errors import ApiError, ErrorOut, invalid, not_found, responses
from atrium.api.models import ApiToken
from atrium.api.pagination import Page
from atrium.api.routers.events import Slug, published_conference
from atrium.api.schemas import MAX_ID, SLUG_PATTERN, TEXT_PATTERN
from atrium.core.i18n import is_chinese
from atrium.network.models import Organisation
from atrium.reviews import discussion, selectors, services
from atrium.reviews.models import Bid, Call, Decision, Submission, Track

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


class SubmissionIn(Schema):
    """A submission's fields; on a change (PATCH) only the fields sent are changed."""

    title: str = Field(..., max_length=300, pattern=TEXT_PATTERN)
    abstract: str = Field("", max_length=20000, pattern=TEXT_PATTERN)
    track: str | None = Field(None, max_length=60, pattern=SLUG_PATTERN, description="slug")
    session_kind: str = Field("", max_length=30, pattern=TEXT_PATTERN)
    duration_minutes: int | None = Field(None, ge=1, le=1440)
    co_speakers: str = Field("", max_length=2000, pattern=TEXT_PATTERN)
    organisation: str | None = Field(
        None, max_length=100, pattern=SLUG_PATTERN, description="the directory's slug"
    )
    solution: str = Field("", max_length=20000, pattern=TEXT_PATTERN)
    projects_served: int | None = Field(None, ge=0, le=10**9)
    money_raised_cny: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=0)
    ip_rights: int | None = Field(None, ge=0, le=10**9)
    city: str = Field("", max_length=100, pattern=TEXT_PATTERN)
    proposed_start: date | None = None
    proposed_end: date | None = None
    venue: str = Field("", max_length=200, pattern=TEXT_PATTERN)
    supporting_government: str = Field("", max_length=200, pattern=TEXT_PATTERN)
    answers: dict[str, Any] | None = Field(
        None,
        max_length=100,
        description="The call's form by key (replaces the answers given before; files stay).",
    )


class SubmissionPatch(SubmissionIn):
    title: str = Field(None, max_length=300, pattern=TEXT_PATTERN)


class SubmissionOut(Schema):
    id: int
    call: str
    track: str | None
    title: str
    abstract: str
    status: str
    submitted_at: datetime | None
    deadline: datetime
    session_kind: str
    duration_minutes: int | None
    co_speakers: str
    organisation: str | None
    solution: str
    projects_served: int | None
    money_raised_cny: Decimal | None
    ip_rights: int | None
    city: str
    proposed_start: date | None
    proposed_end: date | None
    venue: str
    supporting_government: str
    answers: dict[str, Any]


class CommentOut(Schema):
    id: int
    author: str
    role: str
    body: str
    created: datetime


class BidIn(Schema):
    level: str = Field(..., max_length=12, description="eager, willing, not_willing or conflict")


class BidOut(Schema):
    submission: int
    title: str
    abstract: str
    track: str | None = None
    level: str | None = None


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


# --- submitters: create, edit, hand in -------------------------------------------------------


def _language() -> str:
    return "zh-hans" if is_chinese() else "en"


def _person(request):
    person = selectors.person_of(request.auth.user)
    if person is None:
        raise ApiError(
            422, "invalid", _("Your account has no person yet: register for the edition first.")
        )
    return person


def _submission_data(call: Call, payload: SubmissionIn, fields: set[str]) -> dict:
    """The service's ``data`` from the fields sent: slugs become the track and organisation."""
    data = {name: getattr(payload, name) for name in fields if name in services.SUBMISSION_FIELDS}
    if "track" in data and data["track"] is not None:
        track = Track.objects.filter(call=call, slug=data["track"]).first()
        if track is None:
            raise invalid(
                "track", _("This call has no track “%(slug)s”.") % {"slug": data["track"]}
            )
        data["track"] = track
    if "organisation" in data and data["organisation"] is not None:
        organisation = Organisation.objects.filter(slug=data["organisation"]).first()
        if organisation is None:
            raise invalid(
                "organisation",
                _("The directory has no organisation “%(slug)s”.") % {"slug": data["organisation"]},
            )
        data["organisation"] = organisation
    return data


def _submission_out(sub: Submission) -> dict:
    return {
        "id": sub.pk,
        "call": sub.call.slug,
        "track": sub.track.slug if sub.track else None,
        "title": sub.title,
        "abstract": sub.abstract,
        "status": sub.status,
        "submitted_at": sub.submitted_at,
        "deadline": sub.deadline(),
        "session_kind": sub.session_kind,
        "duration_minutes": sub.duration_minutes,
        "co_speakers": sub.co_speakers,
        "organisation": sub.organisation.slug if sub.organisation else None,
        "solution": sub.solution,
        "projects_served": sub.projects_served,
        "money_raised_cny": sub.money_raised_cny,
        "ip_rights": sub.ip_rights,
        "city": sub.city,
        "proposed_start": sub.proposed_start,
        "proposed_end": sub.proposed_end,
        "venue": sub.venue,
        "supporting_government": sub.supporting_government,
        # a file's stored path stays private: its name, size and type only
        "answers": {
            key: (
                {k: v for k, v in value.items() if k != "path"}
                if isinstance(value, dict)
                else value
            )
            for key, value in (sub.answers or {}).items()
        },
    }


def _visible_submission(request, call: Call, submission_id: int) -> Submission:
    """The submission if this token's account may read it (authors, organisers), else 404."""
    sub = (
        Submission.objects.select_related("call__conference", "track", "organisation")
        .filter(call=call, pk=submission_id)
        .first()
    )
    user = request.auth.user
    if sub is None or not (
        selectors.is_organiser(user, call) or selectors.is_author(selectors.person_of(user), sub)
    ):
        raise not_found(_("There is no such submission of yours."))
    return sub


@router.post(
    "/conferences/{slug}/calls/{call_slug}/submissions",
    # 400: a body that is not JSON at all
    response={**responses(SubmissionOut, status=201, auth=True), 400: ErrorOut},
    auth=token_auth,
)
def submission_create(request, payload: SubmissionIn, slug: str = Slug, call_slug: str = CallSlug):
    """Start a submission to an open call, as a draft. Needs a read-and-write token.

    Hand it in with ``POST …/submissions/{id}/submit``. A closed call, an unknown field or an
    answer the form refuses is a 422 naming it.
    """
    require_scope(request, ApiToken.Scope.WRITE)
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    person = _person(request)
    sub = services.submission_save(
        call=call,
        person=person,
        data=_submission_data(call, payload, payload.model_fields_set | {"title"}),
        answers=payload.answers or {},
        language=_language(),
        actor=request.auth.user,
    )
    return Status(201, _submission_out(sub))


@router.get(
    "/conferences/{slug}/calls/{call_slug}/submissions/{submission_id}",
    response=responses(SubmissionOut, auth=True),
    auth=token_auth,
)
def submission_detail(
    request, slug: str = Slug, call_slug: str = CallSlug, submission_id: int = SubmissionId
):
    """A submission of mine (or one I co-author); organisers of the edition read any."""
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    return _submission_out(_visible_submission(request, call, submission_id))


@router.patch(
    "/conferences/{slug}/calls/{call_slug}/submissions/{submission_id}",
    response={**responses(SubmissionOut, auth=True), 400: ErrorOut},
    auth=token_auth,
)
def submission_edit(
    request,
    payload: SubmissionPatch,
    slug: str = Slug,
    call_slug: str = CallSlug,
    submission_id: int = SubmissionId,
):
    """Change my submission before its deadline (only the fields sent). Read-and-write token.

    Only the submitter changes it (a co-author gets a 422 saying so); after the deadline
    nothing changes without an organiser's extension.
    """
    require_scope(request, ApiToken.Scope.WRITE)
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    sub = _visible_submission(request, call, submission_id)
    fields = set(payload.model_fields_set)
    if "title" in fields and not payload.title:
        raise invalid("title", _("A submission needs a title."))
    sub = services.submission_save(
        call=call,
        person=_person(request),
        submission=sub,
        data=_submission_data(call, payload, fields),
        answers=payload.answers if "answers" in fields else None,
        actor=request.auth.user,
    )
    return _submission_out(sub)


@router.post(
    "/conferences/{slug}/calls/{call_slug}/submissions/{submission_id}/submit",
    response=responses(SubmissionOut, auth=True),
    auth=token_auth,
)
def submission_submit(
    request, slug: str = Slug, call_slug: str = CallSlug, submission_id: int = SubmissionId
):
    """Hand in my draft before the deadline: every required field answered (422 naming each)."""
    require_scope(request, ApiToken.Scope.WRITE)
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    sub = _visible_submission(request, call, submission_id)
    sub = services.submission_submit(
        submission=sub, person=_person(request), actor=request.auth.user
    )
    return _submission_out(sub)


# --- reviewers: bids -----------------------------------------------------------------------------


def _reviewer(request, call: Call):
    reviewer = selectors.reviewer_for(user=request.auth.user, call=call)
    if reviewer is None:
        raise not_found(_("You are not a reviewer of this call."))
    return reviewer


@router.get(
    "/conferences/{slug}/calls/{call_slug}/bids",
    response=responses(list[BidOut], auth=True),
    auth=token_auth,
)
@paginate(Page)
def bid_list(request, slug: str = Slug, call_slug: str = CallSlug):
    """The entries I may bid on, with my bid; those I have a found conflict with are not listed."""
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    reviewer = _reviewer(request, call)
    bids = dict(Bid.objects.filter(reviewer=reviewer).values_list("submission_id", "level"))
    return [
        {
            "submission": s.pk,
            "title": s.title,
            "abstract": s.abstract,
            "track": s.track.slug if s.track else None,
            "level": bids.get(s.pk),
        }
        for s in selectors.biddable_submissions(reviewer)
    ]


@router.put(
    "/conferences/{slug}/calls/{call_slug}/submissions/{submission_id}/bid",
    response={**responses(BidOut, auth=True), 400: ErrorOut},
    auth=token_auth,
)
def bid_put(
    request,
    payload: BidIn,
    slug: str = Slug,
    call_slug: str = CallSlug,
    submission_id: int = SubmissionId,
):
    """Bid on an entry (eager, willing, not_willing, conflict). Read-and-write token.

    An entry I have a found conflict with is a 422 and nothing is saved.
    """
    require_scope(request, ApiToken.Scope.WRITE)
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    reviewer = _reviewer(request, call)
    sub = Submission.objects.select_related("track").filter(call=call, pk=submission_id).first()
    if sub is None or not sub.is_reviewable:
        raise not_found(_("No such submission to bid on."))
    bid = services.bid_set(
        reviewer=reviewer, submission=sub, level=payload.level, actor=request.auth.user
    )
    return {
        "submission": sub.pk,
        "title": sub.title,
        "abstract": sub.abstract,
        "track": sub.track.slug if sub.track else None,
        "level": bid.level,
    }


# --- the reviewers' discussion ---------------------------------------------------------------


@router.get(
    "/conferences/{slug}/calls/{call_slug}/submissions/{submission_id}/comments",
    response=responses(list[CommentOut], auth=True),
    auth=token_auth,
)
@paginate(Page)
def comment_list(
    request, slug: str = Slug, call_slug: str = CallSlug, submission_id: int = SubmissionId
):
    """The reviewers' discussion of a submission, oldest first (assigned reviewers without a
    conflict, organisers of the edition; never its authors)."""
    conference = published_conference(slug)
    call = _call(conference, call_slug)
    sub = Submission.objects.filter(call=call, pk=submission_id).select_related("call").first()
    if sub is None or discussion.discussion_role(request.auth.user, sub) is None:
        raise not_found(_("There is no such discussion for you."))
    return [
        {"id": c.pk, "author": c.author_name, "role": c.role, "body": c.body, "created": c.created}
        for c in discussion.comments_of(sub)
    ]
