"""On-site changes (atrium/matchmaking/onsite.py): moving and locking one meeting,
unpublishing a run, absences with their offers, incremental runs, and feedback."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone as django_timezone

from atrium.core.models import AuditEntry
from atrium.events.models import Session
from atrium.matchmaking import onsite, planning, scheduling, selectors, services
from atrium.matchmaking.models import Absence, Feedback, Meeting, MeetingRequest, SchedulerRun
from atrium.registration.hooks import agenda_feed_events
from atrium.webhooks import events as webhook_events
from atrium.webhooks.models import Delivery, Endpoint
from tests.factories import ConferenceFactory, SessionFactory, SessionRoleFactory, local
from tests.matchmaking.factories_web import B2BSessionFactory, BlockFactory, delegate, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory()


@pytest.fixture
def block(conference):
    """Day 1, 14:00–16:00: four 30-minute slots at three tables (Lotus, Peony, Orchid)."""
    return BlockFactory(
        session=B2BSessionFactory(
            conference=conference, start=local(conference, 0, 14), end=local(conference, 0, 16)
        ),
        table_count=3,
        table_names="Lotus\nPeony\nOrchid",
    )


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs what waits for the commit (e-mails) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def endpoint(conference):
    return Endpoint.objects.create(
        conference=conference,
        url="https://hooks.example.org/b2b",
        events=list(webhook_events.CATALOGUE),
    )


def run_now(conference, capture, **kwargs) -> SchedulerRun:
    with capture(execute=True):
        run = planning.scheduler_start(conference=conference, **kwargs)
    run.refresh_from_db()
    return run


def publish(run, capture):
    with capture(execute=True):
        return planning.scheduler_publish(run=run)


def place(the_meeting, block, hour, minute, table, capture=None, **kwargs):
    """Move ``the_meeting`` by hand (as an organiser form would, with its version)."""
    the_meeting.refresh_from_db()
    return onsite.meeting_move(
        meeting=the_meeting,
        block=block,
        start=local(the_meeting.conference, 0, hour, minute),
        table=table,
        version=onsite.meeting_version(the_meeting),
        **kwargs,
    )


@contextmanager
def clock_at(moment):
    """Django's clock starts at ``moment`` and moves a millisecond per reading."""
    ticks = itertools.count()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(django_timezone, "now", lambda: moment + timedelta(milliseconds=next(ticks)))
        yield


def snapshot():
    return sorted(
        Meeting.objects.values_list(
            "pk", "status", "block", "start", "table", "published_at", "sequence", "locked"
        )
    )


# --- moving by hand ------------------------------------------------------------------------


def test_a_move_changes_the_place_and_tells_everyone(conference, block, endpoint, commit):
    a, b = delegate(conference), delegate(conference)
    m = meeting(a, b)
    place(m, block, 14, 0, 1)
    mail.outbox.clear()
    Delivery.objects.all().delete()
    m.refresh_from_db()
    sequence = m.sequence
    with commit():
        place(m, block, 15, 0, 2, actor=None)
    m.refresh_from_db()
    assert (m.start, m.end, m.table_name) == (
        local(conference, 0, 15),
        local(conference, 0, 15, 30),
        "Peony",
    )
    assert m.sequence == sequence + 1
    entry = AuditEntry.objects.filter(action="b2b.meeting_moved_by_hand").latest("pk")
    assert entry.data["from"]["table"] == "Lotus" and entry.data["to"]["table"] == "Peony"
    assert sorted(x.to[0] for x in mail.outbox) == sorted([a.person.email, b.person.email])
    assert all("Peony" in x.body for x in mail.outbox)
    [delivery] = Delivery.objects.all()
    assert delivery.event == webhook_events.MEETING_MOVED
    assert delivery.payload["meeting"]["table"] == "Peony"
    assert delivery.payload["meeting"]["previous"]["table"] == "Lotus"
    # The calendar feed carries the new time with the new SEQUENCE.
    [event] = agenda_feed_events.send(registration=a, host="test")[0]
    assert event["sequence"] == m.sequence
    assert event.decoded("dtstart") == local(conference, 0, 15)


def test_a_move_in_chinese_mails_in_chinese(conference, block, commit):
    a, b = delegate(conference), delegate(conference)
    b.language = "zh-hans"
    b.save()
    m = meeting(a, b)
    mail.outbox.clear()
    with commit():
        place(m, block, 14, 30, 3)
    by_address = {x.to[0]: x for x in mail.outbox}
    assert "Orchid" in by_address[b.person.email].body
    assert "Dear" in by_address[a.person.email].body
    assert "Dear" not in by_address[b.person.email].body


@pytest.mark.parametrize(
    "case",
    ["table_taken", "other_meeting", "speaking", "absent", "no_slot", "no_table", "same"],
)
def test_a_move_into_a_clash_is_refused_and_changes_nothing(conference, block, case):
    a, b, c, d = (delegate(conference) for _ in range(4))
    m = meeting(a, b)
    other = meeting(c, d)
    place(m, block, 14, 0, 1)
    expected_field = "slot"
    start_hour, minute, table = 14, 30, 1
    if case == "table_taken":
        place(other, block, 14, 30, 1)
        expected_field = "table"
    elif case == "other_meeting":
        third = meeting(a, c)
        place(third, block, 14, 30, 2)
    elif case == "speaking":
        talk = SessionFactory(
            conference=conference,
            kind=Session.Kind.PLENARY,
            title="Opening plenary",
            start=local(conference, 0, 14, 20),
            end=local(conference, 0, 14, 50),
        )
        SessionRoleFactory(session=talk, person=b.person, role="speaker")
    elif case == "absent":
        Absence.objects.create(
            conference=conference, registration=b, since=local(conference, 0, 14, 15)
        )
    elif case == "no_slot":
        minute = 10
    elif case == "no_table":
        table = 4
        expected_field = "table"
    elif case == "same":
        minute = 0
    mail.outbox.clear()
    before = snapshot()
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        place(m, block, start_hour, minute, table)
    assert expected_field in refused.value.message_dict
    message = " ".join(refused.value.message_dict[expected_field])
    if case == "speaking":
        assert b.person.name in message and "Opening plenary" in message
    if case == "absent":
        assert "absent" in message
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit
    assert mail.outbox == []


def test_a_stale_form_after_someone_elses_move_changes_nothing(conference, block):
    a, b = delegate(conference), delegate(conference)
    m = meeting(a, b)
    place(m, block, 14, 0, 1)
    m.refresh_from_db()
    seen = onsite.meeting_version(m)  # two organisers open the page
    place(m, block, 15, 0, 2)  # the first one moves it
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        onsite.meeting_move(
            meeting=m, block=block, start=local(conference, 0, 15, 30), table=3, version=seen
        )
    assert refused.value.error_list[0].code == "stale"
    assert "Someone else changed this meeting" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        onsite.meeting_lock(meeting=m, locked=True, version=seen)
    assert snapshot() == before


# --- locks and runs ------------------------------------------------------------------------


def test_a_locked_meeting_is_never_placed_again(
    conference, block, django_capture_on_commit_callbacks
):
    a, b = delegate(conference), delegate(conference)
    m = meeting(a, b)
    place(m, block, 14, 0, 1)
    m.refresh_from_db()
    onsite.meeting_lock(meeting=m, locked=True, version=onsite.meeting_version(m))
    # Now b speaks at that time: an unlocked meeting would be placed again; a locked one
    # stays where it is and is left out of the run.
    talk = SessionFactory(
        conference=conference,
        kind=Session.Kind.PLENARY,
        start=local(conference, 0, 14),
        end=local(conference, 0, 14, 30),
    )
    SessionRoleFactory(session=talk, person=b.person, role="speaker")
    build = scheduling.build_instance(conference)
    assert [code for _m, code, _p in build.skipped] == ["kept_in_place"]
    run = run_now(conference, django_capture_on_commit_callbacks)
    publish(run, django_capture_on_commit_callbacks)
    m.refresh_from_db()
    assert (m.start, m.table) == (local(conference, 0, 14), 1)
    # Unlocked, the next run gives it a new place.
    onsite.meeting_lock(meeting=m, locked=False, version=onsite.meeting_version(m))
    assert AuditEntry.objects.filter(action="b2b.meeting_unlocked").exists()
    run = run_now(conference, django_capture_on_commit_callbacks)
    publish(run, django_capture_on_commit_callbacks)
    m.refresh_from_db()
    assert m.start != local(conference, 0, 14)


def test_publishing_an_older_draft_does_not_undo_a_move_by_hand(
    conference, block, django_capture_on_commit_callbacks
):
    a, b = delegate(conference), delegate(conference)
    m = meeting(a, b)
    publish(
        run_now(conference, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks
    )
    draft = run_now(conference, django_capture_on_commit_callbacks)  # keeps m fixed where it was
    m.refresh_from_db()
    was = (m.start, m.table)
    target = local(conference, 0, 15, 30)
    place(m, block, 15, 30, 3)
    result = publish(draft, django_capture_on_commit_callbacks)
    m.refresh_from_db()
    assert (m.start, m.table) == (target, 3) != was
    assert result.published == []


def test_an_unplaced_meeting_cannot_be_locked(conference, block):
    m = meeting(delegate(conference), delegate(conference))
    with pytest.raises(ValidationError):
        onsite.meeting_lock(meeting=m, locked=True, version=onsite.meeting_version(m))


def test_unpublish_takes_back_the_run_but_not_locked_or_hand_moved_meetings(
    conference, block, endpoint, django_capture_on_commit_callbacks, commit
):
    people = [delegate(conference) for _ in range(6)]
    plain = meeting(people[0], people[1])
    locked = meeting(people[2], people[3])
    moved = meeting(people[4], people[5])
    run = run_now(conference, django_capture_on_commit_callbacks)
    publish(run, django_capture_on_commit_callbacks)
    locked.refresh_from_db()
    onsite.meeting_lock(meeting=locked, locked=True, version=onsite.meeting_version(locked))
    moved.refresh_from_db()
    free = next(
        (local(conference, 0, 14, m), t)
        for m in (0, 30, 60, 90)
        for t in (1, 2, 3)
        if not Meeting.objects.filter(start=local(conference, 0, 14, m), table=t).exists()
        and (local(conference, 0, 14, m)) != moved.start
    )
    onsite.meeting_move(
        meeting=moved,
        block=block,
        start=free[0],
        table=free[1],
        version=onsite.meeting_version(moved),
    )
    plain.refresh_from_db()
    sequence = plain.sequence
    mail.outbox.clear()
    Delivery.objects.all().delete()
    with commit():
        taken = onsite.run_unpublish(run=run)
    assert [m.pk for m in taken] == [plain.pk]
    plain.refresh_from_db()
    assert not plain.is_published and plain.sequence == sequence + 1
    assert plain.status == Meeting.Status.ACTIVE
    assert Meeting.objects.get(pk=locked.pk).is_published
    assert Meeting.objects.get(pk=moved.pk).is_published
    assert sorted(x.to[0] for x in mail.outbox) == sorted(
        [people[0].person.email, people[1].person.email]
    )
    assert "no time for now" in mail.outbox[0].body
    assert [d.event for d in Delivery.objects.all()] == [webhook_events.MEETING_UNSCHEDULED]
    run.refresh_from_db()
    assert not run.is_published
    assert AuditEntry.objects.filter(action="b2b.schedule_unpublished").exists()
    with pytest.raises(ValidationError):
        onsite.run_unpublish(run=run)
    # Publish another: a new run places it again.
    again = run_now(conference, django_capture_on_commit_callbacks)
    publish(again, django_capture_on_commit_callbacks)
    assert Meeting.objects.get(pk=plain.pk).is_published


def test_an_incremental_run_moves_nothing_published(
    conference, block, django_capture_on_commit_callbacks
):
    # On the morning of the first day, before the B2B block begins.
    with clock_at(local(conference, 0, 10)):
        people = [delegate(conference) for _ in range(8)]
        for i in range(0, 6, 2):
            meeting(people[i], people[i + 1])
        run = run_now(conference, django_capture_on_commit_callbacks)
        publish(run, django_capture_on_commit_callbacks)
        published = snapshot()
        # b now speaks during the published meeting: a full run would move it, an
        # incremental one leaves it where it is.
        first = Meeting.objects.order_by("start", "table").first()
        speaker = first.participants.first().registration
        talk = SessionFactory(
            conference=conference,
            kind=Session.Kind.PLENARY,
            start=first.start,
            end=first.end,
        )
        SessionRoleFactory(session=talk, person=speaker.person, role="speaker")
        # Late requests during the event, with people already in meetings too.
        late = [meeting(people[6], people[7]), meeting(people[0], people[7])]
        run = run_now(conference, django_capture_on_commit_callbacks, incremental=True)
        assert run.incremental and run.status == SchedulerRun.Status.DONE
        publish(run, django_capture_on_commit_callbacks)
        after = {row[0]: row for row in snapshot()}
        for row in published:
            assert after[row[0]] == row  # not one published meeting changed
        for m in late:
            m.refresh_from_db()
            assert m.is_published
        assert run.placements.get(meeting=first).reason_code == "kept_in_place"


def test_an_incremental_run_uses_only_slots_not_yet_begun(conference, block):
    a, b, c = (delegate(conference) for _ in range(3))
    done = meeting(a, c)
    place(done, block, 14, 0, 1)
    meeting(a, b)
    build = scheduling.build_instance(
        conference, incremental=True, now=local(conference, 0, 15, 10)
    )
    available = {p.id: p.available for p in build.instance.participants}
    assert available[f"r{b.pk}"] == (3,)  # only 15:30 has not begun
    assert available[f"r{a.pk}"] == (0, 3)  # and the slot of a's fixed meeting
    full = scheduling.build_instance(conference)
    assert {p.id: p.available for p in full.instance.participants}[f"r{b.pk}"] == (0, 1, 2, 3)


# --- absences --------------------------------------------------------------------------------


def test_an_absence_frees_later_meetings_and_offers_a_partner(conference, block, endpoint, commit):
    absent, early_partner, later_partner, colleague_host = (delegate(conference) for _ in range(4))
    early = meeting(absent, early_partner)
    later = meeting(later_partner, absent)
    kept = meeting(colleague_host, early_partner)
    place(early, block, 14, 0, 1)
    place(later, block, 15, 0, 2)
    place(kept, block, 15, 30, 1)
    # A partner suggested to later_partner (shares what they look for), free at 15:00.
    fresh = delegate(conference)
    fresh.b2b_profile.offer_kinds = ["investment"]
    fresh.b2b_profile.save()
    mail.outbox.clear()
    Delivery.objects.all().delete()
    with commit():
        result = onsite.absence_mark(registration=absent, since=local(conference, 0, 14, 45))
    assert [m.pk for m in result.freed] == [later.pk]
    later.refresh_from_db()
    early.refresh_from_db()
    assert later.status == Meeting.Status.CANCELLED
    assert later.request.status == MeetingRequest.Status.CANCELLED
    assert early.status == Meeting.Status.ACTIVE  # before the absence: kept
    [told] = mail.outbox
    assert told.to == [later_partner.person.email]
    assert absent.person.name in told.subject
    assert result.offers[later_partner.pk].registration == fresh
    assert fresh.person.name in told.body
    assert f"/people/{fresh.person_id}/" in told.body
    events = sorted(d.event for d in Delivery.objects.all())
    assert events == sorted([webhook_events.MEETING_CANCELLED, webhook_events.DELEGATE_ABSENT])
    assert AuditEntry.objects.filter(action="b2b.absence_marked").exists()
    assert AuditEntry.objects.filter(action="b2b.meeting_freed", object_id=str(later.pk)).exists()
    # Later runs treat the delegate as busy from then on.
    build = scheduling.build_instance(conference)
    who = next(p for p in build.instance.participants if p.id == f"r{absent.pk}")
    assert who.available == (0,)
    # The freed slot is in the calendar feed as cancelled, with a new SEQUENCE.
    feed = agenda_feed_events.send(registration=later_partner, host="test")[0]
    cancelled = [e for e in feed if e["status"] == "CANCELLED"]
    assert [e["sequence"] for e in cancelled] == [later.sequence]


def test_an_absent_colleague_just_leaves_the_meeting(conference, block):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory()
    a, colleague = delegate(conference, organisation=org), delegate(conference, organisation=org)
    b = delegate(conference)
    m = meeting(a, b)
    place(m, block, 14, 0, 1)
    services.meeting_add_colleague(meeting=m, by=a, colleague=colleague)
    result = onsite.absence_mark(registration=colleague, since=local(conference, 0, 13))
    assert result.freed == [] and [x.pk for x in result.left] == [m.pk]
    m.refresh_from_db()
    assert m.status == Meeting.Status.ACTIVE
    assert not m.participants.filter(registration=colleague).exists()


def test_no_offer_when_nobody_fits(conference, block, commit):
    a, b = delegate(conference), delegate(conference)
    m = meeting(a, b)
    place(m, block, 14, 0, 1)
    mail.outbox.clear()
    with commit():
        result = onsite.absence_mark(registration=a, since=local(conference, 0, 9))
    assert result.offers == {}
    [told] = mail.outbox
    assert "ask someone else" in told.body


# --- feedback --------------------------------------------------------------------------------


def test_feedback_rules_and_figures(conference, block, clock, django_assert_num_queries):
    a, b, c, d = (delegate(conference) for _ in range(4))
    m = meeting(a, b)
    n = meeting(c, d)
    place(m, block, 14, 0, 1)
    place(n, block, 14, 0, 2)
    before = local(conference, 0, 13)
    after = local(conference, 0, 17)
    with pytest.raises(ValidationError):
        onsite.feedback_save(meeting=m, registration=a, took_place=True, now=before)
    with pytest.raises(PermissionDenied):
        onsite.feedback_save(meeting=m, registration=c, took_place=True, now=after)
    with pytest.raises(ValidationError) as refused:
        onsite.feedback_save(meeting=m, registration=a, took_place=True, rating=6, now=after)
    assert "rating" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        onsite.feedback_save(meeting=m, registration=a, took_place=False, rating=3, now=after)
    assert "rating" in refused.value.message_dict
    assert not Feedback.objects.exists()
    onsite.feedback_save(meeting=m, registration=a, took_place=True, rating=4, now=after)
    onsite.feedback_save(meeting=m, registration=b, took_place=True, rating=2, note="ok", now=after)
    onsite.feedback_save(meeting=n, registration=c, took_place=False, now=after)
    # Given again: replaced, not added.
    onsite.feedback_save(meeting=m, registration=b, took_place=True, rating=5, now=after)
    assert Feedback.objects.count() == 3
    clock.move_to(after)  # the figures count the meetings begun by now
    with django_assert_num_queries(2):
        [row] = selectors.feedback_by_block(conference)
    assert row.meetings == 2 and row.answered == 2
    assert row.held == 1 and row.not_held == 1
    assert row.held_rate == 50.0
    assert row.average_rating == 4.5
    # The same rule in the filter other pages count by.
    held = Meeting.objects.filter(conference=conference).filter(selectors.meeting_held_q())
    assert held.count() == row.held
    rows = list(selectors.feedback_rows(conference))
    assert len(rows) == 3


def test_calendar_sequence_goes_up_on_each_change(conference, block):
    a, b = delegate(conference), delegate(conference)
    m = meeting(a, b)
    sequences = []
    for hour, minute, table in [(14, 0, 1), (14, 30, 1), (14, 30, 2)]:
        place(m, block, hour, minute, table)
        m.refresh_from_db()
        [event] = agenda_feed_events.send(registration=b, host="test")[0]
        sequences.append(event["sequence"])
    assert sequences == sorted(set(sequences))
    assert isinstance(event, icalendar.Event)
    assert m.start - local(conference, 0, 14) == timedelta(minutes=30)
