"""Read-only queries of calls with review, reused by services, pages and the API.

Who may read what is decided here once (``can_*``), so pages and API routes agree:

- a submitter and the confirmed co-authors see their own submission, its decision once
  sent, and the reviews' parts for the submitter;
- a reviewer sees the submissions assigned to them and only if they have no conflict;
  never another reviewer's scores of a submission they are conflicted on;
- organisers of the call's edition see everything of it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from atrium.events.permissions import Role, has_role
from atrium.network.models import Organisation, Person
from atrium.reviews import conflicts as rules
from atrium.reviews.models import (
    Assignment,
    Bid,
    Call,
    CoAuthor,
    Decision,
    DeclaredConflict,
    Review,
    Reviewer,
    Submission,
)
from atrium.reviews.ranking import Figures, rank_figures


def person_of(user) -> Person | None:
    if not user or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).select_related("organisation").first()


def is_organiser(user, call: Call) -> bool:
    return has_role(user, call.conference, Role.ORGANISER)


def open_calls(*, conference, at=None) -> list[Call]:
    from django.utils import timezone

    at = at or timezone.now()
    calls = Call.objects.filter(conference=conference, opens_at__lte=at).order_by("closes_at")
    return [c for c in calls if c.is_open(at)]


def submissions_for_person(*, person: Person | None, conference=None) -> list[Submission]:
    """Submissions the person submitted or co-authors (confirmed), with call and decision."""
    if person is None:
        return []
    qs = Submission.objects.filter(
        Q(submitter=person)
        | Q(coauthors__person=person, coauthors__status=CoAuthor.Status.CONFIRMED)
    ).distinct()
    if conference is not None:
        qs = qs.filter(call__conference=conference)
    return list(qs.select_related("call__conference", "track").order_by("-created"))


def is_author(person: Person | None, submission: Submission) -> bool:
    if person is None:
        return False
    if submission.submitter_id == person.pk:
        return True
    return submission.coauthors.filter(person=person, status=CoAuthor.Status.CONFIRMED).exists()


def reviewer_for(*, user, call: Call) -> Reviewer | None:
    if not user or not user.is_authenticated:
        return None
    return (
        Reviewer.objects.filter(call=call, user=user)
        .select_related("person__organisation", "user")
        .first()
    )


# --- conflicts -------------------------------------------------------------------------


def _party(person: Person | None, email: str = "") -> rules.Party:
    if person is None:
        return rules.Party(email=email)
    return rules.Party(
        person_id=person.pk,
        email=person.email or email,
        organisation_id=person.organisation_id,
        country=str(person.country or ""),
    )


def _reviewer_party(reviewer: Reviewer) -> rules.Party:
    return _party(reviewer.person, reviewer.user.email if reviewer.user_id else "")


def _parents() -> dict[int, int | None]:
    return dict(Organisation.objects.values_list("id", "parent_id"))


def _submission_parties(submissions) -> list[rules.SubmissionParties]:
    ids = [s.pk for s in submissions]
    coauthors: dict[int, list[rules.Party]] = defaultdict(list)
    for c in CoAuthor.objects.filter(
        submission_id__in=ids, status=CoAuthor.Status.CONFIRMED
    ).select_related("person"):
        coauthors[c.submission_id].append(_party(c.person, c.email))
    return [
        rules.SubmissionParties(
            id=s.pk,
            submitter=_party(s.submitter),
            coauthors=tuple(coauthors[s.pk]),
            organisation_id=s.organisation_id,
        )
        for s in submissions
    ]


def call_conflicts(
    call: Call, *, reviewers=None, submissions=None
) -> dict[tuple[int, int], rules.Conflict]:
    """Every conflicted (reviewer id, submission id) pair of the call, with its reasons.

    A fixed number of queries, whatever the size of the call.
    """
    if reviewers is None:
        reviewers = list(Reviewer.objects.filter(call=call).select_related("person", "user"))
    if submissions is None:
        submissions = list(Submission.objects.filter(call=call).select_related("submitter"))
    rids = [r.pk for r in reviewers]
    return rules.find_conflicts(
        {r.pk: _reviewer_party(r) for r in reviewers},
        _submission_parties(submissions),
        parents=_parents(),
        same_country=call.same_country_conflict,
        declared=DeclaredConflict.objects.filter(reviewer_id__in=rids).values_list(
            "reviewer_id", "submission_id"
        ),
        bid_conflicts=Bid.objects.filter(
            reviewer_id__in=rids, level=Bid.Level.CONFLICT
        ).values_list("reviewer_id", "submission_id"),
    )


def pair_conflict(reviewer: Reviewer, submission: Submission) -> tuple[str, ...]:
    """The reasons why this reviewer may not review this submission (empty: none)."""
    if reviewer.call_id != submission.call_id:
        return ("other_call",)
    found = call_conflicts(
        reviewer.call,
        reviewers=[Reviewer.objects.select_related("person", "user").get(pk=reviewer.pk)],
        submissions=[Submission.objects.select_related("submitter").get(pk=submission.pk)],
    )
    conflict = found.get((reviewer.pk, submission.pk))
    return conflict.reasons if conflict else ()


def reviewer_may_review(reviewer: Reviewer | None, submission: Submission) -> bool:
    """Assigned (and published), and no conflict: the only way a reviewer sees a submission."""
    if reviewer is None or reviewer.call_id != submission.call_id:
        return False
    if not Assignment.objects.filter(
        reviewer=reviewer, submission=submission, published=True
    ).exists():
        return False
    return not pair_conflict(reviewer, submission)


def can_view_submission(user, submission: Submission) -> bool:
    call = submission.call
    if is_organiser(user, call):
        return True
    if is_author(person_of(user), submission):
        return True
    if not submission.is_reviewable:
        return False
    return reviewer_may_review(reviewer_for(user=user, call=call), submission)


# --- the reviewer's page -----------------------------------------------------------------


def reviewer_assignments(reviewer: Reviewer) -> list[Assignment]:
    """The reviewer's assignments (conflicted ones left out), each with ``review`` or None."""
    conflicted = {
        s
        for (_r, s) in call_conflicts(
            reviewer.call,
            reviewers=[reviewer],
            submissions=list(
                Submission.objects.filter(assignments__reviewer=reviewer).select_related(
                    "submitter"
                )
            ),
        )
    }
    rows = list(
        Assignment.objects.filter(reviewer=reviewer)
        .exclude(submission_id__in=conflicted)
        .exclude(submission__status__in=[Submission.Status.DRAFT, Submission.Status.WITHDRAWN])
        .select_related("submission__track", "submission__submitter__organisation")
        .order_by("submission_id")
    )
    reviews = {
        r.submission_id: r
        for r in Review.objects.filter(
            reviewer=reviewer, submission_id__in=[a.submission_id for a in rows]
        )
    }
    for a in rows:
        a.review = reviews.get(a.submission_id)
    return rows


def biddable_submissions(reviewer: Reviewer) -> list[Submission]:
    """The call's submitted entries the reviewer may bid on: every one without a found conflict
    (a bid of "conflict" or a declared one stays listed, so that it can be seen and changed)."""
    subs = list(
        Submission.objects.filter(call=reviewer.call, status=Submission.Status.SUBMITTED)
        .select_related("track", "submitter")
        .order_by("id")
    )
    found = call_conflicts(reviewer.call, reviewers=[reviewer], submissions=subs)
    own = {"bid", "declared"}
    return [
        s
        for s in subs
        if (reviewer.pk, s.pk) not in found or set(found[(reviewer.pk, s.pk)].reasons) <= own
    ]


# --- the organiser's page ----------------------------------------------------------------


@dataclass
class Row:
    submission: Submission
    figures: Figures | None
    reviewers: list[Reviewer]
    conflicts: int
    reviews_submitted: int


def submission_rows(
    call: Call,
    *,
    track: str = "",
    status: str = "",
    min_score: float | None = None,
    assigned: str = "",
    conflicted: str = "",
    sort: str = "",
) -> list[Row]:
    """The organiser's table of a call: one row per submission with its figures.

    A fixed number of queries whatever the number of submissions and reviewers (asserted in
    ``tests/reviews/test_queries.py``). Filters: track slug, status, lowest mean score,
    ``assigned`` ("none", "short", "full"), ``conflicted`` ("yes"); sort by ``mean``,
    ``median``, ``stdev``, ``count``, ``normalised`` (highest first) or id.
    """
    submissions = list(
        Submission.objects.filter(call=call)
        .select_related("track", "submitter__organisation", "organisation", "decision")
        .order_by("id")
    )
    reviewers = {
        r.pk: r for r in Reviewer.objects.filter(call=call).select_related("person", "user")
    }
    by_sub: dict[int, list[Reviewer]] = defaultdict(list)
    for rid, sid in Assignment.objects.filter(reviewer__call=call).values_list(
        "reviewer_id", "submission_id"
    ):
        by_sub[sid].append(reviewers[rid])
    totals = list(
        Review.objects.filter(
            submission__call=call, status=Review.Status.SUBMITTED, total__isnull=False
        ).values_list("reviewer_id", "submission_id", "total")
    )
    figures = rank_figures(totals)
    conflict_count: dict[int, int] = defaultdict(int)
    for _rid, sid in call_conflicts(
        call, reviewers=list(reviewers.values()), submissions=submissions
    ):
        conflict_count[sid] += 1
    k = call.reviews_per_submission
    rows = []
    for s in submissions:
        row = Row(
            submission=s,
            figures=figures.get(s.pk),
            reviewers=by_sub.get(s.pk, []),
            conflicts=conflict_count.get(s.pk, 0),
            reviews_submitted=figures[s.pk].count if s.pk in figures else 0,
        )
        if track and (s.track is None or s.track.slug != track):
            continue
        if status and s.status != status:
            continue
        if min_score is not None and (row.figures is None or row.figures.mean < min_score):
            continue
        n = len(row.reviewers)
        if assigned == "none" and n:
            continue
        if assigned == "short" and n >= k:
            continue
        if assigned == "full" and n < k:
            continue
        if conflicted == "yes" and not row.conflicts:
            continue
        rows.append(row)
    if sort in {"mean", "median", "stdev", "count", "normalised"}:
        rows.sort(
            key=lambda r: (
                r.figures is not None and getattr(r.figures, sort) is not None,
                getattr(r.figures, sort) if r.figures else 0,
            ),
            reverse=True,
        )
    return rows


def reviewer_loads(call: Call) -> list[Reviewer]:
    return list(
        Reviewer.objects.filter(call=call)
        .select_related("person", "user", "track")
        .annotate(
            load=Count("assignments", distinct=True),
            done=Count("reviews", filter=Q(reviews__status=Review.Status.SUBMITTED), distinct=True),
        )
    )


def public_reviews(submission: Submission) -> list[Review]:
    """What the submitter sees once the decision is sent: submitted reviews' public parts."""
    return list(
        Review.objects.filter(submission=submission, status=Review.Status.SUBMITTED).order_by("id")
    )


def decision_sent(submission: Submission) -> Decision | None:
    decision = Decision.objects.filter(submission=submission, status=Decision.Status.SENT).first()
    return decision


def award_winners(*, conference) -> list[Submission]:
    """Accepted award entries of published calls, in rank order, for the public page."""
    return list(
        Submission.objects.filter(
            call__conference=conference,
            call__kind=Call.Kind.AWARD,
            call__results_published=True,
            decision__status=Decision.Status.SENT,
            decision__outcome=Decision.Outcome.ACCEPT,
        )
        .select_related("organisation", "decision", "call")
        .order_by("call_id", "decision__rank", "id")
    )


def chosen_bids(call: Call) -> list[Decision]:
    """The host bids of the call marked as chosen, with the edition each is recorded on."""
    return list(
        Decision.objects.filter(submission__call=call, host_chosen_at__isnull=False)
        .select_related("submission__organisation", "edition")
        .order_by("host_chosen_at", "id")
    )


def hosts_chosen_for(*, conference) -> list[Decision]:
    """The host bids recorded on this (future) edition whose decision is sent: public."""
    return list(
        Decision.objects.filter(
            edition=conference,
            host_chosen_at__isnull=False,
            status=Decision.Status.SENT,
            submission__call__kind=Call.Kind.BIDS,
        ).select_related("submission__organisation", "submission__call__conference")
    )


def calls_with_prefetch(conference):
    return Call.objects.filter(conference=conference).prefetch_related(
        Prefetch("tracks"), Prefetch("fields"), Prefetch("criteria")
    )
