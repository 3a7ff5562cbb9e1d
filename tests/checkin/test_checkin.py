"""Check-in: scans by signed token, idempotent client ids, warnings, the desk page, webhooks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from atrium.checkin import selectors as checkin_selectors
from atrium.checkin import services as checkin
from atrium.checkin.badges import badge_issue
from atrium.checkin.models import CheckIn
from atrium.checkin.tokens import sign_badge_key
from atrium.registration.models import Registration, SeatBooking
from atrium.webhooks.models import Delivery, Endpoint
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    SessionFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def staff(conference):
    role = ConferenceRoleFactory(conference=conference, role="checkin")
    role.user.first_name, role.user.last_name = "Li", "Na"
    role.user.save()
    return role.user


@pytest.fixture
def majun(conference):
    registration = RegistrationFactory(
        conference=conference,
        person=PersonFactory(name="Ma Jun", name_zh="马骏"),
        type=RegistrationTypeFactory(conference=conference, code="delegate", name="Delegate"),
    )
    OrderFactory(registration=registration, reference="BJ25-MAJUN1", status="paid")
    return registration


def _token(registration, **kwargs):
    return sign_badge_key(badge_issue(registration=registration, actor=None, **kwargs).key)


def _scan(conference, token, *, staff=None, client_id=None, point=None):
    return checkin.checkin_scan(
        conference=conference,
        token=token,
        client_id=client_id or uuid.uuid4(),
        point=point,
        actor=staff,
    )


def test_valid_token_checks_in(conference, majun, staff):
    result = _scan(conference, _token(majun), staff=staff)
    assert result.state == "ok" and result.created
    assert result.registration == majun and result.warnings == []
    assert CheckIn.objects.get().actor == staff


def test_tampered_token_is_refused(conference, majun, staff):
    token = _token(majun)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    result = _scan(conference, tampered, staff=staff)
    assert result.state == "refused" and result.error and result.registration is None
    assert _scan(conference, "R-1", staff=staff).state == "refused"
    assert not CheckIn.objects.exists()


def test_token_of_another_edition_is_refused(conference, majun, staff):
    other = ConferenceFactory()
    assert _scan(other, _token(majun)).state == "refused"
    assert not CheckIn.objects.exists()


def test_reprinted_badge_revokes_the_old_token(conference, majun, staff):
    old = _token(majun)
    new = _token(majun, reprint=True)
    refused = _scan(conference, old, staff=staff)
    assert refused.state == "refused" and "replaced" in refused.error
    assert _scan(conference, new, staff=staff).state == "ok"
    assert CheckIn.objects.count() == 1


def test_cancelled_registration_is_refused_with_warning(conference, majun, staff):
    token = _token(majun)
    Registration.objects.filter(pk=majun.pk).update(status=Registration.Status.CANCELLED)
    result = _scan(conference, token, staff=staff)
    assert result.state == "refused"
    assert any("Cancelled" in warning for warning in result.warnings)
    assert not CheckIn.objects.exists()


def test_unpaid_order_checks_in_with_warning(conference, majun, staff):
    majun.order.status = "pending"
    majun.order.save()
    result = _scan(conference, _token(majun), staff=staff)
    assert result.state == "warning" and result.warnings == ["Not paid."]


def test_same_client_id_twice_is_one_checkin(conference, majun, staff):
    token = _token(majun)
    client_id = uuid.uuid4()
    first = _scan(conference, token, staff=staff, client_id=client_id)
    second = _scan(conference, token, staff=staff, client_id=client_id)
    assert first.created and not second.created
    assert second.checkin == first.checkin
    assert second.warnings == []  # the replay is not "already checked in" by itself
    assert CheckIn.objects.count() == 1


def test_already_checked_in_warns_with_time_and_staff(conference, majun, staff):
    token = _token(majun)
    _scan(conference, token, staff=staff)
    earlier = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    CheckIn.objects.update(created=earlier)
    again = _scan(conference, token, staff=staff)
    local = timezone.localtime(earlier, conference.tz)
    assert again.state == "warning"
    assert again.warnings == [f"Already checked in at {local:%H:%M} by Li Na."]


def test_session_point_warns_when_not_signed_up(conference, majun, staff):
    session = SessionFactory(conference=conference, seats=40)
    token = _token(majun)
    result = _scan(conference, token, staff=staff, point=session)
    assert result.state == "warning"
    assert result.warnings == ["Not signed up for this session."]
    other = RegistrationFactory(conference=conference)
    SeatBooking.objects.create(
        session=session, registration=other, status=SeatBooking.Status.CONFIRMED
    )
    assert _scan(conference, _token(other), staff=staff, point=session).state == "ok"


def test_session_of_another_edition_is_a_field_error(conference, majun, staff):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        _scan(conference, _token(majun), point=SessionFactory())
    assert "point" in error.value.message_dict


def test_webhook_emitted_once_per_new_checkin(conference, majun, staff):
    Endpoint.objects.create(
        conference=conference, url="https://hooks.example.org/in", events=["checkin.created"]
    )
    token = _token(majun)
    client_id = uuid.uuid4()
    _scan(conference, token, staff=staff, client_id=client_id)
    _scan(conference, token, staff=staff, client_id=client_id)
    (delivery,) = Delivery.objects.filter(event="checkin.created")
    assert delivery.payload["registration"] == majun.pk
    assert delivery.payload["person"]["name_zh"] == "马骏"


def test_counts_by_type(conference, majun, staff):
    _scan(conference, _token(majun), staff=staff)
    _scan(conference, _token(majun), staff=staff)  # the same person twice counts once
    counts = checkin_selectors.checkin_counts(conference)
    assert counts.total == 1 and counts.by_type == [("Delegate", 1)]


# --- the desk page -----------------------------------------------------------------------


def test_desk_permissions(client, conference, majun):
    url = reverse("checkin:desk", args=[conference.slug])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    delegate = UserFactory(email="delegate@example.org")
    client.force_login(delegate)
    assert client.get(url).status_code == 403
    organiser = ConferenceRoleFactory(conference=conference).user
    client.force_login(organiser)
    assert client.get(url).status_code == 200


def test_desk_scan_shows_result_and_is_idempotent(client, conference, majun, staff):
    client.force_login(staff)
    url = reverse("checkin:desk", args=[conference.slug])
    data = {"action": "scan", "token": _token(majun), "client_id": str(uuid.uuid4())}
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "checkin-result--ok" in html and "马骏" in html
    client.post(url, data)
    assert CheckIn.objects.count() == 1
    # Without JavaScript no client id is sent: the server makes one.
    response = client.post(url, {"action": "scan", "token": data["token"]})
    assert "Already checked in" in response.content.decode()
    assert CheckIn.objects.count() == 2


def test_desk_bad_input_is_400_not_500(client, conference, staff):
    client.force_login(staff)
    url = reverse("checkin:desk", args=[conference.slug])
    assert client.post(url, {"action": "scan", "token": ""}).status_code == 400
    bad_id = {"action": "scan", "token": "X", "client_id": "not-a-uuid"}
    assert client.post(url, bad_id).status_code == 400
    assert client.post(url, {"action": "scan", "token": "X", "point": "999"}).status_code == 400
    response = client.post(url, {"action": "scan", "token": "NOT.A.BADGE"})
    assert response.status_code == 200 and "checkin-result--refused" in response.content.decode()


def test_desk_search_in_chinese_and_check_in_by_name(client, conference, majun, staff):
    session = SessionFactory(conference=conference, seats=20, title="Park visit")
    client.force_login(staff)
    url = reverse("checkin:desk", args=[conference.slug])
    for q in ("马骏", "majun", "ma jun"):
        response = client.get(url, {"q": q, "point": session.pk})
        assert response.context["found"] == [majun], q
    response = client.post(
        url,
        {
            "action": "person",
            "registration": majun.pk,
            "point": session.pk,
            "client_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert "Not signed up for this session." in response.content.decode()
    assert CheckIn.objects.get().session == session
    other = RegistrationFactory(conference=ConferenceFactory())
    response = client.post(url, {"action": "person", "registration": other.pk})
    assert response.status_code == 404
