import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

PASSWORD = "Lotus-garden-1984"
LANDING = reverse("registration:me")  # LOGIN_REDIRECT_URL: "my conference"
LINK = re.compile(r"https?://testserver(/accounts/[^\s]+/)")


@pytest.fixture(autouse=True)
def _accounts_settings():
    cache.clear()  # the resend brake and the throttles live in the cache
    # A fast hasher: these tests hash many passwords; the hasher is not what they test.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
    cache.clear()


def sign_up(client, *, language: str | None = None, **fields):
    data = {
        "email": "Ada.Lovelace@Example.org",
        "name": "Ada Lovelace",
        "name_zh": "",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        **fields,
    }
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.post(reverse("accounts:signup"), data, **headers)


@pytest.fixture
def member(client):
    """A confirmed account, logged out."""
    sign_up(client)
    link = last_link()
    client.post(link)
    client.logout()
    mail.outbox.clear()
    return User.objects.get()


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def link_in(message) -> str:
    """The site-relative path of the (only) link in a mail."""
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return found[0]


def last_link() -> str:
    assert mail.outbox, "no mail was sent"
    return link_in(mail.outbox[-1])
