"""Shared exhibition fixtures: an exhibitor with a booked booth, a lead, staff of both
roles, and every outsider of the permission matrix."""

from __future__ import annotations

import uuid

import pytest

from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition.models import StaffPass
from tests.exhibition.factories import (
    BoothFactory,
    ExhibitorFactory,
    HallFactory,
    badge_token,
    booked,
    staff_member,
)
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    """Accounts made by the factories hash their password quickly here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def world(conference):
    """An exhibitor with a booked booth, a lead, staff of both roles, and every outsider."""
    hall = HallFactory(conference=conference, code="A", name="Hall A", name_zh="A馆")
    booth = BoothFactory(hall=hall, code="A01", x=2, y=2)
    exhibitor = ExhibitorFactory(
        conference=conference,
        organisation=OrganisationFactory(
            name="Zhongguancun Science Park", name_zh="中关村科技园区"
        ),
    )
    booked(booth, exhibitor)
    visitor = RegistrationFactory(
        conference=conference,
        person=PersonFactory(name="Cecile Harle", email="cecile@example.org", user=UserFactory()),
    )
    token = badge_token(visitor)
    lead = exhibition_leads.lead_scan(exhibitor=exhibitor, token=token, client_id=uuid.uuid4()).lead
    other_conference = ConferenceFactory(slug="nairobi-2024")
    return {
        "conference": conference,
        "exhibitor": exhibitor,
        "booth": booth,
        "lead": lead,
        "token": token,
        "users": {
            "anonymous": None,
            "visitor": visitor.person.user,
            "scan_staff": staff_member(exhibitor, StaffPass.Role.SCAN),
            "lead_staff": staff_member(exhibitor, StaffPass.Role.LEADS),
            "owner": exhibitor.contact,
            "other_exhibitor": ExhibitorFactory(conference=conference).contact,
            "organiser": ConferenceRoleFactory(conference=conference).user,
            "other_organiser": ConferenceRoleFactory(conference=other_conference).user,
        },
    }
