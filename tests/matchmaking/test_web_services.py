"""The B2B rules: profiles, requests (limit, accept, decline, cancel), colleagues, blocks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from atrium.core.models import AuditEntry
from atrium.events.models import Session
from atrium.matchmaking import planning, services
from atrium.matchmaking.models import Meeting, MeetingRequest, Participant, Profile
from atrium.registration.models import Registration
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    SectorFactory,
    SessionFactory,
    SessionRoleFactory,
)
from tests.matchmaking.factories_web import (
    B2BSessionFactory,
    BlockFactory,
    delegate,
    meeting,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory()


@pytest.fixture
def pair(conference):
    return delegate(conference), delegate(conference)


def messages_of(error: ValidationError) -> str:
    return " ".join(error.value.messages)


# --- profiles --------------------------------------------------------------------------


def test_profile_save_creates_and_updates(conference):
    registration = delegate(conference, profile=False)
    sector = SectorFactory()
    profile = services.profile_save(
        registration=registration,
        offers="Soft landing in Europe",
        offer_kinds=["soft_landing", "incubation"],
        seek_kinds=["joint_research"],
        partner_kinds=["science_park"],
        languages=["fr", "en"],
        sectors=[sector],
        directory_listed=True,
    )
    assert profile.offer_kinds == ["incubation", "soft_landing"]  # in the order of the choices
    assert profile.languages == ["en", "fr"]
    assert list(profile.sectors.all()) == [sector]
    again = services.profile_save(registration=registration, seek_kinds=["talent"])
    assert again.pk == profile.pk
    assert again.seek_kinds == ["talent"]
    assert not again.sectors.exists()
    assert AuditEntry.objects.filter(action="b2b.profile_created").count() == 1
    assert AuditEntry.objects.filter(action="b2b.profile_updated").count() == 1


def test_profile_refuses_unknown_choices_naming_the_field(conference):
    registration = delegate(conference, profile=False)
    with pytest.raises(ValidationError) as error:
        services.profile_save(registration=registration, offer_kinds=["bribes"])
    assert "offer_kinds" in error.value.message_dict
    assert not Profile.objects.exists()


def test_profile_needs_something_to_match_on_unless_opting_out(conference):
    registration = delegate(conference, profile=False)
    with pytest.raises(ValidationError) as error:
        services.profile_save(registration=registration)
    assert "sectors" in error.value.message_dict
    profile = services.profile_save(registration=registration, is_active=False)
    assert not profile.is_active


def test_profile_only_for_confirmed_registrations(conference):
    registration = delegate(conference, profile=False)
    Registration.objects.filter(pk=registration.pk).update(status="pending")
    with pytest.raises(ValidationError):
        services.profile_save(registration=registration, offer_kinds=["talent"])


# --- requests --------------------------------------------------------------------------


def test_request_mails_the_recipient(conference, pair, django_capture_on_commit_callbacks):
    a, b = pair
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_create(requester=a, recipient=b, message="Shall we meet?")
    assert request.status == MeetingRequest.Status.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [b.person.email]
    assert "Shall we meet?" in mail.outbox[0].body
    assert a.person.name in mail.outbox[0].subject


def test_cannot_ask_yourself(pair):
    a, _b = pair
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=a, recipient=a)
    assert "yourself" in messages_of(error)


@pytest.mark.parametrize("status", ["pending", "cancelled", "waitlisted"])
def test_cannot_ask_an_unconfirmed_delegate(pair, status):
    a, b = pair
    Registration.objects.filter(pk=b.pk).update(status=status)
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=a, recipient=b)
    assert "not a confirmed delegate" in messages_of(error)
    assert not MeetingRequest.objects.exists()


def test_an_unconfirmed_delegate_cannot_ask(pair):
    a, b = pair
    Registration.objects.filter(pk=a.pk).update(status="pending")
    with pytest.raises(ValidationError):
        services.request_create(requester=a, recipient=b)


def test_cannot_ask_someone_of_another_edition(conference):
    a = delegate(conference)
    b = delegate(ConferenceFactory())
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=a, recipient=b)
    assert "another edition" in messages_of(error)


def test_both_must_take_part(pair):
    a, b = pair
    Profile.objects.filter(registration=b).update(is_active=False)
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=a, recipient=b)
    assert "does not take part" in messages_of(error)
    Profile.objects.filter(registration=a).delete()
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=a, recipient=b)
    assert "Fill in your B2B profile" in messages_of(error)


def test_colleagues_are_added_not_asked(conference):
    organisation = OrganisationFactory()
    a = delegate(conference, organisation=organisation)
    b = delegate(conference, organisation=organisation)
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=a, recipient=b)
    assert "colleague" in messages_of(error)


def test_one_open_request_per_pair_either_way(pair):
    a, b = pair
    services.request_create(requester=a, recipient=b)
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=a, recipient=b)
    assert "already" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=b, recipient=a)
    assert "answer their request" in messages_of(error)


def test_a_withdrawn_request_can_be_made_again(pair):
    a, b = pair
    first = services.request_create(requester=a, recipient=b)
    services.request_cancel(request=first, by=a)
    second = services.request_create(requester=a, recipient=b)
    assert second.pk != first.pk


def test_request_limit_counts_open_requests_only(conference):
    planning.settings_update(conference=conference, request_limit=2, requests_open=True)
    me = delegate(conference)
    others = [delegate(conference) for _ in range(4)]
    first = services.request_create(requester=me, recipient=others[0])
    second = services.request_create(requester=me, recipient=others[1])
    services.request_accept(request=second, by=others[1])  # accepted still counts
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=me, recipient=others[2])
    assert "2 open requests" in messages_of(error)
    services.request_decline(request=first, by=others[0])  # declined no longer counts
    services.request_create(requester=me, recipient=others[2])
    with pytest.raises(ValidationError):
        services.request_create(requester=me, recipient=others[3])
    # Received requests do not count against the limit.
    services.request_create(requester=others[3], recipient=me)


def test_no_limit_when_empty(conference):
    planning.settings_update(conference=conference, request_limit=None, requests_open=True)
    me = delegate(conference)
    for _ in range(20):
        services.request_create(requester=me, recipient=delegate(conference))
    assert services.open_requests_sent(me) == 20


def test_requests_can_be_closed(conference, pair):
    planning.settings_update(conference=conference, request_limit=5, requests_open=False)
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=pair[0], recipient=pair[1])
    assert "closed" in messages_of(error)


def test_long_message_names_the_field(pair):
    with pytest.raises(ValidationError) as error:
        services.request_create(requester=pair[0], recipient=pair[1], message="x" * 1001)
    assert "message" in error.value.message_dict
    assert not MeetingRequest.objects.exists()


def test_settings_limit_range(conference):
    with pytest.raises(ValidationError) as error:
        planning.settings_update(conference=conference, request_limit=0, requests_open=True)
    assert "request_limit" in error.value.message_dict


# --- answers ---------------------------------------------------------------------------


def test_accept_makes_a_meeting_and_tells_the_requester(pair, django_capture_on_commit_callbacks):
    a, b = pair
    request = services.request_create(requester=a, recipient=b)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.request_accept(request=request, by=b, answer="With pleasure")
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.ACCEPTED
    assert request.answer == "With pleasure"
    assert {(p.registration_id, p.side) for p in created.participants.all()} == {
        (a.pk, "requester"),
        (b.pk, "recipient"),
    }
    assert [m.to for m in mail.outbox] == [[a.person.email]]


def test_only_the_recipient_answers_and_only_once(pair):
    a, b = pair
    request = services.request_create(requester=a, recipient=b)
    with pytest.raises(ValidationError):
        services.request_accept(request=request, by=a)
    with pytest.raises(ValidationError):
        services.request_decline(request=request, by=a)
    services.request_decline(request=request, by=b)
    with pytest.raises(ValidationError):
        services.request_accept(request=request, by=b)
    assert not Meeting.objects.exists()


def test_cannot_accept_when_the_requester_left(pair):
    a, b = pair
    request = services.request_create(requester=a, recipient=b)
    Registration.objects.filter(pk=a.pk).update(status="cancelled")
    with pytest.raises(ValidationError) as error:
        services.request_accept(request=request, by=b)
    assert "no longer confirmed" in messages_of(error)


def test_cancel_rules(conference, pair, django_capture_on_commit_callbacks):
    a, b = pair
    request = services.request_create(requester=a, recipient=b)
    with pytest.raises(ValidationError) as error:
        services.request_cancel(request=request, by=b)
    assert "Decline" in messages_of(error)
    stranger = delegate(conference)
    with pytest.raises(PermissionDenied):
        services.request_cancel(request=request, by=stranger)
    services.request_accept(request=request, by=b)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_cancel(request=request, by=b)  # either side may call off a meeting
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.CANCELLED
    assert request.cancelled_by_id == b.pk
    assert request.meeting.status == Meeting.Status.CANCELLED
    assert [m.to for m in mail.outbox] == [[a.person.email]]
    with pytest.raises(ValidationError):
        services.request_cancel(request=request, by=a)


# --- colleagues ------------------------------------------------------------------------


@pytest.fixture
def team(conference):
    organisation = OrganisationFactory(name="Sophia Antipolis")
    me = delegate(conference, organisation=organisation)
    colleague = delegate(conference, organisation=organisation, profile=False)
    other = delegate(conference)
    return me, colleague, other, meeting(me, other)


def test_add_a_colleague(team, django_capture_on_commit_callbacks):
    me, colleague, other, the_meeting = team
    with django_capture_on_commit_callbacks(execute=True):
        added = services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    assert added.is_colleague and added.side == "requester" and added.added_by_id == me.pk
    assert the_meeting.participants.count() == 3
    assert mail.outbox[-1].to == [colleague.person.email]


def test_colleague_rules(conference, team):
    me, colleague, other, the_meeting = team
    outsider = delegate(conference)
    with pytest.raises(ValidationError) as error:
        services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=outsider)
    assert "colleague" in error.value.message_dict
    Registration.objects.filter(pk=colleague.pk).update(status="pending")
    with pytest.raises(ValidationError) as error:
        services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    assert "not a confirmed delegate" in messages_of(error)
    Registration.objects.filter(pk=colleague.pk).update(status="confirmed")
    services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    with pytest.raises(ValidationError) as error:
        services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    assert "already" in messages_of(error)
    with pytest.raises(PermissionDenied):
        services.meeting_add_colleague(meeting=the_meeting, by=outsider, colleague=outsider)


def test_colleague_from_another_edition_is_refused(team):
    me, _colleague, _other, the_meeting = team
    elsewhere = delegate(ConferenceFactory(), organisation=me.person.organisation)
    with pytest.raises(ValidationError) as error:
        services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=elsewhere)
    assert "another edition" in messages_of(error)


def test_meeting_size_is_limited(conference, team):
    me, colleague, _other, the_meeting = team
    organisation = me.person.organisation
    for _ in range(services.MAX_PARTICIPANTS - 2):
        extra = delegate(conference, organisation=organisation, profile=False)
        services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=extra)
    with pytest.raises(ValidationError) as error:
        services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    assert "at most" in messages_of(error)


def test_busy_colleague_cannot_join_a_published_meeting(conference, team):
    me, colleague, _other, the_meeting = team
    block = BlockFactory(session=B2BSessionFactory(conference=conference))
    start, end = block.slots()[0]
    Meeting.objects.filter(pk=the_meeting.pk).update(
        block=block, start=start, end=end, table=1, published_at=start
    )
    the_meeting.refresh_from_db()
    talk = SessionFactory(conference=conference, start=start - timedelta(minutes=10), end=end)
    SessionRoleFactory(session=talk, person=colleague.person, role="speaker")
    with pytest.raises(ValidationError) as error:
        services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    assert talk.title in messages_of(error)


def test_remove_a_colleague(team):
    me, colleague, other, the_meeting = team
    added = services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    with pytest.raises(PermissionDenied):
        services.meeting_remove_colleague(participant=added, by=other)
    main = the_meeting.participants.get(registration=other)
    with pytest.raises(ValidationError):
        services.meeting_remove_colleague(participant=main, by=other)
    services.meeting_remove_colleague(participant=added, by=colleague)  # leaving oneself
    assert not Participant.objects.filter(pk=added.pk).exists()


def test_withdraw_registration_closes_everything(conference, team):
    me, colleague, other, the_meeting = team
    services.meeting_add_colleague(meeting=the_meeting, by=me, colleague=colleague)
    pending = services.request_create(requester=delegate(conference), recipient=other)
    assert services.withdraw_registration(registration=other) == 2
    the_meeting.refresh_from_db()
    pending.refresh_from_db()
    assert the_meeting.status == Meeting.Status.CANCELLED
    assert pending.status == MeetingRequest.Status.CANCELLED


# --- blocks ----------------------------------------------------------------------------


def test_block_save_checks_its_numbers(conference):
    session = B2BSessionFactory(conference=conference)  # two hours
    with pytest.raises(ValidationError) as error:
        planning.block_save(session=session, slot_minutes=150, table_count=0, table_names="A\nB\nB")
    assert set(error.value.message_dict) == {"slot_minutes", "table_count", "table_names"}
    with pytest.raises(ValidationError) as error:
        planning.block_save(session=session, slot_minutes=30, table_count=2, table_names="A\nB\nC")
    assert "table_names" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        planning.block_save(session=session, slot_minutes=30, table_count=3, table_names="A\nA")
    assert "table_names" in error.value.message_dict
    block = planning.block_save(
        session=session, slot_minutes=20, table_count=3, table_names=" Lotus \n\nPeony"
    )
    assert len(block.slots()) == 6
    assert [block.table_name(n) for n in (1, 2, 3)] == ["Lotus", "Peony", "Table 3"]


def test_only_b2b_sessions_are_blocks(conference):
    with pytest.raises(ValidationError):
        planning.block_save(
            session=SessionFactory(conference=conference, kind=Session.Kind.PLENARY),
            slot_minutes=30,
            table_count=3,
        )


def test_active_blocks_must_not_overlap(conference):
    first = B2BSessionFactory(conference=conference)
    second = B2BSessionFactory(conference=conference, start=first.start + timedelta(hours=1))
    planning.block_save(session=first, slot_minutes=30, table_count=3)
    with pytest.raises(ValidationError) as error:
        planning.block_save(session=second, slot_minutes=30, table_count=3)
    assert "is_active" in error.value.message_dict
    planning.block_save(session=second, slot_minutes=30, table_count=3, is_active=False)


def test_block_keeps_published_meetings_in_place(conference, pair):
    block = planning.block_save(
        session=B2BSessionFactory(conference=conference), slot_minutes=30, table_count=3
    )
    the_meeting = meeting(*pair)
    start, end = block.slots()[1]
    Meeting.objects.filter(pk=the_meeting.pk).update(
        block=block, start=start, end=end, table=3, published_at=start
    )
    with pytest.raises(ValidationError) as error:
        planning.block_save(session=block.session, slot_minutes=30, table_count=2)
    assert "table_count" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        planning.block_save(session=block.session, slot_minutes=20, table_count=3)
    assert "slot_minutes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        planning.block_save(session=block.session, slot_minutes=30, table_count=3, is_active=False)
    assert "is_active" in error.value.message_dict
    # 15-minute slots keep every 30-minute boundary: allowed.
    planning.block_save(session=block.session, slot_minutes=15, table_count=4)
