"""The on-site B2B pages through the test client: the permission matrix of every new page
and action, moves refused with a clear message and nothing changed, absences, feedback,
its export, and the PDF sheets."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from atrium.core.models import AuditEntry
from atrium.events.models import ConferenceRole, Session
from atrium.matchmaking import onsite
from atrium.matchmaking.forms import MoveForm, slot_value
from atrium.matchmaking.models import Absence, Feedback, Meeting, SchedulerRun
from tests.factories import (
    ConferenceFactory,
    SessionFactory,
    SessionRoleFactory,
    UserFactory,
    local,
)
from tests.matchmaking.factories_web import B2BSessionFactory, BlockFactory, delegate, meeting


def body(response) -> bytes:
    """A response's bytes, streamed (XLSX files are) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def block(conference):
    return BlockFactory(
        session=B2BSessionFactory(
            conference=conference, start=local(conference, 0, 14), end=local(conference, 0, 16)
        ),
        table_count=3,
        table_names="Lotus\nPeony\nOrchid",
    )


@pytest.fixture
def pair(conference, block):
    """Two delegates with logins and their meeting, placed at 14:00 at Lotus."""
    a = delegate(conference, user=True, name="Cecile Harle")
    b = delegate(conference, user=True, name="Qiu Lijing", name_zh="邱丽晶")
    m = meeting(a, b)
    onsite.meeting_move(
        meeting=m,
        block=block,
        start=local(conference, 0, 14),
        table=1,
        version=onsite.meeting_version(m),
    )
    m.refresh_from_db()
    return a, b, m


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_role(conference, role):
    user = UserFactory()
    ConferenceRole.objects.create(conference=conference, user=user, role=role)
    return user


def url(name, conference, *args):
    return reverse(f"matchmaking:{name}", args=[conference.slug, *args])


# --- the permission matrix -------------------------------------------------------------------


def organiser_routes(conference, block, pair, run):
    """(method, url) of every new organiser page and action."""
    a, _b, m = pair
    return [
        ("get", url("meetings", conference)),
        ("get", url("meeting", conference, m.pk)),
        ("post", url("meeting-move", conference, m.pk)),
        ("post", url("meeting-lock", conference, m.pk)),
        ("post", url("unpublish", conference, run.pk)),
        ("get", url("absences", conference)),
        ("post", url("absences", conference)),
        ("post", url("absence-clear", conference, a.pk)),
        ("get", url("feedback-figures", conference)),
        ("get", url("feedback-export", conference) + "?format=csv"),
        ("get", url("delegate-sheet", conference, a.pk)),
        ("get", url("tables-pdf", conference)),
    ]


@pytest.fixture
def run(conference):
    return SchedulerRun.objects.create(conference=conference, status=SchedulerRun.Status.DONE)


@pytest.mark.parametrize("who", ["anonymous", "delegate", "checkin", "other_organiser"])
def test_only_organisers_of_this_edition_reach_the_organiser_pages(
    conference, block, pair, run, who
):
    other = ConferenceFactory(slug="nairobi-2024")
    if who == "anonymous":
        client = Client()
    elif who == "delegate":
        client = client_for(pair[0].person.user)
    elif who == "checkin":
        client = client_for(with_role(conference, "checkin"))
    else:
        client = client_for(with_role(other, "organiser"))
    before = (
        sorted(Meeting.objects.values_list("pk", "start", "table", "locked", "sequence")),
        Absence.objects.count(),
        AuditEntry.objects.count(),
    )
    for method, address in organiser_routes(conference, block, pair, run):
        response = getattr(client, method)(address)
        if who == "anonymous":
            assert response.status_code == 302, address
            assert reverse("accounts:login") in response["Location"]
        else:
            assert response.status_code == 403, address
    after = (
        sorted(Meeting.objects.values_list("pk", "start", "table", "locked", "sequence")),
        Absence.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_the_organiser_of_this_edition_reaches_every_page(conference, block, pair, run):
    client = client_for(with_role(conference, "organiser"))
    for method, address in organiser_routes(conference, block, pair, run):
        if method == "get":
            response = client.get(address)
            assert response.status_code == 200, address


def test_an_id_of_another_edition_is_a_404(conference, block, pair):
    other = ConferenceFactory(slug="nairobi-2024")
    client = client_for(with_role(other, "organiser"))
    _a, _b, m = pair
    assert client.get(url("meeting", other, m.pk)).status_code == 404
    assert client.post(url("meeting-move", other, m.pk)).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "stranger", "checkin", "organiser"])
def test_the_delegate_pages_are_for_the_meeting_s_people(conference, block, pair, who):
    a, _b, m = pair
    stranger = delegate(conference, user=True)
    client = {
        "anonymous": Client,
        "stranger": lambda: client_for(stranger.person.user),
        "checkin": lambda: client_for(with_role(conference, "checkin")),
        "organiser": lambda: client_for(with_role(conference, "organiser")),
    }[who]()
    feedback = client.post(url("feedback", conference, m.pk), {"took_place": "yes"})
    sheet = client.get(url("my-sheet", conference))
    if who == "anonymous":
        assert feedback.status_code == sheet.status_code == 302
    elif who == "stranger":
        assert feedback.status_code == 404  # not their meeting
        assert sheet.status_code == 200  # their own (empty) sheet
    else:
        assert feedback.status_code == sheet.status_code == 403  # no registration
    assert not Feedback.objects.exists()


# --- moving through the page -----------------------------------------------------------------


@pytest.fixture
def organiser(conference):
    return client_for(with_role(conference, "organiser"))


def move_data(block, index, table, meeting_):
    return {
        "slot": slot_value(block, index),
        "table": str(table),
        "version": onsite.meeting_version(meeting_),
    }


def test_the_organiser_moves_a_meeting(conference, block, pair, organiser):
    a, b, m = pair
    mail.outbox.clear()
    response = organiser.post(url("meeting-move", conference, m.pk), move_data(block, 2, 2, m))
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.start, m.table_name) == (local(conference, 0, 15), "Peony")
    page = organiser.get(url("meeting", conference, m.pk)).content.decode()
    assert "Moved by an organiser" in page
    tables = organiser.get(url("tables", conference)).content.decode()
    peony = tables.split(f'id="sheet-{block.pk}-2"')[1].split("</section>")[0]
    assert "Cecile Harle" in peony


def test_a_move_into_a_clash_shows_why_and_changes_nothing(conference, block, pair, organiser):
    a, b, m = pair
    talk = SessionFactory(
        conference=conference,
        kind=Session.Kind.PLENARY,
        title="Opening plenary",
        start=local(conference, 0, 15),
        end=local(conference, 0, 15, 30),
    )
    SessionRoleFactory(session=talk, person=b.person, role="speaker")
    before = Meeting.objects.values_list("start", "table", "sequence").get(pk=m.pk)
    mail.outbox.clear()
    response = organiser.post(url("meeting-move", conference, m.pk), move_data(block, 2, 2, m))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Qiu Lijing is at Opening plenary at that time." in page
    assert Meeting.objects.values_list("start", "table", "sequence").get(pk=m.pk) == before
    assert mail.outbox == []


def test_a_stale_form_after_someone_elses_move_changes_nothing(conference, block, pair, organiser):
    _a, _b, m = pair
    stale = move_data(block, 3, 3, m)  # the page as one organiser saw it
    other = client_for(with_role(conference, "organiser"))
    assert (
        other.post(url("meeting-move", conference, m.pk), move_data(block, 1, 2, m)).status_code
        == 302
    )
    m.refresh_from_db()
    moved = (m.start, m.table, m.sequence)
    response = organiser.post(url("meeting-move", conference, m.pk), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this meeting after you opened this page" in page
    assert "14:30" in page  # the meeting as it is now
    m.refresh_from_db()
    assert (m.start, m.table, m.sequence) == moved
    lock = organiser.post(
        url("meeting-lock", conference, m.pk), {"locked": "on", "version": stale["version"]}
    )
    assert lock.status_code == 409
    assert not Meeting.objects.get(pk=m.pk).locked


def test_bad_slot_values_are_refused_by_field(conference, block, pair, organiser):
    _a, _b, m = pair
    for slot in ["", "x", f"{block.pk}-99", "999999-0"]:
        data = move_data(block, 0, 1, m) | {"slot": slot}
        response = organiser.post(url("meeting-move", conference, m.pk), data)
        assert response.status_code == 400
    assert Meeting.objects.get(pk=m.pk).sequence == m.sequence


def test_lock_and_unlock(conference, block, pair, organiser):
    _a, _b, m = pair
    response = organiser.post(
        url("meeting-lock", conference, m.pk),
        {"locked": "on", "version": onsite.meeting_version(m)},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.locked
    organiser.post(url("meeting-lock", conference, m.pk), {"version": onsite.meeting_version(m)})
    assert not Meeting.objects.get(pk=m.pk).locked


# --- absences, feedback, sheets -----------------------------------------------------------


def test_marking_an_absence_through_the_page(
    conference, block, pair, organiser, django_capture_on_commit_callbacks
):
    a, b, m = pair
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(
            url("absences", conference),
            {"registration": a.pk, "since": "2025-09-16T13:00", "note": "flight delayed"},
        )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == Meeting.Status.CANCELLED
    assert [x.to for x in mail.outbox] == [[b.person.email]]
    page = organiser.get(url("absences", conference)).content.decode()
    assert "flight delayed" in page
    bad = organiser.post(url("absences", conference), {"registration": a.pk, "since": "soon"})
    assert bad.status_code == 400
    assert "since" in bad.context["form"].errors
    organiser.post(url("absence-clear", conference, a.pk))
    assert not Absence.objects.exists()


def test_feedback_through_the_page_and_its_export(
    conference, block, pair, organiser, settings, clock
):
    a, b, m = pair
    clock.move_to(m.end)  # the meeting has taken place (and the log-ins are made after)
    client = client_for(a.person.user)
    organiser = client_for(with_role(conference, "organiser"))
    response = client.post(url("feedback", conference, m.pk), {"took_place": "no", "rating": "4"})
    assert response.status_code == 400
    assert "Rate only a meeting that took place." in response.content.decode()
    response = client.post(
        url("feedback", conference, m.pk), {"took_place": "yes", "rating": "4", "note": "=1+1"}
    )
    assert response.status_code == 302
    client_for(b.person.user).post(url("feedback", conference, m.pk), {"took_place": "yes"})
    page = organiser.get(url("feedback-figures", conference)).content.decode()
    assert "100%" in page and "4.0 / 5" in page
    export = organiser.get(url("feedback-export", conference) + "?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    assert "'=1+1" in rows[1] or "'=1+1" in rows[2]  # formula guard
    xlsx = organiser.get(url("feedback-export", conference) + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(body(xlsx))).active
    assert sheet.max_row == 3


def test_meeting_sheets_are_pdfs_with_the_cjk_font(conference, block, pair, organiser):
    a, b, m = pair
    for client, address in [
        (client_for(a.person.user), url("my-sheet", conference) + "?day=2025-09-16"),
        (organiser, url("delegate-sheet", conference, a.pk)),
        (organiser, url("tables-pdf", conference)),
    ]:
        for language in ["en", "zh-hans"]:
            response = client.get(address, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF")
            assert b"NotoSansCJK" in response.content
    assert client_for(a.person.user).get(url("my-sheet", conference) + "?day=x").status_code == 404


def pdf_text(response) -> str:
    pages = PdfReader(io.BytesIO(response.content)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\x00", "")


def test_the_sheets_follow_a_move(conference, block, pair, organiser):
    a, b, m = pair
    mine = client_for(a.person.user)
    text = pdf_text(mine.get(url("my-sheet", conference)))
    assert "Lotus" in text and "14:00" in text
    assert "Qiu Lijing" in text and "邱丽晶" in text
    organiser.post(url("meeting-move", conference, m.pk), move_data(block, 3, 3, m))
    text = pdf_text(mine.get(url("my-sheet", conference)))
    assert "Orchid" in text and "15:30" in text and "Lotus" not in text
    tables = pdf_text(organiser.get(url("tables-pdf", conference)))
    orchid = tables.split("Orchid")[1]
    assert "Cecile Harle" in orchid
    assert "Cecile Harle" not in tables.split("Orchid")[0]
    other_day = mine.get(url("my-sheet", conference) + "?day=2025-09-17")
    assert "Orchid" not in pdf_text(other_day)


def test_the_incremental_button_starts_an_incremental_run(conference, block, pair, organiser):
    response = organiser.post(url("run-start", conference), {"incremental": "1"})
    assert response.status_code == 302
    run = SchedulerRun.objects.get()
    assert run.incremental


def test_table_choices_name_the_table_in_every_block(conference, block):
    second = BlockFactory(
        session=B2BSessionFactory(
            conference=conference, start=local(conference, 1, 9), end=local(conference, 1, 10)
        ),
        table_count=2,
        table_names="A1\nA2",
    )
    form = MoveForm(blocks=[block, second])
    assert form.fields["table"].choices == [(1, "Lotus / A1"), (2, "Peony / A2"), (3, "Orchid")]
    slots = [value for _group, options in form.fields["slot"].choices[1:] for value, _l in options]
    assert slots == [slot_value(block, i) for i in range(4)] + [
        slot_value(second, i) for i in range(2)
    ]
