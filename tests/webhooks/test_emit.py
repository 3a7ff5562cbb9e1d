"""webhook_emit: who gets an event, what it costs, and nothing for a rolled-back change."""

import datetime
import decimal

import pytest
from django.db import transaction

from atrium.webhooks import events, services
from atrium.webhooks.models import Delivery
from tests.factories import ConferenceFactory
from tests.webhooks.factories_webhooks import EndpointFactory


@pytest.fixture
def conference(db):
    return ConferenceFactory()


@pytest.mark.django_db
def test_only_active_subscribed_endpoints_of_the_edition_get_the_event(
    conference, receiver, django_capture_on_commit_callbacks
):
    wanted = EndpointFactory(
        conference=conference, url=receiver.url, events=[events.REGISTRATION_CONFIRMED]
    )
    EndpointFactory(conference=conference, url=receiver.url, events=[events.CHECKIN_CREATED])
    EndpointFactory(conference=conference, url=receiver.url, is_active=False)
    EndpointFactory(conference=ConferenceFactory(), url=receiver.url)  # another edition

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = services.webhook_emit(
            conference=conference, event=events.REGISTRATION_CONFIRMED, payload={"n": 1}
        )

    assert [d.endpoint for d in deliveries] == [wanted]
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-Atrium-Event"] == "registration.confirmed"


@pytest.mark.django_db
def test_each_subscribed_endpoint_gets_its_own_delivery(
    conference, receiver, django_capture_on_commit_callbacks
):
    EndpointFactory.create_batch(2, conference=conference, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = services.webhook_emit(
            conference=conference, event=events.MEETING_SCHEDULED, payload={}
        )
    assert len(deliveries) == 2
    assert len({d.event_id for d in deliveries}) == 2
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_with_no_endpoint_emitting_costs_one_query(conference, django_assert_num_queries):
    EndpointFactory(conference=conference, events=[events.CHECKIN_CREATED])  # not subscribed
    EndpointFactory(conference=ConferenceFactory())
    with django_assert_num_queries(1):
        assert (
            services.webhook_emit(
                conference=conference, event=events.REGISTRATION_CANCELLED, payload={"x": 1}
            )
            == []
        )


@pytest.mark.django_db
def test_nothing_is_sent_before_the_transaction_commits(conference, receiver):
    EndpointFactory(conference=conference, url=receiver.url)
    # No on-commit capture: the test's transaction never commits.
    services.webhook_emit(conference=conference, event=events.CHECKIN_CREATED, payload={})
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_rolled_back_savepoint_sends_nothing(
    conference, receiver, django_capture_on_commit_callbacks
):
    EndpointFactory(conference=conference, url=receiver.url)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.webhook_emit(conference=conference, event=events.CHECKIN_CREATED, payload={})
        raise RuntimeError("the registration could not be saved")
    assert callbacks == []
    assert Delivery.objects.count() == 0
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_real_commit_sends_and_real_rollback_does_not(receiver):
    conference = ConferenceFactory()
    EndpointFactory(conference=conference, url=receiver.url)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.webhook_emit(
            conference=conference, event=events.CHECKIN_CREATED, payload={"badge": "A"}
        )
        raise RuntimeError("rolled back")
    assert receiver.requests == []
    assert Delivery.objects.count() == 0

    with transaction.atomic():
        services.webhook_emit(
            conference=conference, event=events.CHECKIN_CREATED, payload={"badge": "B"}
        )
        assert receiver.requests == []  # not before the commit
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED


@pytest.mark.django_db
def test_payload_values_are_made_json_ready(conference):
    EndpointFactory(conference=conference)
    [delivery] = services.webhook_emit(
        conference=conference,
        event=events.MEETING_SCHEDULED,
        payload={
            "start": datetime.datetime(2025, 9, 16, 9, 30, tzinfo=datetime.UTC),
            "fee": decimal.Decimal("12.50"),
        },
    )
    delivery.refresh_from_db()
    assert delivery.payload == {"start": "2025-09-16T09:30:00Z", "fee": "12.50"}


@pytest.mark.django_db
def test_unknown_events_and_bad_payloads_are_programming_errors(conference):
    with pytest.raises(ValueError, match="Unknown webhook event"):
        services.webhook_emit(conference=conference, event="registration.created", payload={})
    with pytest.raises(ValueError):
        services.webhook_emit(conference=conference, event=events.PING, payload={})
    with pytest.raises(TypeError):
        services.webhook_emit(
            conference=conference, event=events.CHECKIN_CREATED, payload={"x": object()}
        )


def test_the_catalogue():
    assert set(events.CATALOGUE) == {
        "registration.confirmed",
        "registration.cancelled",
        "checkin.created",
        "meeting.scheduled",
        "meeting.moved",
        "meeting.locked",
        "meeting.unscheduled",
        "meeting.cancelled",
        "delegate.absent",
    }
    assert events.PING not in events.CATALOGUE
    assert events.label(events.CHECKIN_CREATED) == "Check-in"
