"""Receipts and certificates on the web: /me/ links, downloads, and who is refused."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from atrium.core.models import AuditEntry
from atrium.registration import services
from atrium.registration.models import Order
from tests.factories import (
    ConferenceFactory,
    LetterheadFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory
from tests.registration.factories_papers import CheckInFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(p.extract_text().replace("\x00", "") for p in pages).split())


@pytest.fixture
def conference():
    conference = ConferenceFactory(slug="beijing-2025", name="42nd IASP World Conference")
    RegistrationPolicyFactory(conference=conference)
    LetterheadFactory(conference=conference)
    return conference


@pytest.fixture
def rtype(conference):
    return RegistrationTypeFactory(conference=conference, price_usd=Decimal("1050"))


def _registered(conference, rtype, *, name="Person", name_zh="", pay=True):
    organisation = OrganisationFactory(name_zh="中关村科技园")
    person = PersonFactory(
        name=name, name_zh=name_zh, organisation=organisation, user=UserFactory()
    )
    registration = services.registration_submit(conference=conference, person=person, rtype=rtype)
    if pay:
        services.order_mark_paid(order=registration.order, actor=None)
        registration.refresh_from_db()
        registration.order.refresh_from_db()
    return registration


@pytest.fixture
def majun(conference, rtype):
    return _registered(conference, rtype, name="Ma Jun", name_zh="马骏")


@pytest.fixture
def other(conference, rtype):
    """Another delegate of the same edition, not paid yet."""
    return _registered(conference, rtype, name="Cecile Harle", pay=False)


def _urls(conference, registration):
    key = registration.order.reference
    return {
        "my_receipt": reverse("registration:my-receipt", args=[conference.slug]),
        "my_certificate": reverse("checkin:my-certificate", args=[conference.slug]),
        "receipt": reverse("organiser:receipt", args=[conference.slug, key]),
        "certificate": reverse("checkin:certificate", args=[conference.slug, key]),
    }


# --- the delegate --------------------------------------------------------------------------


def test_me_links_the_receipt_and_the_delegate_downloads_it(client, conference, majun):
    client.force_login(majun.person.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert "BJ25-R-0001" in me
    assert _urls(conference, majun)["my_receipt"] in me
    response = client.get(_urls(conference, majun)["my_receipt"])
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="receipt-BJ25-R-0001.pdf"' in response["Content-Disposition"]
    text = _text(response)
    assert "Ma Jun" in text and "马骏" in text and "$1,050.00 USD" in text
    entry = AuditEntry.objects.get(action="receipt.downloaded")
    assert entry.actor == majun.person.user


def test_unpaid_delegate_has_no_receipt_link_and_gets_404(client, conference, majun, other):
    client.force_login(other.person.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert "receipt.pdf" not in me and "BJ25-R-" not in me
    # Their receipt address is their own: there is no way to name Ma Jun's.
    response = client.get(_urls(conference, other)["my_receipt"])
    assert response.status_code == 404
    assert b"Ma Jun" not in response.content
    assert not AuditEntry.objects.filter(action="receipt.downloaded").exists()


def test_someone_not_registered_gets_404(client, conference, majun):
    client.force_login(UserFactory())
    urls = _urls(conference, majun)
    assert client.get(urls["my_receipt"]).status_code == 404
    assert client.get(urls["my_certificate"]).status_code == 404


def test_another_delegate_cannot_use_the_organiser_addresses(client, conference, majun, other):
    client.force_login(other.person.user)
    urls = _urls(conference, majun)
    for name in ("receipt", "certificate"):
        response = client.get(urls[name])
        assert response.status_code == 404
        assert response["Content-Type"] != "application/pdf"
    assert not AuditEntry.objects.filter(action__endswith=".downloaded").exists()


def test_anonymous_goes_to_login(client, conference, majun):
    for url in _urls(conference, majun).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_certificate_after_the_end_for_a_checked_in_delegate(client, conference, majun, clock):
    clock.move_to("2025-09-20 12:00:00")  # certificates come after the edition
    CheckInFactory(registration=majun)
    client.force_login(majun.person.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert _urls(conference, majun)["my_certificate"] in me
    response = client.get(_urls(conference, majun)["my_certificate"])
    assert response.status_code == 200
    text = _text(response)
    assert "Certificate of attendance" in text and "Ma Jun" in text and "马骏" in text
    assert AuditEntry.objects.filter(action="certificate.downloaded").count() == 1


def test_certificate_before_the_end_is_explained_not_given(client, rtype):
    soon = timezone.localdate() + dt.timedelta(days=30)
    conference = ConferenceFactory(start_date=soon, end_date=soon + dt.timedelta(days=2))
    RegistrationPolicyFactory(conference=conference)
    registration = _registered(
        conference, RegistrationTypeFactory(conference=conference), name="Ma Jun"
    )
    CheckInFactory(registration=registration)
    client.force_login(registration.person.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert "available once the conference has ended" in me
    assert _urls(conference, registration)["my_certificate"] not in me
    response = client.get(_urls(conference, registration)["my_certificate"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("registration:me")
    assert "available once the conference has ended" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.filter(action="certificate.downloaded").exists()


def test_no_check_in_no_certificate(client, conference, majun, clock):
    clock.move_to("2025-09-20 12:00:00")  # certificates come after the edition
    client.force_login(majun.person.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert "no record of your attendance" in me
    response = client.get(_urls(conference, majun)["my_certificate"], follow=True)
    assert "no record of your attendance" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_check_in_of_someone_else_gives_me_no_certificate(client, conference, majun, other):
    CheckInFactory(registration=majun)
    client.force_login(other.person.user)
    response = client.get(_urls(conference, other)["my_certificate"], follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert b"Ma Jun" not in response.content


# --- organisers and staff ------------------------------------------------------------------


def test_organiser_downloads_any_receipt_of_the_edition(client, conference, majun):
    role = ConferenceRoleFactory(conference=conference, role="organiser")
    client.force_login(role.user)
    urls = _urls(conference, majun)
    page = client.get(
        reverse("organiser:registration", args=[conference.slug, majun.order.reference])
    )
    assert urls["receipt"] in page.content.decode() and "BJ25-R-0001" in page.content.decode()
    response = client.get(urls["receipt"])
    assert response.status_code == 200 and "马骏" in _text(response)
    entry = AuditEntry.objects.get(action="receipt.downloaded")
    assert entry.actor == role.user
    # It shows in the registration's history.
    page = client.get(
        reverse("organiser:registration", args=[conference.slug, majun.order.reference])
    )
    assert "Receipt downloaded" in page.content.decode()


def test_organiser_certificate_link_once_checked_in(client, conference, majun, clock):
    clock.move_to("2025-09-20 12:00:00")  # certificates come after the edition
    role = ConferenceRoleFactory(conference=conference, role="organiser")
    client.force_login(role.user)
    urls = _urls(conference, majun)
    detail = reverse("organiser:registration", args=[conference.slug, majun.order.reference])
    assert urls["certificate"] not in client.get(detail).content.decode()
    CheckInFactory(registration=majun)
    assert urls["certificate"] in client.get(detail).content.decode()
    assert "马骏" in _text(client.get(urls["certificate"]))


def test_organiser_gets_404_for_an_unpaid_order(client, conference, other):
    role = ConferenceRoleFactory(conference=conference, role="organiser")
    client.force_login(role.user)
    assert client.get(_urls(conference, other)["receipt"]).status_code == 404


def test_organiser_of_another_edition_is_refused(client, conference, majun):
    elsewhere = ConferenceFactory(slug="nairobi-2024")
    role = ConferenceRoleFactory(conference=elsewhere, role="organiser")
    client.force_login(role.user)
    # Through this edition's address: not their edition.
    assert client.get(_urls(conference, majun)["receipt"]).status_code == 404
    # Through their own edition's address: the reference is not there.
    url = reverse("organiser:receipt", args=[elsewhere.slug, majun.order.reference])
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="receipt.downloaded").exists()


def test_checkin_staff_cannot_download_receipts(client, conference, majun):
    role = ConferenceRoleFactory(conference=conference, role="checkin")
    client.force_login(role.user)
    for name in ("receipt", "certificate"):
        assert client.get(_urls(conference, majun)[name]).status_code == 404


def test_receipt_of_a_refunded_order_stays_available(client, conference, majun):
    policy = conference.registration_policy
    policy.full_refund_until = timezone.now() + dt.timedelta(days=1)
    policy.save()
    services.registration_cancel(registration=majun, actor=None)
    assert Order.objects.get(pk=majun.order.pk).status == Order.Status.REFUNDED
    client.force_login(majun.person.user)
    response = client.get(_urls(conference, majun)["my_receipt"])
    assert response.status_code == 200 and "Refunded" in _text(response)
