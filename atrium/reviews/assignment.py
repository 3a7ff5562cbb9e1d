"""The reviewer assignment of a call: the solver's instance, runs, hand changes, publishing.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.reviews import assign
from atrium.reviews.models import (
    Assignment,
    AssignmentRun,
    Bid,
    Call,
    Review,
    Reviewer,
    Submission,
)
from atrium.reviews.selectors import call_conflicts, pair_conflict

#: The affinity of the pairs about which nothing is known; a "not willing" bid is listed at
#: 0, below it, so the solver uses such a pair only to place a review it could not otherwise.
DEFAULT_AFFINITY = 0.1
BID_BONUS = {Bid.Level.EAGER: 0.4, Bid.Level.WILLING: 0.2}
EXPERTISE_WEIGHT = 0.5

# --- assignment ----------------------------------------------------------------------------


def _words(*texts: str) -> str:
    return " ".join(t.lower() for t in texts if t)


def assignment_instance(call: Call) -> tuple[dict, dict[tuple[str, str], float]]:
    """The solver's instance for the call, from bids, expertise, conflicts and kept pairs.

    Affinity of a pair: :data:`DEFAULT_AFFINITY` + ``0.5 ×`` the share of the reviewer's
    expertise (topics and sector names) found in the submission (title, abstract, solution,
    track, the sectors of its organisation) + a bid bonus (eager 0.4, willing 0.2), at most 1;
    a "not willing" bid is 0, below every pair about which nothing is known. Conflicts and
    pairs outside a reviewer's track are forbidden; locked, published or reviewed pairs are
    kept. Only pairs that differ from the default are listed.
    """
    reviewers = list(
        Reviewer.objects.filter(call=call)
        .select_related("person", "user")
        .prefetch_related("sectors")
    )
    submissions = list(
        Submission.objects.filter(call=call, status=Submission.Status.SUBMITTED)
        .select_related("submitter__organisation", "organisation", "track")
        .prefetch_related("organisation__sectors", "submitter__organisation__sectors")
    )
    conflicts = call_conflicts(call, reviewers=reviewers, submissions=submissions)
    bids = {
        (r, s): level
        for r, s, level in Bid.objects.filter(reviewer__call=call).values_list(
            "reviewer_id", "submission_id", "level"
        )
    }
    sub_ids = {s.pk for s in submissions}
    # a pair that has become conflicted (a co-author confirmed, a conflict declared) is
    # never kept: the run drops it
    kept = {pair for pair in _kept_pairs(call, sub_ids) if pair not in conflicts}
    affinity: dict[tuple[str, str], float] = {}
    forbidden: list[list[str]] = []
    texts = {}
    for s in submissions:
        org = s.organisation or s.submitter.organisation
        sectors = " ".join(x.name for x in org.sectors.all()) if org else ""
        texts[s.pk] = _words(
            s.title, s.abstract, s.solution, s.track.name if s.track else "", sectors
        )
    for r in reviewers:
        items = r.topic_set() | {x.name.lower() for x in r.sectors.all()}
        for s in submissions:
            key = (r.pk, s.pk)
            rid, sid = f"r{r.pk}", f"s{s.pk}"
            if key in conflicts or (r.track_id and s.track_id != r.track_id and key not in kept):
                forbidden.append([rid, sid])
                continue
            level = bids.get(key)
            if level == Bid.Level.NOT_WILLING:
                affinity[(rid, sid)] = 0.0
                continue
            overlap = sum(1 for item in items if item in texts[s.pk]) / len(items) if items else 0
            value = DEFAULT_AFFINITY + EXPERTISE_WEIGHT * overlap + BID_BONUS.get(level, 0)
            value = round(min(1.0, value), 3)
            if value != DEFAULT_AFFINITY:
                affinity[(rid, sid)] = value
    instance = {
        "reviewers": [{"id": f"r{r.pk}", "max_load": r.max_load} for r in reviewers],
        "submissions": [
            {"id": f"s{s.pk}", "reviews": call.reviews_per_submission} for s in submissions
        ],
        "affinity": [[r, s, w] for (r, s), w in affinity.items()],
        "conflicts": forbidden,
        "locked": [[f"r{r}", f"s{s}"] for r, s in sorted(kept)],
        "default_affinity": DEFAULT_AFFINITY,
    }
    return instance, affinity


def _kept_pairs(call: Call, sub_ids: set[int]) -> set[tuple[int, int]]:
    """Pairs a re-run keeps: locked, published, or with a review begun."""
    from django.db.models import Q

    pairs = set(
        Assignment.objects.filter(reviewer__call=call)
        .filter(Q(locked=True) | Q(published=True))
        .values_list("reviewer_id", "submission_id")
    )
    reviewed = set(
        Review.objects.filter(reviewer__call=call).values_list("reviewer_id", "submission_id")
    )
    assigned = set(
        Assignment.objects.filter(reviewer__call=call).values_list("reviewer_id", "submission_id")
    )
    return {p for p in pairs | (reviewed & assigned) if p[1] in sub_ids}


@transaction.atomic
def assignment_run(*, call: Call, actor, time_limit: float = 20.0) -> AssignmentRun:
    """Run the solver and replace the pairs that are not kept with its optimal answer."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    instance, affinity = assignment_instance(call)
    try:
        result = assign.solve(instance, time_limit=time_limit)
    except assign.InstanceError as error:
        raise ValidationError(
            _("The assignment cannot run: %(reason)s") % {"reason": error}
        ) from None
    kept = {(r, s) for r, s in instance["locked"]}
    _delete_unkept(call, kept)
    existing = set(
        Assignment.objects.filter(reviewer__call=call).values_list("reviewer_id", "submission_id")
    )
    new = []
    for rid, sid in result["assignments"]:
        pair = (int(rid[1:]), int(sid[1:]))
        if pair not in existing:
            new.append(
                Assignment(
                    reviewer_id=pair[0],
                    submission_id=pair[1],
                    affinity=affinity.get((rid, sid), DEFAULT_AFFINITY),
                )
            )
    Assignment.objects.bulk_create(new)
    run = AssignmentRun.objects.create(
        call=call,
        placed=result["placed"],
        objective=result["objective"],
        upper_bound=result["upper_bound"],
        status=result["status"],
        seconds=result.get("seconds", 0),
        short=[
            {**item, "submission": int(item["submission"][1:])} for item in result.get("short", [])
        ],
    )
    log_action(
        actor=actor,
        action="reviews.assignment_run",
        obj=call,
        conference=call.conference,
        data={k: result[k] for k in ("placed", "objective", "upper_bound", "status")},
    )
    return run


def _delete_unkept(call: Call, kept: set[tuple[str, str]]) -> None:
    keep = {(int(r[1:]), int(s[1:])) for r, s in kept}
    drop = [
        pk
        for pk, r, s in Assignment.objects.filter(reviewer__call=call).values_list(
            "id", "reviewer_id", "submission_id"
        )
        if (r, s) not in keep
    ]
    Assignment.objects.filter(pk__in=drop).delete()


@transaction.atomic
def assignment_add(*, reviewer: Reviewer, submission: Submission, actor) -> Assignment:
    """Assign by hand (locked, so a re-run keeps it); never a conflicted pair."""
    reasons = pair_conflict(reviewer, submission)
    if reasons:
        raise ValidationError(
            _("This reviewer has a conflict of interest with this submission (%(reasons)s).")
            % {"reasons": ", ".join(_reason_labels(reasons))}
        )
    if not submission.is_reviewable:
        raise ValidationError(_("Only a submitted entry can be assigned."))
    assignment, _created = Assignment.objects.get_or_create(
        reviewer=reviewer, submission=submission, defaults={"locked": True}
    )
    if not assignment.locked:
        assignment.locked = True
        assignment.save(update_fields=["locked"])
    log_action(
        actor=actor,
        action="reviews.assigned",
        obj=reviewer,
        conference=reviewer.call.conference,
        data={"submission": submission.pk},
    )
    return assignment


def _reason_labels(reasons) -> list[str]:
    from atrium.reviews.conflicts import REASONS

    return [str(REASONS.get(r, r)) for r in reasons]


@transaction.atomic
def assignment_lock(*, assignment: Assignment, locked: bool, actor) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("reviewer__call")
        .get(pk=assignment.pk)
    )
    assignment.locked = locked
    assignment.save(update_fields=["locked"])
    log_action(
        actor=actor,
        action="reviews.assignment_locked" if locked else "reviews.assignment_unlocked",
        obj=assignment.reviewer,
        conference=assignment.reviewer.call.conference,
        data={"submission": assignment.submission_id},
    )
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor) -> None:
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("reviewer__call")
        .get(pk=assignment.pk)
    )
    if Review.objects.filter(
        reviewer=assignment.reviewer, submission=assignment.submission
    ).exists():
        raise ValidationError(_("This reviewer has begun the review; it cannot be removed."))
    log_action(
        actor=actor,
        action="reviews.unassigned",
        obj=assignment.reviewer,
        conference=assignment.reviewer.call.conference,
        data={"submission": assignment.submission_id},
    )
    assignment.delete()


@transaction.atomic
def assignments_publish(*, call: Call, url: str = "", actor, mail: bool = True) -> int:
    """Publish the unpublished pairs; each reviewer with new ones gets one mail.

    ``mail=False`` only for the demo loader, which must not print a mail per reviewer.
    """
    pending = list(
        Assignment.objects.filter(reviewer__call=call, published=False).select_related(
            "reviewer__user"
        )
    )
    counts: dict[Reviewer, int] = {}
    for a in pending:
        counts[a.reviewer] = counts.get(a.reviewer, 0) + 1
    Assignment.objects.filter(pk__in=[a.pk for a in pending]).update(published=True)
    for reviewer, count in counts.items() if mail else ():
        send_email_on_commit(
            to=reviewer.user.email,
            template="reviews/email/assignments",
            context={"call": call, "count": count, "url": url},
            language=getattr(getattr(reviewer.user, "sign_up", None), "language", "") or "en",
        )
    log_action(
        actor=actor,
        action="reviews.assignments_published",
        obj=call,
        conference=call.conference,
        data={"pairs": len(pending), "reviewers": len(counts)},
    )
    return len(pending)
