"""The public, read-only part of the API: editions, programme, speakers, directory."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atrium.events.models import Session, SessionRole
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


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response


@pytest.fixture
def beijing():
    zgc = OrganisationFactory(
        name="Zhongguancun Science Park", name_zh="中关村科技园区", slug="zgc", country="CN"
    )
    conference = ConferenceFactory(slug="beijing-2025", number=42, host=zgc)
    hall = RoomFactory(conference=conference, name="Plenary Hall", name_zh="全体大会厅")
    track = TrackFactory(conference=conference, name="Smart cities", slug="smart-cities")
    speaker = PersonFactory(
        name="Ma Jun",
        name_zh="马骏",
        organisation=zgc,
        country="CN",
        email="ma.jun@example.org",
        phone="+86 10 1234 5678",
        directory_opt_in=False,
    )
    chair = PersonFactory(name="Ana Chair", email="chair@example.org", phone="+34 600")
    opening = SessionFactory(
        conference=conference,
        kind=Session.Kind.OPENING_CEREMONY,
        title="Opening ceremony",
        title_zh="开幕式",
        room=hall,
        start=local(conference, 0, 9),
        end=local(conference, 0, 10, 30),
    )
    SessionRoleFactory(session=opening, person=chair, role=SessionRole.Role.CHAIR)
    TalkFactory(session=opening, title="Welcome", speakers=[speaker])
    forum = SessionFactory(
        conference=conference,
        title="Cities forum",
        track=track,
        room=hall,
        start=local(conference, 1, 14),
        end=local(conference, 1, 15),
    )
    visit = SessionFactory(
        conference=conference,
        kind=Session.Kind.TECHNICAL_VISIT,
        title="Visit to Zhongguancun",
        room=None,
        place="Zhongguancun Exhibition Centre",
        seats=40,
        start=local(conference, 2, 9),
        end=local(conference, 2, 12),
    )
    hidden = SessionFactory(
        conference=conference, title="Organisers' dinner", is_public=False, room=hall
    )
    SessionRoleFactory(
        session=hidden, person=PersonFactory(name="Secret Guest", directory_opt_in=False)
    )
    return {
        "conference": conference,
        "zgc": zgc,
        "hall": hall,
        "track": track,
        "speaker": speaker,
        "chair": chair,
        "sessions": [opening, forum, visit],
        "hidden": hidden,
    }


# --- conferences ------------------------------------------------------------------------


def test_conferences_lists_published_editions_newest_first(client, beijing):
    ConferenceFactory(slug="nairobi-2024", number=41, city="Nairobi", time_zone="Africa/Nairobi")
    ConferenceFactory(slug="draft-2026", number=43, is_published=False)
    body = get(client, "/api/v1/conferences").json()
    assert body["total"] == 2
    assert body["limit"] == 50 and body["offset"] == 0
    assert [c["slug"] for c in body["items"]] == ["beijing-2025", "nairobi-2024"]
    first = body["items"][0]
    assert first["time_zone"] == "Asia/Shanghai"
    assert first["start_date"] == "2025-09-16"
    assert first["host"] == {
        "slug": "zgc",
        "name": "Zhongguancun Science Park",
        "name_zh": "中关村科技园区",
        "kind": "science_park",
        "country": "CN",
    }


def test_conference_detail_has_rooms_and_tracks(client, beijing):
    body = get(client, "/api/v1/conferences/beijing-2025").json()
    assert body["number"] == 42
    assert body["city_zh"] == "北京"
    assert [r["name"] for r in body["rooms"]] == ["Plenary Hall"]
    assert body["rooms"][0]["name_zh"] == "全体大会厅"
    assert body["tracks"] == [{"slug": "smart-cities", "name": "Smart cities", "name_zh": ""}]


def test_unpublished_and_unknown_editions_are_404_json(client, beijing):
    ConferenceFactory(slug="draft-2026", number=43, is_published=False)
    for url in [
        "/api/v1/conferences/draft-2026",
        "/api/v1/conferences/draft-2026/sessions",
        "/api/v1/conferences/draft-2026/speakers",
        "/api/v1/conferences/nowhere",
    ]:
        response = get(client, url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
        assert response.json()["message"]


# --- sessions --------------------------------------------------------------------------


def test_sessions_shape_times_people_and_talks(client, beijing):
    body = get(client, "/api/v1/conferences/beijing-2025/sessions").json()
    assert body["total"] == 3
    opening, forum, visit = body["items"]
    assert opening["title"] == "Opening ceremony" and opening["title_zh"] == "开幕式"
    assert opening["kind"] == "opening_ceremony"
    # ISO 8601 in the conference's time zone, with its offset.
    assert opening["start"] == "2025-09-16T09:00:00+08:00"
    assert opening["end"] == "2025-09-16T10:30:00+08:00"
    assert opening["room"] == {
        "id": beijing["hall"].pk,
        "name": "Plenary Hall",
        "name_zh": "全体大会厅",
    }
    assert opening["people"][0]["role"] == "chair"
    assert opening["people"][0]["person"]["name"] == "Ana Chair"
    talk = opening["talks"][0]
    assert talk["title"] == "Welcome"
    assert talk["speakers"][0]["name_zh"] == "马骏"
    assert talk["speakers"][0]["organisation"]["slug"] == "zgc"
    assert forum["track"] == {"slug": "smart-cities", "name": "Smart cities", "name_zh": ""}
    assert visit["room"] is None
    assert visit["place"] == "Zhongguancun Exhibition Centre"
    assert visit["seats"] == 40


def test_sessions_never_show_hidden_sessions_or_contact_details(client, beijing):
    response = get(client, "/api/v1/conferences/beijing-2025/sessions", limit=200)
    text = response.content.decode()
    assert "Organisers' dinner" not in text
    assert "Secret Guest" not in text
    for secret in ["ma.jun@example.org", "chair@example.org", "+86 10 1234 5678", "+34 600"]:
        assert secret not in text
    assert '"email"' not in text and '"phone"' not in text
    hidden = beijing["hidden"]
    detail = get(client, f"/api/v1/conferences/beijing-2025/sessions/{hidden.pk}")
    assert detail.status_code == 404


def test_session_filters(client, beijing):
    url = "/api/v1/conferences/beijing-2025/sessions"
    by_kind = get(client, url, kind="technical_visit").json()
    assert [s["title"] for s in by_kind["items"]] == ["Visit to Zhongguancun"]
    by_day = get(client, url, day="2025-09-17").json()
    assert [s["title"] for s in by_day["items"]] == ["Cities forum"]
    by_track = get(client, url, track="smart-cities").json()
    assert by_track["total"] == 1
    by_room = get(client, url, room=beijing["hall"].pk).json()
    assert [s["title"] for s in by_room["items"]] == ["Opening ceremony", "Cities forum"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"day": "2030-01-01"}, "day"),
        ({"day": "not-a-date"}, "day"),
        ({"room": "-3"}, "room"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"offset": "-5"}, "offset"),
    ],
)
def test_session_filter_errors_are_422_naming_the_field(client, beijing, params, field):
    response = get(client, "/api/v1/conferences/beijing-2025/sessions", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["field"] == field
    assert body["message"]
    assert body["detail"][0]["field"] == field


def test_session_detail(client, beijing):
    opening = beijing["sessions"][0]
    body = get(client, f"/api/v1/conferences/beijing-2025/sessions/{opening.pk}").json()
    assert body["id"] == opening.pk
    assert body["start"] == "2025-09-16T09:00:00+08:00"
    other = SessionFactory()  # another edition's session is not found through this one
    response = get(client, f"/api/v1/conferences/beijing-2025/sessions/{other.pk}")
    assert response.status_code == 404


def test_sessions_pages_are_stable_and_complete(client, beijing):
    conference = beijing["conference"]
    for n in range(7):  # same start and room: only the id tells them apart
        SessionFactory(conference=conference, room=beijing["hall"], title=f"Same time {n}")
    url = "/api/v1/conferences/beijing-2025/sessions"
    everything = [s["id"] for s in get(client, url, limit=200).json()["items"]]
    paged = []
    for offset in range(0, 10, 3):
        page = get(client, url, limit=3, offset=offset).json()
        assert page["total"] == 10
        assert page["limit"] == 3 and page["offset"] == offset
        paged += [s["id"] for s in page["items"]]
    assert paged == everything
    assert len(set(paged)) == 10
    assert get(client, url, offset=50).json()["items"] == []


def test_session_list_query_count_does_not_grow(client, beijing):
    conference = beijing["conference"]
    url = "/api/v1/conferences/beijing-2025/sessions"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"limit": 200}).status_code == 200
        return len(queries)

    small = count()
    for n in range(15):
        session = SessionFactory(conference=conference, title=f"Extra {n}")
        SessionRoleFactory(session=session)
        TalkFactory(session=session, speakers=[PersonFactory(), PersonFactory()])
    assert count() == small
    assert small <= 8


# --- speakers ---------------------------------------------------------------------------


def test_speakers_are_people_of_public_sessions_only(client, beijing):
    body = get(client, "/api/v1/conferences/beijing-2025/speakers").json()
    names = [p["name"] for p in body["items"]]
    assert names == ["Ana Chair", "Ma Jun"]
    assert body["total"] == 2
    ma_jun = body["items"][1]
    assert ma_jun["name_zh"] == "马骏"
    assert set(ma_jun) == {
        "slug", "name", "name_zh", "position", "position_zh", "country", "organisation",
        "bio", "bio_zh",
    }  # fmt: skip


def test_speaker_list_query_count_does_not_grow(client, beijing):
    url = "/api/v1/conferences/beijing-2025/speakers"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for _ in range(10):
        SessionRoleFactory(session=beijing["sessions"][1])
    assert count() == small


# --- organisations and sectors ---------------------------------------------------------------


@pytest.fixture
def directory(beijing):
    ict = SectorFactory(name="ICT", slug="ict")
    beijing["zgc"].sectors.add(ict)
    changping = OrganisationFactory(
        name="Zhongguancun Changping Park",
        name_zh="中关村科技园区昌平园",
        slug="changping",
        country="CN",
        parent=beijing["zgc"],
        member_since=None,
    )
    malaga = OrganisationFactory(name="Malaga TechPark", slug="malaga", country="ES")
    malaga.sectors.add(ict)
    OrganisationFactory(
        name="Tsinghua University", slug="tsinghua", country="CN", kind="university"
    )
    PersonFactory(name="Listed Person", organisation=beijing["zgc"], directory_opt_in=True)
    return {"ict": ict, "changping": changping, "malaga": malaga}


@pytest.mark.parametrize("q", ["zhongguancun", "中关村", "中關村", "zhong guan cun"])
def test_organisation_search_is_chinese_aware(client, directory, q):
    body = get(client, "/api/v1/organisations", q=q).json()
    slugs = [o["slug"] for o in body["items"]]
    assert slugs[0] == "zgc"
    assert "changping" in slugs
    assert "malaga" not in slugs
    assert body["total"] == len(slugs)


def test_organisation_filters(client, directory):
    url = "/api/v1/organisations"
    assert {o["slug"] for o in get(client, url, country="CN").json()["items"]} == {
        "zgc",
        "changping",
        "tsinghua",
    }
    assert {o["slug"] for o in get(client, url, country="cn").json()["items"]} == {
        "zgc",
        "changping",
        "tsinghua",
    }
    assert [o["slug"] for o in get(client, url, kind="university").json()["items"]] == ["tsinghua"]
    assert {o["slug"] for o in get(client, url, sector="ict").json()["items"]} == {"zgc", "malaga"}
    assert [o["slug"] for o in get(client, url, member="no").json()["items"]] == ["changping"]
    combined = get(client, url, q="中关村", member="yes").json()
    assert [o["slug"] for o in combined["items"]] == ["zgc"]


def test_organisation_shape(client, directory):
    body = get(client, "/api/v1/organisations", q="changping").json()
    (changping,) = body["items"]
    assert changping["name_zh"] == "中关村科技园区昌平园"
    assert changping["parent"]["slug"] == "zgc"
    assert changping["member_since"] is None
    zgc = get(client, "/api/v1/organisations", q="zhongguancun science park").json()["items"][0]
    assert zgc["sectors"] == ["ict"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "China"}, "country"),
        ({"kind": "bogus"}, "kind"),
        ({"sector": "no-such-sector"}, "sector"),
        ({"member": "maybe"}, "member"),
        ({"q": "x" * 101}, "q"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_organisation_filter_errors(client, directory, params, field):
    response = get(client, "/api/v1/organisations", **params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == field


def test_organisation_detail_lists_only_opted_in_people(client, directory, beijing):
    body = get(client, "/api/v1/organisations/zgc").json()
    assert body["name_zh"] == "中关村科技园区"
    assert [c["slug"] for c in body["children"]] == ["changping"]
    # Ma Jun works there but did not opt in; the listed person did.
    assert [p["name"] for p in body["people"]] == ["Listed Person"]
    assert "email" not in body["people"][0]
    assert get(client, "/api/v1/organisations/nope").status_code == 404


def test_organisation_pages_are_stable(client, directory):
    for n in range(5):
        OrganisationFactory(name="Same Name Park", slug=f"same-{n}")
    url = "/api/v1/organisations"
    everything = [o["slug"] for o in get(client, url, limit=200).json()["items"]]
    paged = []
    for offset in range(0, len(everything), 2):
        paged += [o["slug"] for o in get(client, url, limit=2, offset=offset).json()["items"]]
    assert paged == everything
    searched = [o["slug"] for o in get(client, url, q="park", limit=200).json()["items"]]
    paged = []
    for offset in range(0, len(searched), 3):
        page = get(client, url, q="park", limit=3, offset=offset).json()
        paged += [o["slug"] for o in page["items"]]
    assert paged == searched


def test_organisation_list_query_count_does_not_grow(client, directory):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/organisations", {"limit": 200}).status_code == 200
        return len(queries)

    small = count()
    for n in range(10):
        org = OrganisationFactory(parent=directory["changping"], name=f"Park {n}")
        org.sectors.add(directory["ict"], SectorFactory())
    assert count() == small


def test_sectors_with_counts(client, directory):
    SectorFactory(name="Aerospace", slug="aerospace")
    body = get(client, "/api/v1/sectors").json()
    assert body["total"] == 2
    assert body["items"] == [
        {"slug": "aerospace", "name": "Aerospace", "name_zh": "", "organisation_count": 0},
        {"slug": "ict", "name": "ICT", "name_zh": "", "organisation_count": 2},
    ]
