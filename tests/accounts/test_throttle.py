"""Log-in and password-reset throttles: per e-mail and per client address, in the cache.

Every refusal reads the same whether or not an account has the address.
"""

import pytest
from django.core import mail
from django.urls import reverse

from atrium.core import throttle
from tests.accounts.conftest import PASSWORD, logged_in_user_id

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
EMAIL = "ada.lovelace@example.org"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.ATRIUM_LOGIN_LIMIT_PER_EMAIL = 3
    settings.ATRIUM_LOGIN_LIMIT_PER_IP = 5
    settings.ATRIUM_LOGIN_WINDOW = 900
    settings.ATRIUM_RESET_LIMIT_PER_EMAIL = 2
    settings.ATRIUM_RESET_LIMIT_PER_IP = 4
    settings.ATRIUM_RESET_WINDOW = 3600
    return settings


def log_in(client, email, password, ip="203.0.113.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def errors_of(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def test_failed_log_ins_per_account_are_limited_even_with_the_right_password(client, member):
    for _ in range(3):
        response = log_in(client, EMAIL, "wrong")
        assert response.context["form"].has_error("__all__", "invalid_login")
    response = log_in(client, EMAIL.upper(), PASSWORD)  # any case: the same account
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "throttled")
    assert "Too many failed log-ins" in response.content.decode()
    assert logged_in_user_id(client) is None
    # From another network too: the limit is the account's.
    response = log_in(client, EMAIL, PASSWORD, ip="198.51.100.9")
    assert response.context["form"].has_error("__all__", "throttled")


@pytest.fixture
def frozen_clock(monkeypatch):
    """The throttles' clock stands still (the minutes in two messages are then the same)."""
    monkeypatch.setattr(throttle.time, "time", lambda: 1_800_000_100.0)


def test_the_refusal_is_the_same_for_an_address_without_an_account(client, member, frozen_clock):
    for email, ip in ((EMAIL, "198.51.100.1"), ("nobody@example.org", "198.51.100.11")):
        for _ in range(3):
            log_in(client, email, "wrong", ip=ip)
    known = log_in(client, EMAIL, PASSWORD, ip="198.51.100.2")
    unknown = log_in(client, "nobody@example.org", PASSWORD, ip="198.51.100.3")
    assert errors_of(known) == errors_of(unknown)
    assert known.context["form"].has_error("__all__", "throttled")
    assert known.status_code == unknown.status_code == 200


def test_failed_log_ins_per_client_address_are_limited(client, member):
    for number in range(5):
        log_in(client, f"guess{number}@example.org", "wrong")
    response = log_in(client, EMAIL, PASSWORD)
    assert response.context["form"].has_error("__all__", "throttled")
    assert logged_in_user_id(client) is None
    response = log_in(client, EMAIL, PASSWORD, ip="198.51.100.9")  # another network
    assert response.status_code == 302
    assert logged_in_user_id(client) is not None


def test_a_successful_log_in_clears_the_accounts_failures(client, member):
    for _ in range(2):
        log_in(client, EMAIL, "wrong")
    assert log_in(client, EMAIL, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        log_in(client, EMAIL, "wrong", ip="198.51.100.4")
    assert log_in(client, EMAIL, PASSWORD, ip="198.51.100.4").status_code == 302


def test_the_limit_lifts_in_the_next_window(client, member, monkeypatch):
    now = 1_800_000_000.0
    monkeypatch.setattr(throttle.time, "time", lambda: now)
    for _ in range(3):
        log_in(client, EMAIL, "wrong")
    assert log_in(client, EMAIL, PASSWORD).context["form"].has_error("__all__", "throttled")
    now += 900
    assert log_in(client, EMAIL, PASSWORD).status_code == 302


def test_reset_mails_per_address_are_limited(client, member, frozen_clock):
    for _ in range(2):
        response = client.post(RESET, {"email": EMAIL}, REMOTE_ADDR="203.0.113.8")
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    known = client.post(RESET, {"email": EMAIL.upper()}, REMOTE_ADDR="198.51.100.5")
    assert len(mail.outbox) == 2
    assert known.status_code == 200
    assert "Too many requests" in " ".join(known.context["form"].errors["email"])

    for _ in range(2):
        client.post(RESET, {"email": "nobody@example.org"}, REMOTE_ADDR="203.0.113.9")
    unknown = client.post(RESET, {"email": "nobody@example.org"}, REMOTE_ADDR="198.51.100.6")
    assert unknown.status_code == 200
    assert unknown.context["form"].errors == known.context["form"].errors
    assert len(mail.outbox) == 2


def test_reset_requests_per_client_address_are_limited(client, member):
    for number in range(4):
        client.post(RESET, {"email": f"someone{number}@example.org"})
    response = client.post(RESET, {"email": EMAIL})
    assert response.status_code == 200
    assert "Too many requests" in " ".join(response.context["form"].errors["email"])
    assert mail.outbox == []
    response = client.post(RESET, {"email": EMAIL}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    settings.ATRIUM_BEHIND_PROXY = False
    assert throttle.client_ip(request) == "10.0.0.2"
    settings.ATRIUM_BEHIND_PROXY = True
    assert throttle.client_ip(request) == "203.0.113.5"  # the proxy appended it; 1.2.3.4 is forged
