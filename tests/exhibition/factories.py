"""Exhibition test data: real rows made through the services where a rule applies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from atrium.checkin.badges import badge_issue
from atrium.checkin.tokens import sign_badge_key
from atrium.exhibition import services
from atrium.exhibition import staff as exhibition_staff
from atrium.exhibition.models import Booth, Exhibitor, Hall, StaffPass
from tests.factories import ConferenceFactory, OrganisationFactory, PersonFactory, UserFactory


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall

    conference = factory.SubFactory(ConferenceFactory)
    code = factory.Sequence(lambda n: f"h{n}")
    name = factory.Sequence(lambda n: f"Hall {n}")
    name_zh = factory.Sequence(lambda n: f"展厅{n}")
    outline = [[0, 0], [100, 0], [100, 60], [0, 60]]
    opens_at = dt.time(8)
    closes_at = dt.time(18)


class BoothFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booth

    hall = factory.SubFactory(HallFactory)
    code = factory.Sequence(lambda n: f"B{n:03d}")
    # Booths in a grid of 4 × 3 m cells, 10 a row: never overlapping within 60 per hall.
    x = factory.Sequence(lambda n: 2 + (n % 10) * 9)
    y = factory.Sequence(lambda n: 2 + ((n // 10) % 6) * 9)
    width = 4
    height = 3
    price_usd = Decimal("5000.00")
    price_cny = Decimal("36000.00")
    staff_passes = 2


class ExhibitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exhibitor

    conference = factory.SubFactory(ConferenceFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    contact = factory.SubFactory(UserFactory)
    status = Exhibitor.Status.ACCEPTED
    description = "Incubation and technology transfer."


def booked(booth, exhibitor):
    """``exhibitor`` holds and pays for ``booth``."""
    booking = services.booth_hold(booth=booth, exhibitor=exhibitor)
    return services.booking_pay(booking=booking)


def staff_member(exhibitor, role=StaffPass.Role.SCAN, *, name="Staff"):
    """An accepted staff pass for a new user with a person; returns the user."""
    user = UserFactory()
    PersonFactory(user=user, name=name, email=user.email)
    exhibitor.extra_passes += 1
    exhibitor.save(update_fields=["extra_passes"])
    invitation = exhibition_staff.staff_invite(exhibitor=exhibitor, email=user.email, role=role)
    exhibition_staff.staff_accept(token=invitation.token, user=user)
    return user


def badge_token(registration) -> str:
    return sign_badge_key(badge_issue(registration=registration, actor=None).key)
