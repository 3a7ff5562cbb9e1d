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


# The test editions (the factories' and the demo's Beijing 2025) run 16-18 September 2025.
# Windows close when an edition is over (registration, seat sign-ups, meeting requests),
# so every test runs with the clock a month before, moving on as usual. A test about the
# real date or about an edition long past says so with ``@pytest.mark.real_clock``.
BEFORE_THE_EDITIONS = "2025-08-16 01:00:00"


@pytest.fixture(autouse=True)
def _clock_before_the_editions(request):
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    from django.urls import get_resolver
    from freezegun import freeze_time

    # Every module is imported on the real clock first: pydantic (the API's schemas)
    # cannot describe freezegun's fake date class.
    get_resolver().url_patterns  # noqa: B018
    with freeze_time(BEFORE_THE_EDITIONS, tick=True) as clock:
        yield clock


@pytest.fixture
def clock(_clock_before_the_editions):
    """The tests' frozen clock (``clock.move_to("2025-09-20")`` to go after the edition)."""
    return _clock_before_the_editions
