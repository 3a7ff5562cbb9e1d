"""Visa-letter pages: the delegate's own request only, the organisers' queue, access, logs."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from atrium.core.models import AuditEntry
from atrium.events.models import ConferenceRole
from atrium.visas.models import VisaLetterRequest
from tests.factories import (
    ConferenceFactory,
    LetterheadFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory, OrderFactory
from tests.visas.factories import VisaLetterRequestFactory

pytestmark = pytest.mark.django_db

Status = VisaLetterRequest.Status

FORM = {
    "passport_name": "Cecile Marie HARLE",
    "nationality": "FR",
    "date_of_birth": "1968-05-17",
    "passport_number": "19FR27384",
    "passport_expiry": "2030-03-09",
    "entry_date": "2025-09-14",
    "exit_date": "2025-09-20",
    "consulate_city": "Marseille",
}


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025")
    LetterheadFactory(conference=conference)
    return conference


def _delegate(conference, email: str, name: str):
    user = UserFactory(email=email)
    person = PersonFactory(user=user, name=name, email=email, country="FR")
    registration = RegistrationFactory(conference=conference, person=person)
    OrderFactory(registration=registration, reference=f"BJ25-{name[:4].upper()}1")
    return user, registration


@pytest.fixture
def cecile(conference):
    return _delegate(conference, "cecile@example.org", "Cecile Harle")


@pytest.fixture
def other(conference):
    return _delegate(conference, "jonas@example.org", "Jonas Berg")


@pytest.fixture
def organiser(conference):
    return ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.ORGANISER).user


@pytest.fixture
def approved(cecile, organiser):
    from atrium.visas.services import visa_request_approve

    _user, registration = cecile
    visa_request = VisaLetterRequestFactory(registration=registration)
    return visa_request_approve(visa_request=visa_request, actor=organiser)


def url(name, conference, *args):
    return reverse(f"visa:{name}", args=[conference.slug, *args])


def login(client, user):
    client.force_login(user)
    return client


# --- the delegate -------------------------------------------------------------------------


def test_the_delegate_asks_and_sees_the_status(client, conference, cecile):
    user, registration = cecile
    login(client, user)
    page = client.get(url("mine", conference))
    assert page.status_code == 200
    assert 'value="Cecile Harle"' in page.content.decode()  # the form starts from the profile
    response = client.post(url("mine", conference), FORM)
    assert response.status_code == 302
    visa_request = VisaLetterRequest.objects.get(registration=registration)
    assert visa_request.passport().passport_number == "19FR27384"
    page = client.get(url("mine", conference)).content.decode()
    assert "Waiting for review" in page
    assert "19FR27384" in page  # the owner sees their own data
    assert "Send my request" not in page  # one open request: no second form
    again = client.post(url("mine", conference), FORM, follow=True)  # e.g. a second tab
    assert "You have asked for a visa letter already" in again.content.decode()
    assert VisaLetterRequest.objects.filter(registration=registration).count() == 1


def test_bad_input_comes_back_next_to_its_field(client, conference, cecile):
    user, _registration = cecile
    login(client, user)
    response = client.post(url("mine", conference), {**FORM, "passport_expiry": "2026-01-01"})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["passport_expiry"]
    assert "6 months after your exit date" in response.content.decode()
    assert 'value="19FR27384"' in response.content.decode()  # nothing typed is lost
    assert not VisaLetterRequest.objects.exists()


def test_correct_when_asked(client, conference, cecile, organiser):
    from atrium.visas.services import visa_request_ask_correction

    user, registration = cecile
    visa_request = VisaLetterRequestFactory(registration=registration)
    visa_request_ask_correction(visa_request=visa_request, actor=organiser, note="Middle name?")
    login(client, user)
    page = client.get(url("mine", conference)).content.decode()
    assert "Middle name?" in page
    form_page = client.get(url("correct", conference, visa_request.pk))
    assert form_page.status_code == 200
    assert 'value="19FR27384"' in form_page.content.decode()
    response = client.post(
        url("correct", conference, visa_request.pk),
        {**FORM, "passport_name": "Cecile Marie Jeanne HARLE"},
    )
    assert response.status_code == 302
    visa_request.refresh_from_db()
    assert visa_request.status == Status.REQUESTED
    assert visa_request.passport().passport_name == "Cecile Marie Jeanne HARLE"


def test_download_and_withdraw(client, conference, cecile, approved):
    user, _registration = cecile
    login(client, user)
    page = client.get(url("mine", conference)).content.decode()
    assert "BJ25-VL-0001" in page
    assert url("letter", conference, approved.pk) in page
    response = client.get(url("letter", conference, approved.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get(action="visa.letter_downloaded")
    assert entry.actor == user
    assert client.post(url("withdraw", conference, approved.pk)).status_code == 302
    approved.refresh_from_db()
    assert approved.status == Status.WITHDRAWN
    assert client.get(url("letter", conference, approved.pk)).status_code == 404


def test_another_delegate_gets_404_for_someone_elses_request(
    client, conference, cecile, other, approved
):
    other_user, _registration = other
    login(client, other_user)
    for name in ("letter", "correct"):
        assert client.get(url(name, conference, approved.pk)).status_code == 404
    assert client.post(url("correct", conference, approved.pk), FORM).status_code == 404
    assert client.post(url("withdraw", conference, approved.pk)).status_code == 404
    page = client.get(url("mine", conference)).content.decode()
    assert "19FR27384" not in page and "BJ25-VL-0001" not in page
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert not AuditEntry.objects.filter(action="visa.letter_downloaded").exists()


def test_not_registered_is_404_and_anonymous_logs_in(client, conference, approved):
    assert client.get(url("mine", conference)).status_code == 302
    assert client.get(url("letter", conference, approved.pk)).status_code == 302
    login(client, UserFactory())
    assert client.get(url("mine", conference)).status_code == 404


def test_my_conference_links_to_the_visa_page(client, conference, cecile):
    login(client, cecile[0])
    assert url("mine", conference) in client.get(reverse("registration:me")).content.decode()


# --- the organisers -----------------------------------------------------------------------


def test_queue_with_counts_and_status_filter(client, conference, cecile, other, organiser):
    VisaLetterRequestFactory(registration=cecile[1])
    VisaLetterRequestFactory(registration=other[1], status=Status.NEEDS_CORRECTION)
    login(client, organiser)
    page = client.get(url("organiser-list", conference))
    assert page.status_code == 200
    statuses = {value: count for value, _label, count in page.context["statuses"]}
    assert statuses["requested"] == 1 and statuses["needs_correction"] == 1
    names = [r.registration.person.name for r in page.context["page"].object_list]
    assert sorted(names) == ["Cecile Harle", "Jonas Berg"]
    filtered = client.get(url("organiser-list", conference), {"status": "needs_correction"})
    assert [r.registration.person.name for r in filtered.context["page"].object_list] == [
        "Jonas Berg"
    ]
    assert "19FR27384" not in page.content.decode()  # no passport data in the list


def test_detail_shows_the_passport_and_logs_the_look(client, conference, cecile, organiser):
    visa_request = VisaLetterRequestFactory(registration=cecile[1])
    login(client, organiser)
    page = client.get(url("organiser-detail", conference, visa_request.pk))
    assert page.status_code == 200
    assert "19FR27384" in page.content.decode()
    entry = AuditEntry.objects.get(action="visa.passport_viewed")
    assert (entry.actor, entry.object_id) == (organiser, str(visa_request.pk))


def test_organiser_approves_through_the_view(
    client, conference, cecile, organiser, django_capture_on_commit_callbacks
):
    visa_request = VisaLetterRequestFactory(registration=cecile[1])
    login(client, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("organiser-approve", conference, visa_request.pk))
    assert response.status_code == 302
    visa_request.refresh_from_db()
    assert (visa_request.status, visa_request.letter_number) == (Status.APPROVED, "BJ25-VL-0001")
    assert mail.outbox[-1].to == ["cecile@example.org"]
    letter = client.get(url("organiser-letter", conference, visa_request.pk))
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert AuditEntry.objects.get(action="visa.letter_downloaded").actor == organiser


def test_organiser_refuses_only_with_a_reason(client, conference, cecile, organiser):
    visa_request = VisaLetterRequestFactory(registration=cecile[1])
    login(client, organiser)
    response = client.post(url("organiser-refuse", conference, visa_request.pk), {"reason": ""})
    assert response.status_code == 400
    assert "Give the delegate a reason." in response.content.decode()
    visa_request.refresh_from_db()
    assert visa_request.status == Status.REQUESTED
    response = client.post(
        url("organiser-refuse", conference, visa_request.pk), {"reason": "Not a delegate."}
    )
    assert response.status_code == 302
    visa_request.refresh_from_db()
    assert (visa_request.status, visa_request.note) == (Status.REFUSED, "Not a delegate.")


def test_organiser_asks_for_a_correction(client, conference, cecile, organiser):
    visa_request = VisaLetterRequestFactory(registration=cecile[1])
    login(client, organiser)
    response = client.post(
        url("organiser-correction", conference, visa_request.pk), {"note": "Check the dates."}
    )
    assert response.status_code == 302
    visa_request.refresh_from_db()
    assert (visa_request.status, visa_request.note) == (
        Status.NEEDS_CORRECTION,
        "Check the dates.",
    )


@pytest.mark.parametrize("role", [ConferenceRole.Role.CHECKIN, ConferenceRole.Role.REVIEWER])
def test_checkin_staff_and_reviewers_have_no_access(client, conference, approved, role):
    staff = ConferenceRoleFactory(conference=conference, role=role).user
    login(client, staff)
    for name in ("organiser-list",):
        assert client.get(url(name, conference)).status_code == 403
    # One person's request and letter: not even their existence shows.
    for name in ("organiser-detail", "organiser-letter"):
        assert client.get(url(name, conference, approved.pk)).status_code == 404
    for name in ("organiser-approve", "organiser-refuse", "organiser-correction"):
        assert client.post(url(name, conference, approved.pk), {"reason": "x"}).status_code == 404
    assert not AuditEntry.objects.filter(
        action__in=["visa.passport_viewed", "visa.letter_downloaded"]
    ).exists()


def test_an_organiser_of_another_edition_sees_nothing_here(client, conference, approved):
    elsewhere = ConferenceFactory()
    organiser = ConferenceRoleFactory(conference=elsewhere).user
    login(client, organiser)
    assert client.get(url("organiser-detail", conference, approved.pk)).status_code == 404
    # Under their own edition's address, this edition's request does not exist.
    assert client.get(url("organiser-detail", elsewhere, approved.pk)).status_code == 404
    assert client.get(url("organiser-letter", elsewhere, approved.pk)).status_code == 404


def test_the_demo_has_an_issued_letter_for_the_demo_delegate(client):
    from django.contrib.auth import get_user_model

    from atrium.demo.loader import load_demo
    from atrium.demo.registration import DELEGATE_LOGIN
    from atrium.visas.services import visa_details_clean

    load_demo()
    load_demo()  # idempotent
    requests = VisaLetterRequest.objects.filter(conference__slug="beijing-2025")
    assert sorted(requests.values_list("status", flat=True)) == [
        "approved",
        "needs_correction",
        "requested",
    ]
    mine = requests.get(registration__person__user__username=DELEGATE_LOGIN)
    assert mine.letter_number == "BJ25-VL-0001"
    login(client, get_user_model().objects.get(username=DELEGATE_LOGIN))
    letter = client.get(reverse("visa:letter", args=["beijing-2025", mine.pk]))
    assert letter.status_code == 200
    # The demo's data keeps the rules the delegates' forms enforce.
    for visa_request in requests.select_related("conference"):
        visa_details_clean(
            conference=visa_request.conference,
            passport=visa_request.passport(),
            entry_date=visa_request.entry_date,
            exit_date=visa_request.exit_date,
            consulate_city=visa_request.consulate_city,
        )
