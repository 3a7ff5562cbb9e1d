import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from atrium.api.models import ApiToken
from atrium.api.services import token_create


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return get_user_model().objects.create_user(
            username=username, password=None, email=f"{username}@example.org", **extra
        )

    return make


@pytest.fixture
def make_token(db):
    """``make_token(user, scope="read")`` → the plain token text, as the user would copy it."""

    def make(user, scope: str = ApiToken.Scope.READ, **extra) -> str:
        return token_create(user=user, name=f"{scope} token", scope=scope, **extra).plain

    return make


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
