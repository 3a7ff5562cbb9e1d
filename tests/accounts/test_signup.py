"""Sign-up: an inactive account, a verification mail in the visitor's language."""

from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timeuntil
from django.utils.translation import gettext

from atrium.accounts import services
from atrium.accounts.models import SignUp
from atrium.network.models import Person
from tests.accounts.conftest import PASSWORD, link_in, sign_up
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_sign_up_creates_an_inactive_account_and_mails_a_link(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get()
    assert user.username == "ada.lovelace@example.org"
    assert user.email == "ada.lovelace@example.org"
    assert not user.is_active
    assert user.check_password(PASSWORD)
    assert SignUp.objects.get(user=user).name == "Ada Lovelace"
    assert not Person.objects.exists()  # nobody reaches the network before confirming

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada.lovelace@example.org"]
    assert message.subject == "Confirm your e-mail address for Atrium"
    assert "Hello Ada Lovelace," in message.body
    assert link_in(message).startswith("/accounts/verify/")

    page = client.get(response["Location"])
    assert "Check your inbox" in page.content.decode()
    assert "ada.lovelace@example.org" in page.content.decode()


@pytest.mark.parametrize(
    "how",
    [{"language": "zh-CN"}, {"cookie": "zh-hans"}],
    ids=["accept-language", "language-cookie"],
)
def test_verification_mail_is_in_the_visitors_language(client, how):
    if "cookie" in how:
        client.cookies["django_language"] = how["cookie"]
    sign_up(client, language=how.get("language"), name="Ma Jun", name_zh="马骏")

    message = mail.outbox[0]
    with translation.override("zh-hans"):
        expected_subject = gettext("Confirm your e-mail address for %(site_name)s") % {
            "site_name": "Atrium"
        }
        # Django's own catalogue: proves the body was rendered in Chinese even
        # before Atrium's strings are translated.
        three_days = timeuntil(datetime(2025, 1, 4), datetime(2025, 1, 1))
    assert message.subject == expected_subject
    assert three_days in message.body
    assert "马骏" in message.body  # greeted by the Chinese name on a Chinese mail
    assert "日" in three_days


def test_english_mail_says_three_days(client):
    sign_up(client, language="en")
    assert "for 3\xa0days" in mail.outbox[0].body


def test_duplicate_email_in_any_case_is_refused_on_the_email_field(client):
    sign_up(client)
    mail.outbox.clear()

    response = sign_up(client, email="ADA.LOVELACE@example.ORG", name="Someone Else")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"] == [str(services.DUPLICATE_EMAIL)]
    assert User.objects.count() == 1
    assert mail.outbox == []
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'id="id_email_error"' in html


def test_weak_password_is_refused_on_the_password_field(client):
    response = sign_up(client, password="password", password_confirm="password")

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["This password is too common."]
    assert not User.objects.exists()
    assert mail.outbox == []


def test_weak_password_error_is_in_chinese_on_chinese_pages(client):
    response = sign_up(client, language="zh-CN", password="12345678", password_confirm="12345678")

    errors = response.context["form"].errors["password"]
    assert "这个密码太常见了。" in errors
    assert "密码只包含数字。" in errors
    assert 'lang="zh-Hans"' in response.content.decode()
    assert not User.objects.exists()


def test_password_similar_to_the_email_is_refused(client):
    response = sign_up(
        client,
        email="lotusgarden@example.org",
        password="lotusgarden",
        password_confirm="lotusgarden",
    )
    assert any("similar" in error for error in response.context["form"].errors["password"])


def test_passwords_that_differ_are_refused(client):
    response = sign_up(client, password_confirm=PASSWORD + "x")
    assert response.context["form"].errors["password_confirm"] == ["The two passwords differ."]
    assert not User.objects.exists()


def test_a_name_is_required_and_the_latin_field_takes_no_chinese(client):
    response = sign_up(client, name="", name_zh="")
    assert response.context["form"].errors["name"] == ["Enter your name."]

    response = sign_up(client, name="马骏")
    assert "Latin letters" in response.context["form"].errors["name"][0]
    assert not User.objects.exists()


def test_invalid_email_is_refused(client):
    response = sign_up(client, email="not-an-address")
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


def test_password_rules_are_listed_in_the_page_language(client):
    html = client.get(reverse("accounts:signup"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    with translation.override("zh-hans"):
        rules = [str(text) for text in password_validators_help_texts()]
    assert rules and all(rule in html for rule in rules)
    assert "Your password must contain at least 8 characters." not in html


def test_resend_ignores_inactive_accounts_that_never_signed_up_here(client):
    User.objects.create_user("old@example.org", "old@example.org", PASSWORD, is_active=False)
    assert not services.account_resend_verification(
        email="old@example.org", site_url="http://testserver/", language="en"
    )
    assert mail.outbox == []


def test_sign_up_page_is_accessible_markup(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert '<label for="id_email">' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert 'aria-describedby="id_password_helptext"' in html
    assert 'lang="zh-Hans"' in html  # the Chinese name field


def test_service_refuses_the_same_address_twice():
    services.account_sign_up(
        email="x@example.org", password=PASSWORD, name="X Y", site_url="http://h/", language="en"
    )
    with pytest.raises(services.ValidationError) as excinfo:
        services.account_sign_up(
            email=" X@Example.org ",
            password=PASSWORD,
            name="X Y",
            site_url="http://h/",
            language="en",
        )
    assert "email" in excinfo.value.message_dict
    assert User.objects.count() == 1


def test_existing_person_does_not_block_sign_up(client):
    PersonFactory(email="ada.lovelace@example.org")
    assert sign_up(client).status_code == 302


def test_a_mail_server_failure_keeps_the_sign_up(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr(services, "send_mail", broken)
    response = sign_up(client)
    assert response.status_code == 302  # "check your inbox", with a resend form
    assert User.objects.filter(is_active=False).count() == 1
