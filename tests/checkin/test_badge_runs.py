"""Badge print runs (a background task per large batch) and the edition's badge layout."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from atrium.checkin import badges
from atrium.checkin.badges import (
    badge_issue,
    badge_layout_set,
    badge_pdf,
    badge_print_run_start,
    badge_selection,
)
from atrium.checkin.models import Badge, BadgePrintRun
from atrium.checkin.tokens import sign_badge_key, unsign_badge_token
from atrium.core.models import AuditEntry
from atrium.events.models import ConferenceRole
from atrium.registration.models import Registration
from tests.checkin.test_badges import _qr_tokens, _text
from tests.factories import (
    ConferenceFactory,
    DelegationFactory,
    PersonFactory,
    RegistrationFactory,
    RegistrationTypeFactory,
    UserFactory,
)
from tests.registration.factories_organiser import ConferenceRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025", name="World Conference 2025")


@pytest.fixture
def delegate_type(conference):
    return RegistrationTypeFactory(conference=conference, code="delegate", name="Delegate")


@pytest.fixture
def people(conference, delegate_type):
    """Thirty confirmed delegates (Person 00 to 29, the first with a Chinese name), one pending."""
    registrations = [
        RegistrationFactory(
            conference=conference,
            type=delegate_type,
            person=PersonFactory(name=f"Person {i:02d}", name_zh="马骏" if i == 0 else ""),
        )
        for i in range(30)
    ]
    RegistrationFactory(
        conference=conference,
        type=delegate_type,
        person=PersonFactory(name="Pending Person"),
        status=Registration.Status.PENDING,
    )
    return registrations


@pytest.fixture
def organiser(conference):
    return ConferenceRoleFactory(conference=conference).user


def _start(capture, **kwargs) -> BadgePrintRun:
    """Start a run; the task runs inline once the transaction commits (as in production)."""
    with capture(execute=True):
        run = badge_print_run_start(**kwargs)
    return BadgePrintRun.objects.get(pk=run.pk)


# --- the service and the task ------------------------------------------------------------


def test_run_prints_every_badge_into_one_pdf(
    conference, people, organiser, django_capture_on_commit_callbacks
):
    run = _start(
        django_capture_on_commit_callbacks,
        conference=conference,
        filters={},
        layout=None,
        actor=organiser,
    )
    assert run.status == BadgePrintRun.Status.DONE, run.error
    assert (run.total, run.done_count, run.percent) == (30, 30, 100)
    assert run.created_by == organiser and run.finished_at is not None
    assert re.fullmatch(r"private/badges/beijing-2025/[0-9a-f-]{36}\.pdf", run.file.name)
    data = run.file.read()
    assert data.startswith(b"%PDF")
    pages = _text(data)
    assert len(pages) == 30
    assert "Person 00" in pages[0] and "马骏" in pages[0] and "Person 29" in pages[29]
    assert all("Pending Person" not in page for page in pages)
    # Every badge is printed, and the QR code on paper is the valid badge.
    valid = Badge.objects.filter(registration__in=people, revoked_at__isnull=True)
    assert valid.count() == 30 and not valid.filter(printed_at__isnull=True).exists()
    (token, *_rest) = _qr_tokens(data)
    assert unsign_badge_token(token) == valid.get(registration=people[0]).key
    # Audit: each badge issued, the run started and finished.
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("badge.issued") == 30
    assert "badge.print_run_started" in actions and "badge.print_run_finished" in actions
    # Printed now: "not printed yet" selects nothing.
    assert badge_selection(conference, {"printed": "no"}).count() == 0


def test_progress_is_committed_every_25_badges(
    conference, people, organiser, django_capture_on_commit_callbacks
):
    for i in range(30, 60):
        RegistrationFactory(conference=conference, person=PersonFactory(name=f"Person {i:02d}"))
    with CaptureQueriesContext(connection) as queries:
        run = _start(
            django_capture_on_commit_callbacks,
            conference=conference,
            filters={},
            layout="a6",
            actor=organiser,
        )
    progress = [
        int(number)
        for query in queries.captured_queries
        for number in re.findall(
            r'UPDATE "checkin_badgeprintrun" SET "done_count" = (\d+)', query["sql"]
        )
    ]
    assert progress == [25, 50, 60]
    assert (run.total, run.done_count) == (60, 60)
    assert len(PdfReader(io.BytesIO(run.file.read())).pages) == 60


def test_filters_a_delegation_a_type_and_reprints(
    conference, people, organiser, delegate_type, django_capture_on_commit_callbacks
):
    delegation = DelegationFactory(conference=conference, name="Beijing delegation")
    for registration in people[:3]:
        registration.delegation = delegation
        registration.save(update_fields=["delegation"])
    speaker_type = RegistrationTypeFactory(conference=conference, code="speaker", name="Speaker")
    RegistrationFactory(conference=conference, type=speaker_type, person=PersonFactory(name="Ana"))
    run = _start(
        django_capture_on_commit_callbacks,
        conference=conference,
        filters={"delegation": str(delegation.pk)},
        layout="a6",
        actor=organiser,
    )
    assert run.total == 3 and "Beijing delegation" in run.description
    assert len(PdfReader(io.BytesIO(run.file.read())).pages) == 3
    first = Badge.objects.get(registration=people[0], revoked_at__isnull=True)
    run = _start(
        django_capture_on_commit_callbacks,
        conference=conference,
        filters={"type": speaker_type.pk},
        layout="a6",
        actor=organiser,
    )
    assert run.total == 1 and "Ana" in _text(run.file.read())[0]
    # All of the delegation again: printed badges are reprinted, the old codes revoked.
    run = _start(
        django_capture_on_commit_callbacks,
        conference=conference,
        filters={"delegation": delegation.pk, "printed": "all"},
        layout="a6",
        actor=organiser,
    )
    assert run.status == "done" and run.total == 3
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Badge.objects.filter(registration=people[0], revoked_at__isnull=True).count() == 1


def test_filters_of_another_edition_or_nothing_to_print_are_refused(conference, people, organiser):
    other = ConferenceFactory()
    other_type = RegistrationTypeFactory(conference=other)
    with pytest.raises(ValidationError) as error:
        badge_print_run_start(
            conference=conference, filters={"type": other_type.pk}, layout="a6", actor=organiser
        )
    assert "type" in error.value.message_dict
    with pytest.raises(ValidationError):
        badge_print_run_start(
            conference=conference, filters={"delegation": "x"}, layout="a6", actor=organiser
        )
    with pytest.raises(ValidationError):
        badge_print_run_start(conference=conference, filters={}, layout="a5", actor=organiser)
    with pytest.raises(ValidationError, match="No badge"):
        badge_print_run_start(conference=other, filters={}, layout="a6", actor=organiser)
    assert not BadgePrintRun.objects.exists()


def test_one_run_at_a_time(conference, people, organiser):
    # No on-commit capture: the run stays queued (as with no worker running).
    run = badge_print_run_start(conference=conference, filters={}, layout="a6", actor=organiser)
    assert run.status == BadgePrintRun.Status.QUEUED
    with pytest.raises(ValidationError, match="in progress"):
        badge_print_run_start(conference=conference, filters={}, layout="a6", actor=organiser)


def test_a_failing_run_records_the_error_and_prints_nothing(
    conference, people, organiser, monkeypatch, django_capture_on_commit_callbacks, media
):
    calls = []

    def add(self, registration, token):
        calls.append(registration)
        if len(calls) == 27:
            raise RuntimeError("printer on fire")

    monkeypatch.setattr(badges._BadgeWriter, "add", add)
    run = _start(
        django_capture_on_commit_callbacks,
        conference=conference,
        filters={},
        layout="a6",
        actor=organiser,
    )
    assert run.status == BadgePrintRun.Status.FAILED
    assert run.error == "printer on fire"
    assert run.done_count == 25 and run.finished_at is not None and not run.file
    # Nothing is marked printed: "not printed yet" still selects all thirty.
    assert not Badge.objects.filter(printed_at__isnull=False).exists()
    assert badge_selection(conference, {}).count() == 30
    assert not list(media.rglob("*.pdf"))


def test_a_key_revoked_while_the_run_renders_is_made_valid_again(conference, people):
    registration = people[0]
    first = badge_issue(registration=registration, actor=None)
    (planned,) = badges._plan([registration], printing=True)
    assert planned.key == first.key  # issued, not printed: the same code goes on paper
    badge_issue(registration=registration, actor=None, reprint=True)  # meanwhile
    badges._apply([planned], actor=None, printing=True, now=first.issued_at)
    valid = Badge.objects.get(registration=registration, revoked_at__isnull=True)
    assert valid.key == first.key and valid.printed_at is not None
    assert unsign_badge_token(sign_badge_key(planned.key)) == valid.key


def test_the_editions_layout_is_the_default(conference, people, organiser):
    badge_layout_set(conference=conference, layout="label4x3", actor=organiser)
    conference.refresh_from_db()
    assert conference.badge_layout == "label4x3"
    entry = AuditEntry.objects.get(action="badge.layout_changed")
    assert entry.data == {"from": "a6", "to": "label4x3"} and entry.actor == organiser
    registration = Registration.objects.select_related("conference").get(pk=people[0].pk)
    page = PdfReader(io.BytesIO(badge_pdf(registrations=[registration]))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (288, 216)
    with pytest.raises(ValidationError):
        badge_layout_set(conference=conference, layout="poster", actor=organiser)
    conference.refresh_from_db()
    assert conference.badge_layout == "label4x3"


# --- the pages ---------------------------------------------------------------------------


def test_a_large_batch_starts_a_run_shown_with_progress_and_a_download(
    client, settings, conference, people, organiser, django_capture_on_commit_callbacks
):
    settings.ATRIUM_BADGE_INLINE_MAX = 10
    client.force_login(organiser)
    url = reverse("checkin:badges", args=[conference.slug])
    page = client.get(url)
    assert page.context["count"] == 30
    assert "Start a print run" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"printed": "no", "layout": "label4x3"})
    assert response.status_code == 302 and response["Location"].endswith("#badge-runs")
    run = BadgePrintRun.objects.get()
    assert run.status == "done" and run.layout == "label4x3" and run.created_by == organiser
    page = client.get(url).content.decode()
    assert 'id="badge-runs"' in page
    assert f'<progress id="badge-run-{run.pk}-progress" max="30" value="30">' in page
    assert "30 of 30 badges" in page
    pdf_url = reverse("checkin:badge-run-pdf", args=[conference.slug, run.pk])
    assert pdf_url in page
    assert "hx-trigger" not in page  # nothing running: no polling
    download = client.get(pdf_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.streaming and "no-store" in download["Cache-Control"]
    data = b"".join(download.streaming_content)
    assert len(PdfReader(io.BytesIO(data)).pages) == 30


def test_a_small_batch_is_still_one_pdf_at_once(client, conference, people, organiser, settings):
    settings.ATRIUM_BADGE_INLINE_MAX = 30
    client.force_login(organiser)
    url = reverse("checkin:badges", args=[conference.slug])
    response = client.post(url, {"type": people[0].type_id, "printed": "no"})
    assert response["Content-Type"] == "application/pdf"
    assert len(_text(response.content)) == 30  # 30 <= 30: at once, in the edition's layout
    assert not BadgePrintRun.objects.exists()


def test_the_runs_panel_polls_while_running_with_a_constant_number_of_queries(
    client, conference, people, organiser, django_assert_num_queries
):
    client.force_login(organiser)
    url = reverse("checkin:badge-runs", args=[conference.slug])
    run = BadgePrintRun.objects.create(
        conference=conference, layout="a6", total=80, done_count=25, created_by=organiser
    )
    run.status = BadgePrintRun.Status.RUNNING
    run.save()
    client.get(url, headers={"HX-Request": "true"})  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        response = client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="25"' in html and "25 of 80 badges" in html
    for i in range(5):
        BadgePrintRun.objects.create(
            conference=conference,
            layout="a6",
            total=10,
            done_count=10,
            status=BadgePrintRun.Status.DONE,
            created_by=UserFactory(email=f"other{i}@example.org"),
        )
    with django_assert_num_queries(len(one)):
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.content.decode().count("<progress") == 6
    # Without htmx: the badges page.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].endswith("/badges/#badge-runs")


def test_a_failed_run_shows_its_error(client, conference, organiser):
    BadgePrintRun.objects.create(
        conference=conference, layout="a6", status="failed", error="printer on fire", total=5
    )
    client.force_login(organiser)
    page = client.get(reverse("checkin:badges", args=[conference.slug])).content.decode()
    assert "The run failed:" in page and "printer on fire" in page


def test_download_of_another_editions_run_or_an_unfinished_one_is_404(
    client, conference, organiser
):
    other = ConferenceFactory()
    theirs = BadgePrintRun.objects.create(
        conference=other, layout="a6", status="done", file="badges/x/y.pdf"
    )
    running = BadgePrintRun.objects.create(conference=conference, layout="a6", status="running")
    client.force_login(organiser)
    for run in (theirs, running):
        url = reverse("checkin:badge-run-pdf", args=[conference.slug, run.pk])
        assert client.get(url).status_code == 404
    missing = BadgePrintRun.objects.create(
        conference=conference, layout="a6", status="done", file="badges/gone.pdf"
    )
    url = reverse("checkin:badge-run-pdf", args=[conference.slug, missing.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["checkin", "delegate", "other_organiser"])
def test_only_the_editions_organisers_print_and_download(client, conference, people, who):
    run = BadgePrintRun.objects.create(
        conference=conference, layout="a6", status="done", file="badges/beijing-2025/x.pdf"
    )
    if who == "checkin":
        user = ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.CHECKIN).user
    elif who == "delegate":
        user = UserFactory(email="delegate@example.org")
        people[0].person.user = user
        people[0].person.save()
    else:
        user = ConferenceRoleFactory(conference=ConferenceFactory()).user
    client.force_login(user)
    slug = conference.slug
    assert client.get(reverse("checkin:badges", args=[slug])).status_code == 403
    assert client.post(reverse("checkin:badges", args=[slug]), {}).status_code == 403
    assert client.get(reverse("checkin:badge-runs", args=[slug])).status_code == 403
    assert client.get(reverse("checkin:badge-run-pdf", args=[slug, run.pk])).status_code == 403
    response = client.post(reverse("checkin:badge-layout", args=[slug]), {"layout": "label4x3"})
    assert response.status_code == 403
    conference.refresh_from_db()
    assert conference.badge_layout == "a6" and not BadgePrintRun.objects.exclude(pk=run.pk)


def test_organiser_changes_the_layout_on_the_badges_page(client, conference, people, organiser):
    client.force_login(organiser)
    url = reverse("checkin:badge-layout", args=[conference.slug])
    response = client.post(url, {"layout": "label4x3"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("checkin:badges", args=[conference.slug])
    conference.refresh_from_db()
    assert conference.badge_layout == "label4x3"
    assert AuditEntry.objects.filter(action="badge.layout_changed", actor=organiser).exists()
    # The page's forms now start from it, and a delegate's own badge uses it.
    assert response.context["layout_form"]["layout"].value() == "label4x3"
    assert response.context["form"]["layout"].value() == "label4x3"
    response = client.post(url, {"layout": "poster"}, follow=True)
    assert "Choose the A6 or the 4×3 inch label layout." in response.content.decode()
    conference.refresh_from_db()
    assert conference.badge_layout == "label4x3"
    user = UserFactory(email="own@example.org")
    people[1].person.user = user
    people[1].person.save()
    client.force_login(user)
    pdf = client.get(reverse("checkin:my-badge", args=[conference.slug])).content
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (288, 216)


def test_the_admin_edits_the_layout(client, conference):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:events_conference_change", args=[conference.pk]))
    assert page.status_code == 200 and 'name="badge_layout"' in page.content.decode()


def test_starting_a_second_run_on_the_page_says_why_not(
    client, settings, conference, people, organiser
):
    settings.ATRIUM_BADGE_INLINE_MAX = 10
    BadgePrintRun.objects.create(conference=conference, layout="a6", total=30)  # queued
    client.force_login(organiser)
    response = client.post(reverse("checkin:badges", args=[conference.slug]), {"printed": "no"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A print run is in progress already: wait for it to finish." in html
    assert 'hx-trigger="every 2s"' in html  # the queued run is polled
    assert BadgePrintRun.objects.count() == 1


def test_the_page_and_the_panel_render_in_chinese(client, conference, people, organiser):
    BadgePrintRun.objects.create(
        conference=conference, layout="label4x3", status="running", total=40, done_count=25
    )
    client.force_login(organiser)
    headers = {"Accept-Language": "zh-Hans"}
    page = client.get(reverse("checkin:badges", args=[conference.slug]), headers=headers)
    assert page.status_code == 200 and 'lang="zh-hans"' in page.content.decode().lower()
    panel = client.get(
        reverse("checkin:badge-runs", args=[conference.slug]),
        headers={**headers, "HX-Request": "true"},
    )
    assert panel.status_code == 200 and 'value="25"' in panel.content.decode()
