"""The exhibition's API keeps the pages' rules: public exhibitors and booths; leads only for
the exhibitor's contact, staff with lead access and organisers; scans only by booth staff."""

from __future__ import annotations

import uuid

import pytest

from atrium.api.models import ApiToken
from atrium.api.services import token_create
from atrium.exhibition.models import Lead
from tests.api.conftest import bearer
from tests.exhibition.factories import badge_token
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def _token(user, scope=ApiToken.Scope.WRITE) -> dict:
    return bearer(token_create(user=user, name="t", scope=scope).plain)


def test_public_exhibitors_and_booths(client, world):
    slug = world["conference"].slug
    exhibitors = client.get(f"/api/v1/conferences/{slug}/exhibitors", {"q": "中關村"}).json()
    assert [e["name_zh"] for e in exhibitors] == ["中关村科技园区"]
    assert exhibitors[0]["booths"] == ["A01"]
    booths = client.get(f"/api/v1/conferences/{slug}/booths").json()
    assert booths[0]["status"] == "booked"
    assert booths[0]["exhibitor"] == world["exhibitor"].pk


LIST_STATUS = {
    "visitor": 404,
    "scan_staff": 403,
    "lead_staff": 200,
    "owner": 200,
    "other_exhibitor": 404,
    "organiser": 200,
    "other_organiser": 404,
}


@pytest.mark.parametrize("who", list(LIST_STATUS))
def test_my_leads_permission_matrix(client, world, who):
    slug, pk = world["conference"].slug, world["exhibitor"].pk
    url = f"/api/v1/conferences/{slug}/exhibitors/{pk}/leads"
    response = client.get(url, **_token(world["users"][who], ApiToken.Scope.READ))
    assert response.status_code == LIST_STATUS[who]
    if response.status_code == 200:
        [lead] = response.json()
        assert lead["name"] == "Cecile Harle"
        assert lead["email"] == ""  # not consented


def test_anonymous_gets_401_on_leads(client, world):
    slug, pk = world["conference"].slug, world["exhibitor"].pk
    response = client.get(f"/api/v1/conferences/{slug}/exhibitors/{pk}/leads")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("scan_staff", 200),
        ("lead_staff", 200),
        ("owner", 200),
        ("organiser", 403),
        ("other_exhibitor", 404),
        ("visitor", 404),
    ],
)
def test_scanning_through_the_api(client, world, who, status):
    slug, pk = world["conference"].slug, world["exhibitor"].pk
    url = f"/api/v1/conferences/{slug}/exhibitors/{pk}/leads"
    newcomer = RegistrationFactory(conference=world["conference"])
    scan = {"token": badge_token(newcomer), "client_id": str(uuid.uuid4())}
    response = client.post(
        url, scan, content_type="application/json", **_token(world["users"][who])
    )
    assert response.status_code == status
    assert Lead.objects.filter(registration=newcomer).exists() is (status == 200)
    if status == 200:
        again = client.post(
            url, scan, content_type="application/json", **_token(world["users"][who])
        ).json()
        assert again["created"] is False


def test_api_scan_of_a_forged_badge_is_a_422_naming_the_token(client, world):
    slug, pk = world["conference"].slug, world["exhibitor"].pk
    response = client.post(
        f"/api/v1/conferences/{slug}/exhibitors/{pk}/leads",
        {"token": "ABC.DEF", "client_id": str(uuid.uuid4())},
        content_type="application/json",
        **_token(world["users"]["owner"]),
    )
    assert response.status_code == 422
    assert response.json()["field"] == "token"


def test_read_only_token_cannot_scan(client, world):
    slug, pk = world["conference"].slug, world["exhibitor"].pk
    response = client.post(
        f"/api/v1/conferences/{slug}/exhibitors/{pk}/leads",
        {"token": world["token"], "client_id": str(uuid.uuid4())},
        content_type="application/json",
        **_token(world["users"]["owner"], ApiToken.Scope.READ),
    )
    assert response.status_code == 403
