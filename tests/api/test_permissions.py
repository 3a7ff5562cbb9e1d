"""Who may call which authenticated endpoint: a matrix of user × endpoint."""

import pytest

from atrium.api.models import ApiToken
from atrium.events.models import ConferenceRole
from tests.api.conftest import bearer
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db

Role = ConferenceRole.Role


@pytest.fixture
def world(make_user, make_token):
    beijing = ConferenceFactory(slug="beijing-2025", number=42)
    nairobi = ConferenceFactory(slug="nairobi-2024", number=41)
    ConferenceFactory(slug="draft-2026", number=43, is_published=False)
    users = {
        name: make_user(name)
        for name in ["delegate", "organiser", "other_organiser", "checkin", "admin"]
    }
    users["admin"].is_superuser = True
    users["admin"].save()
    ConferenceRole.objects.create(conference=beijing, user=users["organiser"], role=Role.ORGANISER)
    ConferenceRole.objects.create(
        conference=nairobi, user=users["other_organiser"], role=Role.ORGANISER
    )
    ConferenceRole.objects.create(conference=beijing, user=users["checkin"], role=Role.CHECKIN)
    tokens = {name: make_token(user, scope="write") for name, user in users.items()}
    return {"users": users, "tokens": tokens}


# (endpoint, {caller: expected status}); "anonymous" sends no token.
ORGANISER_MATRIX = [
    (
        "/api/v1/conferences/beijing-2025/roles",
        {
            "anonymous": 401,
            "delegate": 403,
            "checkin": 403,
            "other_organiser": 403,
            "organiser": 200,
            "admin": 200,
        },
    ),
    (
        "/api/v1/conferences/nairobi-2024/roles",
        {"organiser": 403, "other_organiser": 200, "delegate": 403},
    ),
    (
        "/api/v1/conferences/draft-2026/roles",
        {"anonymous": 401, "organiser": 404, "delegate": 404, "admin": 200},
    ),
    ("/api/v1/conferences/nowhere/roles", {"organiser": 404, "admin": 404, "anonymous": 401}),
]


@pytest.mark.parametrize(
    ("url", "expected"), ORGANISER_MATRIX, ids=[m[0] for m in ORGANISER_MATRIX]
)
def test_organiser_endpoints(client, world, url, expected):
    for caller, status in expected.items():
        headers = {} if caller == "anonymous" else bearer(world["tokens"][caller])
        response = client.get(url, **headers)
        assert response.status_code == status, (caller, url, response.content)
        assert response["Content-Type"].startswith("application/json")
        if status != 200:
            assert response.json()["code"] in {
                "not_authenticated",
                "permission_denied",
                "not_found",
            }


def test_roles_list_content(client, world):
    body = client.get(
        "/api/v1/conferences/beijing-2025/roles", **bearer(world["tokens"]["organiser"])
    ).json()
    assert body["total"] == 2
    assert [(r["user"]["username"], r["role"]) for r in body["items"]] == [
        ("checkin", "checkin"),
        ("organiser", "organiser"),
    ]


@pytest.mark.parametrize("caller", ["delegate", "organiser", "checkin", "admin"])
def test_me_endpoints_only_ever_show_the_callers_own_data(client, world, caller):
    token = world["tokens"][caller]
    me = client.get("/api/v1/me", **bearer(token)).json()
    assert me["username"] == caller
    tokens = client.get("/api/v1/me/tokens", **bearer(token)).json()
    owner_ids = set(
        ApiToken.objects.filter(pk__in=[t["id"] for t in tokens["items"]]).values_list(
            "user__username", flat=True
        )
    )
    assert owner_ids == {caller}
    # Nobody, not even a superuser, revokes someone else's token through the API.
    for other, other_user in world["users"].items():
        if other == caller:
            continue
        other_token = ApiToken.objects.get(user=other_user)
        response = client.delete(f"/api/v1/me/tokens/{other_token.pk}", **bearer(token))
        assert response.status_code == 404, (caller, other)
        other_token.refresh_from_db()
        assert other_token.revoked is None


@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/me/tokens"])
def test_me_endpoints_without_token(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_session_login_is_not_an_api_token(client, world):
    """Cookies do not authenticate API calls: no CSRF hole through the API."""
    client.force_login(world["users"]["organiser"])
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/conferences/beijing-2025/roles").status_code == 401
