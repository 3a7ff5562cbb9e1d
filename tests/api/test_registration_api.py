"""The registration API: my registrations, agenda and seats; registrations and quotas."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from atrium.events.models import ConferenceRole, Session
from atrium.registration import seats, selectors
from atrium.registration.models import Order, Registration, SeatBooking
from atrium.registration.selectors import with_waitlist_position
from tests.api.conftest import bearer
from tests.factories import (
    ConferenceFactory,
    DelegationFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    SeatBookingFactory,
    SessionFactory,
    SessionRoleFactory,
    local,
)

pytestmark = pytest.mark.django_db

Role = ConferenceRole.Role
API = "/api/v1"


def register(conference, user=None, *, person=None, order=Order.Status.PAID, **kwargs):
    """A registration with its order, as the services leave it (built fast, for tests)."""
    person = person or PersonFactory(user=user)
    registration = RegistrationFactory(conference=conference, person=person, **kwargs)
    Order.objects.create(
        conference=conference,
        registration=registration,
        reference=f"T-{registration.pk:06d}",
        currency="USD",
        list_price=Decimal("800.00"),
        total=Decimal("800.00"),
        status=order,
        paid_at=timezone.now() if order == Order.Status.PAID else None,
    )
    return registration


def visit_session(conference, *, seats=10, day=2, hour=9, **kwargs):
    return SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        room=None,
        place="Zhongguancun Exhibition Centre",
        seats=seats,
        start=local(conference, day, hour),
        end=local(conference, day, hour + 2),
        **kwargs,
    )


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.fixture
def world(make_user, make_token):
    """Two published editions and a draft; delegates, staff and their tokens."""
    zgc = OrganisationFactory(name="Zhongguancun Science Park", slug="zgc", country="CN")
    beijing = ConferenceFactory(slug="beijing-2025", number=42, host=zgc)
    nairobi = ConferenceFactory(
        slug="nairobi-2024", number=41, time_zone="Africa/Nairobi", country="KE"
    )
    draft = ConferenceFactory(slug="draft-2026", number=43, is_published=False)
    names = ["alice", "bob", "carol", "outsider", "organiser", "other_organiser", "checkin"]
    users = {name: make_user(name) for name in [*names, "admin"]}
    users["admin"].is_superuser = True
    users["admin"].save()
    ConferenceRole.objects.create(conference=beijing, user=users["organiser"], role=Role.ORGANISER)
    ConferenceRole.objects.create(
        conference=nairobi, user=users["other_organiser"], role=Role.ORGANISER
    )
    ConferenceRole.objects.create(conference=beijing, user=users["checkin"], role=Role.CHECKIN)

    delegate = RegistrationTypeFactory(conference=beijing, code="delegate", name="Delegate")
    press = RegistrationTypeFactory(conference=beijing, code="press", name="Press", name_zh="媒体")
    alice_person = PersonFactory(
        user=users["alice"], name="Ma Jun", name_zh="马骏", country="CN", email="ma.jun@example.org"
    )
    delegation = DelegationFactory(conference=beijing, name="Beijing delegation", head=alice_person)
    alice = register(
        beijing,
        person=alice_person,
        type=delegate,
        delegation=delegation,
        consent_directory=True,
    )
    bob = register(
        beijing,
        users["bob"],
        type=press,
        order=Order.Status.PENDING,
        status=Registration.Status.CONFIRMED,
    )
    bob.person.email = ""  # mail goes to his account's address
    bob.person.save()
    carol = register(
        beijing, users["carol"], type=delegate, status=Registration.Status.PENDING, order="pending"
    )
    alice_nairobi = register(nairobi, person=alice_person)
    alice_draft = register(draft, person=alice_person)

    visit = visit_session(beijing, seats=1, title="Visit to Zhongguancun", title_zh="参观中关村")
    dinner = visit_session(beijing, seats=50, day=1, hour=18, title="Gala dinner")
    forum = SessionFactory(conference=beijing, title="Cities forum", start=local(beijing, 0, 14))
    hidden = visit_session(beijing, seats=5, day=0, hour=7, title="Staff bus", is_public=False)
    nairobi_visit = visit_session(nairobi, seats=20)
    SessionRoleFactory(session=forum, person=alice_person)

    tokens = {name: make_token(user, scope="write") for name, user in users.items()}
    read_tokens = {name: make_token(user, scope="read") for name, user in users.items()}
    return {
        "beijing": beijing,
        "nairobi": nairobi,
        "draft": draft,
        "users": users,
        "tokens": tokens,
        "read_tokens": read_tokens,
        "registrations": {
            "alice": alice,
            "bob": bob,
            "carol": carol,
            "alice_nairobi": alice_nairobi,
            "alice_draft": alice_draft,
        },
        "sessions": {
            "visit": visit,
            "dinner": dinner,
            "forum": forum,
            "hidden": hidden,
            "nairobi_visit": nairobi_visit,
        },
        "types": {"delegate": delegate, "press": press},
        "delegation": delegation,
    }


def get(client, url, token, **params):
    response = client.get(url, params, **bearer(token))
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response


def signup(client, world, who, session, slug="beijing-2025", token=None):
    token = token or world["tokens"][who]
    return client.post(f"{API}/conferences/{slug}/sessions/{session.pk}/signup", **bearer(token))


# --- my registrations -------------------------------------------------------------------------


def test_my_registrations_shape(client, world):
    regs = world["registrations"]
    visit, dinner = world["sessions"]["visit"], world["sessions"]["dinner"]
    bob_seat = seats.seat_signup(registration=regs["bob"], session=visit)
    waiting = seats.seat_signup(registration=regs["alice"], session=visit)
    seat = seats.seat_signup(registration=regs["alice"], session=dinner)
    old = SeatBookingFactory(
        session=world["sessions"]["forum"],
        registration=regs["alice"],
        status=SeatBooking.Status.CANCELLED,
    )

    body = get(client, f"{API}/me/registrations", world["tokens"]["alice"]).json()
    # Newest edition first; the unpublished edition is left out.
    assert [r["conference"] for r in body["items"]] == ["beijing-2025", "nairobi-2024"]
    assert body["total"] == 2
    beijing = body["items"][0]
    order = regs["alice"].order
    assert beijing["id"] == regs["alice"].pk
    assert beijing["reference"] == order.reference
    assert beijing["status"] == "confirmed"
    assert beijing["approval"] == "not_needed"
    assert beijing["created"].endswith("+08:00")
    assert beijing["type"] == {"code": "delegate", "name": "Delegate", "name_zh": ""}
    assert beijing["order"]["status"] == "paid"
    assert beijing["order"]["currency"] == "USD"
    assert beijing["order"]["total"] == "800.00"
    assert beijing["order"]["paid_at"].endswith("+08:00")
    assert beijing["delegation"] == {
        "id": world["delegation"].pk,
        "name": "Beijing delegation",
        "name_zh": "",
    }
    assert beijing["consents"] == {"directory": True, "photos": False}
    # Active bookings in session order, cancelled ones left out.
    assert [b["id"] for b in beijing["bookings"]] == [seat.pk, waiting.pk]
    assert old.pk not in [b["id"] for b in beijing["bookings"]]
    dinner_out, visit_out = beijing["bookings"]
    assert dinner_out["status"] == "confirmed"
    assert dinner_out["position"] is None
    assert visit_out["status"] == "waitlisted"
    assert visit_out["position"] == 1
    assert visit_out["session"] == {
        "id": visit.pk,
        "kind": "technical_visit",
        "title": "Visit to Zhongguancun",
        "title_zh": "参观中关村",
        "start": "2025-09-18T09:00:00+08:00",
        "end": "2025-09-18T11:00:00+08:00",
    }
    # Nairobi's times carry Nairobi's offset; no e-mail anywhere in the delegate's view.
    assert body["items"][1]["created"].endswith("+03:00")
    assert "@" not in str(body)
    assert bob_seat.status == "confirmed"


def test_my_registrations_never_show_anyone_elses(client, world):
    for name in ["alice", "bob", "carol", "outsider", "organiser", "admin"]:
        body = get(client, f"{API}/me/registrations", world["tokens"][name]).json()
        ids = {r["id"] for r in body["items"]}
        owners = set(
            Registration.objects.filter(pk__in=ids).values_list("person__user__username", flat=True)
        )
        assert owners <= {name}, name
    assert get(client, f"{API}/me/registrations", world["tokens"]["outsider"]).json()["total"] == 0


def test_waitlist_positions_in_one_query_match_the_service(world):
    conference = world["beijing"]
    visit = visit_session(conference, seats=2, day=1, hour=9)
    other = visit_session(conference, seats=1, day=1, hour=14)
    same_moment = timezone.now()
    bookings = []
    for _n in range(7):
        registration = register(conference)
        bookings.append(seats.seat_signup(registration=registration, session=visit))
        bookings.append(seats.seat_signup(registration=registration, session=other))
    # Two bookings made at the same instant are ordered by id, as the service orders them.
    SeatBooking.objects.filter(pk__in=[b.pk for b in bookings[4:8]]).update(created=same_moment)
    seats.seat_cancel(booking=bookings[6])  # a waiting list with a hole
    expected = {}
    for booking in SeatBooking.objects.filter(pk__in=[b.pk for b in bookings]):
        expected[booking.pk] = selectors.waitlist_position(booking)
    with CaptureQueriesContext(connection) as queries:
        annotated = dict(
            with_waitlist_position(SeatBooking.objects.filter(pk__in=expected)).values_list(
                "pk", "position"
            )
        )
    assert len(queries) == 1
    assert annotated == expected
    # visit: 2 seats, 4 waiting (one left); other: 1 seat, 6 waiting.
    assert sorted(p for p in expected.values() if p) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 6]


# --- my agenda --------------------------------------------------------------------------------


def test_my_agenda_has_my_seats_and_parts_in_the_public_session_shape(client, world):
    regs, sessions = world["registrations"], world["sessions"]
    seats.seat_signup(registration=regs["bob"], session=sessions["visit"])
    seats.seat_signup(registration=regs["alice"], session=sessions["visit"])  # waitlisted
    seats.seat_signup(registration=regs["alice"], session=sessions["dinner"])

    url = f"{API}/conferences/beijing-2025/me/agenda"
    body = get(client, url, world["tokens"]["alice"]).json()
    # A seat (dinner) and a part (forum); not the waiting-list place, in time order.
    assert [s["id"] for s in body["items"]] == [sessions["forum"].pk, sessions["dinner"].pk]
    public = client.get(f"{API}/conferences/beijing-2025/sessions/{sessions['dinner'].pk}").json()
    assert body["items"][1] == public
    assert body["items"][1]["start"] == "2025-09-17T18:00:00+08:00"

    bob = get(client, url, world["tokens"]["bob"]).json()
    assert [s["id"] for s in bob["items"]] == [sessions["visit"].pk]


@pytest.mark.parametrize("caller", ["carol", "outsider", "organiser", "admin"])
def test_no_agenda_without_a_confirmed_registration(client, world, caller):
    response = get(client, f"{API}/conferences/beijing-2025/me/agenda", world["tokens"][caller])
    assert_error(response, 404, "not_found")


def test_no_agenda_in_an_unpublished_or_unknown_edition(client, world):
    token = world["tokens"]["alice"]  # alice is registered in the draft edition too
    for slug in ["draft-2026", "nowhere"]:
        assert_error(get(client, f"{API}/conferences/{slug}/me/agenda", token), 404, "not_found")


# --- sign-ups and cancellations ---------------------------------------------------------------


def test_sign_up_then_again_then_cancel(client, world):
    dinner = world["sessions"]["dinner"]
    response = signup(client, world, "alice", dinner)
    assert response.status_code == 201, response.content
    booking = response.json()
    assert booking["status"] == "confirmed"
    assert booking["position"] is None
    assert booking["session"]["id"] == dinner.pk
    assert booking["session"]["start"] == "2025-09-17T18:00:00+08:00"
    stored = SeatBooking.objects.get(pk=booking["id"])
    assert stored.registration == world["registrations"]["alice"]
    assert booking["signed_up"].endswith("+08:00")

    again = signup(client, world, "alice", dinner)
    assert again.status_code == 200
    assert again.json()["id"] == booking["id"]
    assert SeatBooking.objects.filter(session=dinner).count() == 1

    url = f"{API}/me/bookings/{booking['id']}"
    response = client.delete(url, **bearer(world["tokens"]["alice"]))
    assert response.status_code == 204
    assert response.content == b""
    stored.refresh_from_db()
    assert stored.status == SeatBooking.Status.CANCELLED
    # Idempotent: cancelling again changes nothing.
    assert client.delete(url, **bearer(world["tokens"]["alice"])).status_code == 204


def test_eleventh_on_a_ten_seat_visit_is_waitlisted_first(client, world, make_user, make_token):
    visit = visit_session(world["beijing"], seats=10, day=1, hour=9)
    tokens = []
    for n in range(11):
        user = make_user(f"delegate{n}")
        register(world["beijing"], user)
        tokens.append(make_token(user, scope="write"))
    answers = [signup(client, world, None, visit, token=token) for token in tokens]
    assert [a.status_code for a in answers] == [201] * 11
    assert [a.json()["status"] for a in answers] == ["confirmed"] * 10 + ["waitlisted"]
    assert answers[-1].json()["position"] == 1
    assert visit.bookings.filter(status="confirmed").count() == 10

    # The quota page agrees; a seat freed through the API goes to the first in line.
    quota = get(
        client, f"{API}/conferences/beijing-2025/quotas/{visit.pk}", world["tokens"]["organiser"]
    )
    assert (quota.json()["confirmed"], quota.json()["waitlisted"], quota.json()["free"]) == (
        10,
        1,
        0,
    )
    first = answers[0].json()["id"]
    assert client.delete(f"{API}/me/bookings/{first}", **bearer(tokens[0])).status_code == 204
    last = SeatBooking.objects.get(pk=answers[-1].json()["id"])
    assert last.status == SeatBooking.Status.CONFIRMED
    assert visit.bookings.filter(status="confirmed").count() == 10


def test_sign_up_refusals_are_json_with_the_reason_and_write_nothing(
    client, world, make_user, make_token
):
    sessions = world["sessions"]
    before = SeatBooking.objects.count()

    # Not registered for the edition.
    body = assert_error(signup(client, world, "outsider", sessions["dinner"]), 422, "invalid")
    assert "Register" in body["message"]
    # Registered, not confirmed yet (the service's rule).
    body = assert_error(signup(client, world, "carol", sessions["dinner"]), 422, "invalid")
    assert "confirmed" in body["message"]
    # A session without limited seats takes no sign-ups.
    body = assert_error(signup(client, world, "alice", sessions["forum"]), 422, "invalid")
    assert "sign-ups" in body["message"]
    # Hidden, of another edition, unknown: 404.
    for session in [sessions["hidden"], sessions["nairobi_visit"]]:
        assert_error(signup(client, world, "alice", session), 404, "not_found")
    assert_error(
        client.post(
            f"{API}/conferences/beijing-2025/sessions/999999/signup",
            **bearer(world["tokens"]["alice"]),
        ),
        404,
        "not_found",
    )
    # An unpublished edition, even with a registration and a session there.
    draft_visit = visit_session(world["draft"])
    assert_error(signup(client, world, "alice", draft_visit, slug="draft-2026"), 404, "not_found")
    assert SeatBooking.objects.count() == before

    # Overlap with a seat already held.
    seats.seat_signup(registration=world["registrations"]["alice"], session=sessions["dinner"])
    clash = visit_session(world["beijing"], seats=5, day=1, hour=19, title="Night market")
    body = assert_error(signup(client, world, "alice", clash), 422, "invalid")
    assert "Gala dinner" in body["message"]
    assert not clash.bookings.exists()


def test_read_tokens_cannot_sign_up_or_cancel(client, world):
    dinner = world["sessions"]["dinner"]
    token = world["read_tokens"]["alice"]
    body = assert_error(
        signup(client, world, "alice", dinner, token=token), 403, "insufficient_scope"
    )
    assert body["message"]
    assert not dinner.bookings.exists()
    booking = seats.seat_signup(registration=world["registrations"]["alice"], session=dinner)
    response = client.delete(f"{API}/me/bookings/{booking.pk}", **bearer(token))
    assert_error(response, 403, "insufficient_scope")
    booking.refresh_from_db()
    assert booking.status == SeatBooking.Status.CONFIRMED


def test_nobody_cancels_someone_elses_booking(client, world):
    booking = seats.seat_signup(
        registration=world["registrations"]["alice"], session=world["sessions"]["dinner"]
    )
    for caller in ["bob", "carol", "outsider", "organiser", "checkin", "admin"]:
        response = client.delete(
            f"{API}/me/bookings/{booking.pk}", **bearer(world["tokens"][caller])
        )
        assert_error(response, 404, "not_found")
    booking.refresh_from_db()
    assert booking.status == SeatBooking.Status.CONFIRMED
    assert_error(
        client.delete(f"{API}/me/bookings/{booking.pk + 1000}", **bearer(world["tokens"]["alice"])),
        404,
        "not_found",
    )


def test_no_token_is_401_on_every_registration_endpoint(client, world):
    visit = world["sessions"]["visit"]
    calls = [
        ("get", f"{API}/me/registrations"),
        ("get", f"{API}/conferences/beijing-2025/me/agenda"),
        ("post", f"{API}/conferences/beijing-2025/sessions/{visit.pk}/signup"),
        ("delete", f"{API}/me/bookings/1"),
        ("get", f"{API}/conferences/beijing-2025/registrations"),
        ("get", f"{API}/conferences/beijing-2025/quotas"),
        ("get", f"{API}/conferences/beijing-2025/quotas/{visit.pk}"),
    ]
    for method, url in calls:
        assert_error(getattr(client, method)(url), 401, "not_authenticated")
        response = getattr(client, method)(url, HTTP_AUTHORIZATION="Bearer atr_bogus_token")
        assert_error(response, 401, "not_authenticated")
    assert not SeatBooking.objects.exists()


@override_settings(ATRIUM_API_RATES={"token": "1000/hour", "write": "2/min"})
def test_sign_ups_are_rate_limited(client, world):
    for _n in range(2):
        assert signup(client, world, "alice", world["sessions"]["dinner"]).status_code in (200, 201)
    response = signup(client, world, "alice", world["sessions"]["dinner"])
    assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_parallel_api_sign_ups_never_oversell(make_user, make_token):
    conference = ConferenceFactory(slug="rush-2025")
    visit = visit_session(conference, seats=10)
    tokens = []
    for n in range(24):
        user = make_user(f"rush{n}")
        register(conference, user)
        tokens.append(make_token(user, scope="write"))
    barrier = threading.Barrier(len(tokens))
    results: list = [None] * len(tokens)

    def call(index, token):
        try:
            barrier.wait()
            results[index] = Client().post(
                f"{API}/conferences/rush-2025/sessions/{visit.pk}/signup", **bearer(token)
            )
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=call, args=item) for item in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [r.status_code for r in results] == [201] * 24
    answers = [r.json() for r in results]
    assert sorted(a["status"] for a in answers).count("confirmed") == 10
    assert sorted(a["position"] for a in answers if a["position"]) == list(range(1, 15))
    assert visit.bookings.filter(status="confirmed").count() == 10
    assert visit.bookings.filter(status="waitlisted").count() == 14


# --- the permission matrix --------------------------------------------------------------------


# (endpoint, {caller: expected status}); "anonymous" sends no token. {visit} is a session id.
MATRIX = [
    (
        "/me/registrations",
        {"anonymous": 401, "alice": 200, "outsider": 200, "organiser": 200, "admin": 200},
    ),
    (
        "/conferences/beijing-2025/me/agenda",
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 404, "outsider": 404, "admin": 404},
    ),
    ("/conferences/nairobi-2024/me/agenda", {"alice": 200, "bob": 404}),
    ("/conferences/draft-2026/me/agenda", {"alice": 404, "admin": 404}),
    (
        "/conferences/beijing-2025/registrations",
        {
            "anonymous": 401,
            "alice": 403,
            "outsider": 403,
            "checkin": 200,
            "other_organiser": 403,
            "organiser": 200,
            "admin": 200,
        },
    ),
    (
        "/conferences/nairobi-2024/registrations",
        {"organiser": 403, "checkin": 403, "other_organiser": 200, "alice": 403},
    ),
    (
        "/conferences/draft-2026/registrations",
        {"organiser": 404, "checkin": 404, "alice": 404, "admin": 200},
    ),
    ("/conferences/nowhere/registrations", {"organiser": 404, "admin": 404, "anonymous": 401}),
    (
        "/conferences/beijing-2025/quotas",
        {
            "anonymous": 401,
            "alice": 403,
            "checkin": 403,
            "other_organiser": 403,
            "organiser": 200,
            "admin": 200,
        },
    ),
    (
        "/conferences/beijing-2025/quotas/{visit}",
        {
            "anonymous": 401,
            "alice": 403,
            "checkin": 403,
            "other_organiser": 403,
            "organiser": 200,
            "admin": 200,
        },
    ),
    ("/conferences/nairobi-2024/quotas/{visit}", {"other_organiser": 404, "organiser": 403}),
    ("/conferences/beijing-2025/quotas/{forum}", {"organiser": 404}),
    ("/conferences/draft-2026/quotas", {"organiser": 404, "checkin": 404, "admin": 200}),
]


@pytest.mark.parametrize(("path", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(client, world, path, expected):
    url = API + path.format(
        visit=world["sessions"]["visit"].pk, forum=world["sessions"]["forum"].pk
    )
    for caller, status in expected.items():
        headers = {} if caller == "anonymous" else bearer(world["tokens"][caller])
        response = client.get(url, **headers)
        assert response.status_code == status, (caller, url, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        if status != 200:
            assert response.json()["code"] in {
                "not_authenticated",
                "permission_denied",
                "not_found",
            }


def test_read_tokens_may_read_everything_they_are_allowed_to(client, world):
    read = world["read_tokens"]
    visit = world["sessions"]["visit"].pk
    assert get(client, f"{API}/me/registrations", read["alice"]).status_code == 200
    assert (
        get(client, f"{API}/conferences/beijing-2025/me/agenda", read["alice"]).status_code == 200
    )
    assert (
        get(client, f"{API}/conferences/beijing-2025/registrations", read["checkin"]).status_code
        == 200
    )
    assert (
        get(client, f"{API}/conferences/beijing-2025/quotas/{visit}", read["organiser"]).status_code
        == 200
    )


# --- organisers: registrations ----------------------------------------------------------------


def test_registration_list_for_organisers_has_email(client, world):
    body = get(
        client, f"{API}/conferences/beijing-2025/registrations", world["tokens"]["organiser"]
    ).json()
    regs = world["registrations"]
    # Newest first; only this edition's.
    assert [r["id"] for r in body["items"]] == [regs["carol"].pk, regs["bob"].pk, regs["alice"].pk]
    assert body["total"] == 3
    alice = body["items"][2]
    assert alice["person"] == {
        "id": regs["alice"].person.pk,
        "name": "Ma Jun",
        "name_zh": "马骏",
        "country": "CN",
        "organisation": alice["person"]["organisation"],
    }
    assert alice["person"]["organisation"]["slug"] == regs["alice"].person.organisation.slug
    assert alice["email"] == "ma.jun@example.org"
    assert alice["reference"] == regs["alice"].order.reference
    assert alice["type"]["code"] == "delegate"
    assert alice["order"]["status"] == "paid"
    assert alice["delegation"]["id"] == world["delegation"].pk
    assert alice["created"].endswith("+08:00")
    # Bob has no e-mail of his own: his account's address is where mail goes.
    assert body["items"][1]["email"] == "bob@example.org"
    assert body["items"][1]["type"] == {"code": "press", "name": "Press", "name_zh": "媒体"}


def test_checkin_staff_see_names_but_no_email(client, world):
    body = get(
        client, f"{API}/conferences/beijing-2025/registrations", world["tokens"]["checkin"]
    ).json()
    assert body["total"] == 3
    assert {r["person"]["name"] for r in body["items"]} >= {"Ma Jun"}
    assert all(r["email"] is None for r in body["items"])
    assert "@" not in str(body)


@pytest.mark.parametrize("query", ["ma jun", "majun", "马骏", "馬駿", "MA JUN"])
def test_registration_search_in_any_script(client, world, query):
    body = get(
        client,
        f"{API}/conferences/beijing-2025/registrations",
        world["tokens"]["organiser"],
        q=query,
    ).json()
    assert [r["id"] for r in body["items"]] == [world["registrations"]["alice"].pk]


def test_registration_filters(client, world):
    regs = world["registrations"]
    url = f"{API}/conferences/beijing-2025/registrations"
    token = world["tokens"]["organiser"]

    def ids(**params):
        response = get(client, url, token, **params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["items"]}

    assert ids(status="pending") == {regs["carol"].pk}
    assert ids(status="confirmed") == {regs["alice"].pk, regs["bob"].pk}
    assert ids(type="press") == {regs["bob"].pk}
    assert ids(type="delegate") == {regs["alice"].pk, regs["carol"].pk}
    assert ids(country="cn") == {regs["alice"].pk}
    assert ids(paid="yes") == {regs["alice"].pk}
    assert ids(paid="no") == {regs["bob"].pk, regs["carol"].pk}
    assert ids(paid="no", type="press", status="confirmed") == {regs["bob"].pk}
    assert ids(q="nobody") == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "nosuchtype"}, "type"),
        ({"type": "bad type!"}, "type"),
        ({"status": "bogus"}, "status"),
        ({"country": "XX"}, "country"),
        ({"paid": "maybe"}, "paid"),
        ({"limit": 0}, "limit"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_registration_filter_errors_name_the_field(client, world, params, field):
    response = get(
        client,
        f"{API}/conferences/beijing-2025/registrations",
        world["tokens"]["organiser"],
        **params,
    )
    body = assert_error(response, 422, "invalid")
    assert body["field"] == field


def test_registration_types_of_another_edition_are_unknown(client, world):
    RegistrationTypeFactory(conference=world["nairobi"], code="visitor")
    response = get(
        client,
        f"{API}/conferences/beijing-2025/registrations",
        world["tokens"]["organiser"],
        type="visitor",
    )
    assert assert_error(response, 422, "invalid")["field"] == "type"


# --- organisers: quotas -----------------------------------------------------------------------


def test_quota_list(client, world):
    regs, sessions = world["registrations"], world["sessions"]
    seats.seat_signup(registration=regs["bob"], session=sessions["visit"])
    seats.seat_signup(registration=regs["alice"], session=sessions["visit"])
    seats.seat_signup(registration=regs["alice"], session=sessions["dinner"])
    body = get(
        client, f"{API}/conferences/beijing-2025/quotas", world["tokens"]["organiser"]
    ).json()
    # Sessions with seats in time order, the hidden staff bus included; not the open forum.
    assert [q["id"] for q in body["items"]] == [
        sessions["hidden"].pk,
        sessions["dinner"].pk,
        sessions["visit"].pk,
    ]
    hidden, dinner, visit = body["items"]
    assert hidden["is_public"] is False
    assert (visit["seats"], visit["confirmed"], visit["waitlisted"], visit["free"]) == (1, 1, 1, 0)
    assert (dinner["seats"], dinner["confirmed"], dinner["waitlisted"], dinner["free"]) == (
        50,
        1,
        0,
        49,
    )
    assert visit["title_zh"] == "参观中关村"
    assert visit["start"] == "2025-09-18T09:00:00+08:00"


def test_quota_detail_lists_seats_and_the_waiting_list_in_order(client, world):
    visit = world["sessions"]["visit"]
    regs = world["registrations"]
    seated = seats.seat_signup(registration=regs["bob"], session=visit)
    first = seats.seat_signup(registration=regs["alice"], session=visit)
    others = [register(world["beijing"]) for _n in range(2)]
    second, third = (seats.seat_signup(registration=r, session=visit) for r in others)
    seats.seat_cancel(booking=second)  # leaves the list; the next moves up a place

    body = get(
        client, f"{API}/conferences/beijing-2025/quotas/{visit.pk}", world["tokens"]["organiser"]
    ).json()
    assert (body["seats"], body["confirmed"], body["waitlisted"], body["free"]) == (1, 1, 2, 0)
    assert [b["booking"] for b in body["seated"]] == [seated.pk]
    assert [(b["booking"], b["position"]) for b in body["waiting"]] == [
        (first.pk, 1),
        (third.pk, 2),
    ]
    bob = body["seated"][0]
    assert bob["registration"] == regs["bob"].pk
    assert bob["reference"] == regs["bob"].order.reference
    assert bob["email"] == "bob@example.org"
    assert bob["status"] == "confirmed"
    assert bob["position"] is None
    assert bob["signed_up"].endswith("+08:00")
    assert body["waiting"][0]["person"]["name_zh"] == "马骏"
    assert body["waiting"][0]["email"] == "ma.jun@example.org"


# --- constant query counts --------------------------------------------------------------------


def count_queries(client, url, token, params) -> int:
    params = {"limit": 200, **params}
    client.get(url, params, **bearer(token))  # the first call notes the token's use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **bearer(token))
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def grow(world, n, quota_session):
    """``n`` more registrations with seats (or waiting-list places) on ``quota_session``; and
    ``n`` more sessions for Alice, each with a seat or a waiting-list place and a speaker."""
    conference = world["beijing"]
    alice = world["registrations"]["alice"]
    for i in range(n):
        other = register(
            conference,
            person=PersonFactory(organisation=OrganisationFactory()),
            type=world["types"]["delegate"],
            delegation=world["delegation"],
        )
        seats.seat_signup(registration=other, session=quota_session)
        start = local(conference, 0, 0) + timedelta(minutes=120 * alice.bookings.count())
        session = visit_session(conference, seats=1)
        session.start, session.end = start, start + timedelta(minutes=100)
        session.save()
        SessionRoleFactory(session=session, person=PersonFactory())
        if i % 2:  # someone else is first: Alice waits
            seats.seat_signup(registration=other, session=session)
        seats.seat_signup(registration=alice, session=session)


def test_query_counts_do_not_grow_with_the_data(client, world):
    visit = visit_session(world["beijing"], seats=3, day=2, hour=14)
    tokens = world["tokens"]
    beijing = f"{API}/conferences/beijing-2025"
    calls = {
        "registrations": (f"{beijing}/registrations", tokens["organiser"], {}),
        "check-in": (f"{beijing}/registrations", tokens["checkin"], {}),
        "search": (f"{beijing}/registrations", tokens["organiser"], {"q": "person"}),
        "filtered": (f"{beijing}/registrations", tokens["organiser"], {"type": "delegate"}),
        "quotas": (f"{beijing}/quotas", tokens["organiser"], {}),
        "quota": (f"{beijing}/quotas/{visit.pk}", tokens["organiser"], {}),
        "mine": (f"{API}/me/registrations", tokens["alice"], {}),
        "agenda": (f"{beijing}/me/agenda", tokens["alice"], {}),
    }
    grow(world, 5, visit)
    small = {name: count_queries(client, *call) for name, call in calls.items()}
    grow(world, 25, visit)
    large = {name: count_queries(client, *call) for name, call in calls.items()}
    assert small == large
    # and the answers did grow.
    quota = client.get(calls["quota"][0], **bearer(tokens["organiser"])).json()
    assert (quota["confirmed"], quota["waitlisted"]) == (3, 27)
    mine = client.get(calls["mine"][0], **bearer(tokens["alice"])).json()
    bookings = mine["items"][0]["bookings"]
    assert len(bookings) == 30
    assert [b["position"] for b in bookings].count(1) == 14  # every other one after the 1st
    agenda = client.get(calls["agenda"][0], {"limit": 200}, **bearer(tokens["alice"])).json()
    assert agenda["total"] == 17  # 16 seats and the forum she has a part in
    registrations = client.get(calls["registrations"][0], **bearer(tokens["organiser"])).json()
    assert registrations["total"] == 33
