"""The rules of calls with review, through the services (one transaction each)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from atrium.core.models import AuditEntry
from atrium.events.models import SessionRole
from atrium.reviews import services
from atrium.reviews.models import (
    Assignment,
    AssignmentRun,
    Bid,
    Call,
    CoAuthor,
    Decision,
    Review,
    Submission,
)
from atrium.reviews.selectors import submission_rows
from tests.factories import OrganisationFactory

from .helpers import NOW, assign_published, make_call, make_person, make_reviewer, make_submission

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"x" * 100


# --- submissions --------------------------------------------------------------------------


def test_draft_then_submit_before_the_deadline():
    call = make_call()
    person = make_person()
    draft = services.submission_save(
        call=call, person=person, data={"title": "Circular parks"}, actor=person.user
    )
    assert draft.status == Submission.Status.DRAFT
    with pytest.raises(ValidationError) as error:
        services.submission_submit(submission=draft, person=person, actor=person.user)
    assert {"abstract", "session_kind", "duration_minutes", "audience"} <= set(
        error.value.message_dict
    )
    services.submission_save(
        call=call,
        person=person,
        submission=draft,
        data={"abstract": "A", "session_kind": "workshop", "duration_minutes": 30},
        answers={"audience": "Park managers"},
        actor=person.user,
    )
    done = services.submission_submit(submission=draft, person=person, actor=person.user)
    assert done.status == Submission.Status.SUBMITTED
    assert AuditEntry.objects.filter(action="reviews.submitted", object_id=str(done.pk)).exists()


def test_nothing_changes_after_the_deadline_without_an_extension():
    call = make_call()
    submission = make_submission(call, submit=False)
    person = submission.submitter
    late = call.closes_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="deadline passed"):
        services.submission_save(
            call=call,
            person=person,
            submission=submission,
            data={"title": "Late"},
            actor=None,
            at=late,
        )
    with pytest.raises(ValidationError, match="closed"):
        services.submission_save(
            call=call, person=make_person(), data={"title": "New"}, actor=None, at=late
        )
    submission.refresh_from_db()
    assert submission.title == "Green parks"
    # one submission's extension
    services.submission_extend(submission=submission, until=late + dt.timedelta(days=1), actor=None)
    services.submission_save(
        call=call, person=person, submission=submission, data={"title": "Late"}, actor=None, at=late
    )
    submission.refresh_from_db()
    assert submission.title == "Late"
    # the whole call's extension lets a new one in
    services.call_extend(call=call, until=late + dt.timedelta(days=2), actor=None)
    call.refresh_from_db()
    services.submission_save(
        call=call, person=make_person(), data={"title": "New"}, actor=None, at=late
    )


def test_only_the_submitter_edits_and_withdraws():
    call = make_call()
    submission = make_submission(call)
    other = make_person()
    with pytest.raises(ValidationError):
        services.submission_save(
            call=call, person=other, submission=submission, data={"title": "X"}, actor=None
        )
    with pytest.raises(ValidationError):
        services.submission_withdraw(submission=submission, person=other, actor=None)
    services.submission_withdraw(submission=submission, person=submission.submitter, actor=None)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WITHDRAWN


def test_a_fake_file_is_refused_by_its_content_and_nothing_is_saved():
    call = make_call()
    submission = make_submission(call, submit=False)
    fake = SimpleUploadedFile("slides.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.submission_save(
            call=call,
            person=submission.submitter,
            submission=submission,
            data={"title": "Changed"},
            answers={"audience": "x"},
            files={"slides": fake},
            actor=None,
        )
    assert "slides" in error.value.message_dict
    assert "PDF, JPEG or PNG" in error.value.message_dict["slides"][0]
    submission.refresh_from_db()
    assert submission.title == "Green parks"


def test_an_oversized_file_is_refused_with_both_sizes():
    call = make_call()  # the slides field takes at most 1000 bytes
    submission = make_submission(call, submit=False)
    big = SimpleUploadedFile("slides.pdf", PDF + b"x" * 2000, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.submission_save(
            call=call,
            person=submission.submitter,
            submission=submission,
            data={},
            files={"slides": big},
            actor=None,
        )
    assert "limit" in error.value.message_dict["slides"][0]


def test_a_real_pdf_is_kept_under_a_private_random_name():
    call = make_call()
    submission = make_submission(call, submit=False)
    good = SimpleUploadedFile("My slides.pdf", PDF, content_type="application/pdf")
    submission = services.submission_save(
        call=call,
        person=submission.submitter,
        submission=submission,
        data={},
        answers={"audience": "x"},
        files={"slides": good},
        actor=None,
    )
    stored = submission.answers["slides"]
    assert stored["path"].startswith("private/reviews/") and stored["type"] == "pdf"
    assert stored["name"] == "My slides.pdf"


@pytest.mark.parametrize(
    ("answers", "message"),
    [({"audience": "x" * 21}, "at most 20"), ({"nope": "1"}, "Unknown fields")],
)
def test_answers_are_checked_against_the_form(answers, message):
    call = make_call()
    with pytest.raises(ValidationError, match=message):
        services.submission_save(
            call=call, person=make_person(), data={"title": "T"}, answers=answers, actor=None
        )


def test_award_and_bid_fields_are_required_by_kind():
    award = make_call(kind=Call.Kind.AWARD, slug="award")
    person = make_person()
    entry = services.submission_save(
        call=award, person=person, data={"title": "Dart"}, answers={"audience": "x"}, actor=None
    )
    with pytest.raises(ValidationError) as error:
        services.submission_submit(submission=entry, person=person, actor=None)
    assert {"organisation", "solution"} <= set(error.value.message_dict)
    entry = services.submission_save(
        call=award,
        person=person,
        submission=entry,
        actor=None,
        data={
            "organisation": person.organisation,
            "solution": "Biomedicine incubator",
            "projects_served": 30,
            "money_raised_cny": Decimal("2000000000"),
            "ip_rights": 200,
        },
    )
    assert (
        services.submission_submit(submission=entry, person=person, actor=None).status
        == "submitted"
    )


# --- co-authors ----------------------------------------------------------------------------


def test_coauthor_invited_by_mail_with_a_hashed_token_then_confirms(
    django_capture_on_commit_callbacks,
):
    call = make_call()
    submission = make_submission(call)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.coauthor_invite(
            submission=submission,
            person=submission.submitter,
            email="Li@Example.cn",
            confirm_url="/confirm/{token}/",
            actor=None,
        )
    assert invitation.token not in invitation.token_hash
    assert f"/confirm/{invitation.token}/" in mail.outbox[-1].body
    assert services.coauthor_for_token("forged") is None
    found = services.coauthor_for_token(invitation.token)
    li = make_person()
    services.coauthor_confirm(coauthor=found, person=li, actor=None)
    assert CoAuthor.objects.get(pk=invitation.pk).status == CoAuthor.Status.CONFIRMED
    assert services.coauthor_for_token(invitation.token) is None  # works once


# --- reviews ---------------------------------------------------------------------------------


def reviewing_pair():
    call = make_call(reviewing=True)
    submission = make_submission(call)
    reviewer = make_reviewer(call)
    assign_published(reviewer, submission)
    return call, submission, reviewer


def test_review_draft_then_submit_with_a_weighted_total():
    _call, submission, reviewer = reviewing_pair()
    draft = services.review_save(
        reviewer=reviewer, submission=submission, scores={"relevance": 4}, actor=None
    )
    assert draft.status == Review.Status.DRAFT
    with pytest.raises(ValidationError, match="give a score"):
        services.review_save(
            reviewer=reviewer,
            submission=submission,
            scores={"relevance": 4},
            submit=True,
            actor=None,
        )
    review = services.review_save(
        reviewer=reviewer,
        submission=submission,
        submit=True,
        actor=None,
        scores={"relevance": 5, "clarity": 2, "fit": 1},
        text_for_submitter="Good",
        text_for_committee="Fine",
    )
    assert review.status == Review.Status.SUBMITTED
    assert review.total == pytest.approx((5 * 2 + 2 * 1) / 3)  # "fit" is shown only


@pytest.mark.parametrize("value", [0, 6, "4.5", "abc"])
def test_a_score_out_of_range_is_refused_and_nothing_saved(value):
    _call, submission, reviewer = reviewing_pair()
    with pytest.raises(ValidationError) as error:
        services.review_save(
            reviewer=reviewer, submission=submission, scores={"relevance": value}, actor=None
        )
    assert "score_relevance" in error.value.message_dict
    assert not Review.objects.exists()


def test_a_conflicted_reviewer_cannot_review_even_when_assigned():
    call, submission, reviewer = reviewing_pair()
    # the reviewer's organisation becomes the submitter's: a conflict found, not declared
    submission.submitter.organisation = reviewer.person.organisation
    submission.submitter.save()
    with pytest.raises(ValidationError, match="conflict of interest"):
        services.review_save(
            reviewer=reviewer, submission=submission, scores={"relevance": 3}, actor=None
        )
    assert not Review.objects.exists()


def test_an_unassigned_reviewer_cannot_review():
    call = make_call(reviewing=True)
    submission = make_submission(call)
    reviewer = make_reviewer(call)
    with pytest.raises(ValidationError, match="not assigned"):
        services.review_save(reviewer=reviewer, submission=submission, scores={}, actor=None)


# --- assignment --------------------------------------------------------------------------------


def test_assignment_is_optimal_keeps_locks_and_never_pairs_a_conflict():
    call = make_call(reviewing=True, k=2)
    subs = [make_submission(call) for _ in range(4)]
    reviewers = [make_reviewer(call, max_load=3) for _ in range(3)]
    # reviewer 0 shares the first submitter's organisation
    subs[0].submitter.organisation = reviewers[0].person.organisation
    subs[0].submitter.save()
    Bid.objects.create(reviewer=reviewers[1], submission=subs[1], level=Bid.Level.EAGER)
    Bid.objects.create(reviewer=reviewers[2], submission=subs[1], level=Bid.Level.NOT_WILLING)
    Assignment.objects.create(reviewer=reviewers[2], submission=subs[3], locked=True)
    run = services.assignment_run(call=call, actor=None)
    pairs = set(Assignment.objects.values_list("reviewer_id", "submission_id"))
    assert (reviewers[0].pk, subs[0].pk) not in pairs
    assert (reviewers[2].pk, subs[3].pk) in pairs
    assert (reviewers[1].pk, subs[1].pk) in pairs
    assert (reviewers[2].pk, subs[1].pk) not in pairs  # not willing, and not needed
    assert run.placed == 8 == len(pairs)
    assert run.proven and run.objective == pytest.approx(run.upper_bound)
    # a re-run keeps the locked pair and gives the same optimum
    again = services.assignment_run(call=call, actor=None)
    assert again.objective == pytest.approx(run.objective)
    assert AssignmentRun.objects.count() == 2


def test_short_submissions_are_named_with_the_reason():
    call = make_call(reviewing=True, k=3)
    sub = make_submission(call)
    for _ in range(2):
        make_reviewer(call)
    run = services.assignment_run(call=call, actor=None)
    assert run.short[0]["submission"] == sub.pk and run.short[0]["missing"] == 1
    assert "2 reviewers" in run.short[0]["reason"]


def test_a_hand_assignment_of_a_conflicted_pair_is_refused():
    call = make_call(reviewing=True)
    sub = make_submission(call)
    reviewer = make_reviewer(call, person=sub.submitter)
    with pytest.raises(ValidationError, match="is the submitter"):
        services.assignment_add(reviewer=reviewer, submission=sub, actor=None)


def test_publish_mails_each_reviewer_once(django_capture_on_commit_callbacks):
    call = make_call(reviewing=True)
    r = make_reviewer(call)
    for _ in range(2):
        Assignment.objects.create(reviewer=r, submission=make_submission(call))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.assignments_publish(call=call, actor=None) == 2
    assert [m.to for m in mail.outbox] == [[r.user.email]]
    assert "2 submissions" in mail.outbox[0].body


def test_reminders_7_and_3_days_before(django_capture_on_commit_callbacks):
    call, _sub, reviewer = reviewing_pair()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.review_reminders(call=call, at=call.review_until - dt.timedelta(days=7)) == 1
        )
        assert (
            services.review_reminders(call=call, at=call.review_until - dt.timedelta(days=5)) == 0
        )
    assert mail.outbox[0].to == [reviewer.user.email]


# --- rankings and decisions -----------------------------------------------------------------


def test_rankings_in_the_organiser_table():
    call = make_call(reviewing=True)
    s1, s2 = make_submission(call), make_submission(call)
    harsh, lenient = make_reviewer(call), make_reviewer(call)
    for r in (harsh, lenient):
        for s in (s1, s2):
            assign_published(r, s)
    scores = {(harsh, s1): 2, (harsh, s2): 1, (lenient, s1): 5, (lenient, s2): 4}
    for (r, s), v in scores.items():
        services.review_save(
            reviewer=r,
            submission=s,
            scores={"relevance": v, "clarity": v, "fit": 3},
            submit=True,
            actor=None,
        )
    rows = {row.submission.pk: row for row in submission_rows(call)}
    assert rows[s1.pk].figures.mean == pytest.approx(3.5)
    assert rows[s1.pk].figures.normalised == pytest.approx(1.0)
    assert rows[s2.pk].figures.normalised == pytest.approx(-1.0)
    assert [r.submission.pk for r in submission_rows(call, sort="normalised")] == [s1.pk, s2.pk]


def test_decisions_pending_then_sent_in_each_language(django_capture_on_commit_callbacks):
    call = make_call(reviewing=True)
    en = make_submission(call)
    zh = make_submission(call)
    Submission.objects.filter(pk=zh.pk).update(language="zh-hans")
    zh.refresh_from_db()
    services.decision_set(submission=en, outcome="accept", actor=None)
    services.decision_set(submission=zh, outcome="reject", actor=None)
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        assert services.decisions_send(call=call, actor=None) == 2
    en.refresh_from_db()
    zh.refresh_from_db()
    assert en.status == "accepted" and zh.status == "rejected"
    english = next(m for m in mail.outbox if m.to == [en.submitter.email])
    assert "Accepted" in english.body
    assert AuditEntry.objects.filter(action="reviews.decision_sent").count() == 2
    with pytest.raises(ValidationError, match="sent already"):
        services.decision_set(submission=en, outcome="reject", actor=None)


def test_an_accepted_talk_goes_into_the_programme_with_its_speakers():
    call = make_call(reviewing=True)
    sub = make_submission(call)
    co = make_person()
    CoAuthor.objects.create(
        submission=sub, email="c@x.org", person=co, token_hash="t", status="confirmed"
    )
    with pytest.raises(ValidationError):
        services.talk_from_submission(
            submission=sub, actor=None, start=NOW, end=NOW + dt.timedelta(hours=1)
        )
    services.decision_set(submission=sub, outcome=Decision.Outcome.ACCEPT, actor=None)
    talk = services.talk_from_submission(
        submission=sub, actor=None, start=NOW, end=NOW + dt.timedelta(hours=1)
    )
    assert set(talk.speakers.all()) == {sub.submitter, co}
    assert talk.session.kind == "parallel_forum" and talk.session.conference == call.conference
    assert SessionRole.objects.filter(session=talk.session, role="speaker").count() == 2
    assert Decision.objects.get(submission=sub).talk == talk


def test_other_track_needs_a_track_of_the_call():
    call = make_call(reviewing=True)
    sub = make_submission(call)
    with pytest.raises(ValidationError) as error:
        services.decision_set(submission=sub, outcome="accept_other_track", actor=None)
    assert "track" in error.value.message_dict
    other = make_call(slug="other", reviewing=True)
    with pytest.raises(ValidationError):
        services.decision_set(
            submission=sub, outcome="accept_other_track", track=other.tracks.first(), actor=None
        )
    assert OrganisationFactory  # the factory module is importable for the demo tests


def test_a_chosen_bid_is_recorded_on_the_future_edition():
    from tests.factories import ConferenceFactory

    call = make_call(kind=Call.Kind.BIDS, slug="bids", reviewing=True)
    person = make_person()
    bid = services.submission_save(
        call=call,
        person=person,
        answers={"audience": "x"},
        actor=None,
        at=call.opens_at + dt.timedelta(hours=1),
        data={
            "title": "Barcelona",
            "city": "Barcelona",
            "venue": "CCIB",
            "supporting_government": "Generalitat",
            "proposed_start": dt.date(2028, 9, 1),
            "proposed_end": dt.date(2028, 9, 4),
        },
    )
    services.submission_submit(
        submission=bid, person=person, actor=None, at=call.opens_at + dt.timedelta(hours=1)
    )
    future = ConferenceFactory(start_date=dt.date(2028, 9, 1), end_date=dt.date(2028, 9, 4))
    with pytest.raises(ValidationError, match="accepted host bid"):
        services.bid_choose(submission=bid, edition=future, actor=None)
    services.decision_set(submission=bid, outcome="accept", actor=None)
    with pytest.raises(ValidationError):
        services.bid_choose(submission=bid, edition=call.conference, actor=None)
    decision = services.bid_choose(submission=bid, edition=future, actor=None)
    assert list(future.chosen_bids.all()) == [decision]


def test_the_daily_command_sends_the_reminders_due_today(django_capture_on_commit_callbacks, clock):
    import io

    from django.core.management import call_command

    call, _sub, reviewer = reviewing_pair()
    clock.move_to(call.review_until - dt.timedelta(days=7))  # a week before the deadline
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("review_reminders", stdout=out)
    assert "1 reminder(s) sent." in out.getvalue()
    assert [m.to for m in mail.outbox] == [[reviewer.user.email]]
    assert f"/calls/{call.slug}/review/" in mail.outbox[0].body
