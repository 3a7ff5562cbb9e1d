"""B2B on site in real Chromium, in English and in Chinese, on the demo edition: an
organiser moves one of Cecile Harle's meetings (and a move into a clash is refused with
nothing changed), marks a delegate absent, and runs the scheduler incrementally for a
late request without moving any published meeting. Screenshots under
test-artifacts/screenshots/b2b-onsite-*.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from atrium.events.models import Conference
from atrium.matchmaking import scheduling, services
from atrium.matchmaking.forms import slot_value
from atrium.matchmaking.models import Meeting, MeetingRequest
from atrium.registration.models import Registration
from tests.browser.conftest import screenshot
from tests.browser.test_b2b import b2b_demo, logged_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANISER = "/c/beijing-2025/organiser/b2b/"
LANGUAGES = ["en", "zh-hans"]


def _conference():
    return Conference.objects.get(slug="beijing-2025")


def _cecile_meeting() -> Meeting:
    return (
        Meeting.objects.filter(
            status=Meeting.Status.ACTIVE,
            published_at__isnull=False,
            participants__registration__person__user__username="delegate@example.org",
        )
        .select_related("block__session")
        .order_by("start")
        .first()
    )


def _free_place(meeting: Meeting):
    """A (block, slot index, table) where the meeting may go: table free, everyone free."""
    blocks, _warnings = scheduling.active_blocks(_conference())
    people = [p.registration for p in meeting.participants.select_related("registration__person")]
    for block in blocks:
        for index, (start, end) in enumerate(block.slots()):
            if start == meeting.start:
                continue
            if any(services.busy_reason(r, start, end, exclude_meeting=meeting.pk) for r in people):
                continue
            taken = set(
                Meeting.objects.filter(
                    block=block, start=start, status=Meeting.Status.ACTIVE
                ).values_list("table", flat=True)
            )
            for table in range(1, block.table_count + 1):
                if table not in taken:
                    return block, index, table
    raise AssertionError("no free place in the demo")


def _taken_place(meeting: Meeting):
    """(block, slot index, table) of another meeting's table, in a slot where the meeting's
    people are free: refused only because the table is taken."""
    blocks, _warnings = scheduling.active_blocks(_conference())
    people = [p.registration for p in meeting.participants.all()]
    for block in blocks:
        for index, (start, end) in enumerate(block.slots()):
            if any(services.busy_reason(r, start, end, exclude_meeting=meeting.pk) for r in people):
                continue
            other = (
                Meeting.objects.filter(block=block, start=start, status=Meeting.Status.ACTIVE)
                .exclude(pk=meeting.pk)
                .first()
            )
            if other is not None:
                return block, index, other.table
    raise AssertionError("no taken table in the demo")


def _places():
    return sorted(
        Meeting.objects.filter(published_at__isnull=False).values_list(
            "pk", "block_id", "start", "table", "sequence"
        )
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_organiser_moves_a_meeting(b2b_demo, logged_in, language):  # noqa: F811
    meeting = _cecile_meeting()
    page = logged_in("organiser", f"{ORGANISER}meetings/?q=Harle", language=language)
    expect(page.locator(f"#meeting-{meeting.pk}")).to_be_visible()
    screenshot(page, f"b2b-onsite-meetings-{language}")
    page.locator(f"#meeting-{meeting.pk} a").click()
    expect(page.get_by_test_id("meeting-place")).to_contain_text(meeting.table_name)

    # Into a clash first: refused, with the reason on the field, nothing changed.
    block, index, table = _taken_place(meeting)
    before = _places()
    page.select_option("#id_slot", slot_value(block, index))
    page.select_option("#id_table", str(table))
    page.locator(".b2b-move-form button[type=submit]").click()
    error = page.locator(".b2b-move-form .errorlist")
    expect(error).to_contain_text(
        "is taken in that slot" if language == "en" else "在该时段已被占用"
    )
    screenshot(page, f"b2b-onsite-move-clash-{language}")
    assert _places() == before

    # Then to a free place.
    block, index, table = _free_place(meeting)
    page.select_option("#id_slot", slot_value(block, index))
    page.select_option("#id_table", str(table))
    page.locator(".b2b-move-form button[type=submit]").click()
    meeting.refresh_from_db()
    assert (meeting.block_id, meeting.table) == (block.pk, table)
    assert meeting.start == block.slots()[index][0]
    expect(page.get_by_test_id("meeting-place")).to_contain_text(meeting.table_name)
    expect(page.locator(".notices .notice--success")).to_be_visible()
    screenshot(page, f"b2b-onsite-moved-{language}")

    # A second organiser's stale form (the version from before the move) changes nothing.
    stale = logged_in("organiser", f"{ORGANISER}meetings/{meeting.pk}/", language=language)
    stale.evaluate(
        "v => document.querySelector('.b2b-move-form input[name=version]').value = v",
        "2000-01-01T00:00:00+00:00",
    )
    before = _places()
    stale.select_option("#id_slot", slot_value(*_free_place(meeting)[:2]))
    stale.locator(".b2b-move-form button[type=submit]").click()
    expect(stale.locator("body")).to_contain_text(
        "Someone else changed this meeting" if language == "en" else "其他人修改了该洽谈"
    )
    screenshot(stale, f"b2b-onsite-move-stale-{language}")
    assert _places() == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_organiser_marks_a_delegate_absent(b2b_demo, logged_in, language):  # noqa: F811
    conference = _conference()
    meeting = (
        Meeting.objects.filter(conference=conference, published_at__isnull=False)
        .order_by("start", "table")
        .first()
    )
    absent = meeting.participants.get(is_colleague=False, side="recipient").registration
    later = Meeting.objects.filter(
        status=Meeting.Status.ACTIVE,
        published_at__isnull=False,
        participants__registration=absent,
    ).count()
    page = logged_in("organiser", f"{ORGANISER}absences/", language=language)
    page.select_option("#id_registration", str(absent.pk))
    since = meeting.start.astimezone(conference.tz).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_since", since)
    page.fill("#id_note", "Flight delayed / 航班延误")
    page.locator(".b2b-absence-form button[type=submit]").click()
    expect(page.locator(f"#absence-{absent.pk}")).to_contain_text("航班延误")
    screenshot(page, f"b2b-onsite-absence-{language}")
    assert later > 0
    assert not Meeting.objects.filter(
        status=Meeting.Status.ACTIVE,
        published_at__isnull=False,
        start__gte=meeting.start,
        participants__registration=absent,
        participants__is_colleague=False,
    ).exists()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_incremental_run_places_a_late_request_and_moves_nothing(
    b2b_demo,  # noqa: F811
    logged_in,  # noqa: F811
    language,
    monkeypatch,
):
    conference = _conference()
    blocks, _warnings = scheduling.active_blocks(conference)
    # On site: the first B2B block is under way, the later ones are still to come.
    first_start, _end = blocks[0].slots()[0]
    monkeypatch.setattr(scheduling, "now", lambda: first_start + timedelta(minutes=5))
    # A late request between two delegates with room left, accepted during the event.
    busy = {
        p.registration_id
        for m in Meeting.objects.filter(status=Meeting.Status.ACTIVE).prefetch_related(
            "participants"
        )
        for p in m.participants.all()
    }
    free = list(
        Registration.objects.filter(
            conference=conference, status=Registration.Status.CONFIRMED, b2b_profile__is_active=True
        )
        .exclude(pk__in=busy)
        .select_related("person__organisation")
        .order_by("pk")
    )
    a = free[0]
    b = next(r for r in free[1:] if r.person.organisation_id != a.person.organisation_id)
    request = services.request_create(requester=a, recipient=b, message="late")
    late = services.request_accept(request=request, by=b)
    assert MeetingRequest.objects.get(pk=request.pk).status == "accepted"
    before = _places()

    page = logged_in("organiser", ORGANISER, language=language)
    page.get_by_test_id("incremental-run").click()
    panel = page.locator("#run-panel")
    expect(panel.locator(".b2b-run-status--done")).to_be_visible(timeout=30_000)
    screenshot(page, f"b2b-onsite-incremental-run-{language}")
    panel.locator("form[action$='/publish/'] button").click()
    expect(page.locator("#run-panel")).to_contain_text(re.compile(r"\d"))
    screenshot(page, f"b2b-onsite-incremental-published-{language}")

    late.refresh_from_db()
    assert late.is_published
    assert late.start > first_start  # not in the slot under way
    after = {row[0]: row for row in _places()}
    for row in before:
        assert after[row[0]] == row  # not one published meeting moved
