"""Factories for the webhook tests: users, organiser roles, endpoints."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from atrium.events.models import ConferenceRole
from atrium.webhooks import events
from atrium.webhooks.models import Endpoint
from tests.factories import ConferenceFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")


class ConferenceRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConferenceRole

    conference = factory.SubFactory(ConferenceFactory)
    user = factory.SubFactory(UserFactory)
    role = ConferenceRole.Role.ORGANISER


class EndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endpoint

    conference = factory.SubFactory(ConferenceFactory)
    url = "https://hooks.example.org/atrium"
    description = "CRM"
    events = factory.LazyFunction(lambda: list(events.CATALOGUE))
    is_active = True
