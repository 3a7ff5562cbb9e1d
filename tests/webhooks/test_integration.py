"""The registration services emit through the real webhooks: end to end to a receiver."""

import json

import pytest
from django.test import TestCase

from atrium.registration import services as registration_services
from atrium.webhooks import events
from atrium.webhooks.models import Delivery
from atrium.webhooks.signing import verify_signature
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
)
from tests.webhooks.factories_webhooks import EndpointFactory

pytestmark = pytest.mark.django_db


def committed(function, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(**kwargs)


def test_confirming_and_cancelling_a_registration_reach_the_receiver(receiver):
    conference = ConferenceFactory()
    RegistrationPolicyFactory(conference=conference)
    endpoint = EndpointFactory(conference=conference, url=receiver.url)
    only_cancellations = EndpointFactory(
        conference=conference, url=receiver.url, events=[events.REGISTRATION_CANCELLED]
    )
    person = PersonFactory(name="Ma Jun", name_zh="马骏")
    registration = committed(
        registration_services.registration_submit,
        conference=conference,
        person=person,
        rtype=RegistrationTypeFactory(conference=conference),
        currency="CNY",
    )
    assert receiver.requests == []  # pending payment: nothing to tell yet

    committed(registration_services.order_mark_paid, order=registration.order, actor=None)
    [confirmed] = receiver.requests
    assert confirmed.headers["X-Atrium-Event"] == "registration.confirmed"
    assert verify_signature(
        endpoint.secret,
        confirmed.headers["X-Atrium-Timestamp"],
        confirmed.body,
        confirmed.headers["X-Atrium-Signature"],
    )
    data = json.loads(confirmed.body)["data"]
    assert data["registration"] == registration.pk
    assert data["status"] == "confirmed"
    assert data["person"] == {"id": person.pk, "name": "Ma Jun", "name_zh": "马骏"}

    registration.refresh_from_db()
    committed(registration_services.registration_cancel, registration=registration, actor=None)
    cancelled = receiver.requests[1:]
    assert [r.headers["X-Atrium-Event"] for r in cancelled] == ["registration.cancelled"] * 2
    assert {d.endpoint for d in Delivery.objects.filter(event="registration.cancelled")} == {
        endpoint,
        only_cancellations,
    }
    assert all(d.status == Delivery.Status.SUCCEEDED for d in Delivery.objects.all())
