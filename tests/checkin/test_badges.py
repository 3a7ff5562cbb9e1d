"""Badges: the signed token, the PDF (names in both scripts, a QR code that decodes), access."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from atrium.checkin.badges import badge_issue, badge_pdf, badge_role
from atrium.checkin.models import Badge, new_badge_key
from atrium.checkin.tokens import sign_badge_key, unsign_badge_token
from atrium.registration.models import Registration
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025", name="World Conference 2025")


@pytest.fixture
def majun(conference):
    user = UserFactory(email="majun@example.org")
    organisation = OrganisationFactory(name="Zhongguancun Science Park", name_zh="中关村科技园")
    person = PersonFactory(
        user=user, name="Ma Jun", name_zh="马骏", organisation=organisation, country="CN"
    )
    registration = RegistrationFactory(
        conference=conference,
        person=person,
        type=RegistrationTypeFactory(conference=conference, code="speaker", name="Speaker"),
    )
    OrderFactory(registration=registration, reference="BJ25-MAJUN1", status="paid")
    return registration


def _text(pdf: bytes) -> list[str]:
    # fpdf2 2.8 writes the font's /Encoding as an embedded CMap stream; pypdf 7 then reads
    # the two-byte codes one byte at a time and puts a NUL before each character (the
    # /ToUnicode map itself is right). Drop the NULs; every other character must match.
    return [page.extract_text().replace("\x00", "") for page in PdfReader(io.BytesIO(pdf)).pages]


def _qr_tokens(pdf: bytes) -> list[str]:
    import zxingcpp

    tokens = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            picture = Image.open(io.BytesIO(image.data)).convert("L")
            tokens += [result.text for result in zxingcpp.read_barcodes(picture)]
    return tokens


def test_token_round_trip_and_tamper():
    key = "ABCDEFGHIJKLMNOP"
    token = sign_badge_key(key)
    assert len(token) == 41 and token.isupper()
    assert unsign_badge_token(token) == key
    assert unsign_badge_token(token.lower()) == key  # scanners may change the case
    forged = "QBCDEFGHIJKLMNOP" + token[16:]
    assert unsign_badge_token(forged) is None
    assert unsign_badge_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert unsign_badge_token("") is None
    assert unsign_badge_token("12345") is None


@pytest.mark.parametrize("layout", ["a6", "label4x3"])
def test_pdf_holds_names_in_both_scripts_and_a_qr_that_verifies(majun, layout):
    pdf = badge_pdf(registrations=[majun], layout=layout)
    (text,) = _text(pdf)
    assert "Ma Jun" in text
    assert "马骏" in text
    assert "Zhongguancun Science Park" in text
    assert "中关村科技园" in text
    assert "China" in text
    assert "SPEAKER" in text
    (token,) = _qr_tokens(pdf)
    badge = Badge.objects.get(registration=majun, revoked_at__isnull=True)
    assert unsign_badge_token(token) == badge.key
    # A6 portrait is 105 × 148 mm; the label is 4 × 3 inches, landscape.
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    if layout == "a6":
        assert (round(width), round(height)) == (298, 420)
    else:
        assert (round(width), round(height)) == (288, 216)


def test_pdf_embeds_the_cjk_font(majun):
    pdf = badge_pdf(registrations=[majun])
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/DescendantFonts"][0].get_object() for font in fonts.values()]
    assert any(
        "/FontFile2" in d["/FontDescriptor"] or "/FontFile3" in d["/FontDescriptor"]
        for d in descriptors
    )


def test_one_page_per_registration_and_same_token_without_printing(conference, majun):
    other = RegistrationFactory(conference=conference, person=PersonFactory(name="Cecile Harle"))
    pdf = badge_pdf(registrations=[majun, other])
    pages = _text(pdf)
    assert len(pages) == 2 and "Cecile Harle" in pages[1]
    first = Badge.objects.get(registration=majun)
    badge_pdf(registrations=[majun])
    assert list(Badge.objects.filter(registration=majun)) == [first]


def test_reprint_issues_a_new_token_and_revokes_the_old(majun):
    first = badge_issue(registration=majun, actor=None)
    second = badge_issue(registration=majun, actor=None, reprint=True)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert first.key != second.key


def test_print_run_reprints_a_printed_badge(majun):
    badge_pdf(registrations=[majun], printing=True)
    first = Badge.objects.get(registration=majun)
    assert first.printed_at is not None
    badge_pdf(registrations=[majun], printing=True)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Badge.objects.filter(registration=majun, revoked_at__isnull=True).count() == 1


def test_no_badge_for_an_unconfirmed_registration(majun):
    from django.core.exceptions import ValidationError

    majun.status = Registration.Status.CANCELLED
    majun.save()
    with pytest.raises(ValidationError):
        badge_pdf(registrations=[majun])
    assert not Badge.objects.exists()


def test_role_band_from_type_code(conference):
    def role(code):
        return badge_role(RegistrationFactory.build(type=RegistrationTypeFactory.build(code=code)))

    assert role("speaker").code == "speaker"
    assert role("vip").code == "vip"
    assert role("press").code == "press"
    assert role("exhibitor").code == "exhibitor"
    assert role("delegate-member").code == "delegate"
    assert role("student").code == "delegate"
    assert role("local-staff").code == "staff"


def test_missing_font_is_a_clear_error(majun):
    with (
        override_settings(ATRIUM_PDF_FONT="/nonexistent/font.ttc"),
        pytest.raises(ImproperlyConfigured, match="fonts-noto-cjk"),
    ):
        badge_pdf(registrations=[majun])


# --- views -------------------------------------------------------------------------------


def test_delegate_downloads_own_badge(client, conference, majun):
    client.force_login(majun.person.user)
    response = client.get(reverse("checkin:my-badge", args=[conference.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "马骏" in _text(response.content)[0]


def test_delegate_without_confirmed_registration_gets_404(client, conference, majun):
    majun.status = Registration.Status.PENDING
    majun.save()
    client.force_login(majun.person.user)
    assert client.get(reverse("checkin:my-badge", args=[conference.slug])).status_code == 404
    other = UserFactory(email="other@example.org")
    PersonFactory(user=other)
    client.force_login(other)
    assert client.get(reverse("checkin:my-badge", args=[conference.slug])).status_code == 404


def test_anonymous_goes_to_login(client, conference, majun):
    for url in (
        reverse("checkin:my-badge", args=[conference.slug]),
        reverse("checkin:badge", args=[conference.slug, "BJ25-MAJUN1"]),
        reverse("checkin:badges", args=[conference.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_delegate_gets_404_for_someone_elses_badge(client, conference, majun):
    other = UserFactory(email="other@example.org")
    RegistrationFactory(conference=conference, person=PersonFactory(user=other))
    client.force_login(other)
    assert (
        client.get(reverse("checkin:badge", args=[conference.slug, "BJ25-MAJUN1"])).status_code
        == 404
    )
    assert client.get(reverse("checkin:badges", args=[conference.slug])).status_code == 403
    # Their own badge is theirs, never Ma Jun's.
    response = client.get(reverse("checkin:my-badge", args=[conference.slug]))
    assert response.status_code == 200 and "马骏" not in _text(response.content)[0]


def test_organiser_prints_one_badge(client, conference, majun):
    role = ConferenceRoleFactory(conference=conference)
    client.force_login(role.user)
    url = reverse("checkin:badge", args=[conference.slug, "BJ25-MAJUN1"])
    response = client.get(url + "?layout=label4x3")
    assert response.status_code == 200 and "Ma Jun" in _text(response.content)[0]
    assert Badge.objects.get(registration=majun).printed_at is not None
    assert client.get(reverse("checkin:badge", args=[conference.slug, "NOPE"])).status_code == 404


def test_organiser_batch_by_type_skips_printed(client, conference, majun):
    delegate_type = RegistrationTypeFactory(conference=conference, code="delegate")
    RegistrationFactory(
        conference=conference, person=PersonFactory(name="Ana Lopez"), type=delegate_type
    )
    RegistrationFactory(
        conference=conference,
        person=PersonFactory(name="Pending Person"),
        type=delegate_type,
        status=Registration.Status.PENDING,
    )
    role = ConferenceRoleFactory(conference=conference)
    client.force_login(role.user)
    url = reverse("checkin:badges", args=[conference.slug])
    page = client.get(url, {"type": delegate_type.pk})
    assert page.status_code == 200 and page.context["count"] == 1
    response = client.post(url, {"type": delegate_type.pk, "printed": "no", "layout": "a6"})
    assert response["Content-Type"] == "application/pdf"
    pages = _text(response.content)
    assert len(pages) == 1 and "Ana Lopez" in pages[0]
    # Printed now: the not-yet-printed batch is empty; all confirmed ones: two.
    assert client.get(url, {"type": delegate_type.pk}).context["count"] == 0
    assert client.get(url, {"printed": "all"}).context["count"] == 2
    assert client.get(url, {"type": "nonsense"}).status_code == 400


def test_a_badge_signed_before_a_key_rotation_still_verifies(settings):
    """Rotating SECRET_KEY keeps the old key in SECRET_KEY_FALLBACKS: printed badges work."""
    key = new_badge_key()
    settings.SECRET_KEY = "the-old-secret-key-of-the-edition-0123456789"
    settings.SECRET_KEY_FALLBACKS = []
    printed = sign_badge_key(key)
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-9876543210"
    assert unsign_badge_token(printed) is None  # without the fallback it fails…
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key-of-the-edition-0123456789"]
    assert unsign_badge_token(printed) == key  # …with it, the printed badge still checks in
    assert sign_badge_key(key) != printed  # new badges are signed with the new key
    assert unsign_badge_token(sign_badge_key(key)) == key
