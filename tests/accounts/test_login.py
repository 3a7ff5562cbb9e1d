"""Log in by e-mail, log out by POST, reset and change the password, CSRF."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from atrium.accounts.models import SignUp
from tests.accounts.conftest import (
    LANDING,
    PASSWORD,
    last_link,
    link_in,
    logged_in_user_id,
    sign_up,
)

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_login_by_email_in_any_case(client, member):
    response = client.post(LOGIN, {"username": "ADA.LoveLace@EXAMPLE.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == LANDING == "/me/"
    assert logged_in_user_id(client) == str(member.pk)
    landing = client.get(LANDING)
    assert landing.status_code == 200
    assert "You are not registered for any edition yet." in landing.content.decode()


def test_login_honours_a_local_next_and_ignores_a_foreign_one(client, member):
    data = {"username": "ada.lovelace@example.org", "password": PASSWORD}
    response = client.post(LOGIN + "?next=/directory/", data)
    assert response["Location"] == "/directory/"
    client.logout()
    response = client.post(LOGIN + "?next=https://evil.example/steal", data)
    assert response["Location"] == LANDING


def test_wrong_password_gets_a_plain_error(client, member):
    response = client.post(LOGIN, {"username": "ada.lovelace@example.org", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert "resend_form" not in response.context
    assert logged_in_user_id(client) is None


def test_login_form_is_labelled_email_with_autocomplete(client):
    html = client.get(LOGIN).content.decode()
    assert '<label for="id_username">E-mail</label>' in html
    assert '<span class="brand__name">Atrium</span>' in html
    assert 'type="email"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html


def test_unverified_account_is_told_to_confirm_first(client):
    sign_up(client)
    response = client.post(LOGIN, {"username": "ada.lovelace@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "unverified")
    html = response.content.decode()
    assert "Confirm your e-mail first" in html
    assert "Send a new link" in html
    assert reverse("accounts:resend") in html
    assert logged_in_user_id(client) is None


def test_unverified_account_with_a_wrong_password_learns_nothing_more(client):
    sign_up(client)
    response = client.post(LOGIN, {"username": "ada.lovelace@example.org", "password": "wrong"})
    assert response.context["form"].has_error("__all__", "invalid_login")


def test_deactivated_account_cannot_log_in(client, member):
    User.objects.filter(pk=member.pk).update(is_active=False)
    response = client.post(LOGIN, {"username": "ada.lovelace@example.org", "password": PASSWORD})
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert logged_in_user_id(client) is None


def test_admin_made_account_logs_in_by_its_email(client):
    User.objects.create_user("organiser2", "Orga@Example.org", PASSWORD)
    client.post(LOGIN, {"username": "orga@example.org", "password": PASSWORD})
    assert logged_in_user_id(client) is not None


def test_logout_is_post_only(client, member):
    client.force_login(member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_user_id(client) == str(member.pk)

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) is None


def test_header_shows_the_account_menu(client, member):
    html = client.get("/directory/").content.decode()
    assert f'href="{LOGIN}?next=/directory/"' in html
    assert f'href="{reverse("accounts:signup")}"' in html
    assert "Log out" not in html

    client.force_login(member)
    html = client.get("/directory/").content.decode()
    assert 'href="/me/"' in html
    assert f'action="{reverse("accounts:logout")}" method="post"' in html
    assert "Sign up" not in html


@pytest.mark.parametrize(
    "url, data",
    [
        (reverse("accounts:signup"), {"email": "c@example.org"}),
        (LOGIN, {"username": "ada.lovelace@example.org", "password": PASSWORD}),
        (reverse("accounts:logout"), {}),
        (reverse("accounts:resend"), {"email": "ada.lovelace@example.org"}),
        (reverse("accounts:password_reset"), {"email": "ada.lovelace@example.org"}),
    ],
)
def test_csrf_is_enforced(member, url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member) if "logout" in url else None
    response = client.post(url, data)
    assert response.status_code == 403


def test_csrf_is_enforced_on_the_verification_button(client):
    sign_up(client)
    link = last_link()
    response = Client(enforce_csrf_checks=True).post(link)
    assert response.status_code == 403
    assert not User.objects.get().is_active


def test_password_reset_round_trip(client, member):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "ADA.lovelace@example.org"}
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada.lovelace@example.org"]
    assert message.subject == "Reset your Atrium password"

    link = link_in(message)
    page = client.get(link, follow=True)  # Django swaps the token for a session key
    assert page.context["validlink"]
    html = page.content.decode()
    assert html.count('autocomplete="new-password"') == 2
    set_password_url = page.redirect_chain[-1][0]
    response = client.post(
        set_password_url,
        {"new_password1": "Another-garden-2025", "new_password2": "Another-garden-2025"},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")

    assert client.get(link, follow=True).context["validlink"] is False  # used up
    assert (
        client.post(LOGIN, {"username": "ada.lovelace@example.org", "password": PASSWORD})
        .context["form"]
        .has_error("__all__", "invalid_login")
    )
    response = client.post(
        LOGIN, {"username": "ada.lovelace@example.org", "password": "Another-garden-2025"}
    )
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(member.pk)


def test_password_reset_mail_is_in_the_request_language(client, member):
    client.post(
        reverse("accounts:password_reset"),
        {"email": "ada.lovelace@example.org"},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    with translation.override("zh-hans"):
        expected = gettext("Reset your %(site_name)s password") % {"site_name": "Atrium"}
    assert mail.outbox[0].subject == expected


def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_for_an_unconfirmed_account_sends_a_confirmation_link(client):
    sign_up(client)
    mail.outbox.clear()
    from django.core.cache import cache

    cache.clear()  # past the one-a-minute brake
    client.post(reverse("accounts:password_reset"), {"email": "ada.lovelace@example.org"})
    assert len(mail.outbox) == 1
    assert link_in(mail.outbox[0]).startswith("/accounts/verify/")


def test_password_reset_weak_password_is_refused(client, member):
    client.post(reverse("accounts:password_reset"), {"email": "ada.lovelace@example.org"})
    page = client.get(link_in(mail.outbox[0]), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_change_for_a_logged_in_member(client, member):
    url = reverse("accounts:password_change")
    assert client.get(url)["Location"].startswith(LOGIN)

    client.force_login(member)
    html = client.get(url).content.decode()
    assert 'autocomplete="current-password"' in html
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Another-garden-2025",
            "new_password2": "Another-garden-2025",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    member.refresh_from_db()
    assert member.check_password("Another-garden-2025")
    assert logged_in_user_id(client) == str(member.pk)  # still logged in here


def test_sign_up_page_redirects_members(client, member):
    client.force_login(member)
    assert client.get(reverse("accounts:signup"))["Location"] == LANDING


def test_sign_up_record_keeps_the_language(client):
    sign_up(client, language="zh-CN")
    assert SignUp.objects.get().language == "zh-hans"
