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
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
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
    assert len(operations) == 12


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


@pytest.fixture
def api_token(make_user, make_token, keep_db_connection):
    organiser = make_user("organiser")
    conference = seed()
    ConferenceRole.objects.create(
        conference=conference, user=organiser, role=ConferenceRole.Role.ORGANISER
    )
    return make_token(organiser, scope="write")


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
