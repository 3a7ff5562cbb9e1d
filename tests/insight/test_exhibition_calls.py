"""The exhibition and calls panels of the insight page, and their needs-attention items,
against a small hand-built exhibition and three calls (figures worked out by hand)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from atrium.exhibition.models import BoothBooking, BoothPayment, Exhibitor, Lead, StaffPass
from atrium.insight import selectors
from atrium.reviews.models import Assignment, Call, Decision, Review, Submission
from tests.exhibition.factories import BoothFactory, ExhibitorFactory, HallFactory
from tests.insight.helpers import at, build_edition, read_page
from tests.registration.factories_organiser import ConferenceRoleFactory
from tests.reviews.helpers import make_call, make_reviewer, make_submission

pytestmark = [pytest.mark.django_db, pytest.mark.real_clock]


def book(booth, exhibitor, currency, amount, *, pay=True):
    booking = BoothBooking.objects.create(
        booth=booth,
        exhibitor=exhibitor,
        status=BoothBooking.Status.BOOKED,
        currency=currency,
        amount=Decimal(amount),
    )
    if pay:
        BoothPayment.objects.create(
            booking=booking,
            conference=exhibitor.conference,
            amount=Decimal(amount),
            currency=currency,
        )
    return booking


def lead(exhibitor, registration, scanned_at):
    return Lead.objects.create(
        exhibitor=exhibitor,
        registration=registration,
        client_id=uuid.uuid4(),
        scanned_at=scanned_at,
    )


def staff_pass(exhibitor, status):
    return StaffPass.objects.create(
        exhibitor=exhibitor,
        email=f"{uuid.uuid4().hex[:8]}@example.org",
        status=status,
        token_hash=uuid.uuid4().hex,
    )


def call_at(conference, kind, slug, review_until):
    call = make_call(conference, kind=kind, slug=slug, title=f"Call {slug}", reviewing=True)
    Call.objects.filter(pk=call.pk).update(review_until=review_until)
    call.refresh_from_db()
    return call


def build_exhibition(data: dict) -> dict:
    """Hall A: a1, a2 booked (USD), a3 held. Hall B: b1 booked (CNY), b2 free (its hold ran
    out). Five exhibitors (three accepted, one applied, one rejected); three leads over two
    days of Beijing; two active passes of seven."""
    conference = data["conference"]
    r = data["registrations"]
    now = timezone.now()
    hall_a = HallFactory(conference=conference, name="Hall A", name_zh="A馆", order=0)
    hall_b = HallFactory(conference=conference, name="Hall B", name_zh="B馆", order=1)
    a1, a2, a3 = (BoothFactory(hall=hall_a, code=c) for c in ("A1", "A2", "A3"))
    b1, b2 = (BoothFactory(hall=hall_b, code=c) for c in ("B1", "B2"))
    e1, e2, e3 = (ExhibitorFactory(conference=conference) for _i in range(3))
    ExhibitorFactory(conference=conference, status=Exhibitor.Status.APPLIED)
    ExhibitorFactory(conference=conference, status=Exhibitor.Status.REJECTED)
    Exhibitor.objects.filter(pk=e2.pk).update(
        pending_changes={"website": ["", "https://example.org"]}, extra_passes=1
    )
    book(a1, e1, "USD", "5000.00")
    book(a2, e1, "USD", "4500.00")
    book(b1, e2, "CNY", "36000.00")
    BoothBooking.objects.create(
        booth=a3, exhibitor=e3, status="held", held_until=now + dt.timedelta(minutes=10)
    )
    BoothBooking.objects.create(
        booth=b2, exhibitor=e3, status="held", held_until=now - dt.timedelta(minutes=10)
    )
    # 07:30 in Beijing on the 17th is still the 16th in UTC: the day is the edition's.
    lead(e1, r[1], at(2025, 9, 16, 10))
    lead(e1, r[2], at(2025, 9, 17, 7, 30))
    lead(e2, r[1], at(2025, 9, 17, 12))
    staff_pass(e1, StaffPass.Status.ACCEPTED)
    staff_pass(e1, StaffPass.Status.INVITED)
    staff_pass(e1, StaffPass.Status.REVOKED)
    return {"halls": (hall_a, hall_b), "exhibitors": (e1, e2, e3)}


def build_calls(data: dict) -> dict:
    """Talks (reviews due in 2 days): 3 submitted + 1 draft, 4 published assignments, 1 of
    them reviewed, 1 decision pending. Award (due in 10 days): 1 entry accepted, decision
    sent. Host bids (deadline past): nothing."""
    conference = data["conference"]
    now = timezone.now()
    talks = call_at(conference, Call.Kind.TALKS, "talks", now + dt.timedelta(days=2))
    award = call_at(conference, Call.Kind.AWARD, "award", now + dt.timedelta(days=10))
    call_at(conference, Call.Kind.BIDS, "bids", now - dt.timedelta(days=1))
    s1, s2, s3 = (make_submission(talks) for _i in range(3))
    make_submission(talks, submit=False)
    r1, r2 = make_reviewer(talks), make_reviewer(talks)
    for reviewer in (r1, r2):
        for submission in (s1, s2):
            Assignment.objects.create(reviewer=reviewer, submission=submission, published=True)
    Assignment.objects.create(reviewer=r1, submission=s3, published=False)
    Review.objects.create(reviewer=r1, submission=s1, status="submitted", submitted_at=now)
    Review.objects.create(reviewer=r2, submission=s1, status="draft")
    Decision.objects.create(submission=s3, outcome=Decision.Outcome.ACCEPT)
    entry = make_submission(award)
    judge = make_reviewer(award)
    Assignment.objects.create(reviewer=judge, submission=entry, published=True)
    Decision.objects.create(
        submission=entry, outcome=Decision.Outcome.ACCEPT, status=Decision.Status.SENT
    )
    Submission.objects.filter(pk=entry.pk).update(status=Submission.Status.ACCEPTED)
    return {"talks": talks, "award": award}


@pytest.fixture
def edition():
    data = build_edition()
    data.update(build_exhibition(data))
    data.update(build_calls(data))
    return data


@pytest.fixture
def organiser(edition):
    return ConferenceRoleFactory(conference=edition["conference"]).user


def page_url(conference, name="page", **kwargs):
    return reverse(f"insight:{name}", kwargs={"slug": conference.slug, **kwargs})


def test_booths_by_status_per_hall_and_in_all(client, edition, organiser):
    figures = selectors.exhibition_figures(edition["conference"])
    rows = [(h.name, h.free, h.held, h.booked, h.total) for h in figures.halls]
    assert rows == [("Hall A", 0, 1, 2, 3), ("Hall B", 1, 0, 1, 2)]
    total = figures.all_halls
    assert (total.free, total.held, total.booked, total.total) == (1, 1, 3, 5)
    client.force_login(organiser)
    page = read_page(client.get(page_url(edition["conference"])).content.decode())
    assert page.tables["booths"] == [
        ["Hall", "Free", "Held", "Booked", "Booths"],
        ["Hall A", "0", "1", "2", "3"],
        ["Hall B", "1", "0", "1", "2"],
        ["All halls", "1", "1", "3", "5"],
    ]
    assert page.figures["booths-booked"] == "3"
    assert page.tables["exhibitors"][1:] == [["Applied", "1"], ["Accepted", "3"], ["Rejected", "1"]]


def test_booth_payments_per_currency_are_never_summed(client, edition, organiser):
    figures = selectors.exhibition_figures(edition["conference"])
    assert [(p.currency, p.amount, p.count) for p in figures.payments] == [
        ("CNY", Decimal("36000.00"), 1),
        ("USD", Decimal("9500.00"), 2),
    ]
    client.force_login(organiser)
    html = client.get(page_url(edition["conference"])).content.decode()
    page = read_page(html)
    assert page.figures["booth-paid-USD"] == "$9,500.00 USD"
    assert page.figures["booth-paid-count-USD"] == "2 payments"
    assert page.figures["booth-paid-CNY"] == "¥36,000.00 CNY"
    assert page.figures["booth-paid-count-CNY"] == "1 payment"
    assert "45,500" not in html  # 9,500 + 36,000: never added
    url = page_url(edition["conference"], "export", table="booth-payments")
    rows = list(csv.reader(io.StringIO(client.get(url).getvalue().decode("utf-8-sig"))))
    assert rows[0] == ["Currency", "Received", "Payments"]
    assert [(c, Decimal(amount), n) for c, amount, n in rows[1:]] == [
        ("CNY", Decimal(36000), "1"),
        ("USD", Decimal(9500), "2"),
    ]


def test_leads_per_day_of_the_edition_and_staff_passes(client, edition, organiser):
    figures = selectors.exhibition_figures(edition["conference"])
    assert figures.leads == 3
    assert figures.leads_by_day == [(dt.date(2025, 9, 16), 1), (dt.date(2025, 9, 17), 2)]
    assert figures.exhibitors_with_leads == 2
    # Three booked booths of 2 passes each, and one extra pass; revoked passes do not count.
    assert (figures.passes_used, figures.passes_quota) == (2, 7)
    client.force_login(organiser)
    page = read_page(client.get(page_url(edition["conference"])).content.decode())
    assert page.tables["leads"][1:] == [["2025-09-16", "1"], ["2025-09-17", "2"], ["Total", "3"]]
    assert page.figures["leads"] == "3" and page.figures["passes"] == "2"


def test_calls_submissions_review_progress_and_decisions(client, edition, organiser):
    calls = {c.slug: c for c in selectors.call_figures(edition["conference"])}
    assert list(calls) == ["talks", "award", "bids"]
    talks = calls["talks"]
    assert {s: n for s, _l, n in talks.by_status if n} == {"submitted": 3, "draft": 1}
    assert (talks.submissions, talks.assigned, talks.submitted_reviews) == (4, 4, 1)
    assert talks.review_percent == 25
    assert (talks.decisions_pending, talks.decisions_sent) == (1, 0)
    award = calls["award"]
    assert {s: n for s, _l, n in award.by_status if n} == {"accepted": 1}
    assert (award.assigned, award.submitted_reviews, award.review_percent) == (1, 0, 0)
    assert (award.decisions_pending, award.decisions_sent) == (0, 1)
    assert calls["bids"].submissions == 0 and calls["bids"].review_percent == 0
    client.force_login(organiser)
    page = read_page(client.get(page_url(edition["conference"])).content.decode())
    row = page.tables["calls"][1]
    assert row[0].startswith("Call talks")
    assert row[1].startswith("4") and "Draft: 1" in row[1] and "Submitted: 3" in row[1]
    assert "Accepted" not in row[1]  # statuses with no submission are left out
    assert page.figures["reviews-talks"] == "1 of 4 (25%)"
    assert page.figures["decisions-pending-talks"] == "1 pending"
    assert page.figures["decisions-sent-award"] == "1 sent"
    url = page_url(edition["conference"], "export", table="calls")
    rows = list(csv.reader(io.StringIO(client.get(url).getvalue().decode("utf-8-sig"))))
    assert rows[0][-6:] == [
        "Submissions",
        "Reviews assigned",
        "Reviews submitted",
        "Review progress (%)",
        "Decisions pending",
        "Decisions sent",
    ]
    assert rows[1][-6:] == ["4", "4", "1", "25", "1", "0"]


def test_needs_attention_for_exhibitors_reviews_and_decisions(client, edition, organiser):
    conference = edition["conference"]
    talks = edition["talks"]
    items = {item.key: item for item in selectors.needs_attention(conference)}
    organiser_page = reverse("exhibition:organiser", args=[conference.slug])
    submissions = reverse("reviews:organiser-submissions", args=[conference.slug, talks.slug])
    assert (items["exhibitor-applications"].count, items["exhibitor-applications"].url) == (
        1,
        organiser_page + "#apps-title",
    )
    assert (items["exhibitor-edits"].count, items["exhibitor-edits"].url) == (
        1,
        organiser_page + "#diffs-title",
    )
    # Three published assignments without a submitted review; the award's reviews are due
    # in 10 days, the bids call has none open.
    reviews = items[f"reviews-{talks.pk}"]
    assert (reviews.count, reviews.url) == (3, submissions)
    assert "near" in reviews.label
    assert (items[f"decisions-{talks.pk}"].count, items[f"decisions-{talks.pk}"].url) == (
        1,
        submissions,
    )
    assert not [key for key in items if str(edition["award"].pk) in key.split("-")[-1:]]
    Call.objects.filter(pk=talks.pk).update(review_until=timezone.now() - dt.timedelta(hours=1))
    items = {item.key: item for item in selectors.needs_attention(conference)}
    assert "passed" in items[f"reviews-{talks.pk}"].label
    client.force_login(organiser)
    html = client.get(page_url(conference)).content.decode()
    for key in ("exhibitor-applications", "exhibitor-edits", f"reviews-{talks.pk}"):
        assert f'data-attention="{key}"' in html


def test_no_attention_item_when_nothing_waits(edition):
    conference = edition["conference"]
    Exhibitor.objects.filter(conference=conference).update(status="accepted", pending_changes={})
    Decision.objects.update(status=Decision.Status.SENT)
    Review.objects.update(status="submitted")
    Call.objects.filter(pk=edition["talks"].pk).update(
        review_until=timezone.now() + dt.timedelta(days=4)
    )
    keys = {item.key for item in selectors.needs_attention(conference)}
    assert not {k for k in keys if k.startswith(("exhibitor-", "reviews-", "decisions-"))}


def test_the_new_panels_are_in_chinese_on_chinese_pages(client, edition, organiser):
    client.force_login(organiser)
    response = client.get(page_url(edition["conference"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = read_page(response.content.decode())
    assert page.tables["booths"][1][0] == "A馆"
    assert page.tables["calls"][1][0].startswith("演讲征集")


@pytest.mark.parametrize("table", ["booths", "booth-payments", "leads", "calls"])
def test_the_new_tables_download_as_csv_and_xlsx(client, edition, organiser, table):
    client.force_login(organiser)
    url = page_url(edition["conference"], "export", table=table)
    assert client.get(url, {"format": "csv"}).status_code == 200
    response = client.get(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_only_organisers_of_the_edition_see_the_new_figures(client, edition):
    conference = edition["conference"]
    for user in (
        ConferenceRoleFactory(conference=edition["previous"]).user,
        ConferenceRoleFactory(conference=conference, role="reviewer").user,
        ConferenceRoleFactory(conference=conference, role="checkin").user,
    ):
        client.force_login(user)
        assert client.get(page_url(conference)).status_code == 403
        for table in ("booths", "booth-payments", "leads", "calls"):
            assert client.get(page_url(conference, "export", table=table)).status_code == 403


def _page_queries(client, conference) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url(conference)).status_code == 200
    return len(queries)


def test_query_count_stays_when_booths_and_submissions_grow(client, edition, organiser):
    conference = edition["conference"]
    client.force_login(organiser)
    _page_queries(client, conference)  # warm the caches
    before = _page_queries(client, conference)
    hall_a, hall_b = edition["halls"]
    r = edition["registrations"]
    talks = edition["talks"]
    reviewer = make_reviewer(talks)
    for i in range(12):
        exhibitor = ExhibitorFactory(conference=conference)
        book(BoothFactory(hall=hall_a if i % 2 else hall_b), exhibitor, ("USD", "CNY")[i % 2], 100)
        staff_pass(exhibitor, StaffPass.Status.ACCEPTED)
        lead(exhibitor, r[1], at(2025, 9, 16 + i % 3, 11))
        lead(exhibitor, r[4], at(2025, 9, 16, 12, i))
        submission = make_submission(talks)
        Assignment.objects.create(reviewer=reviewer, submission=submission, published=True)
        Review.objects.create(reviewer=reviewer, submission=submission, status="submitted")
        Decision.objects.create(submission=submission, outcome=Decision.Outcome.REJECT)
    for kind, slug in ((Call.Kind.AWARD, "award-2"), (Call.Kind.TALKS, "talks-2")):
        other = call_at(conference, kind, slug, timezone.now() + dt.timedelta(days=1))
        submission = make_submission(other)
        Assignment.objects.create(
            reviewer=make_reviewer(other), submission=submission, published=True
        )
        Decision.objects.create(submission=submission, outcome=Decision.Outcome.REJECT)
    assert selectors.exhibition_figures(conference).all_halls.total == 17
    after = _page_queries(client, conference)
    assert after == before
