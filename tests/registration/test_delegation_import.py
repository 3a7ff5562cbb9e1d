"""An organiser registers a delegation from a spreadsheet, with a dry run first."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atrium.events.models import ConferenceRole
from atrium.registration.models import Delegation, Registration
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory()
    RegistrationPolicyFactory(conference=conference)
    RegistrationTypeFactory(conference=conference, code="delegate", name="Delegate")
    RegistrationTypeFactory(conference=conference, code="vip", price_usd=0, price_cny=0)
    OrganisationFactory(name="Zhongguancun Science Park", slug="zhongguancun-science-park")
    return conference


@pytest.fixture
def organiser(client, conference):
    user = UserFactory()
    ConferenceRole.objects.create(conference=conference, user=user, role="organiser")
    client.force_login(user)
    return client


def xlsx(rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("delegation.xlsx", data.getvalue())


HEADER = ["name", "name_zh", "email", "type", "organisation", "country", "head"]
GOOD = [
    HEADER,
    ["Ma Jun", "马骏", "ma.jun@example.cn", "vip", "zhongguancun-science-park", "CN", "yes"],
    [
        "Chang Sheng",
        "常盛",
        "chang@example.cn",
        "Delegate",
        "Zhongguancun Science Park",
        "中国",
        "",
    ],
    ["Qiu Lijing", "裘里晶", "qiu@example.cn", "delegate", "", "China", "no"],
]


def post(client, conference, rows, **extra):
    data = {
        "name": "Beijing Municipal Government",
        "basis": "city",
        "city": "Beijing",
        "member_kind": "government",
        "dry_run": "on",
        "file": xlsx(rows),
        **extra,
    }
    if extra.get("dry_run") is None:
        data.pop("dry_run")
    return client.post(reverse("registration:delegation-import", args=[conference.slug]), data)


def test_dry_run_then_confirm(organiser, conference):
    response = post(organiser, conference, GOOD, dry_run="on")
    result = response.context["result"]
    assert result.errors == [] and result.created == 3
    assert not Registration.objects.exists() and not Delegation.objects.exists()
    token = response.context["token"]

    response = organiser.post(
        reverse("registration:delegation-import", args=[conference.slug]), {"token": token}
    )
    assert response.context["result"].saved
    delegation = Delegation.objects.get()
    assert delegation.head.name == "Ma Jun"
    members = Registration.objects.filter(delegation=delegation)
    assert sorted(members.values_list("person__name_zh", flat=True)) == ["常盛", "裘里晶", "马骏"]
    vip = members.get(person__name="Ma Jun")
    assert vip.status == "confirmed"  # free type, registered by an organiser
    assert members.get(person__name="Chang Sheng").order.status == "pending"


def test_every_bad_row_is_reported_and_nothing_is_saved(organiser, conference):
    RegistrationFactory(conference=conference, person=PersonFactory(email="taken@example.org"))
    rows = [
        HEADER,
        ["", "", "not-an-email", "nope", "Atlantis Park", "Narnia", "maybe"],
        ["Dup One", "", "dup@example.org", "delegate", "", "", "yes"],
        ["Dup Two", "", "DUP@example.org", "delegate", "", "", "yes"],
        ["Already", "", "taken@example.org", "delegate", "", "", ""],
    ]
    response = post(organiser, conference, rows)
    problems = {(e.row, e.field) for e in response.context["result"].errors}
    assert {(2, "name"), (2, "email"), (2, "type"), (2, "organisation"), (2, "country")} <= problems
    assert (2, "head") in problems
    assert (4, "email") in problems  # the same address as row 3, in another case
    assert (4, "head") in problems  # a second head
    assert (5, "email") in problems  # registered already
    assert not Delegation.objects.exists()
    assert Registration.objects.count() == 1


def test_a_full_type_rolls_back_the_whole_file(organiser, conference):
    conference.registration_types.filter(code="delegate").update(capacity=1)
    response = post(organiser, conference, GOOD, dry_run=None)
    result = response.context["result"]
    assert not result.saved
    assert any("fully booked" in e.message for e in result.errors)
    assert not Registration.objects.exists()
    assert not Delegation.objects.exists()


def test_only_organisers(client, conference):
    url = reverse("registration:delegation-import", args=[conference.slug])
    assert client.get(url).status_code == 302
    user = UserFactory()
    ConferenceRole.objects.create(conference=conference, user=user, role="checkin")
    client.force_login(user)
    assert client.get(url).status_code == 403
