"""The short code printed under a badge's QR code, and the desk that accepts it typed."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from atrium.checkin import services as checkin
from atrium.checkin.badges import badge_issue, badge_pdf
from atrium.checkin.models import Badge, CheckIn
from atrium.checkin.tokens import parse_short_code, short_code
from tests.factories import ConferenceFactory, PersonFactory, RegistrationFactory
from tests.registration.factories_organiser import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def majun(conference):
    registration = RegistrationFactory(conference=conference, person=PersonFactory(name="Ma Jun"))
    OrderFactory(registration=registration, reference="BJ25-MAJUN1", status="paid")
    return registration


def _scan(conference, text):
    return checkin.checkin_scan(
        conference=conference, token=text, client_id=uuid.uuid4(), point=None, actor=None
    )


def _badge(registration, key):
    return Badge.objects.create(registration=registration, key=key)


def test_short_code_is_the_key_head_grouped_and_read_back_forgivingly():
    assert short_code("ABCDEFGHIJKLMNOP") == "ABCD-EFGH"
    assert parse_short_code("ABCD-EFGH") == "ABCDEFGH"
    assert parse_short_code(" abcd efgh ") == "ABCDEFGH"
    assert parse_short_code("0B1D-8FGH") == "OBIDBFGH"  # 0, 1, 8 are not base32
    assert parse_short_code("ABCD-EFG") is None
    assert parse_short_code("ABCD-EFGH-I") is None
    assert parse_short_code("ABCD-EFG!") is None


@pytest.mark.parametrize("layout", ["a6", "label4x3"])
def test_the_badge_prints_its_short_code(majun, layout):
    pdf = badge_pdf(registrations=[majun], layout=layout)
    badge = Badge.objects.get(registration=majun, revoked_at__isnull=True)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\x00", "")
    assert short_code(badge.key) in text


def test_a_typed_short_code_checks_in(conference, majun):
    badge = badge_issue(registration=majun, actor=None)
    result = _scan(conference, short_code(badge.key).lower())
    assert result.state == "ok" and result.registration == majun
    assert CheckIn.objects.get().registration == majun


def test_a_code_of_another_edition_is_not_found(conference, majun):
    other = RegistrationFactory(person=PersonFactory())
    badge = _badge(other, "QRSTUVWXYZ234567")
    result = _scan(conference, short_code(badge.key))
    assert result.error == "Not a valid badge of this edition."
    assert not CheckIn.objects.exists()


def test_an_ambiguous_code_is_refused(conference, majun):
    _badge(majun, "ABCDEFGHAAAAAAAA")
    _badge(RegistrationFactory(conference=conference), "ABCDEFGHBBBBBBBB")
    result = _scan(conference, "ABCD-EFGH")
    assert "fits more than one badge" in result.error and "ABCD-EFGH" in result.error
    assert not CheckIn.objects.exists()


def test_a_revoked_badge_code_is_refused(conference, majun):
    first = badge_issue(registration=majun, actor=None)
    badge_issue(registration=majun, actor=None, reprint=True)
    result = _scan(conference, short_code(first.key))
    assert "no longer counts" in result.error
    assert not CheckIn.objects.exists()


# --- the desk's name search ----------------------------------------------------------


def test_the_desk_search_shows_who_is_checked_in_and_when(client, conference, majun, clock):
    from django.urls import reverse

    from tests.factories import SessionFactory
    from tests.registration.factories_organiser import ConferenceRoleFactory

    staff = ConferenceRoleFactory(conference=conference, role="checkin").user
    other = RegistrationFactory(conference=conference, person=PersonFactory(name="Ma Li"))
    session = SessionFactory(conference=conference, seats=20, title="Park visit")
    clock.move_to("2025-09-16 00:31:00")  # 08:31 in Beijing
    checkin.checkin_person(
        conference=conference, registration=majun, client_id=uuid.uuid4(), point=None, actor=None
    )
    client.force_login(staff)
    url = reverse("checkin:desk", args=[conference.slug])
    page = client.get(url, {"q": "ma"}).content.decode()
    rows = {
        name: page[page.index(name) : page.index("</tr>", page.index(name))]
        for name in ("Ma Jun", "Ma Li")
    }
    assert "Checked in" in rows["Ma Jun"] and "2025-09-16 08:31" in rows["Ma Jun"]
    assert 'name="registration"' not in rows["Ma Jun"]  # no check-in button
    assert 'name="registration"' in rows["Ma Li"] and "2025-09-16" not in rows["Ma Li"]
    assert other.pk
    # At a session the entrance check-in does not count: the button is there.
    page = client.get(url, {"q": "ma jun", "point": session.pk}).content.decode()
    assert f'name="registration" value="{majun.pk}"' in page
