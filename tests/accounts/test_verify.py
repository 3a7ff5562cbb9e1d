"""Confirming the e-mail address: activate, log in, link or create the person."""

import time
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from atrium.accounts import services
from atrium.accounts.models import SignUp
from atrium.core.models import AuditEntry
from atrium.network.models import Person
from tests.accounts.conftest import LANDING, last_link, sign_up
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def confirm(client, link: str):
    """Open the link (a confirm page), then press its button."""
    page = client.get(link)
    assert page.status_code == 200, page.content.decode()
    assert "Confirm and log in" in page.content.decode()
    return client.post(link)


def test_following_the_link_activates_logs_in_and_creates_the_person(client):
    sign_up(client, name="Ada  Lovelace", name_zh="艾达")
    link = last_link()

    page = client.get(link)
    assert User.objects.get().is_active is False  # a GET changes nothing
    assert "ada.lovelace@example.org" in page.content.decode()

    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == LANDING
    user = User.objects.get()
    assert user.is_active
    assert SignUp.objects.get(user=user).verified is not None
    assert client.session["_auth_user_id"] == str(user.pk)

    person = Person.objects.get()
    assert person.user == user
    assert person.name == "Ada Lovelace"
    assert person.name_zh == "艾达"
    assert person.email == "ada.lovelace@example.org"
    assert person.slug == "ada-lovelace"
    assert not person.directory_opt_in  # listing stays the person's choice
    assert AuditEntry.objects.filter(action="accounts.verified").exists()

    landing = client.get(LANDING)  # the real landing page: "my conference"
    assert landing.status_code == 200
    page = landing.content.decode()
    assert "Log out" in page
    assert "your e-mail address is confirmed" in page


def test_next_given_at_sign_up_is_where_the_new_member_lands(client):
    client.post(
        reverse("accounts:signup") + "?next=/directory/",
        {
            "email": "n@example.org",
            "name": "N N",
            "password": "Lotus-garden-1984",
            "password_confirm": "Lotus-garden-1984",
        },
    )
    assert confirm(client, last_link())["Location"] == "/directory/"


def test_foreign_next_is_ignored(client):
    client.post(
        reverse("accounts:signup") + "?next=https://evil.example/",
        {
            "email": "n@example.org",
            "name": "N N",
            "password": "Lotus-garden-1984",
            "password_confirm": "Lotus-garden-1984",
        },
    )
    assert confirm(client, last_link())["Location"] == LANDING


def test_existing_person_with_the_same_email_is_linked_not_duplicated(client):
    imported = PersonFactory(email="ADA.Lovelace@example.org", name="Ada King", slug="ada-king")
    sign_up(client)

    confirm(client, last_link())

    assert Person.objects.count() == 1
    imported.refresh_from_db()
    assert imported.user == User.objects.get()
    assert imported.name == "Ada King"  # the organisers' record is kept as it is


def test_person_already_linked_to_another_account_is_not_taken(client):
    other = User.objects.create_user("other", "ada.lovelace@example.org.invalid", "x")
    PersonFactory(email="ada.lovelace@example.org", user=other, slug="ada-lovelace")
    sign_up(client)

    confirm(client, last_link())

    mine = Person.objects.get(user__username="ada.lovelace@example.org")
    assert mine.slug == "ada-lovelace-2"  # a fresh person, with a slug of its own
    assert Person.objects.count() == 2


def test_chinese_only_name_gets_a_pinyin_name_and_slug(client):
    sign_up(client, name="", name_zh="马骏", email="ma@example.org")

    confirm(client, last_link())

    person = Person.objects.get()
    assert (person.name, person.name_zh, person.slug) == ("Ma Jun", "马骏", "ma-jun")
    assert "majun" in person.search_key


def test_used_link_is_refused_without_change(client):
    sign_up(client)
    link = last_link()
    confirm(client, link)
    client.logout()
    person_count = Person.objects.count()

    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 400
        assert "already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert Person.objects.count() == person_count == 1


def test_used_link_for_the_logged_in_member_just_goes_on(client):
    sign_up(client)
    link = last_link()
    confirm(client, link)
    response = client.get(link)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "nonsense",
        lambda token: token.replace(":", "", 1),
    ],
    ids=["bad-signature", "garbage", "broken"],
)
def test_forged_link_is_refused_without_change(client, mangle):
    sign_up(client)
    token = last_link().split("/")[-2]

    link = reverse("accounts:verify", args=[mangle(token)])
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 400
        html = response.content.decode()
        assert "This link is not valid" in html
        assert "Send a new link" in html
    user = User.objects.get()
    assert not user.is_active
    assert not Person.objects.exists()
    assert "_auth_user_id" not in client.session


def test_token_signed_with_another_salt_is_refused():
    user = User.objects.create_user("a@example.org", "a@example.org", "x", is_active=False)
    SignUp.objects.create(user=user, name="A")
    token = services.signing.dumps({"u": user.pk, "e": user.email, "s": ""}, salt="other")
    with pytest.raises(services.VerificationError) as excinfo:
        services.account_verify(token=token)
    assert excinfo.value.reason == "invalid"


def test_expired_link_is_refused_without_change_and_offers_a_new_one(client):
    sign_up(client)
    user = User.objects.get()
    four_days_ago = time.time() - 4 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=four_days_ago):
        old_token = services.verification_token(user=user)
    link = reverse("accounts:verify", args=[old_token])

    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 400
        html = response.content.decode()
        assert "This link has expired" in html
        assert 'value="ada.lovelace@example.org"' in html  # the resend form, filled in
    user.refresh_from_db()
    assert not user.is_active
    assert not Person.objects.exists()


def test_link_still_works_just_before_three_days(client):
    sign_up(client)
    user = User.objects.get()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 71 * 3600):
        token = services.verification_token(user=user)
    confirm(client, reverse("accounts:verify", args=[token]))
    user.refresh_from_db()
    assert user.is_active


def test_link_for_a_changed_address_is_refused(client):
    sign_up(client)
    link = last_link()
    User.objects.update(email="someone.else@example.org")
    assert client.post(link).status_code == 400
    assert not User.objects.get().is_active


def test_resend_mails_a_new_link_at_most_once_a_minute(client):
    sign_up(client)
    assert len(mail.outbox) == 1

    response = client.post(reverse("accounts:resend"), {"email": "ADA.lovelace@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1  # the sign-up mail was less than a minute ago

    services.cache.clear()  # a minute later
    client.post(reverse("accounts:resend"), {"email": "ADA.lovelace@example.org"})
    assert len(mail.outbox) == 2
    client.post(reverse("accounts:resend"), {"email": "ada.lovelace@example.org"})
    assert len(mail.outbox) == 2

    confirm(client, last_link())
    assert User.objects.get().is_active


def test_resend_tells_nothing_about_unknown_or_confirmed_addresses(client):
    sign_up(client)
    client.get(confirm(client, last_link())["Location"])  # shows (and uses up) the welcome
    services.cache.clear()
    mail.outbox.clear()

    answers = []
    for email in ("ada.lovelace@example.org", "nobody@example.org"):
        response = client.post(reverse("accounts:resend"), {"email": email}, follow=True)
        main = response.content.decode().split('<main id="main"')[1].split("</main>")[0]
        answers.append(main.replace(email, "ADDRESS"))
    assert mail.outbox == []
    assert answers[0] == answers[1]


def test_resend_with_a_bad_address_names_the_field(client):
    response = client.post(reverse("accounts:resend"), {"email": "nope"})
    assert response.status_code == 200
    assert "email" in response.context["resend_form"].errors
