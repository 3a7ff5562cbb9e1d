"""Factories for the B2B web part (the solver tests need none)."""

from __future__ import annotations

from datetime import timedelta

import factory

from atrium.events.models import Session
from atrium.matchmaking import services
from atrium.matchmaking.models import Block, MeetingRequest, Profile
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    local,
)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        skip_postgeneration_save = True

    registration = factory.SubFactory(RegistrationFactory)
    conference = factory.SelfAttribute("registration.conference")
    offer_kinds = factory.LazyFunction(lambda: ["incubation"])
    seek_kinds = factory.LazyFunction(lambda: ["investment"])
    languages = factory.LazyFunction(lambda: ["en"])

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.add(*extracted)


class B2BSessionFactory(SessionFactory):
    kind = Session.Kind.BILATERAL_MEETING
    title = factory.Sequence(lambda n: f"B2B meetings (block {n})")
    start = factory.LazyAttribute(lambda o: local(o.conference, 0, 14))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=2))


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    session = factory.SubFactory(B2BSessionFactory)
    slot_minutes = 30
    table_count = 3


class MeetingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingRequest

    requester = factory.SubFactory(RegistrationFactory)
    recipient = factory.SubFactory(
        RegistrationFactory, conference=factory.SelfAttribute("..requester.conference")
    )
    conference = factory.SelfAttribute("requester.conference")


def delegate(conference, *, organisation=None, user=False, profile=True, **person):
    """A confirmed registration for ``conference`` (with a login and a profile if asked)."""
    if user:
        person.setdefault("user", UserFactory())
    person_obj = PersonFactory(organisation=organisation or OrganisationFactory(), **person)
    registration = RegistrationFactory(conference=conference, person=person_obj)
    if profile:
        ProfileFactory(registration=registration)
    return registration


def meeting(a, b, **kwargs):
    """An accepted request between two delegates: the meeting."""
    request = services.request_create(requester=a, recipient=b, message=kwargs.pop("message", ""))
    return services.request_accept(request=request, by=b)


__all__ = [
    "B2BSessionFactory",
    "BlockFactory",
    "ConferenceFactory",
    "MeetingRequestFactory",
    "ProfileFactory",
    "delegate",
    "meeting",
]
