"""Every error is JSON with a code and a message; rate limits answer 429 JSON."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory, override_settings

from atrium.api import api as api_module
from atrium.api import views
from atrium.api.models import ApiToken
from atrium.api.ratelimit import parse_rate
from atrium.events import selectors
from tests.api.conftest import bearer
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.parametrize(
    "url",
    ["/api/v1/nothing", "/api/v1/conferences/x/y/z", "/api/v1/organisations/", "/api/v1/me/"],
)
def test_unknown_addresses_under_the_api_are_json_404(client, url):
    assert_json_error(client.get(url), 404, "not_found")


def test_api_index_points_to_the_docs(client):
    body = client.get("/api/v1/").json()
    assert body["docs"] == "/api/v1/docs"
    assert body["openapi"] == "/api/v1/openapi.json"
    assert_json_error(client.post("/api/v1/"), 405, "method_not_allowed")


def test_site_wide_error_handlers_answer_json_under_api():
    """``page_not_found``/``server_error`` are ready to be the site's handler404/handler500."""
    factory = RequestFactory()
    response = views.page_not_found(factory.get("/api/v2/anything"), Http404())
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"
    response = views.server_error(factory.get("/api/v1/conferences"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
    html = views.page_not_found(factory.get("/c/nowhere/"), Http404())
    assert html.status_code == 404
    assert html["Content-Type"].startswith("text/html")


def test_wrong_method_is_json_405(client):
    ConferenceFactory(slug="beijing-2025")
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/conferences/beijing-2025")
        assert_json_error(response, 405, "method_not_allowed")
        assert response["Allow"] == "GET"


def test_a_crash_is_a_json_500_and_is_logged(client, monkeypatch, caplog):
    def broken():
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "conference_list", broken)
    response = client.get("/api/v1/conferences")
    body = assert_json_error(response, 500, "server_error")
    assert "on fire" not in json.dumps(body)  # no internals in the answer
    assert any("database on fire" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_model_validation_errors_from_services_become_422_naming_the_field():
    request = RequestFactory().get("/api/v1/x")
    response = api_module.on_model_validation_error(
        request, ValidationError({"name": ["Give it a name."], "seats": ["Too many."]})
    )
    body = json.loads(response.content)
    assert response.status_code == 422
    assert body["code"] == "invalid"
    assert body["field"] == "name"
    assert body["message"] == "Give it a name."
    assert {d["field"] for d in body["detail"]} == {"name", "seats"}
    response = api_module.on_model_validation_error(request, ValidationError("Sold out."))
    assert json.loads(response.content)["message"] == "Sold out."


def test_bad_path_values_are_4xx_not_500(client):
    ConferenceFactory(slug="beijing-2025")
    for url in [
        "/api/v1/conferences/beijing-2025/sessions/99999999999999999999999",
        "/api/v1/conferences/beijing-2025/sessions/0",
        "/api/v1/conferences/beijing-2025/sessions/abc",
        "/api/v1/conferences/%00/sessions",
        "/api/v1/organisations/%E4%B8%AD",
    ]:
        response = client.get(url)
        assert response.status_code in (404, 422), url
        assert response["Content-Type"].startswith("application/json"), url


def test_nul_in_search_is_422(client):
    assert_json_error(client.get("/api/v1/organisations", {"q": "a\x00b"}), 422, "invalid")


# --- rate limits -------------------------------------------------------------------------


def test_parse_rate():
    assert parse_rate("60/min") == (60, 60)
    assert parse_rate("1000/hour") == (1000, 3600)
    with pytest.raises(ValueError):
        parse_rate("10/fortnight")


@override_settings(ATRIUM_API_RATES={"token": "3/min", "write": "100/min"})
def test_token_calls_are_limited_per_token(client, make_user, make_token):
    alice = make_user("alice")
    first, second = make_token(alice), make_token(alice)
    for _ in range(3):
        assert client.get("/api/v1/me", **bearer(first)).status_code == 200
    response = client.get("/api/v1/me", **bearer(first))
    body = assert_json_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert "try again" in body["message"]
    # The limit is per token, and public reads without a token are not limited.
    assert client.get("/api/v1/me", **bearer(second)).status_code == 200
    for _ in range(10):
        assert client.get("/api/v1/conferences").status_code == 200
    # A public route takes no token, so sending one there is not a token call.
    assert client.get("/api/v1/conferences", **bearer(first)).status_code == 200


@override_settings(ATRIUM_API_RATES={"token": "100/min", "write": "2/min"})
def test_write_calls_are_limited(client, make_user, make_token):
    alice = make_user("alice")
    token = make_token(alice, scope="write")
    victims = [ApiToken.objects.get(prefix=make_token(alice).split("_")[1]).pk for _ in range(3)]
    assert client.delete(f"/api/v1/me/tokens/{victims[0]}", **bearer(token)).status_code == 204
    assert client.delete(f"/api/v1/me/tokens/{victims[1]}", **bearer(token)).status_code == 204
    response = client.delete(f"/api/v1/me/tokens/{victims[2]}", **bearer(token))
    assert_json_error(response, 429, "rate_limited")
    assert ApiToken.objects.get(pk=victims[2]).revoked is None  # refused before it ran
    # Reads with the same token go on.
    assert client.get("/api/v1/me", **bearer(token)).status_code == 200
