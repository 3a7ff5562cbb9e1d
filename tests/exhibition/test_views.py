"""The exhibition's pages: the permission matrix, bad input, the offline queue's batch,
/me/, organiser pages, and constant query counts."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition import services
from atrium.exhibition.models import Booth, BoothBooking, Exhibitor, Lead, LeadConsent
from tests.exhibition.factories import (
    ExhibitorFactory,
    HallFactory,
    badge_token,
)
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)


def body(response) -> bytes:
    """A response's bytes, streamed (XLSX files are) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _status(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return str(response.status_code)


EXPECTED = {
    # user: (portal, lead page, lead list visible, export, lead edit)
    "anonymous": ("login", "login", None, "login", "login"),
    "visitor": ("404", "404", None, "404", "404"),
    "scan_staff": ("200", "200", False, "403", "403"),
    "lead_staff": ("200", "200", True, "200", "200"),
    "owner": ("200", "200", True, "200", "200"),
    "other_exhibitor": ("404", "404", None, "404", "404"),
    "organiser": ("200", "403", None, "200", "200"),
    "other_organiser": ("404", "404", None, "404", "404"),
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix_of_the_portal_and_lead_pages(client, world, who):
    exhibitor = world["exhibitor"]
    slug = world["conference"].slug
    user = world["users"][who]
    portal, lead_page, sees_list, export, edit = EXPECTED[who]
    urls = {
        "portal": reverse("exhibition:portal", args=[slug, exhibitor.pk]),
        "leads": reverse("exhibition:leads", args=[slug, exhibitor.pk]),
        "export": reverse("exhibition:leads-export", args=[slug, exhibitor.pk, "csv"]),
        "edit": reverse("exhibition:lead", args=[slug, exhibitor.pk, world["lead"].pk]),
    }
    assert _status(_get(client, user, urls["portal"])) == portal
    response = _get(client, user, urls["leads"])
    assert _status(response) == lead_page
    if sees_list is not None:
        assert ("Cecile Harle" in response.content.decode()) is sees_list
    assert _status(_get(client, user, urls["export"])) == export
    assert _status(_get(client, user, urls["edit"])) == edit


@pytest.mark.parametrize("who", list(EXPECTED))
def test_only_booth_staff_and_the_contact_can_scan(client, world, who):
    exhibitor = world["exhibitor"]
    user = world["users"][who]
    url = reverse("exhibition:leads-submit", args=[world["conference"].slug, exhibitor.pk])
    newcomer = RegistrationFactory(conference=world["conference"])
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.post(
        url,
        json.dumps({"scans": [{"token": badge_token(newcomer), "client_id": str(uuid.uuid4())}]}),
        content_type="application/json",
    )
    allowed = who in ("scan_staff", "lead_staff", "owner")
    assert (response.status_code == 200) is allowed
    assert Lead.objects.filter(registration=newcomer).exists() is allowed


def test_organiser_pages_are_for_organisers_of_this_edition_only(client, world):
    url = reverse("exhibition:organiser", args=[world["conference"].slug])
    for who, expected in [
        ("organiser", "200"),
        ("other_organiser", "403"),
        ("owner", "403"),
        ("anonymous", "login"),
    ]:
        assert _status(_get(client, world["users"][who], url)) == expected, who


def test_offline_queue_sent_in_one_go_saves_each_scan_once(client, world):
    exhibitor = world["exhibitor"]
    client.force_login(world["users"]["scan_staff"])
    url = reverse("exhibition:leads-submit", args=[world["conference"].slug, exhibitor.pk])
    visitors = [RegistrationFactory(conference=world["conference"]) for _i in range(5)]
    scans = [
        {
            "token": badge_token(v),
            "client_id": str(uuid.uuid4()),
            "scanned_at": "2025-09-16T02:00:00Z",
        }
        for v in visitors
    ]
    scans.append(dict(scans[0]))  # the same scan twice
    scans.append({"token": "FORGED.TOKEN", "client_id": str(uuid.uuid4())})
    response = client.post(url, json.dumps({"scans": scans}), content_type="application/json")
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True] * 6 + [False]
    assert [r.get("created") for r in results[:6]] == [True] * 5 + [False]
    assert results[-1]["error"] == "This is not a valid badge."
    assert Lead.objects.filter(exhibitor=exhibitor).count() == 6
    # Sent again after a lost answer: nothing new.
    client.post(url, json.dumps({"scans": scans}), content_type="application/json")
    assert Lead.objects.filter(exhibitor=exhibitor).count() == 6


def test_scanning_a_revoked_or_foreign_badge_on_the_page_shows_the_reason(client, world):
    from atrium.checkin.badges import badge_issue

    exhibitor = world["exhibitor"]
    client.force_login(world["users"]["scan_staff"])
    url = reverse("exhibition:leads", args=[world["conference"].slug, exhibitor.pk])
    foreign = badge_token(RegistrationFactory(conference=ConferenceFactory()))
    response = client.post(url, {"token": foreign})
    assert response.status_code == 400
    assert "This badge belongs to another edition." in response.content.decode()
    visitor = RegistrationFactory(conference=world["conference"])
    old = badge_token(visitor)
    badge_issue(registration=visitor, actor=None, reprint=True)
    response = client.post(url, {"token": old})
    assert "no longer counts" in response.content.decode()
    assert Lead.objects.filter(exhibitor=exhibitor).count() == 1


def test_export_is_in_the_exporters_language_and_shares_only_consented_data(client, world):
    exhibitor = world["exhibitor"]
    client.force_login(world["users"]["lead_staff"])
    url = reverse("exhibition:leads-export", args=[world["conference"].slug, exhibitor.pk, "xlsx"])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] != "Name"  # a Chinese header (once translated) or the msgid in English
    assert "Cecile Harle" in rows[1]
    assert "cecile@example.org" not in rows[1]
    person = world["lead"].registration.person
    exhibition_leads.consent_set(person=person, exhibitor=exhibitor, share_email=True)
    response = client.get(url)
    rows = list(load_workbook(io.BytesIO(body(response))).active.iter_rows(values_only=True))
    assert "cecile@example.org" in rows[1]


def test_visitor_sets_consent_and_withdraws_on_me(client, world):
    visitor = world["users"]["visitor"]
    client.force_login(visitor)
    me = client.get(reverse("registration:me"))
    body = me.content.decode()
    assert "Who scanned me" in body and "Zhongguancun Science Park" in body
    slug = world["conference"].slug
    client.post(
        reverse("exhibition:my-consent", args=[slug]),
        {"share_name": "on", "share_organisation": "on", "share_phone": "on"},
    )
    consent = LeadConsent.objects.get(person__user=visitor, exhibitor__isnull=True)
    assert (consent.share_phone, consent.share_email) == (True, False)
    client.post(reverse("exhibition:my-withdraw", args=[slug, world["lead"].pk]))
    world["lead"].refresh_from_db()
    assert world["lead"].withdrawn_at is not None
    # Someone else cannot withdraw it.
    other = RegistrationFactory(
        conference=world["conference"], person=PersonFactory(user=UserFactory())
    )
    client.force_login(other.person.user)
    response = client.post(reverse("exhibition:my-withdraw", args=[slug, world["lead"].pk]))
    assert response.status_code == 404


def test_portal_hold_on_a_booked_booth_is_a_clear_error(client, world):
    other = ExhibitorFactory(conference=world["conference"])
    client.force_login(other.contact)
    url = reverse("exhibition:hold", args=[world["conference"].slug, other.pk])
    response = client.post(url, {"booth": world["booth"].pk, "currency": "USD"})
    assert response.status_code == 400
    assert "Booth A01 is already booked." in response.content.decode()
    assert BoothBooking.objects.filter(exhibitor=other).count() == 0


def test_product_upload_that_is_not_an_image_is_refused_on_the_page(client, world):
    exhibitor = world["exhibitor"]
    client.force_login(exhibitor.contact)
    url = reverse("exhibition:product-add", args=[world["conference"].slug, exhibitor.pk])
    fake = SimpleUploadedFile("dart.png", b"GIF89a? no", content_type="image/png")
    response = client.post(url, {"name": "Dart platform", "image": fake})
    assert response.status_code == 400
    assert "not a picture" in response.content.decode()
    assert not exhibitor.products.exists()


def test_organiser_spreadsheet_upload_names_the_overlapping_row(client, world):
    client.force_login(world["users"]["organiser"])
    url = reverse("exhibition:organiser-plan", args=[world["conference"].slug])
    data = b"hall,code,x,y,width,depth\nA,A02,40,40,3,3\nA,A03,3,3,3,3\n"
    response = client.post(url, {"file": SimpleUploadedFile("plan.csv", data)})
    assert response.status_code == 400
    assert "Booth A03 overlaps booth A01." in response.content.decode()
    assert not Booth.objects.filter(code__in=["A02", "A03"]).exists()


def test_organiser_accepts_rejects_and_approves_changes(client, world):
    conference = world["conference"]
    client.force_login(world["users"]["organiser"])
    applicant = ExhibitorFactory(conference=conference, status="applied")
    url = reverse("exhibition:decide", args=[conference.slug, applicant.pk])
    client.post(url, {"decision": "reject", "reason": ""})
    applicant.refresh_from_db()
    assert applicant.status == "applied"
    client.post(url, {"decision": "accept"})
    applicant.refresh_from_db()
    assert applicant.status == "accepted"
    services.exhibitor_profile_edit(exhibitor=applicant, changes={"description": "New"})
    page = client.get(reverse("exhibition:organiser", args=[conference.slug])).content.decode()
    assert "diff-new" in page and "New" in page
    client.post(
        reverse("exhibition:changes", args=[conference.slug, applicant.pk]), {"decision": "approve"}
    )
    applicant.refresh_from_db()
    assert applicant.description == "New"


def test_apply_page_creates_an_application_for_the_users_organisation(client, conference):
    HallFactory(conference=conference)
    user = UserFactory()
    person = PersonFactory(user=user)
    client.force_login(user)
    url = reverse("exhibition:apply", args=[conference.slug])
    response = client.post(url, {"description": "Biomedicine incubator"})
    exhibitor = Exhibitor.objects.get()
    assert response.status_code == 302
    assert (exhibitor.organisation, exhibitor.contact, exhibitor.status) == (
        person.organisation,
        user,
        "applied",
    )


def test_tour_pages_and_run_sheet_pdf(client, world):
    conference = world["conference"]
    client.force_login(world["users"]["organiser"])
    response = client.post(
        reverse("exhibition:tour-new", args=[conference.slug]),
        {
            "name": "Official tour",
            "name_zh": "官方巡馆",
            "starts_at": "2025-09-16T08:30",
            "party": "Rigathi Gachagua | | Vice President of Kenya\n"
            "Leno Miranda | | IASP President",
            "stops": "A01 10",
            "reorder": "on",
        },
    )
    assert response.status_code == 302
    tour = conference.tours.get()
    assert tour.party[0]["name"] == "Rigathi Gachagua"
    page = client.get(response["Location"]).content.decode()
    assert "08:3" in page and "A01" in page
    pdf = client.get(reverse("exhibition:tour-pdf", args=[conference.slug, tour.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bad = client.post(
        reverse("exhibition:tour-new", args=[conference.slug]),
        {"name": "T", "starts_at": "2025-09-16T08:30", "party": "X", "stops": "ZZ9 5"},
    )
    assert bad.status_code == 400 and "there is no booth ZZ9" in bad.content.decode()


def test_plan_page_in_chinese_shows_chinese_names_and_search_finds_traditional(client, world):
    url = reverse("exhibition:plan", args=[world["conference"].slug])
    page = client.get(url, {"q": "中關村"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "中关村科技园区" in page
    assert "booth--match" in page
    assert 'style="' not in page


def _plan_queries(client, slug) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("exhibition:plan", args=[slug]))
    assert response.status_code == 200
    return len(queries)


def _list_queries(client, slug) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("exhibition:exhibitors", args=[slug]))
    assert response.status_code == 200
    return len(queries)


def _fill(conference, booths: int, exhibitors: int):
    halls = [
        HallFactory(conference=conference, outline=[[0, 0], [200, 0], [200, 200], [0, 200]])
        for _ in range(2)
    ]
    made = []
    for i in range(booths):
        hall = halls[i % 2]
        n = i // 2
        made.append(
            Booth(
                hall=hall,
                code=f"{hall.code}-{n}",
                x=1 + (n % 30) * 6,
                y=1 + (n // 30) * 6,
                width=5,
                height=5,
            )
        )
    Booth.objects.bulk_create(made)
    made = list(Booth.objects.filter(hall__conference=conference))
    for i in range(exhibitors):
        exhibitor = ExhibitorFactory(conference=conference)
        BoothBooking.objects.create(booth=made[i], exhibitor=exhibitor, status="booked")


def test_plan_page_and_exhibitor_list_query_counts_do_not_grow(client):
    small = ConferenceFactory(slug="small")
    _fill(small, booths=30, exhibitors=5)
    large = ConferenceFactory(slug="large")
    _fill(large, booths=300, exhibitors=60)
    assert Booth.objects.filter(hall__conference=large).count() == 300
    assert _plan_queries(client, "small") == _plan_queries(client, "large")
    assert _list_queries(client, "small") == _list_queries(client, "large")


def test_organiser_adds_a_hall_a_booth_and_an_entrance_by_form(client, world):
    conference = world["conference"]
    client.force_login(world["users"]["organiser"])
    base = "/c/beijing-2025/organiser/exhibition/"
    response = client.post(
        base + "halls/",
        {
            "code": "c",
            "name": "Hall C",
            "outline": "0,0 30,0 30,20 0,20",
            "opens_at": "09:00",
            "closes_at": "17:00",
            "site_x": "200",
            "site_y": "0",
        },
    )
    assert response.status_code == 302
    hall = conference.halls.get(code="c")
    booth = {
        "hall": hall.pk,
        "code": "C01",
        "x": "1",
        "y": "1",
        "width": "4",
        "height": "3",
        "category": "standard",
        "price_usd": "100",
        "price_cny": "700",
        "staff_passes": "2",
    }
    assert client.post(base + "booths/", booth).status_code == 302
    outside = client.post(base + "booths/", {**booth, "code": "C02", "x": "28"})
    assert outside.status_code == 400
    assert "Booth C02 is outside the plan of hall c." in outside.content.decode()
    feature = {"hall": hall.pk, "kind": "entrance", "x": "0", "y": "10", "width": 0, "height": 0}
    assert client.post(base + "features/", feature).status_code == 302
    assert hall.features.get().kind == "entrance"
    off = client.post(base + "features/", {**feature, "x": "50"})
    assert off.status_code == 400 and "outside the hall" in off.content.decode()


def test_visitor_saves_a_booth_to_the_agenda_from_the_profile(client, world):
    conference = world["conference"]
    visitor = world["users"]["visitor"]
    client.force_login(visitor)
    profile = reverse("exhibition:exhibitor", args=[conference.slug, world["exhibitor"].pk])
    assert "Save booth A01 to my agenda" in client.get(profile).content.decode()
    url = reverse("exhibition:my-booth", args=[conference.slug, world["booth"].pk])
    client.post(url, {"next": profile})
    me = client.get(reverse("registration:me")).content.decode()
    assert "Booths in my agenda" in me and "A01" in me
    client.post(url)
    assert not world["booth"].saved_by.exists()
    # Someone without a registration at this edition cannot.
    client.force_login(world["users"]["other_organiser"])
    assert client.post(url).status_code == 404


def test_the_lead_form_splits_chinese_separated_interests(client, world):
    exhibitor = world["exhibitor"]
    client.force_login(exhibitor.contact)
    url = reverse(
        "exhibition:lead", args=[world["conference"].slug, exhibitor.pk, world["lead"].pk]
    )
    response = client.post(
        url,
        {
            "rating": "5",
            "notes": "",
            "tags_text": "合作、投资",
            "interests_text": "新一代信息技术；生命健康",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get(pk=world["lead"].pk)
    assert (lead.tags, lead.interests) == (["合作", "投资"], ["新一代信息技术", "生命健康"])
    # Shown again joined with commas, which split back the same.
    page = client.get(url).content.decode()
    assert "新一代信息技术, 生命健康" in page
