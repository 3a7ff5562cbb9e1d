"""Factories for visa letters: a letterhead and a request with (encrypted) passport data."""

from __future__ import annotations

import datetime as dt

import factory

from atrium.visas.models import PassportDetails, VisaLetterRequest
from tests.factories import RegistrationFactory


def passport(**overrides) -> PassportDetails:
    values = {
        "passport_name": "Cecile Marie HARLE",
        "nationality": "FR",
        "date_of_birth": dt.date(1968, 5, 17),
        "passport_number": "19FR27384",
        "passport_expiry": dt.date(2030, 3, 9),
    }
    values.update(overrides)
    return PassportDetails(**values)


class VisaLetterRequestFactory(factory.django.DjangoModelFactory):
    """A request waiting for review; ``passport={"passport_number": "X"}`` changes its data."""

    class Meta:
        model = VisaLetterRequest

    class Params:
        passport = {}  # overrides of the default passport data

    registration = factory.SubFactory(RegistrationFactory)
    conference = factory.SelfAttribute("registration.conference")
    status = VisaLetterRequest.Status.REQUESTED
    entry_date = factory.LazyAttribute(lambda o: o.conference.start_date - dt.timedelta(days=2))
    exit_date = factory.LazyAttribute(lambda o: o.conference.end_date + dt.timedelta(days=2))
    consulate_city = "Marseille"
    passport_data = factory.LazyAttribute(lambda o: _encrypted(o.passport))


def _encrypted(overrides: dict) -> str:
    from atrium.visas.crypto import encrypt_json

    return encrypt_json(passport(**overrides).to_json())
