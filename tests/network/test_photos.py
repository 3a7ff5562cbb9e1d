"""A person's photo for check-in: checked by content, normalised, private, shown at the desk."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from atrium.checkin.badges import badge_issue
from atrium.checkin.tokens import sign_badge_key
from atrium.core.models import AuditEntry
from atrium.network import photos
from atrium.network.models import Person
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory, OrderFactory

pytestmark = pytest.mark.django_db


def picture(
    size=(600, 400), *, fmt="JPEG", mode="RGB", color=(200, 30, 30), name="me.jpg", exif=None
):
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def stored(person: Person) -> Image.Image:
    person.refresh_from_db()
    with person.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


@pytest.fixture
def delegate():
    user = UserFactory(email="cecile@example.org")
    person = PersonFactory(name="Cecile Harle", user=user)
    return person


# --- validation and normalising -----------------------------------------------------------


def _error(upload) -> str:
    with pytest.raises(ValidationError) as caught:
        photos.photo_validate(upload)
    return " ".join(caught.value.message_dict["photo"])


def test_not_an_image_is_refused_whatever_its_name():
    upload = SimpleUploadedFile("me.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    assert "not a picture" in _error(upload)
    gif = picture(fmt="GIF", mode="P", color=1, name="me.png")
    assert "JPEG, PNG or WebP" in _error(gif)


def test_too_small_is_refused_with_its_size():
    assert "at least 200 × 200 pixels; this one is 300 × 150" in _error(picture((300, 150)))


def test_too_big_is_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    assert "the limit is 1000\xa0bytes" in _error(picture())
    # A file without a size (read from a stream) is measured while reading.
    stream = io.BytesIO(picture().read())
    assert "larger than 1000\xa0bytes" in _error(stream)


def test_png_with_alpha_becomes_a_400_square_jpeg_without_metadata(delegate):
    upload = picture((500, 300), fmt="PNG", mode="RGBA", color=(0, 0, 255, 0), name="x.png")
    photos.person_photo_set(person=delegate, upload=upload, actor=delegate.user)
    image = stored(delegate)
    assert image.format == "JPEG" and image.size == (400, 400) and image.mode == "RGB"
    # Transparent pixels turn white, not black.
    assert min(image.getpixel((200, 200))) > 240
    assert not image.getexif() and "icc_profile" not in image.info
    assert delegate.photo.name.startswith("private/photos/")
    assert len(delegate.photo.name.rsplit("/", 1)[1]) == len(uuid.uuid4().hex) + 4
    entry = AuditEntry.objects.get(action="person.photo_set")
    assert entry.object_id == str(delegate.pk) and entry.actor == delegate.user


def test_webp_is_accepted(delegate):
    upload = picture((300, 300), fmt="WEBP", name="me.webp")
    photos.person_photo_set(person=delegate, upload=upload, actor=None)
    assert stored(delegate).size == (400, 400)


def test_exif_orientation_is_applied_and_the_centre_square_kept(delegate):
    # Stored 400 wide × 200 high: top half red, bottom half blue; EXIF says "turn 90° right",
    # so upright it is 200 × 400 with red on the right.
    image = Image.new("RGB", (400, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 400, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera maker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    upload = SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
    photos.person_photo_set(person=delegate, upload=upload, actor=None)
    result = stored(delegate)
    left, right = result.getpixel((60, 200)), result.getpixel((340, 200))
    assert left[2] > 200 and left[0] < 60, left  # blue
    assert right[0] > 200 and right[2] < 60, right  # red
    assert not result.getexif()


def test_replacing_deletes_the_old_file_after_commit(delegate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photos.person_photo_set(person=delegate, upload=picture(), actor=None)
    first = delegate.photo.name
    storage = delegate.photo.storage
    assert storage.exists(first)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photos.person_photo_set(person=delegate, upload=picture(color=(0, 200, 0)), actor=None)
    second = delegate.photo.name
    assert second != first
    # Not before the commit: a rolled-back change must still find its file.
    assert storage.exists(first) and storage.exists(second)
    for callback in callbacks:
        callback()
    assert not storage.exists(first) and storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        photos.person_photo_remove(person=delegate, actor=None)
    delegate.refresh_from_db()
    assert not delegate.photo and not storage.exists(second)
    assert AuditEntry.objects.filter(action="person.photo_removed").count() == 1


def test_a_refused_upload_keeps_the_old_photo(delegate):
    photos.person_photo_set(person=delegate, upload=picture(), actor=None)
    first = delegate.photo.name
    with pytest.raises(ValidationError):
        photos.person_photo_set(person=delegate, upload=picture((100, 100)), actor=None)
    delegate.refresh_from_db()
    assert delegate.photo.name == first and delegate.photo.storage.exists(first)


# --- the delegate's form on /me/ -------------------------------------------------------------


def test_me_page_upload_replace_and_remove(client, delegate):
    client.force_login(delegate.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert "Photo for check-in" in me and 'enctype="multipart/form-data"' in me
    url = reverse("network:my-photo")
    response = client.post(url, {"photo": picture()})
    assert response.status_code == 302 and response["Location"].endswith("/me/#photo")
    delegate.refresh_from_db()
    assert delegate.photo
    me = client.get(reverse("registration:me")).content.decode()
    assert delegate.photo_url in me and 'alt="Cecile Harle"' in me
    response = client.post(url, {"photo": picture((120, 120))})
    assert response.status_code == 400
    assert "at least 200 × 200 pixels" in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400 and "Choose a picture" in response.content.decode()
    response = client.post(url, {"remove": "1"})
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert not delegate.photo


def test_photo_form_needs_login_and_csrf(client, delegate):
    url = reverse("network:my-photo")
    response = client.post(url, {"photo": picture()})
    assert response.status_code == 302 and "login" in response["Location"]
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(delegate.user)
    assert strict.post(url, {"photo": picture()}).status_code == 403
    delegate.refresh_from_db()
    assert not delegate.photo


# --- who may see it ---------------------------------------------------------------------------


@pytest.fixture
def registered(delegate):
    today = timezone.localdate()  # an edition on now: staff see the photos of its delegates
    conference = ConferenceFactory(
        slug="beijing-2025",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    registration = RegistrationFactory(
        conference=conference,
        person=delegate,
        type=RegistrationTypeFactory(conference=conference, code="delegate", name="Delegate"),
    )
    OrderFactory(registration=registration, reference="BJ25-CH1", status="paid")
    photos.person_photo_set(person=delegate, upload=picture(), actor=None)
    return registration


def test_photo_view_permissions(client, delegate, registered):
    conference = registered.conference
    url = reverse("network:person-photo", args=[delegate.slug])
    assert client.get(url).status_code == 404  # anonymous
    allowed = [
        delegate.user,
        ConferenceRoleFactory(conference=conference, role="organiser").user,
        ConferenceRoleFactory(conference=conference, role="checkin").user,
        UserFactory(is_superuser=True, is_staff=True),
    ]
    for user in allowed:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"].startswith("private")
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    other = ConferenceFactory(slug="nairobi-2024")
    refused = [
        PersonFactory(user=UserFactory()).user,  # another delegate
        RegistrationFactory(
            conference=conference, person=PersonFactory(user=UserFactory())
        ).person.user,  # another delegate of the same edition
        ConferenceRoleFactory(conference=other, role="organiser").user,
        ConferenceRoleFactory(conference=other, role="checkin").user,
        UserFactory(is_staff=True),  # staff without network.change_person
    ]
    for user in refused:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    # Nobody learns whether a person without a photo exists.
    client.force_login(delegate.user)
    assert client.get(reverse("network:person-photo", args=["nobody"])).status_code == 404


def _staff_of(conference):
    return [
        ConferenceRoleFactory(conference=conference, role="organiser").user,
        ConferenceRoleFactory(conference=conference, role="checkin").user,
    ]


@pytest.mark.parametrize("status", ["cancelled", "rejected"])
def test_staff_no_longer_see_the_photo_of_a_cancelled_or_rejected_registration(
    client, delegate, registered, status
):
    url = reverse("network:person-photo", args=[delegate.slug])
    staff = _staff_of(registered.conference)
    client.force_login(staff[1])
    assert client.get(url).status_code == 200
    registered.status = status
    registered.save()
    for user in staff:
        client.force_login(user)
        assert client.get(url).status_code == 404, (status, user)
    client.force_login(delegate.user)
    assert client.get(url).status_code == 200


def test_staff_no_longer_see_photos_some_days_after_the_edition(
    client, delegate, registered, settings
):
    settings.ATRIUM_PHOTO_VISIBLE_DAYS = 30
    url = reverse("network:person-photo", args=[delegate.slug])
    conference = registered.conference
    staff = _staff_of(conference)
    today = timezone.localdate()
    conference.start_date = today - timedelta(days=33)
    conference.end_date = today - timedelta(days=30)
    conference.save()
    for user in staff:
        client.force_login(user)
        assert client.get(url).status_code == 200, user  # ended 30 days ago: still shown
    conference.start_date -= timedelta(days=1)
    conference.end_date -= timedelta(days=1)
    conference.save()
    for user in staff:
        client.force_login(user)
        assert client.get(url).status_code == 404, user  # ended 31 days ago
    client.force_login(delegate.user)
    assert client.get(url).status_code == 200
    settings.ATRIUM_PHOTO_VISIBLE_DAYS = 60
    client.force_login(staff[1])
    assert client.get(url).status_code == 200


def test_the_file_is_not_under_a_public_media_address(delegate, registered):
    assert not delegate.photo_url.startswith("/media/")
    assert delegate.photo_url.startswith(f"/people/{delegate.slug}/photo.jpg?v=")


# --- the check-in desk ------------------------------------------------------------------------


def test_checkin_result_shows_the_photo(client, delegate, registered):
    conference = registered.conference
    staff = ConferenceRoleFactory(conference=conference, role="checkin").user
    client.force_login(staff)
    token = sign_badge_key(badge_issue(registration=registered, actor=None).key)
    data = {"action": "scan", "token": token, "client_id": str(uuid.uuid4())}
    response = client.post(reverse("checkin:submit", args=[conference.slug]), data)
    assert response.status_code == 200
    html = response.json()["html"]
    assert f'src="{delegate.photo_url}"' in html and 'alt="Cecile Harle"' in html
    page = client.post(reverse("checkin:desk", args=[conference.slug]), data)
    assert delegate.photo_url in page.content.decode()
    found = client.get(reverse("checkin:desk", args=[conference.slug]), {"q": "cecile"})
    assert f'src="{delegate.photo_url}"' in found.content.decode()
    # The address works for the staff member who saw it.
    assert client.get(delegate.photo_url).status_code == 200


def test_checkin_result_without_photo_has_no_img(client, registered):
    photos.person_photo_remove(person=registered.person, actor=None)
    conference = registered.conference
    client.force_login(ConferenceRoleFactory(conference=conference, role="checkin").user)
    token = sign_badge_key(badge_issue(registration=registered, actor=None).key)
    data = {"action": "scan", "token": token, "client_id": str(uuid.uuid4())}
    html = client.post(reverse("checkin:submit", args=[conference.slug]), data).json()["html"]
    assert "checkin-result__photo" not in html and "Cecile Harle" in html


def test_photo_costs_no_extra_query_per_scan(
    client, delegate, registered, django_assert_max_num_queries
):
    """The photo is a column of the person the result already loads."""
    conference = registered.conference
    client.force_login(ConferenceRoleFactory(conference=conference, role="checkin").user)
    url = reverse("checkin:submit", args=[conference.slug])
    token = sign_badge_key(badge_issue(registration=registered, actor=None).key)

    def scan():
        data = {"action": "scan", "token": token, "client_id": str(uuid.uuid4())}
        return client.post(url, data).json()["html"]

    scan()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as with_photo:
        assert delegate.photo_url in scan()
    photos.person_photo_remove(person=delegate, actor=None)
    with CaptureQueriesContext(connection) as without_photo:
        assert "checkin-result__photo" not in scan()
    assert len(with_photo.captured_queries) == len(without_photo.captured_queries)


# --- admin ------------------------------------------------------------------------------------


def test_admin_uploads_through_the_same_checks(client, delegate):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:network_person_change", args=[delegate.pk])
    page = client.get(url)
    assert page.status_code == 200 and "upload_photo" in page.content.decode()
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None and key != "upload_photo"
    }
    data["organisation"] = delegate.organisation_id
    data["user"] = delegate.user_id
    response = client.post(url, {**data, "upload_photo": picture((150, 150))})
    assert response.status_code == 200
    assert "at least 200 × 200 pixels" in response.content.decode()
    response = client.post(url, {**data, "upload_photo": picture()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    delegate.refresh_from_db()
    assert stored(delegate).size == (400, 400)
    assert delegate.photo_url in client.get(url).content.decode()
    response = client.post(url, {**data, "remove_photo": "on"})
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert not delegate.photo
