"""The OpenAPI document, the offline docs page, and schemathesis against the live app."""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from atrium.events.models import ConferenceRole, Session
from atrium.registration import seats
from atrium.registration.models import Order
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    SectorFactory,
    SessionFactory,
    SessionRoleFactory,
    TalkFactory,
    local,
)

pytestmark = pytest.mark.django_db


def seed():
    zgc = OrganisationFactory(
        name="Zhongguancun Science Park", name_zh="中关村科技园区", slug="zgc", country="CN"
    )
    zgc.sectors.add(SectorFactory(name="ICT", slug="ict"))
    OrganisationFactory(name="Changping Park", slug="changping", parent=zgc, country="CN")
    conference = ConferenceFactory(slug="beijing-2025", number=42, host=zgc)
    ConferenceFactory(slug="draft-2026", number=43, is_published=False)
    for day in range(3):
        session = SessionFactory(conference=conference, start=local(conference, day, 9))
        SessionRoleFactory(session=session, person=PersonFactory(organisation=zgc))
        TalkFactory(session=session, speakers=[PersonFactory()])
    SessionFactory(
        conference=conference, kind=Session.Kind.TECHNICAL_VISIT, room=None, place="ZGC", seats=40
    )
    return conference


def seed_registrations(conference, user) -> dict:
    """The token's user and two others registered, with seats and a waiting list: the
    registration operations then answer with real rows, not only with 404s."""
    rtype = RegistrationTypeFactory(conference=conference, code="delegate")
    bus = SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        room=None,
        place="Changping",
        seats=1,
        start=local(conference, 1, 9),
    )
    people = [PersonFactory(user=user, name="Ma Jun", name_zh="马骏"), PersonFactory()]
    people.append(PersonFactory(name="Ana López", country="ES"))
    bookings = []
    for n, person in enumerate(people):
        registration = RegistrationFactory(conference=conference, person=person, type=rtype)
        Order.objects.create(
            conference=conference,
            registration=registration,
            reference=f"BJ25-SEED{n}",
            currency="USD",
            list_price=800,
            total=800,
            status=Order.Status.PAID if n else Order.Status.PENDING,
        )
        bookings.append(seats.seat_signup(registration=registration, session=bus))
    sessions = Session.objects.filter(conference=conference, seats__isnull=False)
    return {
        "sessions": sorted(sessions.values_list("pk", flat=True)),
        "bookings": [b.pk for b in bookings],
    }


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in [
        "/api/v1/conferences",
        "/api/v1/conferences/{slug}",
        "/api/v1/conferences/{slug}/sessions",
        "/api/v1/conferences/{slug}/sessions/{session_id}",
        "/api/v1/conferences/{slug}/speakers",
        "/api/v1/conferences/{slug}/roles",
        "/api/v1/organisations",
        "/api/v1/organisations/{slug}",
        "/api/v1/sectors",
        "/api/v1/me",
        "/api/v1/me/tokens",
        "/api/v1/me/tokens/{token_id}",
        "/api/v1/me/registrations",
        "/api/v1/me/bookings/{booking_id}",
        "/api/v1/conferences/{slug}/me/agenda",
        "/api/v1/conferences/{slug}/sessions/{session_id}/signup",
        "/api/v1/conferences/{slug}/registrations",
        "/api/v1/conferences/{slug}/quotas",
        "/api/v1/conferences/{slug}/quotas/{session_id}",
        "/api/v1/conferences/{slug}/me/meetings/{meeting_id}/feedback",
        "/api/v1/conferences/{slug}/b2b/feedback",
        "/api/v1/conferences/{slug}/b2b/meetings/{meeting_id}/lock",
    ]:
        assert path in paths, path
    # Public routes need no token; personal and organiser routes do.
    assert "security" not in paths["/api/v1/organisations"]["get"]
    assert paths["/api/v1/me"]["get"]["security"] == [{"TokenAuth": []}]
    assert paths["/api/v1/conferences/{slug}/roles"]["get"]["security"] == [{"TokenAuth": []}]
    # Errors are documented with the error body.
    assert "ErrorOut" in str(paths["/api/v1/organisations"]["get"]["responses"]["422"])
    assert "401" in paths["/api/v1/me"]["get"]["responses"]
    assert set(document["components"]["schemas"]["PagedOrganisationOut"]["properties"]) == {
        "items",
        "total",
        "limit",
        "offset",
    }
    # schemathesis accepts it as a valid OpenAPI document.
    schema = schemathesis.openapi.from_dict(document)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) == 41  # 22, B2B on site 3, exhibition 4, reviews 12
    signup = paths["/api/v1/conferences/{slug}/sessions/{session_id}/signup"]["post"]
    assert {"200", "201", "401", "403", "404", "422", "429"} <= set(signup["responses"])
    assert signup["security"] == [{"TokenAuth": []}]


def test_docs_page_works_offline(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/api/v1/openapi.json" in html
    # Every script and style sheet comes from this site, none from a CDN.
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/static/"), asset
    assert not re.search(r"https?://", html)
    # and Swagger UI does not call the online validator.
    assert '"validatorUrl": null' in html
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset


# --- schemathesis -------------------------------------------------------------------------------


@pytest.fixture
def keep_db_connection():
    """Let WSGI requests share the test's transaction, as Django's test client does.

    Django closes "old" connections when a request starts and ends; inside a test's
    transaction that would close the connection under the test (on PostgreSQL).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


#: Ids of the rows ``api_token`` seeded, for the hook of the seeded run below.
SEEDED: dict[str, list[int]] = {}


@pytest.fixture
def api_token(make_user, make_token, keep_db_connection):
    organiser = make_user("organiser")
    conference = seed()
    ConferenceRole.objects.create(
        conference=conference, user=organiser, role=ConferenceRole.Role.ORGANISER
    )
    SEEDED.clear()
    SEEDED.update(seed_registrations(conference, organiser))
    yield make_token(organiser, scope="write")
    SEEDED.clear()


# Loaded when the module is imported: producing the document reads no database.
# (schemathesis.pytest.from_fixture would be lazier, but fails on pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@hypothesis_settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@override_settings(ATRIUM_API_RATES={"token": "100000/hour", "write": "100000/min"})
def test_api_against_its_schema(case, api_token):
    """No 500, and every answer matches the document (status, content type, body)."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


# The registration operations again, on the seeded edition and its rows: random slugs and
# ids above reach little beyond the 404s. Fewer examples: each call writes.
seeded_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application()
).include(tag_regex="^(Registration|Organisers)$")


@seeded_schema.hook("map_path_parameters")
def seeded_ids(context, path_parameters):
    parameters = dict(path_parameters or {})
    if "slug" in parameters:
        parameters["slug"] = "beijing-2025"
    for name, kind in [("session_id", "sessions"), ("booking_id", "bookings")]:
        ids = SEEDED.get(kind)
        if name in parameters and ids:
            value = parameters[name]
            parameters[name] = ids[value % len(ids) if isinstance(value, int) else 0]
    return parameters


@seeded_schema.parametrize()
@hypothesis_settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@override_settings(ATRIUM_API_RATES={"token": "100000/hour", "write": "100000/min"})
def test_registration_api_on_seeded_rows(case, api_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
