"""The admin shows and takes an edition's times in the edition's time zone, and says so."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from atrium.events.models import Session
from tests.factories import ConferenceFactory, SessionFactory, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("orga", "orga@example.org", "pw-For-tests-1")
    client.force_login(user)
    return client


@pytest.fixture
def visit():
    conference = ConferenceFactory(time_zone="Asia/Shanghai")
    return SessionFactory(
        conference=conference,
        title="Huairou visit",
        start=local(conference, 1, 8, 30),
        end=local(conference, 1, 12, 30),
    )


def _form_data(session, start_time: str) -> dict:
    day = session.start.astimezone(session.conference.tz).date().isoformat()
    return {
        "conference": session.conference_id,
        "kind": session.kind,
        "title": session.title,
        "title_zh": "",
        "is_public": "on",
        "start_0": day,
        "start_1": start_time,
        "end_0": day,
        "end_1": "12:30",
        "room": session.room_id,
        "place": "",
        "place_zh": "",
        "seats": "",
        "track": "",
        "description": "",
        "description_zh": "",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "talks-TOTAL_FORMS": "0",
        "talks-INITIAL_FORMS": "0",
    }


def test_change_form_shows_local_time_and_says_which_zone(admin_client, visit):
    page = admin_client.get(reverse("admin:events_session_change", args=[visit.pk]))
    html = page.content.decode()
    assert 'value="08:30:00"' in html or 'value="08:30"' in html
    assert 'value="00:30:00"' not in html
    assert "Times are in Asia/Shanghai (the edition&#x27;s time zone)." in html


def test_saving_a_local_time_stores_it_in_utc(admin_client, visit):
    form = admin_client.get(reverse("admin:events_session_change", args=[visit.pk]))
    inline_prefixes = {formset.formset.prefix for formset in form.context["inline_admin_formsets"]}
    data = _form_data(visit, "08:30")
    for prefix in inline_prefixes:
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = admin_client.post(reverse("admin:events_session_change", args=[visit.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit.refresh_from_db()
    assert visit.start == datetime(2025, 9, 17, 0, 30, tzinfo=UTC)


def test_add_form_reads_times_in_the_chosen_editions_zone(admin_client, visit):
    nairobi = ConferenceFactory(time_zone="Africa/Nairobi")
    page = admin_client.get(reverse("admin:events_session_add"))
    # Two editions in two zones: the form says the chosen edition's zone is used.
    assert "Times are in the time zone of the edition chosen on this form." in page.content.decode()
    data = _form_data(visit, "08:30")
    data["conference"] = nairobi.pk
    data["room"] = ""
    data["title"] = "Nairobi visit"
    response = admin_client.post(reverse("admin:events_session_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Session.objects.get(title="Nairobi visit")
    assert added.start == datetime(2025, 9, 17, 5, 30, tzinfo=UTC)  # 08:30 in Nairobi (UTC+3)


def test_change_list_shows_local_times_of_the_filtered_edition(admin_client, visit):
    url = reverse("admin:events_session_changelist")
    page = admin_client.get(url, {"conference__id__exact": visit.conference_id})
    html = page.content.decode()
    assert "8:30" in html and "0:30" not in html.replace("8:30", "")
    assert "Times are in Asia/Shanghai" in html
