"""The programme's exports and timetables, rendered once per revision of the edition.

A repeat costs the revision query (with the edition) and a cache read; any change to the
edition's sessions, talks, roles, speakers, rooms, venues or tracks makes a new revision,
so a cached copy is never served stale; only what is the same for every visitor is
cached (the stars, the CSRF token and the path are filled in per request).
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atrium.core.tabular import read_table
from atrium.demo.large import build_large_edition
from atrium.events import revision, services
from atrium.events.models import ProgrammeVersion, Session
from atrium.network.imports import organisations_import, people_import
from atrium.network.models import Person
from tests.events.factories_exports import SLUG, build_programme
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, local
from tests.network.test_imports import csv_file

pytestmark = pytest.mark.django_db

EXPORTS = [
    f"/c/{SLUG}/schedule.xml",
    f"/c/{SLUG}/schedule.json",
    f"/c/{SLUG}/programme.ics",
]
DAY_1 = f"/c/{SLUG}/programme/"
ALL = f"/c/{SLUG}/programme/all/"
PAGES = [*EXPORTS, DAY_1, ALL]


@pytest.fixture
def programme():
    return build_programme()


def text(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode().replace("\r\n ", "")  # iCalendar folds long lines


def without_csrf(page: str) -> str:
    """The page without its CSRF tokens (masked anew on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def count(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers=headers).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", PAGES)
def test_a_repeat_is_the_revision_query_and_a_cache_read(client, programme, url):
    first = count(client, url)
    body = text(client, url)
    repeat = count(client, url)
    assert repeat < first
    if url in EXPORTS or url == ALL:
        assert repeat == 1  # the edition with its revision
    else:
        assert repeat == 3  # the edition with its revision, the filter's tracks and rooms
    assert without_csrf(text(client, url)) == without_csrf(body)


@pytest.mark.parametrize("url", PAGES)
def test_an_edited_session_title_shows_at_once(client, programme, url):
    assert "Life sciences forum" in text(client, url)
    programme.forum.title = "Forum on life sciences renamed"
    programme.forum.save()
    body = text(client, url)
    assert "Forum on life sciences renamed" in body
    assert "Life sciences forum" not in body


@pytest.mark.parametrize("url", EXPORTS)
def test_talks_speakers_rooms_and_organisations_change_the_revision(
    client, programme, url, django_capture_on_commit_callbacks
):
    forum = programme.forum
    seen = text(client, url)
    talk = forum.talks.get()

    def changed(*, gone: str | None = None, shown: str | None = None) -> None:
        nonlocal seen
        body = text(client, url)
        assert body != seen
        if gone:
            assert gone not in body
        if shown:
            assert shown in body
        seen = body

    talk.title = "Circular economy second edition"
    talk.save()
    if not url.endswith(".ics"):  # the calendar lists people, not talks
        changed(shown="Circular economy second edition")
    newcomer = PersonFactory(name="Zhou Newcomer")
    talk.speakers.add(newcomer)
    changed(shown="Zhou Newcomer")
    newcomer.talks.remove(talk)  # from the person's side
    changed(gone="Zhou Newcomer")
    programme.chair.name = "Ma Jun (renamed)"
    with django_capture_on_commit_callbacks(execute=True):  # a person: after the commit
        programme.chair.save()
    changed(shown="Ma Jun (renamed)")
    # The directory's import writes people with bulk_update (no signal): it says so.
    rows = [["Name", "E-mail"], ["Chang Sheng (imported)", programme.speaker.email]]
    result = people_import(table=read_table(csv_file(rows)), dry_run=False, actor=None)
    assert result.updated == 1, result.errors
    changed(shown="Chang Sheng (imported)")
    room = forum.room
    room.name = "Room A (north wing)"
    room.save()
    changed(shown="Room A (north wing)")
    forum.roles.get().delete()
    changed(gone="Ma Jun (renamed)")
    Session.objects.filter(pk=programme.visit.pk).delete()
    changed(gone="Visit to Changping Park")


def test_an_organisation_renamed_shows_in_the_calendar(
    client, programme, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Changping Incubator", slug="changping")
    Person.objects.filter(pk=programme.speaker.pk).update(organisation=organisation)
    url = f"/c/{SLUG}/programme.ics"
    assert "Changping Incubator" in text(client, url)
    organisation.name = "Changping Incubator Ltd"
    with django_capture_on_commit_callbacks(execute=True):
        organisation.save()
    assert "Changping Incubator Ltd" in text(client, url)
    # The import (bulk_update, no signal) too.
    rows = [["Name", "Slug"], ["Changping Incubator Group", "changping"]]
    result = organisations_import(table=read_table(csv_file(rows)), dry_run=False, actor=None)
    assert result.updated == 1, result.errors
    assert "Changping Incubator Group" in text(client, url)


def test_a_person_deleted_leaves_the_exports(client, programme):
    url = f"/c/{SLUG}/schedule.json"
    assert "Chang Sheng" in text(client, url)
    programme.speaker.delete()  # their talk stays, without them
    assert "Chang Sheng" not in text(client, url)


def test_people_outside_the_programme_leave_its_revision_alone(
    client, programme, django_capture_on_commit_callbacks
):
    token = ProgrammeVersion.objects.get(conference=programme.conference).token
    with django_capture_on_commit_callbacks(execute=True):
        PersonFactory(name="A delegate who registers")
        OrganisationFactory(name="A park that joins")
    assert ProgrammeVersion.objects.get(conference=programme.conference).token == token


def test_the_edition_itself_changes_the_revision(client, programme):
    assert "42nd World Conference" in text(client, EXPORTS[1])
    programme.conference.name = "42nd World Conference of Parks"
    programme.conference.save()
    assert "42nd World Conference of Parks" in text(client, EXPORTS[1])


def test_a_stale_copy_of_the_edition_cannot_bring_back_an_old_revision(programme):
    """The token lives in its own row: saving a conference read before never rewinds it."""
    stale = type(programme.conference).objects.get(pk=programme.conference.pk)
    before = ProgrammeVersion.objects.get(conference=programme.conference).token
    programme.forum.save()
    after_edit = ProgrammeVersion.objects.get(conference=programme.conference).token
    stale.save()
    assert len({before, after_edit, ProgrammeVersion.objects.get(conference=stale).token}) == 3


def test_languages_and_site_addresses_are_cached_apart(client, programme, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    english = text(client, EXPORTS[1], **{"Accept-Language": "en"})
    chinese = text(client, f"{EXPORTS[1]}?lang=zh-hans")
    assert "第42届世界大会" in chinese and "第42届世界大会" not in english
    assert text(client, EXPORTS[1], **{"Accept-Language": "en"}) == english
    other_host = client.get(EXPORTS[1], HTTP_HOST="mirror.example.org")
    assert "mirror.example.org" in other_host.content.decode()
    assert "testserver" not in other_host.content.decode()
    day_zh = text(client, DAY_1, **{"Accept-Language": "zh-Hans"})
    assert "开幕式" in day_zh
    assert "开幕式" not in text(client, DAY_1, **{"Accept-Language": "en"})


# --- never a visitor's data in the shared copy --------------------------------------------


def star_url(session) -> str:
    return reverse("events:session-star", args=[session.conference.slug, session.pk])


@pytest.mark.parametrize("url", [DAY_1, ALL])
def test_stars_are_per_visitor_and_never_cached(client, programme, url):
    forum, opening = programme.forum, programme.opening
    ada = PersonFactory(user=UserFactory(), name="Ada Delegate")
    bo = PersonFactory(user=UserFactory(), name="Bo Delegate")
    services.agenda_star_set(person=ada, session=forum, starred=True)

    anonymous = text(client, url)  # fills the shared cache
    assert star_url(forum) not in anonymous and "aria-pressed" not in anonymous.split("<main")[1]

    client.force_login(ada.user)
    ada_page = text(client, url)
    ada_token = client.cookies["csrftoken"].value
    # Ada's star is on, the others off, each form aimed at its own session with its title.
    assert ada_page.count(f'action="{star_url(forum)}"') >= 1
    assert ada_page.count(f'action="{star_url(opening)}"') >= 1
    forum_form = ada_page[ada_page.index(f'action="{star_url(forum)}"') :]
    forum_form = forum_form[: forum_form.index("</form>")]
    assert 'aria-pressed="true"' in forum_form and ": Life sciences forum<" in forum_form
    opening_form = ada_page[ada_page.index(f'action="{star_url(opening)}"') :]
    opening_form = opening_form[: opening_form.index("</form>")]
    assert 'aria-pressed="false"' in opening_form and ": Opening ceremony<" in opening_form
    assert f'name="next" value="{url}"' in forum_form

    client.logout()
    client.force_login(bo.user)
    bo_page = text(client, url)
    assert "star--on" not in bo_page and "Ada Delegate" not in bo_page
    assert star_url(forum) in bo_page
    client.logout()
    again = text(client, url)
    assert without_csrf(again) == without_csrf(anonymous)
    # Nothing of anyone's in the shared copies (pickled in the tests' local-memory cache).
    stored = list(caches["default"]._cache.values())
    assert any(b"Life sciences forum" in value for value in stored)
    for value in stored:
        assert b"csrfmiddlewaretoken" not in value and ada_token.encode() not in value
        assert b"/star/" not in value and b"aria-pressed" not in value


def test_the_htmx_star_still_swaps_one_button(client, programme):
    ada = PersonFactory(user=UserFactory())
    client.force_login(ada.user)
    text(client, DAY_1)
    response = client.post(
        star_url(programme.forum), {"starred": "1"}, headers={"HX-Request": "true"}
    )
    assert 'aria-pressed="true"' in response.content.decode()
    page = text(client, DAY_1)
    form = page[page.index(f'action="{star_url(programme.forum)}"') :]
    assert 'aria-pressed="true"' in form[: form.index("</form>")]


# --- the whole programme -------------------------------------------------------------------


def test_the_whole_programme_has_every_day_on_one_page(client, programme):
    body = text(client, ALL)
    for title in ["Opening ceremony", "Life sciences forum", "Visit to Changping Park"]:
        assert title in body
    assert "Closed-door preparatory meeting" not in body  # not public
    assert body.count('class="programme-day"') == 3
    assert body.index("Opening ceremony") < body.index("Visit to Changping Park")
    assert "40 seats, sign-up needed" in body and "Zhongguancun Changping Park" in body
    assert "<script" not in body.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(
    ("language", "opening"), [("en", "Opening ceremony"), ("zh-Hans", "开幕式")]
)
def test_the_programme_links_to_the_whole_programme(client, programme, language, opening):
    page = text(client, DAY_1, **{"Accept-Language": language})
    assert f'href="{ALL}"' in page
    whole = text(client, ALL, **{"Accept-Language": language})
    assert whole.count('class="programme-day"') == 3
    assert opening in whole


def test_the_whole_programme_of_an_unknown_edition_is_404(client):
    assert client.get("/c/no-such-edition/programme/all/").status_code == 404


def whole_programme_queries(client, slug: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/c/{slug}/programme/all/")
    assert response.status_code == 200
    return len(queries)


def test_whole_programme_queries_do_not_grow_with_the_edition(client):
    small = build_large_edition(sessions=64, organisations=40, slug="small")
    large = build_large_edition(sessions=600, organisations=400, slug="large")
    small_count = whole_programme_queries(client, small.slug)
    assert whole_programme_queries(client, large.slug) == small_count <= 6
    page = client.get(f"/c/{large.slug}/programme/all/").content.decode()
    assert page.count("/star/") == 0
    assert page.count(f'href="/c/{large.slug}/sessions/') == 600


# --- the size of the busiest day -----------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_a_day_of_200_sessions_weighs_at_most_150_kib(client, language):
    large = build_large_edition(sessions=600, organisations=400, slug="large")
    day = large.days[0]
    start, end = local(large, 0, 0), local(large, 1, 0)
    assert large.sessions.filter(start__gte=start, start__lt=end).count() == 200
    response = client.get(
        f"/c/{large.slug}/programme/", {"day": day.isoformat()}, HTTP_ACCEPT_LANGUAGE=language
    )
    body = response.content.decode()
    assert body.count('class="timetable__slot') == 200  # every session in the grid
    assert body.count(f'<h4><a href="/c/{large.slug}/sessions/') == 200  # and in the list
    assert len(response.content) <= 150 * 1024, len(response.content)


def test_revision_fingerprint_depends_on_language_and_extra(programme):
    from django.utils import translation

    from atrium.events.selectors import get_conference

    conference = get_conference(SLUG, with_revision=True)
    english = revision.fingerprint(conference, "a")
    with translation.override("zh-hans"):
        assert revision.fingerprint(conference, "a") != english
    assert revision.fingerprint(conference, "b") != english
    programme.forum.save()
    assert revision.fingerprint(get_conference(SLUG, with_revision=True), "a") != english
