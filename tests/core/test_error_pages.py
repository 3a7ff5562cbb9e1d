"""The 403 page: styled like the rest of the site and in the page's language."""

import pytest
from django.urls import reverse

from tests.factories import ConferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading", "english"),
    [("en", "You may not open this page", None), ("zh-hans", "您无权打开此页面", "Forbidden")],
)
def test_forbidden_page_is_styled_and_translated(client, language, heading, english):
    conference = ConferenceFactory(slug="beijing-2025")
    client.force_login(UserFactory())
    response = client.get(
        reverse("checkin:desk", args=[conference.slug]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert heading in html
    assert 'class="error-page"' in html
    assert "<h1>403 Forbidden</h1>" not in html
    if english:
        assert english not in html
        assert "Access denied" not in html
