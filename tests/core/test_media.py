"""In debug, uploads are served for convenience, but never what lies under private/."""

import importlib

import pytest
from django.urls import clear_url_caches


@pytest.fixture
def debug_urls(settings, tmp_path):
    import atrium.urls

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    importlib.reload(atrium.urls)
    clear_url_caches()
    yield tmp_path
    settings.DEBUG = False
    importlib.reload(atrium.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_debug_serves_public_uploads_but_not_private_ones(client, debug_urls):
    (debug_urls / "public.txt").write_text("hello")
    (debug_urls / "private" / "photos").mkdir(parents=True)
    (debug_urls / "private" / "photos" / "someone.jpg").write_bytes(b"\xff\xd8 not for you")
    assert client.get("/media/public.txt").status_code == 200
    assert client.get("/media/private/photos/someone.jpg").status_code == 404
    assert client.get("/media/./private/photos/someone.jpg").status_code == 404


@pytest.mark.django_db
def test_production_serves_no_uploads(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "public.txt").write_text("hello")
    assert client.get("/media/public.txt").status_code == 404


@pytest.mark.django_db
def test_debug_refuses_tricks_around_private(client, debug_urls):
    (debug_urls / "private").mkdir()
    (debug_urls / "private" / "x.pdf").write_bytes(b"%PDF secret")
    for path in ("private/x.pdf", "a/../private/x.pdf", "private", "./private/x.pdf"):
        assert client.get(f"/media/{path}").status_code == 404, path


@pytest.mark.django_db
def test_favicon_redirects_to_the_static_icon_without_a_csrf_cookie(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("atrium/favicon.svg")
    assert "csrftoken" not in response.cookies
