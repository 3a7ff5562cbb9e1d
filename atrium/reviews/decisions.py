"""Decisions and what follows them: pending, sent in bulk, into the programme, host
bids chosen, award winners published.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.events.models import Conference, Session, SessionRole, Talk
from atrium.reviews.deadlines import lock_submission
from atrium.reviews.models import (
    Call,
    CoAuthor,
    Decision,
    Submission,
    Track,
)

# --- decisions -------------------------------------------------------------------------------


@transaction.atomic
def decision_set(
    *,
    submission: Submission,
    outcome: str,
    track: Track | None = None,
    note: str = "",
    rank: int | None = None,
    actor,
) -> Decision:
    """Set (or change) a pending decision; nothing is sent yet."""
    submission = lock_submission(submission)
    if not submission.is_reviewable:
        raise ValidationError(_("Only a submitted entry gets a decision."))
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if outcome == Decision.Outcome.ACCEPT_OTHER_TRACK:
        if submission.call.kind != Call.Kind.TALKS:
            raise ValidationError({"outcome": _("Only talks can move to another track.")})
        if track is None or track.call_id != submission.call_id:
            raise ValidationError({"track": _("Choose a track of this call.")})
    else:
        track = None
    decision = Decision.objects.filter(submission=submission).first()
    if decision and decision.status == Decision.Status.SENT:
        raise ValidationError(_("The decision has been sent already."))
    decision = decision or Decision(submission=submission)
    decision.outcome = outcome
    decision.track = track
    decision.note = note.strip()
    decision.rank = rank
    decision.language = submission.language
    decision.status = Decision.Status.PENDING
    decision.save()
    log_action(
        actor=actor,
        action="reviews.decision_set",
        obj=submission,
        conference=submission.call.conference,
        data={"outcome": outcome},
    )
    return decision


#: The outcomes organisers may set on many submissions at once.
BULK_OUTCOMES = (Decision.Outcome.ACCEPT, Decision.Outcome.REJECT, Decision.Outcome.WAITLIST)


@transaction.atomic
def decisions_set_bulk(*, call: Call, submissions, outcome: str, actor) -> int:
    """Set the same pending decision on many submissions of the call, all or none.

    Each goes through ``decision_set`` (its rules: submitted, not sent yet); when one is
    refused, nothing is set and the error names every refused submission.
    """
    if outcome not in BULK_OUTCOMES:
        raise ValidationError({"outcome": _("Choose accept, reject or waiting list.")})
    chosen = list(submissions)
    if not chosen:
        raise ValidationError(_("Select at least one submission."))
    if any(sub.call_id != call.pk for sub in chosen):
        raise ValidationError(_("This submission belongs to another call."))
    refused = []
    for sub in chosen:
        try:
            with transaction.atomic():
                decision_set(submission=sub, outcome=outcome, actor=actor)
        except ValidationError as error:
            refused.append(
                _("#%(id)s %(title)s: %(reason)s")
                % {"id": sub.pk, "title": sub.title, "reason": " ".join(error.messages)}
            )
    if refused:
        transaction.set_rollback(True)
        raise ValidationError(
            [_("Nothing was set: some submissions cannot get this decision.")] + refused
        )
    return len(chosen)


STATUS_OF_OUTCOME = {
    Decision.Outcome.ACCEPT: Submission.Status.ACCEPTED,
    Decision.Outcome.ACCEPT_OTHER_TRACK: Submission.Status.ACCEPTED,
    Decision.Outcome.REJECT: Submission.Status.REJECTED,
    Decision.Outcome.WAITLIST: Submission.Status.WAITLISTED,
}


@transaction.atomic
def decisions_send(
    *, call: Call, actor, url: str = "", at: dt.datetime | None = None, mail: bool = True
) -> int:
    """Send every pending decision of the call, each in its recipient's language; logged.

    ``mail=False`` only for the demo loader (the decisions are marked sent, no mail leaves).
    """
    at = at or timezone.now()
    pending = list(
        Decision.objects.select_for_update(of=("self",))
        .filter(submission__call=call, status=Decision.Status.PENDING)
        .select_related("submission__submitter__user", "track")
    )
    for decision in pending:
        submission = decision.submission
        submission.status = STATUS_OF_OUTCOME[decision.outcome]
        if decision.track_id:
            submission.track = decision.track
        submission.save(update_fields=["status", "track", "updated"])
        decision.status = Decision.Status.SENT
        decision.mailed_at = at
        decision.save(update_fields=["status", "mailed_at", "updated"])
        recipients = [submission.submitter.email or getattr(submission.submitter.user, "email", "")]
        recipients += list(
            submission.coauthors.filter(status=CoAuthor.Status.CONFIRMED).values_list(
                "email", flat=True
            )
        )
        for to in dict.fromkeys(r for r in recipients if r and mail):
            send_email_on_commit(
                to=to,
                template="reviews/email/decision",
                context={"call": call, "submission": submission, "decision": decision, "url": url},
                language=decision.language,
            )
        log_action(
            actor=actor,
            action="reviews.decision_sent",
            obj=submission,
            conference=call.conference,
            data={"outcome": decision.outcome, "language": decision.language, "to": recipients},
        )
    return len(pending)


@transaction.atomic
def talk_from_submission(
    *,
    submission: Submission,
    session: Session | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    actor,
) -> Talk:
    """An accepted talk goes into the programme with its speakers, in one step.

    Into ``session`` when given; otherwise a new session of the proposal's kind from
    ``start`` to ``end``. Speakers: the submitter and the confirmed co-authors.
    """
    submission = lock_submission(submission)
    call = submission.call
    decision = Decision.objects.filter(submission=submission).first()
    if call.kind != Call.Kind.TALKS or decision is None or not decision.is_acceptance:
        raise ValidationError(_("Only an accepted talk proposal goes into the programme."))
    if decision.talk_id:
        raise ValidationError(_("This talk is in the programme already."))
    if session is None:
        if not start or not end:
            raise ValidationError({"start": _("Give the start and end of the new session.")})
        session = Session(
            conference=call.conference,
            kind=submission.session_kind or Session.Kind.PARALLEL_FORUM,
            title=submission.title,
            description=submission.abstract,
            start=start,
            end=end,
        )
        session.full_clean()
        session.save()
    elif session.conference_id != call.conference_id:
        raise ValidationError({"session": _("The session belongs to another edition.")})
    talk = Talk.objects.create(
        session=session,
        title=submission.title,
        abstract=submission.abstract,
        position=session.talks.count(),
    )
    speakers = [submission.submitter] + [
        c.person
        for c in submission.coauthors.filter(status=CoAuthor.Status.CONFIRMED).select_related(
            "person"
        )
        if c.person
    ]
    talk.speakers.add(*speakers)
    for i, person in enumerate(speakers):
        SessionRole.objects.get_or_create(
            session=session, person=person, role=SessionRole.Role.SPEAKER, defaults={"position": i}
        )
    decision.talk = talk
    decision.save(update_fields=["talk", "updated"])
    log_action(
        actor=actor,
        action="reviews.talk_created",
        obj=submission,
        conference=call.conference,
        data={"talk": talk.pk, "session": session.pk},
    )
    return talk


@transaction.atomic
def bid_choose(*, submission: Submission, edition: Conference | None, actor) -> Decision:
    """Mark an accepted host bid as chosen, recorded on the future edition it will host.

    ``edition`` is a later edition than the call's own, or None when it does not exist yet
    (the bid's city and proposed dates are what is recorded). One bid per edition.
    """
    submission = lock_submission(submission)
    decision = Decision.objects.filter(submission=submission).first()
    if submission.call.kind != Call.Kind.BIDS or decision is None or not decision.is_acceptance:
        raise ValidationError(_("Only an accepted host bid can be recorded on an edition."))
    if edition is not None:
        if edition.pk == submission.call.conference_id or edition.start_date <= (
            submission.call.conference.start_date
        ):
            raise ValidationError({"edition": _("Choose a later edition.")})
        taken = (
            Decision.objects.filter(edition=edition)
            .exclude(pk=decision.pk)
            .select_related("submission")
            .first()
        )
        if taken is not None:
            raise ValidationError(
                {
                    "edition": _("The bid “%(bid)s” is recorded on this edition already.")
                    % {"bid": taken.submission.title}
                }
            )
    decision.edition = edition
    decision.host_chosen_at = decision.host_chosen_at or timezone.now()
    decision.save(update_fields=["edition", "host_chosen_at", "updated"])
    log_action(
        actor=actor,
        action="reviews.bid_chosen",
        obj=submission,
        conference=edition or submission.call.conference,
        data={
            "from_edition": submission.call.conference_id,
            "edition": edition.pk if edition else None,
            "city": submission.city,
            "year": submission.proposed_start.year if submission.proposed_start else None,
        },
    )
    return decision


@transaction.atomic
def results_publish(*, call: Call, published: bool, actor) -> Call:
    """Show (or hide) an award's winners on the edition's public page."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    call.results_published = published
    call.save(update_fields=["results_published", "updated"])
    log_action(
        actor=actor,
        action="reviews.results_published" if published else "reviews.results_hidden",
        obj=call,
        conference=call.conference,
    )
    return call
