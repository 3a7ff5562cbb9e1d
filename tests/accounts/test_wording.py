"""注册 for accounts, 参会注册 for the conference, 报名 for seats; the log-in page says why."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import ConferenceFactory, RegistrationPolicyFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025")
    RegistrationPolicyFactory(conference=conference)
    return conference


def _zh(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True).content.decode()


def _link_text(html, href_start):
    return [
        re.sub(r"<[^>]+>", "", text).strip()
        for text in re.findall(rf'<a [^>]*href="{re.escape(href_start)}[^"]*"[^>]*>(.*?)</a>', html)
    ]


def test_chinese_words_for_accounts_conference_registration_and_seats(client, conference):
    SessionFactory(conference=conference, seats=40, room=None)
    home = _zh(client, reverse("events:conference", args=[conference.slug]))
    assert "注册" in _link_text(home, reverse("accounts:signup"))
    assert "参会注册" in _link_text(home, reverse("registration:register", args=[conference.slug]))
    assert "报名" not in _link_text(home, reverse("accounts:signup"))
    login = _zh(client, reverse("accounts:login"))
    assert "还没有账户？" in login and "创建账户" in login
    assert "报名" not in login
    signup = _zh(client, reverse("accounts:signup"))
    assert "<h1>注册</h1>" in signup or ">注册<" in signup
    assert "报名" not in signup


@pytest.mark.parametrize(
    ("name", "english", "chinese"),
    [
        (
            "registration:register",
            "Log in to register for the conference.",
            "登录后即可进行参会注册。",
        ),
        (
            "registration:signups",
            "Log in to sign up for visits and other sessions with seats.",
            "登录后即可报名参观考察及其他限额场次。",
        ),
    ],
)
def test_the_log_in_page_says_why_it_is_shown(client, conference, name, english, chinese):
    url = reverse(name, args=[conference.slug])
    response = client.get(url)
    if response.status_code == 200:  # a page open to all: its log-in link carries it as next
        login_url = f"{reverse('accounts:login')}?next={url}"
    else:
        login_url = response["Location"]
    assert english in client.get(login_url).content.decode()
    assert chinese in client.get(login_url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_desk_asks_for_a_staff_account(client, conference):
    response = client.get(reverse("checkin:desk", args=[conference.slug]))
    html = client.get(response["Location"]).content.decode()
    assert "Log in with your check-in staff account to open the check-in desk." in html


def test_no_reason_on_a_plain_log_in(client):
    assert 'class="lede login-reason"' not in client.get(reverse("accounts:login")).content.decode()
