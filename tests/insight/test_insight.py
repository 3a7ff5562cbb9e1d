"""The insight page's figures against known data (worked out by hand from
``tests/insight/helpers.build_edition``), its permissions, downloads and the rate form."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from atrium.checkin.models import BadgePrintRun
from atrium.core.audit import AuditEntry
from atrium.events.models import ConferenceRole
from atrium.insight import selectors
from atrium.insight.models import ConversionRate
from atrium.matchmaking.models import SchedulerRun
from atrium.visas.models import VisaLetterRequest
from atrium.webhooks.models import Delivery, Endpoint
from tests.insight.helpers import build_edition, read_page
from tests.registration.factories_organiser import AccountFactory, ConferenceRoleFactory

# The insight page looks back on editions that are over: these tests run on the real clock
# (after the 2025 editions), not on the frozen one of tests/conftest.py.
pytestmark = [pytest.mark.django_db, pytest.mark.real_clock]


@pytest.fixture
def edition():
    return build_edition()


@pytest.fixture
def organiser(edition):
    return ConferenceRoleFactory(conference=edition["conference"]).user


def page_url(conference, name="page", **kwargs):
    return reverse(f"insight:{name}", kwargs={"slug": conference.slug, **kwargs})


def get_page(client, conference, **params):
    response = client.get(page_url(conference), params)
    assert response.status_code == 200
    return read_page(response.content.decode())


# --- the figures ---------------------------------------------------------------------------------


def test_registrations_per_day_follow_the_editions_time_zone(client, edition, organiser):
    client.force_login(organiser)
    page = get_page(client, edition["conference"], period="day")
    rows = page.tables["over-time"]
    body = {row[0]: row[1:] for row in rows[1:-1]}
    # 2 September 07:00 in Beijing is 1 September in UTC: counted on the 2nd.
    assert body["2025-09-01"] == ["1", "1"]
    assert body["2025-09-02"] == ["2", "3"]
    assert body["2025-09-03"] == ["0", "3"]  # an empty day is shown, the sum carries on
    assert body["2025-09-09"] == ["2", "5"]
    assert body["2025-09-10"] == ["1", "6"]
    assert body["2025-09-16"] == ["1", "7"]
    assert len(body) == 16  # 1 to 16 September
    assert rows[-1] == ["Total", "7", ""]


def test_registrations_per_month_and_by_type_and_status(client, edition, organiser):
    client.force_login(organiser)
    page = get_page(client, edition["conference"], period="month", split="type")
    assert page.tables["over-time"] == [
        ["Period starting", "Delegate", "Press", "New", "So far"],
        ["2025-09-01", "5", "2", "7", "7"],
        ["Total", "5", "2", "7", ""],
    ]
    page = get_page(client, edition["conference"], period="week", split="status")
    header, *body, total = page.tables["over-time"]
    assert header == ["Period starting", "Pending", "Confirmed", "Cancelled", "New", "So far"]
    # Weeks start on Monday: 1, 8 and 15 September 2025.
    assert body == [
        ["2025-09-01", "1", "2", "0", "3", "3"],
        ["2025-09-08", "0", "2", "1", "3", "6"],
        ["2025-09-15", "0", "1", "0", "1", "7"],
    ]
    assert total == ["Total", "1", "5", "1", "7", ""]


def test_the_period_switch_answers_htmx_with_the_chart_alone(client, edition, organiser):
    client.force_login(organiser)
    response = client.get(
        page_url(edition["conference"], "over-time"), {"period": "week"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="insight-part" id="over-time"')
    assert "<html" not in html
    assert [row[0] for row in read_page(html).tables["over-time"][1:-1]] == [
        "2025-09-01",
        "2025-09-08",
        "2025-09-15",
    ]


def test_this_edition_against_the_previous_one_by_days_before_opening(client, edition, organiser):
    client.force_login(organiser)
    page = get_page(client, edition["conference"])
    assert page.tables["comparison"] == [
        ["Days before the opening day", "42nd World Conference", "41st World Conference"],
        ["14", "3", "1"],
        ["7", "5", "2"],
        ["0", "7", "3"],
    ]
    comparison = selectors.edition_comparison(
        edition["conference"], now=timezone.make_aware(dt.datetime(2025, 9, 5, 12))
    )
    assert comparison.previous == edition["previous"]
    assert comparison.this_now == 3  # by 5 September (11 days before)
    assert comparison.before_now == 1  # Nairobi 11 days before its opening
    assert comparison.this[comparison.days_before.index(10)] is None  # still to come


def test_countries_add_up_and_link_to_the_registrations(client, edition, organiser):
    client.force_login(organiser)
    response = client.get(page_url(edition["conference"]))
    page = read_page(response.content.decode())
    assert page.tables["countries"] == [
        ["Country", "Registrations", "Checked in"],
        ["China", "3", "2"],
        ["Spain", "2", "1"],
        ["Kenya", "1", "1"],
        ["Not given", "1", "0"],
        ["Total", "7", "4"],
    ]
    html = response.content.decode()
    link = reverse("organiser:registrations", args=["beijing"]) + "?country=CN"
    assert f'href="{link}"' in html
    # Both maps are drawn (the npm package is installed) with China in the darkest class.
    assert html.count('class="world-map"') == 2
    assert f'<a href="{link}" tabindex="-1"><use href="#wm-CN" class="map-c5">' in html
    assert html.count('<path id="wm-CN"') == 1  # the outlines once, for both maps


def test_country_names_are_chinese_on_chinese_pages(client, edition, organiser):
    client.force_login(organiser)
    response = client.get(page_url(edition["conference"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = read_page(response.content.decode()).tables["countries"]
    assert [row[0] for row in rows[1:4]] == ["中国", "西班牙", "肯尼亚"]


def test_check_ins_of_a_day_per_hour_point_and_show_rate(client, edition, organiser):
    client.force_login(organiser)
    page = get_page(client, edition["conference"], day="2025-09-17")
    assert page.figures["people"] == "3"
    assert page.figures["scans"] == "4"
    assert page.figures["show-rate"] == "80%"
    # 07:00 to 20:00 at least; 08:00 counts two people, 13:00 one who came back.
    expected = {8: "2", 10: "1", 13: "1"}
    assert page.tables["hours"][1:] == [
        [f"{hour:02d}:00", expected.get(hour, "0")] for hour in range(7, 21)
    ]
    assert page.tables["points"][1:] == [["Entrance", "2"], ["Visit to Zhongguancun", "1"]]
    assert page.tables["show-rate"][1:] == [
        ["Delegate", "4", "3", "75% 75%"],
        ["Press", "1", "1", "100% 100%"],
    ]


def test_money_per_currency_is_never_summed(client, edition, organiser):
    client.force_login(organiser)
    page = get_page(client, edition["conference"])
    assert page.tables["money"][1:] == [
        [
            "CNY",
            "¥5,800.00 CNY 1 order",
            "¥4,640.00 CNY 1 order",
            "¥0.00 CNY 0 orders",
            "¥1,160.00 CNY 1 free order",
        ],
        [
            "USD",
            "$1,440.00 USD 2 orders",
            "$900.00 USD 1 order",
            "$400.00 USD 1 order",
            "$160.00 USD 0 free orders",
        ],
    ]
    assert page.tables["vouchers"][1:] == [["HALF", "2 of 10", "2", "$160.00 USD", "¥1,160.00 CNY"]]
    assert "converted" not in page.figures


def test_a_stated_rate_gives_a_converted_total_with_its_date(client, edition, organiser):
    client.force_login(organiser)
    conference = edition["conference"]
    response = client.post(page_url(conference, "rate"), {"rate": "7.10", "on": "2025-09-01"})
    assert response.status_code == 302
    entry = ConversionRate.objects.get(conference=conference)
    assert entry.created_by == organiser
    assert AuditEntry.objects.filter(action="insight.rate_set").count() == 1
    page = get_page(client, conference)
    # 1,440 USD × 7.10 + 5,800 CNY = 16,024 CNY; outstanding 900 × 7.10 + 4,640 = 11,030.
    assert page.figures["converted"] == (
        "Paid in all ≈ ¥16,024.00 CNY, outstanding ≈ ¥11,030.00 CNY: "
        "converted at 1 USD = 7.10 CNY on 2025-09-01."
    )


def test_a_bad_rate_is_refused_naming_the_field(client, edition, organiser):
    client.force_login(organiser)
    conference = edition["conference"]
    response = client.post(page_url(conference, "rate"), {"rate": "-1", "on": "2025-09-01"})
    assert response.status_code == 400
    assert "rate" in response.context["rate_form"].errors
    response = client.post(page_url(conference, "rate"), {"rate": "7.1", "on": "soon"})
    assert "on" in response.context["rate_form"].errors
    assert not ConversionRate.objects.exists()


def test_sessions_fill_waiting_list_and_no_shows(client, edition, organiser):
    client.force_login(organiser)
    page = get_page(client, edition["conference"])
    assert page.tables["sessions"][1:] == [
        ["Visit to Zhongguancun", "2025-09-17 10:00", "100% 2 of 2 (100%)", "1", "1", "1"]
    ]


def test_b2b_requests_accepted_placed_per_block(client, edition, organiser):
    client.force_login(organiser)
    page = get_page(client, edition["conference"])
    assert page.figures["requests"] == "5"
    assert page.figures["accepted"] == "3"
    assert page.figures["placed"] == "1"
    assert page.figures["held"] == "0"
    # Held: someone said it took place and nobody said it did not.
    from atrium.matchmaking.models import Feedback, Meeting

    first, second = Meeting.objects.filter(block__isnull=False).order_by("pk")
    Feedback.objects.create(meeting=first, registration=first.request.requester, took_place=True)
    Feedback.objects.create(meeting=second, registration=second.request.requester, took_place=True)
    Feedback.objects.create(meeting=second, registration=second.request.recipient, took_place=False)
    page = get_page(client, edition["conference"])
    assert page.figures["held"] == "1"
    assert page.tables["b2b"] == [
        ["B2B block", "Accepted meetings", "Placed (published)", "Held"],
        ["B2B morning 2025-09-17 09:00", "2", "1", "1"],
        ["Not in a block yet", "1", "0", "0"],
    ]


def test_needs_attention_lists_each_thing_with_a_link(client, edition, organiser, monkeypatch):
    conference = edition["conference"]
    r = edition["registrations"]
    VisaLetterRequest.objects.create(
        conference=conference,
        registration=r[6],
        entry_date=dt.date(2025, 9, 14),
        exit_date=dt.date(2025, 9, 20),
        consulate_city="Nairobi",
    )
    endpoint = Endpoint.objects.create(conference=conference, url="https://hooks.example.org/a")
    for _i in range(2):
        Delivery.objects.create(endpoint=endpoint, event="registration.created", status="failed")
    old = Delivery.objects.create(endpoint=endpoint, event="registration.created", status="failed")
    Delivery.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=8))
    two_hours_ago = timezone.now() - dt.timedelta(hours=2)
    BadgePrintRun.objects.create(
        conference=conference, layout="a6", status="running", created=two_hours_ago
    )
    BadgePrintRun.objects.create(conference=conference, layout="a6", status="running")
    run = SchedulerRun.objects.create(conference=conference, status="queued")
    SchedulerRun.objects.filter(pk=run.pk).update(created=two_hours_ago)
    monkeypatch.setattr(selectors, "LONG_WAITLIST", 1)
    client.force_login(organiser)
    html = client.get(page_url(conference)).content.decode()
    items = {item.key: item for item in selectors.needs_attention(conference)}
    slug = conference.slug
    expected = {
        "approval": (1, reverse("organiser:registrations", args=[slug]) + "?status=pending"),
        "overdue": (1, reverse("organiser:registrations", args=[slug]) + "?paid=no"),
        "visas": (1, reverse("visa:organiser-list", args=[slug]) + "?status=requested"),
        f"waitlist-{edition['visit'].pk}": (
            1,
            reverse("organiser:quota", args=[slug, edition["visit"].pk]),
        ),
        f"webhook-{endpoint.pk}": (2, reverse("webhooks:endpoint", args=[slug, endpoint.pk])),
        "badge-runs": (1, reverse("checkin:badges", args=[slug])),
        "scheduler-runs": (1, reverse("matchmaking:organiser", args=[slug])),
    }
    assert {key: (item.count, item.url) for key, item in items.items()} == {
        key: (count, items[key].url) for key, (count, _url) in expected.items()
    }
    for key, (_count, url) in expected.items():
        assert items[key].url.startswith(url)
        assert f'data-attention="{key}"' in html
    assert items["overdue"].detail == "$900.00 USD"


def test_the_policy_may_set_another_payment_term(edition, monkeypatch):
    conference = edition["conference"]
    assert selectors.payment_due_days(conference) == 14
    from atrium.registration.models import RegistrationPolicy

    RegistrationPolicy.objects.create(conference=conference)
    monkeypatch.setattr(RegistrationPolicy, "payment_due_days", 30, raising=False)
    assert selectors.payment_due_days(conference) == 30
    assert "overdue" not in {item.key for item in selectors.needs_attention(conference)}


def test_the_dashboard_shows_the_insight_panel(client, edition, organiser):
    client.force_login(organiser)
    html = client.get(reverse("organiser:dashboard", args=["beijing"])).content.decode()
    assert 'id="insight-panel"' in html
    assert f'hx-get="{page_url(edition["conference"], "panel")}"' in html
    assert f'href="{page_url(edition["conference"])}"' in html  # also without JavaScript
    response = client.get(page_url(edition["conference"], "panel"), HTTP_HX_REQUEST="true")
    panel = read_page(response.content.decode())
    # 7 registrations so far (all made before today); Nairobi had 3 by its opening day.
    assert panel.figures["so-far"] == (
        "7 registrations so far; 41st World Conference had 3 at the same number of days "
        "before its opening day."
    )
    assert 'data-attention="approval"' in response.content.decode()


def test_nothing_personal_on_the_page(client, edition, organiser):
    client.force_login(organiser)
    html = client.get(page_url(edition["conference"])).content.decode()
    for registration in edition["registrations"].values():
        assert registration.person.name not in html
        assert registration.person.email not in html


# --- downloads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table", ["over-time", "comparison", "countries", "money", "vouchers", "sessions", "b2b"]
)
def test_every_table_downloads_as_csv_and_xlsx(client, edition, organiser, table):
    client.force_login(organiser)
    url = page_url(edition["conference"], "export", table=table)
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) >= 2
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_countries_download_has_the_pages_figures(client, edition, organiser):
    client.force_login(organiser)
    url = page_url(edition["conference"], "export", table="countries")
    rows = list(csv.reader(io.StringIO(client.get(url).getvalue().decode("utf-8-sig"))))
    assert rows == [
        ["Country code", "Country", "Registrations", "People checked in"],
        ["CN", "China", "3", "2"],
        ["ES", "Spain", "2", "1"],
        ["KE", "Kenya", "1", "1"],
        ["", "Not given", "1", "0"],
        ["", "Total", "7", "4"],
    ]


def test_an_unknown_table_is_a_404(client, edition, organiser):
    client.force_login(organiser)
    assert client.get(page_url(edition["conference"], "export", table="people")).status_code == 404


# --- who may see it ------------------------------------------------------------------------------


def test_organisers_of_another_edition_are_refused(client, edition):
    other = ConferenceRoleFactory(conference=edition["previous"]).user
    client.force_login(other)
    conference = edition["conference"]
    assert client.get(page_url(conference)).status_code == 403
    assert client.get(page_url(conference, "checkins")).status_code == 403
    assert client.get(page_url(conference, "export", table="money")).status_code == 403
    response = client.post(page_url(conference, "rate"), {"rate": "7", "on": "2025-09-01"})
    assert response.status_code == 403


def test_check_in_staff_see_the_check_in_part_only(client, edition):
    staff = ConferenceRoleFactory(
        conference=edition["conference"], role=ConferenceRole.Role.CHECKIN
    ).user
    client.force_login(staff)
    conference = edition["conference"]
    assert client.get(page_url(conference)).status_code == 403
    assert client.get(page_url(conference, "over-time")).status_code == 403
    assert client.get(page_url(conference, "panel")).status_code == 403
    assert client.get(page_url(conference, "export", table="countries")).status_code == 403
    response = client.get(page_url(conference, "checkins"), {"day": "2025-09-17"})
    assert response.status_code == 200
    page = read_page(response.content.decode())
    assert page.figures["people"] == "3"
    assert "money" not in page.tables and "countries" not in page.tables
    response = client.get(page_url(conference, "checkins"), HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith("<section")
    export = client.get(page_url(conference, "export-checkins"), {"day": "2025-09-17"})
    assert export.status_code == 200


def test_delegates_and_anonymous_visitors_are_refused(client, edition):
    conference = edition["conference"]
    for name in ("page", "checkins", "panel"):
        response = client.get(page_url(conference, name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    client.force_login(AccountFactory())
    assert client.get(page_url(conference)).status_code == 403
    assert client.get(page_url(conference, "checkins")).status_code == 403
