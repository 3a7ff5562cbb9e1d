"""Personal API tokens: stored hashed, shown once, revoked, expired; the /me/tokens/ pages."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils import timezone

from atrium.api.models import ApiToken
from atrium.api.services import MAX_ACTIVE_TOKENS, token_create, token_revoke
from atrium.core.audit import history
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

TOKEN_FORMAT = re.compile(r"^atr_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}$")


def test_a_token_is_stored_hashed_and_shown_once(make_user):
    alice = make_user("alice")
    created = token_create(user=alice, name="calendar sync", scope="read")
    assert TOKEN_FORMAT.match(created.plain)
    _, prefix, secret = created.plain.split("_", 2)
    token = ApiToken.objects.get()
    assert token.prefix == prefix
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    # The secret itself is nowhere in the row.
    for value in ApiToken.objects.values().get().values():
        assert secret not in str(value)
    assert secret not in str(token)
    assert [entry.action for entry in history(token)] == ["api_token.create"]


def test_token_rules(make_user):
    alice = make_user("alice")
    with pytest.raises(ValidationError) as error:
        token_create(
            user=alice, name="old", scope="read", expires=timezone.now() - timedelta(days=1)
        )
    assert "expires" in error.value.message_dict
    with pytest.raises(ValidationError):
        token_create(user=alice, name="", scope="read")
    with pytest.raises(ValidationError):
        token_create(user=alice, name="admin", scope="superuser")
    for n in range(MAX_ACTIVE_TOKENS):
        token_create(user=alice, name=f"t{n}", scope="read")
    with pytest.raises(ValidationError):
        token_create(user=alice, name="one too many", scope="read")
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS
    token_revoke(token=ApiToken.objects.first(), actor=alice)
    token_create(user=alice, name="after revoking one", scope="read")


def test_me_with_a_good_token(client, make_user, make_token):
    alice = make_user("alice", first_name="Alice")
    token = make_token(alice)
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice"
    assert body["first_name"] == "Alice"
    assert body["email"] == "alice@example.org"
    assert body["person"] is None  # no linked person yet
    assert body["roles"] == []
    assert body["token"]["scope"] == "read"
    assert body["token"]["prefix"] == token.split("_")[1]
    assert ApiToken.objects.get().last_used is not None


def test_bad_tokens_are_401_json(client, make_user, make_token):
    alice = make_user("alice")
    good = make_token(alice)
    prefix = good.split("_")[1]
    cases = {
        "no header": {},
        "not bearer": {"HTTP_AUTHORIZATION": f"Token {good}"},
        "garbage": bearer("hello"),
        "unknown prefix": bearer("atr_00000000_" + "x" * 43),
        "wrong secret": bearer(f"atr_{prefix}_" + "x" * 43),
        "empty": bearer(""),
    }
    for label, headers in cases.items():
        response = client.get("/api/v1/me", **headers)
        assert response.status_code == 401, label
        assert response["Content-Type"].startswith("application/json"), label
        assert response.json()["code"] == "not_authenticated", label
        assert response["WWW-Authenticate"].startswith("Bearer"), label


def test_revoked_expired_and_disabled_are_401(client, make_user, make_token):
    alice = make_user("alice")
    revoked = make_token(alice)
    token_revoke(token=ApiToken.objects.get(prefix=revoked.split("_")[1]), actor=alice)
    response = client.get("/api/v1/me", **bearer(revoked))
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]

    expiring = make_token(alice, expires=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(prefix=expiring.split("_")[1]).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/api/v1/me", **bearer(expiring))
    assert response.status_code == 401
    assert "expired" in response.json()["message"]

    bob = make_user("bob")
    bobs = make_token(bob)
    assert client.get("/api/v1/me", **bearer(bobs)).status_code == 200
    bob.is_active = False
    bob.save()
    assert client.get("/api/v1/me", **bearer(bobs)).status_code == 401


def test_me_shows_own_person_with_contact_details(client, make_user, make_token):
    from tests.factories import ConferenceFactory, PersonFactory

    alice = make_user("alice")
    PersonFactory(user=alice, name="Alice Liddell", email="alice@park.example", phone="+1 555")
    conference = ConferenceFactory(slug="beijing-2025")
    alice.conference_roles.create(conference=conference, role="checkin")
    body = client.get("/api/v1/me", **bearer(make_token(alice))).json()
    assert body["person"]["name"] == "Alice Liddell"
    assert body["person"]["email"] == "alice@park.example"
    assert body["person"]["phone"] == "+1 555"
    assert body["roles"] == [{"conference": "beijing-2025", "role": "checkin"}]


def test_my_tokens_and_self_revoke(client, make_user, make_token):
    alice = make_user("alice")
    read = make_token(alice, scope="read")
    write = make_token(alice, scope="write")
    listed = client.get("/api/v1/me/tokens", **bearer(read)).json()
    assert listed["total"] == 2
    assert {t["scope"] for t in listed["items"]} == {"read", "write"}
    assert "secret_hash" not in listed["items"][0]
    read_id = ApiToken.objects.get(prefix=read.split("_")[1]).pk

    # A read token may not change anything.
    response = client.delete(f"/api/v1/me/tokens/{read_id}", **bearer(read))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert ApiToken.objects.get(pk=read_id).revoked is None

    response = client.delete(f"/api/v1/me/tokens/{read_id}", **bearer(write))
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=read_id).revoked is not None
    assert client.get("/api/v1/me", **bearer(read)).status_code == 401
    assert client.get("/api/v1/me", **bearer(write)).status_code == 200


# --- the /me/tokens/ pages ----------------------------------------------------------------


def test_token_pages_need_a_login(client, make_user):
    response = client.get("/me/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    response = client.post("/me/tokens/", {"name": "x", "scope": "read"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_create_a_token_on_the_page(client, make_user):
    alice = make_user("alice")
    client.force_login(alice)
    page = client.get("/me/tokens/")
    assert page.status_code == 200
    assert "You have no API tokens yet." in page.content.decode()

    response = client.post(
        "/me/tokens/", {"name": "My calendar", "scope": "write", "expires_in": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    plain = re.search(r'value="(atr_[^"]+)"', html).group(1)
    token = ApiToken.objects.get()
    assert token.name == "My calendar" and token.scope == "write"
    assert token.expires is not None
    assert (token.expires - timezone.now()).days in (29, 30)
    # The token works, and the list never shows the secret again.
    assert client.get("/api/v1/me", **bearer(plain)).status_code == 200
    again = client.get("/me/tokens/").content.decode()
    assert plain not in again
    assert token.prefix in again


def test_bad_token_form_keeps_nothing(client, make_user):
    client.force_login(make_user("alice"))
    response = client.post("/me/tokens/", {"name": "   ", "scope": "admin"})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()
    html = response.content.decode()
    assert 'aria-invalid="true"' in html


def test_revoke_on_the_page_only_own_tokens(client, make_user, make_token):
    alice, bob = make_user("alice"), make_user("bob")
    make_token(alice)
    make_token(bob)
    alices = ApiToken.objects.get(user=alice)
    bobs = ApiToken.objects.get(user=bob)
    client.force_login(alice)
    assert client.get(f"/me/tokens/{alices.pk}/revoke/").status_code == 405
    assert client.post(f"/me/tokens/{bobs.pk}/revoke/").status_code == 404
    bobs.refresh_from_db()
    assert bobs.revoked is None
    response = client.post(f"/me/tokens/{alices.pk}/revoke/", follow=True)
    assert response.redirect_chain[-1][0] == "/me/tokens/"
    alices.refresh_from_db()
    assert alices.revoked is not None
    assert "was revoked" in response.content.decode()
    assert bob.username not in client.get("/me/tokens/").content.decode()


def test_token_page_requires_csrf(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("alice"))
    assert client.post("/me/tokens/", {"name": "x", "scope": "read"}).status_code == 403
    assert not ApiToken.objects.exists()
