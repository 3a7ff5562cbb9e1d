"""Factories for receipts and certificates: the edition's letterhead and check-ins."""

from __future__ import annotations

import uuid

import factory

from atrium.checkin.models import CheckIn
from tests.factories import RegistrationFactory


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    registration = factory.SubFactory(RegistrationFactory)
    conference = factory.SelfAttribute("registration.conference")
    client_id = factory.LazyFunction(uuid.uuid4)
