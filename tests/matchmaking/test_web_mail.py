"""B2B e-mails go out in each recipient's language, with times in the edition's zone."""

from __future__ import annotations

import pytest
from django.core import mail

from atrium.matchmaking import planning, services
from atrium.registration.models import Registration
from tests.factories import ConferenceFactory
from tests.matchmaking.factories_web import B2BSessionFactory, BlockFactory, delegate

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory(
        name="42nd IASP World Conference, Beijing 2025", name_zh="第42届IASP世界大会"
    )


def mail_to(registration):
    return next(m for m in mail.outbox if m.to == [registration.person.email])


def test_each_recipient_reads_their_own_language(conference, django_capture_on_commit_callbacks):
    cecile = delegate(conference, name="Cecile Harle")
    li = delegate(conference, name="Li Zhidan", name_zh="李志丹")
    Registration.objects.filter(pk=li.pk).update(language="zh-hans")
    li.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_create(requester=cecile, recipient=li, message="Bonjour")
    chinese = mail_to(li)
    assert "第42届IASP世界大会" in chinese.body
    assert "42nd IASP World Conference" not in chinese.body
    assert "李志丹" in chinese.body  # "Dear 李志丹"
    with django_capture_on_commit_callbacks(execute=True):
        services.request_accept(request=request, by=li)
    english = mail_to(cecile)
    assert "42nd IASP World Conference, Beijing 2025" in english.body
    assert "Li Zhidan" in english.subject  # names in the reader's script
    assert "李志丹" not in english.subject


def test_schedule_mail_in_chinese_and_english(conference, django_capture_on_commit_callbacks):
    BlockFactory(session=B2BSessionFactory(conference=conference), table_names="Lotus")
    cecile = delegate(conference, name="Cecile Harle")
    li = delegate(conference, name="Li Zhidan", name_zh="李志丹")
    Registration.objects.filter(pk=li.pk).update(language="zh-hans")
    request = services.request_create(requester=cecile, recipient=li)
    services.request_accept(request=request, by=li)
    with django_capture_on_commit_callbacks(execute=True):
        run = planning.scheduler_start(conference=conference)
    run.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        planning.scheduler_publish(run=run)
    chinese, english = mail_to(li), mail_to(cecile)
    # Django's own formats: the date in Chinese, the time in Beijing time (06:00 UTC).
    assert "2025年9月16日" in chinese.subject
    assert "14:00" in chinese.subject
    assert "Sept. 16, 2025" in english.subject
    assert "14:00–14:30" in english.body
    assert "Lotus" in english.body and "Lotus" in chinese.body
    assert "李志丹" in english.body or "Li Zhidan" in english.body
    assert "Cecile Harle" in chinese.body
    assert "&#x27;" not in english.body and "&amp;" not in english.body
