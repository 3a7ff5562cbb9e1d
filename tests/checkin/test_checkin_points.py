"""The check-in desk's session points (who is missing), live counts, and its JSON endpoint."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from atrium.checkin import selectors as checkin_selectors
from atrium.checkin import services as checkin
from atrium.checkin.badges import badge_issue
from atrium.checkin.models import CheckIn
from atrium.checkin.tokens import sign_badge_key
from atrium.registration.models import Registration, SeatBooking
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    SessionFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025", time_zone="Asia/Shanghai")


@pytest.fixture
def staff(conference):
    return ConferenceRoleFactory(conference=conference, role="checkin").user


@pytest.fixture
def bus(conference):
    return SessionFactory(conference=conference, seats=40, title="Visit: Zhongguancun", room=None)


def _registration(conference, name, *, name_zh="", country="CN", type=None):
    return RegistrationFactory(
        conference=conference,
        person=PersonFactory(name=name, name_zh=name_zh, country=country, sort_name=name),
        type=type,
    )


def _seat(session, registration, status=SeatBooking.Status.CONFIRMED):
    return SeatBooking.objects.create(session=session, registration=registration, status=status)


def _checkin(conference, registration, *, point=None, actor=None):
    return checkin.checkin_person(
        conference=conference,
        registration=registration,
        client_id=uuid.uuid4(),
        point=point,
        actor=actor,
    )


def _token(registration):
    return sign_badge_key(badge_issue(registration=registration, actor=None).key)


# --- who is missing at a session point ----------------------------------------------------


def test_roster_lists_the_signed_up_people_not_yet_boarded(conference, bus, staff):
    ma = _registration(conference, "Ma Jun", name_zh="马骏")
    li = _registration(conference, "Li Wei", name_zh="李伟")
    ana = _registration(conference, "Ana Souza", country="BR")
    waiting = _registration(conference, "Omar Haddad", country="EG")
    stranger = _registration(conference, "Kenji Sato", country="JP")
    for registration in (ma, li, ana):
        _seat(bus, registration)
    _seat(bus, waiting, SeatBooking.Status.WAITLISTED)

    roster = checkin_selectors.checkin_session_roster(conference=conference, session=bus)
    assert (roster.expected, roster.boarded, roster.not_signed_up) == (3, 0, 0)
    assert roster.missing == [ana, li, ma]  # by name; the waiting list does not board

    _checkin(conference, li, point=bus, actor=staff)
    _checkin(conference, li, point=bus, actor=staff)  # twice: still one person
    _checkin(conference, ma, actor=staff)  # at the entrance: not on the bus yet
    _checkin(conference, stranger, point=bus, actor=staff)  # boards without a seat
    roster = checkin_selectors.checkin_session_roster(conference=conference, session=bus)
    assert (roster.expected, roster.boarded, roster.not_signed_up) == (3, 1, 1)
    assert roster.missing == [ana, ma]


def test_roster_of_another_editions_session_is_refused(conference):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        checkin_selectors.checkin_session_roster(
            conference=conference, session=SessionFactory(seats=5)
        )


def test_roster_partial_needs_checkin_role_and_a_session_point(client, conference, bus, staff):
    url = reverse("checkin:roster", args=[conference.slug])
    ma = _registration(conference, "Ma Jun", name_zh="马骏")
    _seat(bus, ma)
    client.force_login(UserFactory())
    assert client.get(url, {"point": bus.pk}).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 404  # the entrance has no roster
    assert client.get(url, {"point": SessionFactory(seats=3).pk}).status_code == 404
    response = client.get(url, {"point": bus.pk})
    html = response.content.decode()
    assert response.status_code == 200 and "马骏" in html and 'hx-trigger="every 15s' in html
    _checkin(conference, ma, point=bus, actor=staff)
    html = client.get(url, {"point": bus.pk}).content.decode()
    assert "马骏" not in html and "Everyone signed up is here." in html


def test_desk_shows_the_roster_at_a_session_point(client, conference, bus, staff):
    _seat(bus, _registration(conference, "Li Wei", name_zh="李伟"))
    client.force_login(staff)
    url = reverse("checkin:desk", args=[conference.slug])
    assert "checkin-roster" not in client.get(url).content.decode()
    response = client.get(url, {"point": bus.pk})
    assert response.context["roster"].expected == 1
    assert "李伟" in response.content.decode()


# --- live counts ----------------------------------------------------------------------------


def test_counts_today_by_type_and_country_in_the_editions_time_zone(conference, staff):
    delegate = RegistrationTypeFactory(conference=conference, name="Delegate", name_zh="代表")
    press = RegistrationTypeFactory(conference=conference, name="Press", name_zh="媒体")
    ma = _registration(conference, "Ma Jun", type=delegate)
    li = _registration(conference, "Li Wei", type=press)
    ana = _registration(conference, "Ana Souza", country="BR", type=delegate)
    nobody = _registration(conference, "No Country", country="", type=delegate)
    for registration in (ma, li, ana, nobody):
        _checkin(conference, registration, actor=staff)
    _checkin(conference, ma, point=SessionFactory(conference=conference, seats=3))  # once
    # 23:30 UTC on the 16th is 07:30 on the 17th in Beijing.
    late = dt.datetime(2025, 9, 16, 23, 30, tzinfo=dt.UTC)
    CheckIn.objects.filter(registration=ana).update(created=late)

    counts = checkin_selectors.checkin_counts(conference)
    assert counts.total == 3
    assert counts.by_type == [("Delegate", 2), ("Press", 1)]
    assert [(code, n) for code, _name, n in counts.by_country] == [("CN", 2), ("", 1)]
    assert counts.by_country[0][1] == "China"

    assert counts.ever == 4  # Ana came on the 17th: counted once, on any day

    on_17th = checkin_selectors.checkin_counts(conference, day=dt.date(2025, 9, 17))
    assert on_17th.total == 1 and on_17th.by_country == [("BR", "Brazil", 1)]
    assert on_17th.by_type == [("Delegate", 1)] and on_17th.ever == 4
    on_16th = checkin_selectors.checkin_counts(conference, day=dt.date(2025, 9, 16))
    assert (on_16th.total, on_16th.by_type, on_16th.by_country, on_16th.ever) == (0, [], [], 4)

    from django.utils import translation

    with translation.override("zh-hans"):
        chinese = checkin_selectors.checkin_counts(conference)
    assert dict(chinese.by_type) == {"代表": 2, "媒体": 1}
    assert chinese.by_country[0][1] == "中国"


def test_today_partial_is_polled_and_costs_few_queries(
    client, conference, staff, django_assert_num_queries
):
    organiser = ConferenceRoleFactory(conference=conference).user
    delegate = RegistrationTypeFactory(conference=conference, name="Delegate")
    for i in range(6):
        country = ["CN", "BR", "KE"][i % 3]
        _checkin(conference, _registration(conference, f"P{i}", country=country, type=delegate))
    url = reverse("checkin:today", args=[conference.slug])
    client.force_login(organiser)
    client.get(url)  # warm the caches
    # session, user, conference, role check, then one query for the counts
    with django_assert_num_queries(5):
        response = client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 15s' in html and "data-total>6<" in html and "Kenya" in html
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_organiser_dashboard_shows_live_checkin_counts(client, conference, staff):
    _checkin(conference, _registration(conference, "Ma Jun", country="CN"), actor=staff)
    client.force_login(ConferenceRoleFactory(conference=conference).user)
    response = client.get(reverse("organiser:dashboard", args=[conference.slug]))
    html = response.content.decode()
    (panel,) = [s for s in response.context["sections"] if s.template == "checkin/_today.html"]
    assert panel.context["counts"].total == 1
    assert reverse("checkin:today", args=[conference.slug]) in html and "Checked in today" in html
    assert "data-ever" not in html  # everyone in so far came today


def test_after_the_edition_the_counts_still_say_how_many_came(client, conference, staff):
    _checkin(conference, _registration(conference, "Ma Jun", country="CN"), actor=staff)
    _checkin(conference, _registration(conference, "Li Wei", country="CN"), actor=staff)
    CheckIn.objects.update(created=dt.datetime(2025, 9, 16, 2, 0, tzinfo=dt.UTC))
    client.force_login(ConferenceRoleFactory(conference=conference).user)
    html = client.get(reverse("checkin:today", args=[conference.slug])).content.decode()
    assert "data-total>0<" in html
    assert "2 people checked in at this edition so far, on any day." in html


# --- the desk's JSON endpoint (what the offline queue sends) ----------------------------------


def test_submit_answers_json_and_counts_a_resent_scan_once(client, conference, staff):
    ma = _registration(conference, "Ma Jun", name_zh="马骏")
    client.force_login(staff)
    url = reverse("checkin:submit", args=[conference.slug])
    data = {"action": "scan", "token": _token(ma), "client_id": str(uuid.uuid4())}
    first = client.post(url, data)
    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    body = first.json()
    assert body["state"] == "ok" and body["created"] and body["client_id"] == data["client_id"]
    assert body["person"]["name_zh"] == "马骏" and "checkin-result--ok" in body["html"]
    again = client.post(url, data).json()
    assert again["state"] == "ok" and not again["created"]
    assert CheckIn.objects.count() == 1


def test_submit_person_with_warnings(client, conference, bus, staff):
    ma = _registration(conference, "Ma Jun")
    client.force_login(staff)
    url = reverse("checkin:submit", args=[conference.slug])
    data = {"action": "person", "registration": ma.pk, "point": bus.pk}
    body = client.post(url, {**data, "client_id": str(uuid.uuid4())}).json()
    assert body["state"] == "warning" and body["warnings"] == ["Not signed up for this session."]
    Registration.objects.filter(pk=ma.pk).update(status=Registration.Status.CANCELLED)
    body = client.post(url, {**data, "client_id": str(uuid.uuid4())}).json()
    assert body["state"] == "refused" and "Cancelled registration" in body["html"]


def test_submit_bad_input_is_a_definitive_400_in_json(client, conference, staff):
    client.force_login(staff)
    url = reverse("checkin:submit", args=[conference.slug])
    other = RegistrationFactory(conference=ConferenceFactory())
    for data in (
        {"action": "scan", "token": "X"},  # no client id
        {"action": "scan", "token": "", "client_id": str(uuid.uuid4())},
        {"action": "scan", "token": "X", "client_id": "nope"},
        {"action": "scan", "token": "X", "point": "999", "client_id": str(uuid.uuid4())},
        {"action": "person", "registration": other.pk, "client_id": str(uuid.uuid4())},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert response.json()["state"] == "invalid" and response.json()["errors"], data
    forged = client.post(url, {"action": "scan", "token": "A.B", "client_id": str(uuid.uuid4())})
    assert forged.status_code == 200 and forged.json()["state"] == "refused"
    assert not CheckIn.objects.exists()


def test_submit_needs_login_csrf_and_the_checkin_role(conference, staff):
    from django.test import Client

    url = reverse("checkin:submit", args=[conference.slug])
    data = {"action": "scan", "token": "X", "client_id": str(uuid.uuid4())}
    anonymous = Client()
    response = anonymous.post(url, data)
    assert response.status_code == 302  # not JSON: the queue keeps the scan
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(url, data).status_code == 403
    delegate = Client()
    delegate.force_login(UserFactory())
    assert delegate.post(url, data).status_code == 403
    assert delegate.get(url).status_code in (403, 405)


def test_desk_passes_its_texts_and_camera_switch_to_the_script(client, conference, staff, settings):
    client.force_login(staff)
    url = reverse("checkin:desk", args=[conference.slug])
    settings.ATRIUM_CAMERA_SCAN = False
    html = client.get(url).content.decode()
    assert 'id="checkin-messages"' in html and "data-camera" not in html
    assert reverse("checkin:submit", args=[conference.slug]) in html
    settings.ATRIUM_CAMERA_SCAN = True
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "vendor/jsqr/jsQR.js" in html and "data-camera-toggle" in html


@pytest.mark.parametrize(
    ("language", "expected", "english_month"),
    [("en", "Wed 17 Sep, 07:30", None), ("zh-hans", "9月17日 星期三 07:30", "Sep")],
)
def test_desk_lists_its_points_in_the_editions_time_and_the_pages_language(
    client, conference, staff, language, expected, english_month
):
    """A breakfast at 07:30 Beijing time (23:30 UTC the day before) is listed at 07:30."""
    from tests.factories import local

    SessionFactory(
        conference=conference,
        seats=30,
        title="Women in innovation breakfast",
        title_zh="女性创新早餐会",
        room=None,
        start=local(conference, 1, 7, 30),
    )
    client.force_login(staff)
    html = client.get(
        reverse("checkin:desk", args=[conference.slug]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert expected in html
    assert "23:30" not in html
    if english_month:
        assert english_month not in html
        assert "女性创新早餐会" in html
