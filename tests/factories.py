"""Test data factories (factory_boy): real model objects, no fixture files."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from atrium.events.models import Conference, Room, Session, SessionRole, Talk, Track, Venue
from atrium.network.models import Organisation, Person, Sector
from atrium.registration.models import (
    Delegation,
    Letterhead,
    Question,
    Registration,
    RegistrationPolicy,
    RegistrationType,
    SeatBooking,
    Voucher,
)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Science Park {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name) or f"org-{id(o)}")
    kind = Organisation.Kind.SCIENCE_PARK
    country = "ES"
    city = "Málaga"
    member_since = 2000


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    country = "ES"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    directory_opt_in = True


class ConferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conference

    number = factory.Sequence(lambda n: 100 + n)
    slug = factory.Sequence(lambda n: f"edition-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.number}th World Conference")
    theme = "Innovation"
    city = "Beijing"
    city_zh = "北京"
    country = "CN"
    time_zone = "Asia/Shanghai"
    start_date = date(2025, 9, 16)
    end_date = date(2025, 9, 18)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Convention Centre {n}")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Hall {n}")
    position = factory.Sequence(lambda n: n)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Track {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


def local(conference: Conference, day: int, hour: int, minute: int = 0) -> datetime:
    """An aware datetime on the conference's ``day`` (0-based) in its own time zone."""
    return datetime.combine(
        conference.start_date + timedelta(days=day),
        datetime.min.time().replace(hour=hour, minute=minute),
        tzinfo=ZoneInfo(conference.time_zone),
    )


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    conference = factory.SubFactory(ConferenceFactory)
    kind = Session.Kind.PARALLEL_FORUM
    title = factory.Sequence(lambda n: f"Forum {n}")
    start = factory.LazyAttribute(lambda o: local(o.conference, 0, 9))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))
    room = factory.SubFactory(RoomFactory, conference=factory.SelfAttribute("..conference"))


class SessionRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionRole

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    role = SessionRole.Role.CHAIR


class TalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talk
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    title = factory.Sequence(lambda n: f"Talk {n}")

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.add(*extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.django.Password("correct horse battery")


class RegistrationPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationPolicy
        django_get_or_create = ("conference",)

    conference = factory.SubFactory(ConferenceFactory)
    reference_prefix = "BJ25"
    bank_details = "IBAN CN00 0000 0000 0000, Bank of Beijing"


class RegistrationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationType

    conference = factory.SubFactory(ConferenceFactory)
    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Delegate {n}")
    price_usd = Decimal("800.00")
    price_cny = Decimal("5800.00")
    # A type priced 0 is a free type (the database refuses a price of 0 on any other).
    is_free = factory.LazyAttribute(lambda o: not o.price_usd and not o.price_cny)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    conference = factory.SubFactory(ConferenceFactory)
    label = factory.Sequence(lambda n: f"Question {n}")


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voucher

    conference = factory.SubFactory(ConferenceFactory)
    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = Voucher.Kind.PERCENT
    percent = 50


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    conference = factory.SubFactory(ConferenceFactory)
    person = factory.SubFactory(PersonFactory)
    status = Registration.Status.CONFIRMED


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Delegation {n}")
    basis = Delegation.Basis.CITY
    city = "Beijing"
    head = factory.SubFactory(PersonFactory)


class SeatBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeatBooking

    session = factory.SubFactory(SessionFactory)
    registration = factory.SubFactory(
        RegistrationFactory, conference=factory.SelfAttribute("..session.conference")
    )
    status = SeatBooking.Status.CONFIRMED


class LetterheadFactory(factory.django.DjangoModelFactory):
    """The edition's issuer of letters, receipts and certificates."""

    class Meta:
        model = Letterhead
        django_get_or_create = ("conference",)

    conference = factory.SubFactory(ConferenceFactory)
    issuer_name = "Zhongguancun Science Park Administrative Committee"
    issuer_name_zh = "中关村科技园区管理委员会"
    address = "No. 5 Guanghua Road, Beijing"
    address_zh = "北京市朝阳区光华路5号"
    email = "iasp2025@example.org"
    phone = "+86 10 0000 0000"
    website = "https://iasp2025.example.org"
    tax_number = "91110000000000000X"
    signatory_name = "Wang Lei"
    signatory_title = "Secretary-General"
    receipt_prefix = "BJ25-R"
    letter_prefix = "BJ25-VL"
