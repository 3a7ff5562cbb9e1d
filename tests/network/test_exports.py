"""Spreadsheet exports: the directory, its people and an edition's programme."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from atrium.core.tabular import read_table
from atrium.events.models import SessionRole
from atrium.network.imports import ORGANISATION_COLUMNS, organisations_import
from atrium.network.models import Organisation
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RoomFactory,
    SectorFactory,
    SessionFactory,
    SessionRoleFactory,
    TalkFactory,
    TrackFactory,
    local,
)

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    body = response.getvalue()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def network():
    ict = SectorFactory(slug="ict", name="Information technology")
    zgc = OrganisationFactory(
        name="Zhongguancun Science Park",
        name_zh="中关村科技园区",
        slug="zhongguancun",
        country="CN",
        city="Beijing",
        city_zh="北京",
        website="https://www.zgc.gov.cn",
        member_since=1995,
    )
    zgc.sectors.add(ict)
    changping = OrganisationFactory(
        name="Zhongguancun Changping Park",
        slug="changping",
        country="CN",
        parent=zgc,
        member_since=None,
    )
    sophia = OrganisationFactory(name="Sophia Antipolis", slug="sophia", country="FR")
    ma = PersonFactory(
        name="Ma Jun",
        name_zh="马骏",
        slug="ma-jun",
        organisation=zgc,
        country="CN",
        email="ma.jun@example.cn",
        phone="+86 10 1234",
        directory_opt_in=True,
    )
    hidden = PersonFactory(
        name="Private Person",
        slug="private",
        organisation=sophia,
        email="private@example.fr",
        phone="+33 4 0000",
        directory_opt_in=False,
    )
    return {"zgc": zgc, "changping": changping, "sophia": sophia, "ma": ma, "hidden": hidden}


# --- organisations -----------------------------------------------------------------


def test_organisations_xlsx_has_the_public_columns_and_rows(client, network):
    rows = sheet_rows(client.get("/directory/export.xlsx"))
    assert list(rows[0]) == [*ORGANISATION_COLUMNS, "url"]
    by_slug = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert list(by_slug) == ["sophia", "changping", "zhongguancun"]  # the directory's order
    zgc = by_slug["zhongguancun"]
    assert zgc["name_zh"] == "中关村科技园区"
    assert (zgc["kind"], zgc["country"], zgc["city_zh"]) == ("science_park", "CN", "北京")
    assert (zgc["sectors"], zgc["member_since"]) == ("ict", 1995)
    assert zgc["url"] == "http://testserver/directory/zhongguancun/"
    assert by_slug["changping"]["parent"] == "zhongguancun"
    for private in ("is_synthetic", "created", "search_key"):
        assert private not in rows[0]


def test_organisations_export_follows_the_directory_filters(client, network):
    rows = csv_rows(client.get("/directory/export.csv?country=CN&member=yes"))
    assert [row[1] for row in rows[1:]] == ["Zhongguancun Science Park"]
    found = csv_rows(client.get("/directory/export.csv", {"q": "中关村 changping"}))
    assert [row[0] for row in found[1:]] == ["changping"]
    # An unknown filter value is ignored, as on the page.
    assert len(csv_rows(client.get("/directory/export.csv?kind=castle"))) == 4


def test_organisations_csv_is_parseable_and_has_chinese(client, network):
    response = client.get("/directory/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="organisations.csv"'
    rows = csv_rows(response)
    assert rows[0][:3] == ["slug", "name", "name_zh"]
    assert ["zhongguancun", "Zhongguancun Science Park", "中关村科技园区"] in [r[:3] for r in rows]


def test_an_unknown_export_format_is_not_found(client, network):
    assert client.get("/directory/export.pdf").status_code == 404


def test_an_exported_file_imports_back_without_changes(client, network):
    for fmt in ("csv", "xlsx"):
        data = client.get(f"/directory/export.{fmt}").getvalue()
        table = read_table(SimpleUploadedFile(f"organisations.{fmt}", data))
        result = organisations_import(table=table, dry_run=False, actor=None)
        assert result.ok, result.errors
        assert (result.created, result.updated, result.unchanged) == (0, 0, 3), fmt
        assert result.ignored_columns == []
    assert Organisation.objects.count() == 3


# --- people ------------------------------------------------------------------------


def make_user(django_user_model, username, *, staff, codenames=()):
    user = django_user_model.objects.create_user(username, is_staff=staff)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_people_export_for_everyone_lists_only_opted_in_people_without_contacts(client, network):
    response = client.get("/directory/people/export/?format=xlsx")
    rows = sheet_rows(response)
    assert "email" not in rows[0] and "phone" not in rows[0]
    assert [row[1] for row in rows[1:]] == ["Ma Jun"]
    assert rows[1][2] == "马骏"
    body = response.getvalue()
    for secret in (b"ma.jun@example.cn", b"Private Person", b"private@example.fr"):
        assert secret not in body
    text = client.get("/directory/people/export/?format=csv").getvalue().decode("utf-8-sig")
    assert "Ma Jun" in text and "ma.jun@example.cn" not in text and "Private" not in text


@pytest.mark.parametrize(
    ("staff", "codenames", "sees_all"),
    [
        (False, (), False),
        (False, ("view_person",), False),  # the permission alone: not staff
        (True, (), False),  # staff without the permission
        (True, ("view_person",), True),
    ],
)
def test_people_export_with_contacts_only_for_staff_with_permission(
    client, django_user_model, network, staff, codenames, sees_all
):
    client.force_login(make_user(django_user_model, "u", staff=staff, codenames=codenames))
    rows = csv_rows(client.get("/directory/people/export/"))
    names = [row[1] for row in rows[1:]]
    if sees_all:
        assert rows[0][-3:] == ["email", "phone", "directory_opt_in"]
        assert names == ["Ma Jun", "Private Person"]
        private = dict(zip(rows[0], rows[2], strict=True))
        assert (private["email"], private["phone"], private["directory_opt_in"]) == (
            "private@example.fr",
            "+33 4 0000",
            "no",
        )
    else:
        assert "email" not in rows[0]
        assert names == ["Ma Jun"]


def test_people_export_with_a_bad_format_is_a_clear_400(client, network):
    response = client.get("/directory/people/export/?format=pdf")
    assert response.status_code == 400
    assert "format=csv or format=xlsx" in response.content.decode()


# --- sessions ----------------------------------------------------------------------


@pytest.fixture
def programme(network):
    conference = ConferenceFactory(slug="beijing-2025", time_zone="Asia/Shanghai")
    hall = RoomFactory(conference=conference, name="Grand Hall", name_zh="大会堂")
    track = TrackFactory(conference=conference, name="Smart cities")
    keynote = SessionFactory(
        conference=conference,
        kind="keynote",
        title="Opening keynote",
        title_zh="开幕主旨演讲",
        room=hall,
        track=track,
        start=local(conference, 0, 9, 30),
        end=local(conference, 0, 10, 15),
    )
    SessionRoleFactory(session=keynote, person=network["ma"], role=SessionRole.Role.CHAIR)
    speaker = PersonFactory(name="Cecile Harle", slug="cecile")
    TalkFactory(session=keynote, title="Parks and cities", speakers=[speaker])
    moderator = PersonFactory(name="Wang Fang", name_zh="王芳", slug="wang")
    SessionRoleFactory(session=keynote, person=moderator, role=SessionRole.Role.MODERATOR)
    SessionFactory(
        conference=conference,
        kind="technical_visit",
        title="Visit to Changping",
        room=None,
        place="Changping Park",
        start=local(conference, 1, 14),
        end=local(conference, 1, 17),
    )
    SessionFactory(conference=conference, title="Closed door", is_public=False)
    return conference


def test_sessions_xlsx_in_local_time_with_people_and_places(client, programme):
    rows = sheet_rows(client.get("/c/beijing-2025/sessions/export/?format=xlsx"))
    header = rows[0]
    assert header[:3] == ("Date", "Start (Asia/Shanghai)", "End (Asia/Shanghai)")
    assert len(rows) == 3, "the non-public session is not exported"
    keynote = dict(zip(header, rows[1], strict=True))
    assert keynote["Date"] == datetime(2025, 9, 16)
    assert (keynote["Start (Asia/Shanghai)"], keynote["End (Asia/Shanghai)"]) == (
        time(9, 30),
        time(10, 15),
    )
    assert (keynote["Title"], keynote["Title in Chinese"]) == ("Opening keynote", "开幕主旨演讲")
    assert (keynote["Kind"], keynote["Track"]) == ("Keynote", "Smart cities")
    assert keynote["Room or place"] == "Grand Hall / 大会堂"
    assert keynote["Speakers"] == "Cecile Harle"
    assert keynote["Chairs"] == "Ma Jun (马骏)"
    assert keynote["Other roles"] == "Wang Fang (王芳) (Moderator)"
    assert keynote["Talks"] == "Parks and cities"
    assert keynote["Link"].startswith("http://testserver/c/beijing-2025/sessions/")
    visit = dict(zip(header, rows[2], strict=True))
    assert visit["Room or place"] == "Changping Park"
    assert visit["Start (Asia/Shanghai)"] == time(14, 0)


def test_sessions_csv_in_chinese(client, programme):
    response = client.get(
        "/c/beijing-2025/sessions/export/?format=csv", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response["Content-Disposition"] == 'attachment; filename="beijing-2025-programme.csv"'
    rows = csv_rows(response)
    assert rows[1][:3] == ["2025-09-16", "09:30", "10:15"]
    assert "主旨演讲" in rows[1]  # the kind, in the language of the request


def test_sessions_export_of_an_unknown_or_unpublished_edition_is_not_found(client, programme):
    ConferenceFactory(slug="draft", is_published=False)
    assert client.get("/c/draft/sessions/export/?format=csv").status_code == 404
    assert client.get("/c/nowhere/sessions/export/?format=csv").status_code == 404
    assert client.get("/c/beijing-2025/sessions/export/?format=ods").status_code == 400


# --- links on the pages ------------------------------------------------------------


def test_directory_page_links_to_the_exports_with_its_filters(client, network):
    page = client.get("/directory/?country=CN&page=1").content.decode()
    assert "/directory/export.csv?country=CN" in page
    assert "/directory/export.xlsx?country=CN" in page
    assert "/directory/people/export/?format=xlsx" in page
    assert "/directory/import/organisations/" not in page
    # After an htmx filter change the links are fetched again for the new filters.
    links = client.get("/directory/export/links/?q=zgc&kind=company").content.decode()
    assert "/directory/export.csv?q=zgc&amp;kind=company" in links


def test_directory_links_offer_imports_to_staff_with_permission(client, django_user_model):
    client.force_login(
        make_user(django_user_model, "s", staff=True, codenames=("add_organisation",))
    )
    links = client.get("/directory/export/links/").content.decode()
    assert "/directory/import/organisations/" in links
    assert "/directory/import/people/" not in links


def test_programme_page_links_to_the_sessions_export(client, programme):
    page = client.get("/c/beijing-2025/programme/").content.decode()
    assert "/c/beijing-2025/sessions/export/?format=csv" in page
    assert "/c/beijing-2025/sessions/export/?format=xlsx" in page
