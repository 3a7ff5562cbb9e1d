"""Request and upload sizes: a clear 413 instead of a bare 400 or a 500; one per-upload limit."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from atrium.core.tabular import TableError, read_table
from atrium.core.uploads import check_upload_size
from atrium.network import photos

pytestmark = pytest.mark.django_db


def test_a_form_field_over_the_memory_limit_gets_a_clear_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        reverse("accounts:login"), {"username": "a@example.org", "password": "x" * 5000}
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "too large" in page
    assert '<html lang="en"' in page  # the site's own page, not Django's bare one


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(client, settings):
    settings.ATRIUM_REQUEST_MAX_SIZE = 10_000
    upload = SimpleUploadedFile("big.csv", b"name\n" + b"x" * 20_000, content_type="text/csv")
    response = client.post(reverse("accounts:login"), {"username": "a@example.org", "file": upload})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_the_api_answers_a_body_too_large_in_json(client, settings):
    settings.ATRIUM_REQUEST_MAX_SIZE = 1000
    response = client.post(
        "/api/v1/conferences/nowhere/sessions/1/signup",
        data='{"x": "' + "y" * 5000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_body_within_the_limits_is_served(client, settings):
    settings.ATRIUM_REQUEST_MAX_SIZE = 10_000
    response = client.post(
        reverse("accounts:login"), {"username": "a@example.org", "password": "x"}
    )
    assert response.status_code == 200


# The per-upload limit -------------------------------------------------------------------


def test_check_upload_size_names_the_field_and_both_sizes(settings):
    settings.ATRIUM_UPLOAD_MAX_SIZE = 10 * 1024 * 1024
    upload = SimpleUploadedFile("a.pdf", b"x" * 3000)
    with pytest.raises(ValidationError) as caught:
        check_upload_size(upload, limit=2048, field="proof")
    message = " ".join(caught.value.message_dict["proof"])
    assert "2.9\xa0KB" in message
    assert "2.0\xa0KB" in message
    check_upload_size(upload, limit=3000, field="proof")  # exactly at the limit: fine


def test_the_setting_caps_every_upload_site(settings):
    settings.ATRIUM_UPLOAD_MAX_SIZE = 500
    upload = SimpleUploadedFile("a.pdf", b"x" * 3000)
    with pytest.raises(ValidationError) as caught:
        check_upload_size(upload, limit=5 * 1024 * 1024)
    assert "the limit is 500\xa0bytes" in caught.value.messages[0]
    with pytest.raises(TableError, match="the limit is"):
        read_table(SimpleUploadedFile("orgs.csv", b"name\n" + b"x" * 2000))

    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 30, 30)).save(buffer, "PNG")
    picture = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")
    assert picture.size > 500
    with pytest.raises(ValidationError) as caught:
        photos.photo_validate(picture)
    assert "the limit is" in " ".join(caught.value.message_dict["photo"])
