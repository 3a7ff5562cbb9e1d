"""Fixtures for the whole suite."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_of_the_site():
    """Every test starts and ends in the site's language.

    The locale middleware activates the request's language in the thread and leaves it
    there; without this, a test that fetched a Chinese page would hand Chinese to the next.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads and generated files of every test go to its own folder, never to media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
