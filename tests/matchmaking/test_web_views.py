"""The B2B pages through the test client: who may see what, CSRF, and the flows."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from atrium.events.models import ConferenceRole
from atrium.matchmaking import planning, services
from atrium.matchmaking.models import Meeting, MeetingRequest, Profile, SchedulerRun
from atrium.registration.models import Registration
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    RegistrationFactory,
    SectorFactory,
    UserFactory,
    local,
)
from tests.matchmaking.factories_web import (
    B2BSessionFactory,
    BlockFactory,
    ProfileFactory,
    delegate,
    meeting,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def me(conference):
    return delegate(conference, user=True, name="Cecile Harle")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def browser(me):
    return client_for(me.person.user)


def organiser_of(conference):
    user = UserFactory()
    ConferenceRole.objects.create(conference=conference, user=user, role="organiser")
    return user


def url(name, conference, *args):
    return reverse(f"matchmaking:{name}", args=[conference.slug, *args])


# --- permissions -----------------------------------------------------------------------

DELEGATE_PAGES = ["home", "profile", "people"]
ORGANISER_PAGES = ["organiser", "tables"]


@pytest.mark.parametrize("name", DELEGATE_PAGES + ORGANISER_PAGES)
def test_anonymous_users_are_sent_to_log_in(client, conference, name):
    response = client.get(url(name, conference))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", DELEGATE_PAGES)
def test_delegate_pages_need_a_confirmed_registration(conference, name):
    user = UserFactory()
    client = client_for(user)
    response = client.get(url(name, conference))
    assert response.status_code == 403
    assert "confirmed registration" in response.content.decode()
    registration = delegate(conference, user=True)
    Registration.objects.filter(pk=registration.pk).update(status="pending")
    assert client_for(registration.person.user).get(url(name, conference)).status_code == 403
    Registration.objects.filter(pk=registration.pk).update(status="confirmed")
    assert client_for(registration.person.user).get(url(name, conference)).status_code == 200


def test_a_registration_for_another_edition_does_not_count(conference):
    elsewhere = delegate(ConferenceFactory(), user=True)
    response = client_for(elsewhere.person.user).get(url("home", conference))
    assert response.status_code == 403


def test_unpublished_editions_have_no_b2b_pages(conference, browser):
    conference.is_published = False
    conference.save()
    assert browser.get(url("home", conference)).status_code == 404


@pytest.mark.parametrize("name", ORGANISER_PAGES)
def test_organiser_pages_permission_matrix(conference, me, browser, name):
    other = ConferenceFactory()
    assert browser.get(url(name, conference)).status_code == 403  # a delegate
    assert client_for(organiser_of(other)).get(url(name, conference)).status_code == 403
    checkin = UserFactory()
    ConferenceRole.objects.create(conference=conference, user=checkin, role="checkin")
    assert client_for(checkin).get(url(name, conference)).status_code == 403
    assert client_for(organiser_of(conference)).get(url(name, conference)).status_code == 200
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert client_for(superuser).get(url(name, conference)).status_code == 200


def test_organiser_actions_are_forbidden_to_others(conference, browser):
    session = B2BSessionFactory(conference=conference)
    other_organiser = client_for(organiser_of(ConferenceFactory()))
    for client in (browser, other_organiser):
        assert client.post(url("run-start", conference)).status_code == 403
        assert client.post(url("block", conference, session.pk), {}).status_code == 403
    assert not SchedulerRun.objects.exists()


def test_b2b_pages_are_never_cached(browser, conference):
    response = browser.get(url("home", conference))
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_actions_need_post(browser, conference):
    assert browser.get(url("accept", conference, 1)).status_code == 405
    assert browser.get(url("cancel", conference, 1)).status_code == 405
    assert browser.get(url("run-start", conference)).status_code == 405


def test_csrf_is_enforced(conference, me):
    other = delegate(conference)
    client = Client(enforce_csrf_checks=True)
    client.force_login(me.person.user)
    target = url("person", conference, other.person_id)
    assert client.post(target, {"message": "Hello"}).status_code == 403
    assert not MeetingRequest.objects.exists()
    page = client.get(target)
    token = page.cookies["csrftoken"].value
    response = client.post(target, {"message": "Hello", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert MeetingRequest.objects.filter(requester=me, recipient=other).exists()


# --- objects belong to their owner -----------------------------------------------------------


def test_cannot_answer_someone_elses_request(conference, browser, me):
    a, b = delegate(conference), delegate(conference)
    request = services.request_create(requester=a, recipient=b)
    assert browser.post(url("accept", conference, request.pk)).status_code == 404
    assert browser.post(url("decline", conference, request.pk)).status_code == 404
    assert browser.post(url("cancel", conference, request.pk)).status_code == 404
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.PENDING


def test_a_request_of_another_edition_is_not_found(conference, browser, me):
    other_conference = ConferenceFactory()
    mine_elsewhere = RegistrationFactory(conference=other_conference, person=me.person)
    ProfileFactory(registration=mine_elsewhere)
    them = delegate(other_conference)
    request = services.request_create(requester=them, recipient=mine_elsewhere)
    assert browser.post(url("accept", conference, request.pk)).status_code == 404


def test_cannot_touch_someone_elses_meeting(conference, browser, me):
    a, b = delegate(conference), delegate(conference)
    the_meeting = meeting(a, b)
    response = browser.post(url("colleague-add", conference, the_meeting.pk), {"colleague": me.pk})
    assert response.status_code == 404
    assert the_meeting.participants.count() == 2


def test_person_page_only_for_delegates_taking_part(conference, browser, me):
    inactive = delegate(conference)
    Profile.objects.filter(registration=inactive).update(is_active=False)
    assert browser.get(url("person", conference, inactive.person_id)).status_code == 404
    elsewhere = delegate(ConferenceFactory())
    assert browser.get(url("person", conference, elsewhere.person_id)).status_code == 404
    assert browser.get(url("person", conference, me.person_id)).status_code == 302


# --- flows -----------------------------------------------------------------------------


def test_profile_form_errors_next_to_the_field_then_saves(conference, me, browser):
    Profile.objects.filter(registration=me).delete()
    sector = SectorFactory(name="Life sciences and health")
    response = browser.post(url("profile", conference), {"is_active": "on"})
    assert response.status_code == 400
    assert "Choose at least one sector" in response.content.decode()
    response = browser.post(
        url("profile", conference),
        {
            "is_active": "on",
            "sectors": [sector.pk],
            "offer_kinds": ["soft_landing"],
            "languages": ["en", "fr"],
            "offers": "A soft landing in Europe",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(registration=me)
    assert profile.offer_kinds == ["soft_landing"]
    assert list(profile.sectors.all()) == [sector]
    home = browser.get(url("home", conference)).content.decode()
    assert "A soft landing in Europe" in home


def test_request_accept_and_see_the_meeting(conference, me, browser):
    zgc = OrganisationFactory(name="Zhongguancun Science Park")
    them = delegate(conference, organisation=zgc, user=True, name="Li Zhidan")
    response = browser.post(url("person", conference, them.person_id), {"message": "Hello ZGC"})
    assert response.status_code == 302
    theirs = client_for(them.person.user)
    page = theirs.get(url("home", conference)).content.decode()
    assert "Hello ZGC" in page and "Cecile Harle" in page
    request = MeetingRequest.objects.get()
    assert theirs.post(url("accept", conference, request.pk)).status_code == 302
    page = browser.get(url("home", conference)).content.decode()
    assert "Li Zhidan" in page
    assert "Time and table to come" in page


def test_request_over_the_limit_shows_the_reason(conference, me, browser):
    planning.settings_update(conference=conference, request_limit=1, requests_open=True)
    first, second = delegate(conference), delegate(conference)
    services.request_create(requester=me, recipient=first)
    response = browser.post(url("person", conference, second.person_id), {"message": "Hi"})
    assert response.status_code == 400
    assert "1 open requests" in response.content.decode()


def test_decline_and_withdraw(conference, me, browser):
    asker, asked = delegate(conference), delegate(conference)
    incoming = services.request_create(requester=asker, recipient=me)
    outgoing = services.request_create(requester=me, recipient=asked)
    browser.post(url("decline", conference, incoming.pk), {"answer": "Sorry, no time"})
    browser.post(url("cancel", conference, outgoing.pk))
    incoming.refresh_from_db()
    outgoing.refresh_from_db()
    assert (incoming.status, incoming.answer) == ("declined", "Sorry, no time")
    assert outgoing.status == "cancelled"


def test_add_a_colleague_from_the_page(conference, me, browser):
    colleague = delegate(conference, organisation=me.person.organisation, name="Anne Martin")
    outsider = delegate(conference)
    the_meeting = meeting(me, delegate(conference))
    page = browser.get(url("home", conference)).content.decode()
    assert "Anne Martin" in page  # offered in the colleague list
    response = browser.post(
        url("colleague-add", conference, the_meeting.pk), {"colleague": outsider.pk}, follow=True
    )
    assert "Only a colleague from your own organisation" in response.content.decode()
    browser.post(url("colleague-add", conference, the_meeting.pk), {"colleague": colleague.pk})
    assert the_meeting.participants.filter(registration=colleague, is_colleague=True).exists()


def test_people_page_searches_and_filters(conference, me, browser):
    health = SectorFactory(name="Life sciences and health", slug="health")
    zgc = OrganisationFactory(name="Zhongguancun Science Park")
    found = delegate(conference, organisation=zgc, name="Li Zhidan")
    found.b2b_profile.sectors.add(health)
    delegate(conference, name="Someone Else")
    page = browser.get(url("people", conference), {"q": "zhongguancun"}).content.decode()
    assert "Li Zhidan" in page and "Someone Else" not in page
    page = browser.get(url("people", conference), {"sector": "health"}).content.decode()
    assert "Li Zhidan" in page and "Someone Else" not in page
    page = browser.get(url("people", conference), {"q": "li zhidan"}).content.decode()
    assert "Li Zhidan" in page


def test_people_pages_keep_the_filter(conference, me, browser):
    for i in range(30):
        delegate(conference, organisation=OrganisationFactory(name=f"Zhongguancun Park {i}"))
    page = browser.get(url("people", conference), {"q": "zhongguancun", "page": "2"})
    html = page.content.decode()
    assert "?q=zhongguancun&amp;page=1" in html
    assert "page=2&amp;page" not in html


# --- organiser flows -------------------------------------------------------------------------


@pytest.fixture
def organiser(conference):
    return client_for(organiser_of(conference))


def test_organiser_sets_rules_and_blocks(conference, organiser):
    session = B2BSessionFactory(
        conference=conference, start=local(conference, 0, 14), end=local(conference, 0, 17, 30)
    )
    response = organiser.post(url("organiser", conference), {"request_limit": "0"})
    assert response.status_code == 400
    response = organiser.post(
        url("organiser", conference), {"request_limit": "8", "requests_open": "on"}
    )
    assert response.status_code == 302
    assert services.settings_for(conference).request_limit == 8
    prefix = f"block-{session.pk}-"
    response = organiser.post(
        url("block", conference, session.pk),
        {
            prefix + "slot_minutes": "30",
            prefix + "table_count": "1",
            prefix + "table_names": "A\nB",
        },
    )
    assert response.status_code == 400
    assert "2 names for 1 tables" in response.content.decode()
    response = organiser.post(
        url("block", conference, session.pk),
        {
            prefix + "slot_minutes": "30",
            prefix + "table_count": "2",
            prefix + "table_names": "Lotus\nPeony",
            prefix + "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert session.b2b_block.table_count == 2
    page = organiser.get(url("organiser", conference)).content.decode()
    assert "7 slots" in page


def test_organiser_runs_publishes_and_prints(
    conference, organiser, django_capture_on_commit_callbacks
):
    BlockFactory(session=B2BSessionFactory(conference=conference), table_names="Lotus")
    a, b, c = (delegate(conference) for _ in range(3))
    meeting(a, b)
    services.request_create(requester=c, recipient=a)  # pending
    services.request_decline(
        request=services.request_create(requester=b, recipient=c), by=c
    )  # declined
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(url("run-start", conference))
    assert response.status_code == 302
    run = SchedulerRun.objects.get()
    assert run.status == SchedulerRun.Status.DONE
    page = organiser.get(url("organiser", conference)).content.decode()
    assert "50%" in page  # one accepted of two answered
    assert "of 1 meetings placed" in page
    assert "Publish this schedule" in page
    partial = organiser.get(url("run", conference, run.pk), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'id="run-panel"' in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert organiser.get(url("run", conference, run.pk)).status_code == 302
    draft = organiser.get(url("tables", conference), {"run": run.pk}).content.decode()
    assert "Lotus" in draft and a.person.name in draft
    with django_capture_on_commit_callbacks(execute=True):
        organiser.post(url("publish", conference, run.pk))
    assert Meeting.objects.get().is_published
    sheets = organiser.get(url("tables", conference)).content.decode()
    assert a.person.name in sheets
    assert organiser.get(url("tables", conference), {"run": "abc"}).status_code == 404
    other_run = SchedulerRun.objects.create(conference=ConferenceFactory())
    assert organiser.get(url("tables", conference), {"run": other_run.pk}).status_code == 404
    assert organiser.post(url("publish", conference, other_run.pk)).status_code == 404


def test_queued_run_panel_polls(conference, organiser):
    run = SchedulerRun.objects.create(conference=conference)
    page = organiser.get(url("organiser", conference)).content.decode()
    assert f'hx-get="{url("run", conference, run.pk)}"' in page
    assert "db_worker" in page


# --- includes for other pages ---------------------------------------------------------------


def test_me_include_lists_published_meetings(conference, me, django_capture_on_commit_callbacks):
    block = BlockFactory(session=B2BSessionFactory(conference=conference), table_names="Lotus")
    other = delegate(conference, name="Li Zhidan")
    the_meeting = meeting(me, other)
    html = render_to_string("matchmaking/_me_meetings.html", {"registration": me})
    assert "No B2B meeting with a time and a table yet" in html
    start, end = block.slots()[0]
    Meeting.objects.filter(pk=the_meeting.pk).update(
        block=block, start=start, end=end, table=1, published_at=start
    )
    html = render_to_string("matchmaking/_me_meetings.html", {"registration": me})
    assert "Li Zhidan" in html
    assert "14:00–14:30" in html  # in the edition's time zone
    assert "Lotus" in html


def test_organisation_include_shows_only_listed_profiles(conference):
    zgc = OrganisationFactory(name="Zhongguancun Science Park")
    listed = delegate(conference, organisation=zgc, name="Li Zhidan")
    Profile.objects.filter(registration=listed).update(
        directory_listed=True, offers="Soft landing in Beijing"
    )
    delegate(conference, organisation=zgc, name="Hidden Person")
    html = render_to_string("matchmaking/_organisation_profiles.html", {"organisation": zgc})
    assert "Soft landing in Beijing" in html
    assert "Li Zhidan" in html
    assert "Hidden Person" not in html
    assert reverse("matchmaking:person", args=[conference.slug, listed.person_id]) in html
    assert (
        render_to_string(
            "matchmaking/_organisation_profiles.html", {"organisation": OrganisationFactory()}
        ).strip()
        == ""
    )
