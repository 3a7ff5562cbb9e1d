"""From the database to the solver and back: the instance, runs, publication."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from atrium.events.models import Session
from atrium.matchmaking import planning, scheduling, selectors, services
from atrium.matchmaking.calendar import meeting_event
from atrium.matchmaking.checker import check
from atrium.matchmaking.models import Meeting, Placement, SchedulerRun
from atrium.matchmaking.solver import Fixed, solve
from atrium.registration.models import Registration, SeatBooking
from atrium.webhooks import events as webhook_events
from atrium.webhooks.models import Delivery, Endpoint
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    SeatBookingFactory,
    SessionFactory,
    SessionRoleFactory,
    local,
)
from tests.matchmaking.factories_web import B2BSessionFactory, BlockFactory, delegate, meeting
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def dummy_tasks(settings):
    """A task backend that only records what is queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


@pytest.fixture
def conference():
    return ConferenceFactory()


@pytest.fixture
def blocks(conference):
    """Day 1 14:00–16:00 in 30-minute slots at two tables (Lotus, Peony); day 2 09:00–10:00
    at one table: six slots."""
    first = BlockFactory(
        session=B2BSessionFactory(
            conference=conference, start=local(conference, 0, 14), end=local(conference, 0, 16)
        ),
        table_count=2,
        table_names="Lotus\nPeony",
    )
    second = BlockFactory(
        session=B2BSessionFactory(
            conference=conference, start=local(conference, 1, 9), end=local(conference, 1, 10)
        ),
        table_count=1,
    )
    return first, second


def run_now(conference, django_capture_on_commit_callbacks, **kwargs) -> SchedulerRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = planning.scheduler_start(conference=conference, **kwargs)
    run.refresh_from_db()
    return run


def publish(run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return planning.scheduler_publish(run=run)


# --- the instance ----------------------------------------------------------------------


def test_slots_tables_and_days_come_from_the_blocks(conference, blocks):
    a, b = delegate(conference), delegate(conference)
    meeting(a, b)
    build = scheduling.build_instance(conference)
    instance = build.instance
    assert instance.slots == 6
    assert instance.tables == (2, 2, 2, 2, 1, 1)
    assert instance.day_of_slot == (0, 0, 0, 0, 1, 1)
    assert [s.start for s in build.slots][:2] == [
        local(conference, 0, 14),
        local(conference, 0, 14, 30),
    ]
    assert build.slots[4].start == local(conference, 1, 9)
    assert build.slots[0].block.table_name(2) == "Peony"
    assert len(instance.meetings) == 1
    assert set(instance.meetings[0].participants) == {f"r{a.pk}", f"r{b.pk}"}


def test_inactive_and_unset_b2b_sessions_are_not_used(conference, blocks):
    first, second = blocks
    second.is_active = False
    second.save()
    B2BSessionFactory(conference=conference, start=local(conference, 2, 9))  # no settings
    meeting(delegate(conference), delegate(conference))
    assert scheduling.build_instance(conference).instance.slots == 4


def test_availability_excludes_speaking_times_and_seat_bookings(conference, blocks):
    speaker, visitor, waiting, free = (delegate(conference) for _ in range(4))
    for other in (speaker, visitor, waiting):
        meeting(other, free)
    # Speaks 14:20–15:10: overlaps the slots at 14:00, 14:30 and 15:00.
    plenary = SessionFactory(
        conference=conference,
        kind=Session.Kind.PLENARY,
        start=local(conference, 0, 14, 20),
        end=local(conference, 0, 15, 10),
    )
    SessionRoleFactory(session=plenary, person=speaker.person, role="speaker")
    # A part in a B2B session itself or in another edition blocks nothing.
    SessionRoleFactory(session=blocks[0].session, person=speaker.person, role="host")
    other_edition = SessionFactory(start=local(conference, 1, 9), end=local(conference, 1, 10))
    SessionRoleFactory(session=other_edition, person=speaker.person, role="chair")
    # A confirmed seat on a visit on day 2 at 09:00–09:30 blocks that slot; a waiting-list
    # place does not.
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        start=local(conference, 1, 9),
        end=local(conference, 1, 9, 30),
        seats=40,
    )
    SeatBookingFactory(session=visit, registration=visitor)
    SeatBookingFactory(session=visit, registration=waiting, status=SeatBooking.Status.WAITLISTED)

    available = {
        p.id: p.available for p in scheduling.build_instance(conference).instance.participants
    }
    assert available[f"r{speaker.pk}"] == (3, 4, 5)
    assert available[f"r{visitor.pk}"] == (0, 1, 2, 3, 5)
    assert available[f"r{waiting.pk}"] == (0, 1, 2, 3, 4, 5)
    assert available[f"r{free.pk}"] == (0, 1, 2, 3, 4, 5)


def test_unconfirmed_delegates_are_left_out(conference, blocks):
    organisation = OrganisationFactory()
    a = delegate(conference, organisation=organisation)
    colleague = delegate(conference, organisation=organisation, profile=False)
    b, c, d = delegate(conference), delegate(conference), delegate(conference)
    kept = meeting(a, b)
    services.meeting_add_colleague(meeting=kept, by=a, colleague=colleague)
    gone = meeting(c, d)
    Registration.objects.filter(pk__in=[colleague.pk, d.pk]).update(status="cancelled")
    build = scheduling.build_instance(conference)
    assert [m.id for m in build.instance.meetings] == [f"m{kept.pk}"]
    assert set(build.instance.meetings[0].participants) == {f"r{a.pk}", f"r{b.pk}"}
    assert [(m.pk, code) for m, code, _p in build.skipped] == [(gone.pk, "not_confirmed")]
    assert {"code": "colleague_left", "meeting": kept.pk, "who": colleague.pk} in build.warnings


def test_published_meetings_are_fixed(conference, blocks):
    first, _second = blocks
    a, b = delegate(conference), delegate(conference)
    the_meeting = meeting(a, b)
    start, end = first.slots()[3]
    Meeting.objects.filter(pk=the_meeting.pk).update(
        block=first, start=start, end=end, table=2, published_at=start
    )
    build = scheduling.build_instance(conference)
    assert build.instance.meetings[0].fixed == Fixed(slot=3, table=1)
    assert build.fixed == {f"m{the_meeting.pk}"}


def test_a_published_meeting_that_now_clashes_is_placed_again(conference, blocks):
    first, _second = blocks
    a, b = delegate(conference), delegate(conference)
    the_meeting = meeting(a, b)
    start, end = first.slots()[0]
    Meeting.objects.filter(pk=the_meeting.pk).update(
        block=first, start=start, end=end, table=1, published_at=start
    )
    talk = SessionFactory(conference=conference, start=start, end=end)
    SessionRoleFactory(session=talk, person=b.person, role="speaker")
    build = scheduling.build_instance(conference)
    assert build.instance.meetings[0].fixed is None
    assert build.warnings == [{"code": "published_clash", "meeting": the_meeting.pk, "who": b.pk}]


def test_solver_reasons_become_codes():
    assert scheduling.parse_reason("r12 is fully booked (12 meetings for 10 available slots)") == (
        "fully_booked",
        {"who": 12, "meetings": 12, "slots": 10},
    )
    assert scheduling.parse_reason("participant r7 has no common free slot with the others") == (
        "no_common",
        {"who": 7},
    )
    assert (
        scheduling.parse_reason("no table free in the slots where the participants are all free")[0]
        == "no_table"
    )
    assert scheduling.parse_reason("something new") == ("other", {})


# --- runs ------------------------------------------------------------------------------


def test_a_run_places_meetings_without_double_booking(
    conference, blocks, django_capture_on_commit_callbacks
):
    star = delegate(conference)
    others = [delegate(conference) for _ in range(8)]
    for other in others:
        meeting(other, star)  # eight meetings for six slots: two cannot be placed
    meeting(others[0], others[1])
    meeting(others[2], others[3])
    run = run_now(conference, django_capture_on_commit_callbacks)
    assert run.status == SchedulerRun.Status.DONE
    assert run.meeting_count == 10
    assert run.scheduled_count == 8
    assert run.objective == 8 and run.upper_bound == 8
    assert run.solver_status == "optimal"
    placed = list(
        run.placements.filter(start__isnull=False).prefetch_related("meeting__participants")
    )
    # No table twice in a slot, no table beyond the block's tables.
    assert len({(p.block_id, p.start, p.table) for p in placed}) == len(placed)
    assert all(1 <= p.table <= p.block.table_count for p in placed)
    # No participant in two meetings at once.
    seats = Counter(
        (q.registration_id, p.start) for p in placed for q in p.meeting.participants.all()
    )
    assert max(seats.values()) == 1
    unplaced = list(run.placements.filter(start__isnull=True))
    assert len(unplaced) == 2
    assert {p.reason_code for p in unplaced} == {"fully_booked"}
    report = selectors.run_report(run)
    assert all(star.person.name in why for _p, _people, why in report.unscheduled)
    assert "8 meetings for 6 free slots" in report.unscheduled[0][2]


def test_write_back_matches_the_solver(conference, blocks):
    a, b, c = delegate(conference), delegate(conference), delegate(conference)
    meeting(a, b)
    meeting(b, c)
    build = scheduling.build_instance(conference)
    solution = solve(build.instance, time_limit=2)
    assert check(build.instance, solution) == []
    run = SchedulerRun.objects.create(conference=conference)
    rows = scheduling.write_back(run, build, solution)
    by_key = {f"m{p.meeting_id}": p for p in rows}
    for assignment in solution.assignments:
        placement = by_key[assignment.meeting]
        assert placement.start == build.slots[assignment.slot].start
        assert placement.table == assignment.table + 1


def test_start_needs_blocks_and_meetings(conference, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as error:
        planning.scheduler_start(conference=conference)
    assert "B2B block" in " ".join(error.value.messages)
    BlockFactory(session=B2BSessionFactory(conference=conference))
    with pytest.raises(ValidationError) as error:
        planning.scheduler_start(conference=conference)
    assert "no accepted meeting" in " ".join(error.value.messages)


def test_one_run_at_a_time(conference, blocks, settings, dummy_tasks):
    settings.ATRIUM_B2B_INLINE_MAX_MEETINGS = 0  # everything goes to the queue
    meeting(delegate(conference), delegate(conference))
    run = planning.scheduler_start(conference=conference)
    with pytest.raises(ValidationError):
        planning.scheduler_start(conference=conference)
    # A run stuck for more than an hour no longer blocks.
    SchedulerRun.objects.filter(pk=run.pk).update(created=run.created - timedelta(hours=2))
    planning.scheduler_start(conference=conference)


def test_large_runs_go_to_the_task_queue(
    conference, blocks, settings, dummy_tasks, django_capture_on_commit_callbacks
):
    from atrium.matchmaking.tasks import run_scheduler

    settings.ATRIUM_B2B_INLINE_MAX_MEETINGS = 0
    meeting(delegate(conference), delegate(conference))
    with django_capture_on_commit_callbacks(execute=True):
        run = planning.scheduler_start(conference=conference)
    run.refresh_from_db()
    assert run.status == SchedulerRun.Status.QUEUED
    assert len(dummy_tasks.results) == 1
    assert dummy_tasks.results[0].task.func is run_scheduler.func
    assert run_scheduler.call(run_id=run.pk) == "done"


def test_a_failing_run_is_marked_failed(
    conference, blocks, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("out of cheese")

    monkeypatch.setattr(planning, "solve", broken)
    meeting(delegate(conference), delegate(conference))
    run = run_now(conference, django_capture_on_commit_callbacks)
    assert run.status == SchedulerRun.Status.FAILED
    assert "out of cheese" in run.error
    assert not Placement.objects.exists()


# --- publication -----------------------------------------------------------------------


@pytest.fixture
def receiver(settings):
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["127.0.0.1"]
    settings.ATRIUM_WEBHOOK_TIMEOUT = 5
    server = Receiver().start()
    yield server
    server.stop()


def test_publish_gives_times_tables_mails_and_webhooks(
    conference, blocks, receiver, django_capture_on_commit_callbacks
):
    endpoint = Endpoint.objects.create(
        conference=conference, url=receiver.url, events=[webhook_events.MEETING_SCHEDULED]
    )
    a, b = delegate(conference), delegate(conference, name_zh="马骏")
    the_meeting = meeting(a, b)
    run = run_now(conference, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    result = publish(run, django_capture_on_commit_callbacks)
    the_meeting.refresh_from_db()
    assert [m.pk for m in result.published] == [the_meeting.pk]
    assert the_meeting.is_published
    assert the_meeting.start == local(conference, 0, 14)
    assert the_meeting.table_name == "Lotus"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.person.email, b.person.email])
    assert all("Lotus" in m.body for m in mail.outbox)
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.event == webhook_events.MEETING_SCHEDULED
    [received] = receiver.requests
    body = json.loads(received.body)
    assert body["event"] == "meeting.scheduled"
    data = body["data"]
    assert data == delivery.payload
    assert data["meeting"]["id"] == the_meeting.pk
    assert data["meeting"]["table"] == "Lotus"
    assert data["meeting"]["start"] == "2025-09-16T06:00:00Z"
    names = {p["person"]["name_zh"] for p in data["meeting"]["participants"]}
    assert "马骏" in names
    run.refresh_from_db()
    assert run.published_at is not None
    with pytest.raises(ValidationError):
        planning.scheduler_publish(run=run)


def test_later_runs_keep_published_meetings_fixed(
    conference, blocks, django_capture_on_commit_callbacks
):
    people = [delegate(conference) for _ in range(6)]
    first_meetings = [meeting(people[0], people[1]), meeting(people[2], people[3])]
    run = run_now(conference, django_capture_on_commit_callbacks)
    publish(run, django_capture_on_commit_callbacks)
    before = {m.pk: (m.start, m.table) for m in Meeting.objects.all()}
    newcomer = meeting(people[0], people[4])  # people[0] is busy at their published slot
    meeting(people[5], people[1])
    mail.outbox.clear()
    second = run_now(conference, django_capture_on_commit_callbacks)
    assert second.fixed_count == 2
    kept = second.placements.filter(meeting__in=first_meetings)
    assert all(p.fixed for p in kept)
    assert {p.meeting_id: (p.start, p.table) for p in kept} == before
    result = publish(second, django_capture_on_commit_callbacks)
    assert result.unchanged == 2
    assert len(result.published) == 2
    for pk, place in before.items():
        m = Meeting.objects.get(pk=pk)
        assert (m.start, m.table) == place
    newcomer.refresh_from_db()
    assert newcomer.start != before[first_meetings[0].pk][0]
    # Only the people of the new meetings get mail.
    assert len(mail.outbox) == 4


def test_only_the_latest_run_can_be_published(
    conference, blocks, django_capture_on_commit_callbacks
):
    meeting(delegate(conference), delegate(conference))
    old = run_now(conference, django_capture_on_commit_callbacks)
    run_now(conference, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        planning.scheduler_publish(run=old)
    assert "newer run" in " ".join(error.value.messages)


def test_publish_skips_what_changed_since_the_run(
    conference, blocks, django_capture_on_commit_callbacks
):
    a, b, c, d = (delegate(conference) for _ in range(4))
    cancelled = meeting(a, b)
    busy = meeting(c, d)
    run = run_now(conference, django_capture_on_commit_callbacks)
    services.request_cancel(request=cancelled.request, by=a)
    placement = run.placements.get(meeting=busy)
    talk = SessionFactory(conference=conference, start=placement.start, end=placement.end)
    SessionRoleFactory(session=talk, person=d.person, role="speaker")
    result = publish(run, django_capture_on_commit_callbacks)
    assert result.published == []
    assert sorted(why for _m, why in result.skipped) == ["busy", "cancelled"]
    busy.refresh_from_db()
    assert not busy.is_published


def test_table_sheets_list_every_slot_of_every_table(
    conference, blocks, django_capture_on_commit_callbacks
):
    a, b = delegate(conference), delegate(conference)
    meeting(a, b)
    run = run_now(conference, django_capture_on_commit_callbacks)
    draft = selectors.table_sheets(conference, run=run)
    assert [s.name for s in draft] == ["Lotus", "Peony", "Table 1"]
    assert len(draft[0].rows) == 4
    assert {p.pk for p in draft[0].rows[0][2]} == {a.person_id, b.person_id}
    assert all(people is None for _s, _e, people in draft[1].rows)
    published = selectors.table_sheets(conference)
    assert all(people is None for sheet in published for _s, _e, people in sheet.rows)
    publish(run, django_capture_on_commit_callbacks)
    published = selectors.table_sheets(conference)
    assert {p.pk for p in published[0].rows[0][2]} == {a.person_id, b.person_id}


def test_meetings_for_person_for_the_calendar(
    conference, blocks, django_capture_on_commit_callbacks
):
    a, b, c = delegate(conference), delegate(conference), delegate(conference)
    meeting(a, b)
    meeting(a, c)
    assert selectors.meetings_for_person(conference=conference, person=a.person) == []
    publish(
        run_now(conference, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks
    )
    entries = selectors.meetings_for_person(conference=conference, person=a.person)
    assert [e.start for e in entries] == sorted(e.start for e in entries)
    assert len(entries) == 2
    first = entries[0]
    assert first.end - first.start == timedelta(minutes=30)
    assert first.table in ("Lotus", "Peony")
    assert {p.pk for p in first.others} <= {b.person_id, c.person_id}
    assert a.person_id not in {p.pk for p in first.others}
    event = icalendar.Calendar.from_ical(
        meeting_event(first, conference=conference, host="atrium.example.org").to_ical()
    )
    assert str(event["uid"]) == f"b2b-meeting-{first.id}@atrium.example.org"
    assert event.decoded("dtstart") == first.start
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("dtstart").hour == 14 and event.decoded("dtstart").minute == 0
    assert first.table in str(event["location"])
    assert all(p.name in str(event["description"]) for p in first.participants)
    assert int(event["sequence"]) == first.sequence >= 1
    assert first.location.startswith(blocks[0].session.room.name)
    assert all(p.name in first.summary for p in first.others)


def test_meetings_join_the_personal_agenda_feed(
    conference, blocks, rf, django_capture_on_commit_callbacks
):
    """How the registration app's feed adds them (see docs/b2b.md): one event each."""
    from atrium.events.calendar import agenda_calendar, uid_host

    a, b = delegate(conference), delegate(conference, name="Li Zhidan")
    meeting(a, b)
    publish(
        run_now(conference, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks
    )
    request = rf.get("/")
    calendar = agenda_calendar(
        conference=conference, sessions=[], name="My agenda", request=request
    )
    for entry in selectors.meetings_for_person(conference=conference, person=a.person):
        calendar.add_component(meeting_event(entry, conference=conference, host=uid_host(request)))
    parsed = icalendar.Calendar.from_ical(calendar.to_ical())
    [event] = parsed.walk("VEVENT")
    assert str(event["uid"]).startswith("b2b-meeting-")
    assert "Li Zhidan" in str(event["summary"])
    assert event.decoded("dtstart") == local(conference, 0, 14)
