"""Factories for visa letters: a letterhead and a request with (encrypted) passport data."""

from __future__ import annotations

import datetime as dt

import factory

from atrium.registration.models import Letterhead, PassportDetails, VisaLetterRequest
from tests.factories import ConferenceFactory, RegistrationFactory


class LetterheadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letterhead
        django_get_or_create = ("conference",)

    conference = factory.SubFactory(ConferenceFactory)
    issuer_name = "Zhongguancun Science Park Administrative Committee"
    issuer_name_zh = "中关村科技园区管理委员会"
    address = "No. 5 Guanghua Road, Beijing"
    email = "visa@example.org"
    phone = "+86 10 0000 0000"
    signatory_name = "Wang Lei"
    signatory_title = "Secretary-General"
    letter_prefix = "BJ25-VL"


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
    from atrium.registration.visa_crypto import encrypt_json

    return encrypt_json(passport(**overrides).to_json())
