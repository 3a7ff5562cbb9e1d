"""axe-core (shipped in the axe-playwright-python wheel) finds no serious accessibility issue."""

import pytest

from atrium.events.models import Session
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/c/beijing-2025/programme/",
    "/c/beijing-2025/programme/?day=2025-09-18",
    "/c/beijing-2025/programme/all/",
    "/c/beijing-2025/speakers/",
    "/directory/",
    "/directory/?q=中关村",
    "/c/no-such-edition/",
]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_have_no_serious_violations(demo, open_page, language):
    session = Session.objects.filter(conference__slug="beijing-2025").order_by("start").first()
    pages = [
        *PAGES,
        f"/c/beijing-2025/sessions/{session.pk}/",
        "/directory/zhongguancun-science-park/",
    ]
    problems = {}
    for path in pages:
        for viewport in (DESKTOP, PHONE):
            page = open_page(path, viewport=viewport, language=language)
            found = serious_violations(page)
            if found:
                problems[f"{path} @ {viewport['width']}px"] = found
            page.close()
    assert problems == {}
