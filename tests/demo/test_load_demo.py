"""The demo loader: counts, the seed's facts, determinism, idempotence; the large edition."""

from __future__ import annotations

import io
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from atrium.demo.large import build_large_edition
from atrium.demo.loader import canonical_summary, load_demo
from atrium.events.models import Conference, Room, Session, SessionRole, Talk
from atrium.network.models import Organisation, Person, Sector
from atrium.registration.models import Registration

NAIROBI = ZoneInfo("Africa/Nairobi")


@pytest.fixture
def demo(db):
    return load_demo()


def beijing_sessions():
    return Session.objects.filter(conference__slug="beijing-2025")


# ----------------------------------------------------------------------- counts
def test_beijing_programme_is_full(demo):
    sessions = beijing_sessions()
    assert sessions.count() >= 60
    assert Room.objects.filter(conference__slug="beijing-2025").count() >= 8
    assert not sessions.filter(title_zh="").exists()
    assert not Room.objects.filter(conference__slug="beijing-2025", name_zh="").exists()
    kinds = dict(sessions.values_list("kind").annotate(n=Count("id")))
    assert kinds["opening_ceremony"] == 1
    assert kinds["plenary"] >= 2
    assert kinds["parallel_forum"] >= 15
    assert kinds["keynote"] >= 2
    assert kinds["exhibition"] >= 1
    assert kinds["bilateral_meeting"] >= 2
    assert kinds["break"] >= 3
    visits = sessions.filter(kind="technical_visit")
    assert visits.count() >= 4
    assert not visits.filter(seats__isnull=True).exists()
    assert not visits.filter(place="").exists()
    cultural = sessions.filter(kind="cultural_visit")
    assert cultural.count() == 2
    assert not cultural.filter(seats__isnull=True).exists()
    assert sessions.filter(kind="social", title="Gala dinner", seats__gt=0).exists()
    assert sessions.filter(track__isnull=False).values("track").distinct().count() >= 5
    # Forums have chairs and talks with speakers.
    forum = sessions.filter(kind="parallel_forum").first()
    assert forum.roles.filter(role="chair").exists()
    assert forum.talks.filter(speakers__isnull=False).exists()


def test_beijing_times_are_in_shanghai_time(demo):
    tz = ZoneInfo("Asia/Shanghai")
    opening = beijing_sessions().get(kind="opening_ceremony")
    local = opening.start.astimezone(tz)
    assert local.date() == date(2025, 9, 16)
    assert local.time() == time(9, 0)
    days = {s.start.astimezone(tz).date() for s in beijing_sessions()}
    assert days == {date(2025, 9, 16), date(2025, 9, 17), date(2025, 9, 18)}


def test_network_at_the_association_scale(demo):
    members = Organisation.objects.filter(member_since__isnull=False)
    assert members.count() >= 350
    assert members.values("country").distinct().count() >= 77
    assert Person.objects.count() >= 700
    assert Sector.objects.count() >= 12
    assert not Sector.objects.filter(name_zh="").exists()
    assert Organisation.objects.filter(parent__isnull=False, is_synthetic=True).count() > 50
    # Synthetic e-mail only on example domains; real people have none.
    for email in Person.objects.filter(is_synthetic=True).values_list("email", flat=True):
        assert email.endswith(("@example.org", "@example.com"))
    assert not Person.objects.filter(is_synthetic=False).exclude(email="").exists()
    opted_in = Person.objects.filter(directory_opt_in=True).count() / Person.objects.count()
    assert 0.6 < opted_in < 0.8
    # Chinese synthetic people have their pinyin name, family name first.
    chinese = Person.objects.filter(is_synthetic=True, country="CN").exclude(name_zh="")
    assert chinese.count() > 20
    for person in chinese[:50]:
        assert person.position_zh
        assert person.name.split()[0].lower() in person.search_key


def test_registrations(demo):
    nairobi = Registration.objects.filter(conference__slug="nairobi-2024")
    assert nairobi.count() >= 700
    assert nairobi.values("person__country").distinct().count() >= 50
    assert set(nairobi.values_list("status", flat=True)) == {"confirmed"}
    beijing = Registration.objects.filter(conference__slug="beijing-2025")
    assert 750 <= beijing.count() <= 850
    statuses = dict(beijing.values_list("status").annotate(n=Count("id")))
    assert statuses["confirmed"] > 0.75 * beijing.count()
    assert {"pending", "cancelled"} <= set(statuses)
    # Every Beijing registration has a type and an order; waiting lists are per session.
    assert not beijing.filter(Q(type__isnull=True) | Q(order__isnull=True)).exists()
    assert set(beijing.values_list("order__status", flat=True)) >= {"paid", "pending", "free"}
    first_visit = beijing_sessions().filter(kind="technical_visit").order_by("start", "pk")[0]
    assert first_visit.bookings.filter(status="confirmed").count() == first_visit.seats
    assert first_visit.bookings.filter(status="waitlisted").count() == 6
    for session in beijing_sessions().filter(seats__isnull=False):
        assert session.bookings.filter(status="confirmed").count() <= session.seats
    # Everyone on the Beijing programme is registered and confirmed.
    speakers = SessionRole.objects.filter(session__conference__slug="beijing-2025")
    on_stage = set(speakers.values_list("person_id", flat=True))
    confirmed = set(beijing.filter(status="confirmed").values_list("person_id", flat=True))
    assert on_stage <= confirmed


def test_every_talk_speaker_is_a_speaker_of_the_session(demo):
    for talk in Talk.objects.prefetch_related("speakers"):
        for person in talk.speakers.all():
            assert SessionRole.objects.filter(
                session_id=talk.session_id, person=person, role="speaker"
            ).exists(), (talk.title, person.name)


# ------------------------------------------------------------------- seed facts
def test_editions(demo):
    nairobi = Conference.objects.get(slug="nairobi-2024")
    assert nairobi.number == 41
    assert (nairobi.start_date, nairobi.end_date) == (date(2024, 9, 25), date(2024, 9, 27))
    assert nairobi.time_zone == "Africa/Nairobi"
    assert nairobi.theme.startswith("Population, Entrepreneurship and Technology")
    assert nairobi.theme_zh == "人口、创业和技术：定义未来经济的前沿"
    assert nairobi.host.slug == "konza-technopolis"
    beijing = Conference.objects.get(slug="beijing-2025")
    assert beijing.number == 42
    assert beijing.time_zone == "Asia/Shanghai"
    assert beijing.host.name == "Zhongguancun Science Park"
    assert beijing.theme and beijing.theme_zh


def test_seed_organisations(demo):
    zgc = Organisation.objects.get(name="Zhongguancun Science Park")
    assert (zgc.name_zh, zgc.short_name, zgc.member_since) == ("中关村科技园区", "ZGC", 1995)
    assert not zgc.is_synthetic
    changping = Organisation.objects.get(slug="zhongguancun-changping-park")
    assert changping.parent == zgc
    dart = Organisation.objects.get(name_zh="飞镖加速服务平台")
    assert dart.kind == "incubator"
    assert dart.parent == changping
    assert "30+" in dart.description
    assert "2 billion yuan" in dart.description
    assert "200+" in dart.description
    iasp = Organisation.objects.get(short_name="IASP")
    assert iasp.kind == "association"
    assert "1984" in iasp.description
    for name in (
        "Sophia Antipolis",
        "Ostim Technopark",
        "Konza Technopolis",
        "Beijing Municipal Government",
        "Beijing Municipal Science and Technology Commission",
        "Zhongguancun International Incubator Co., Ltd.",
    ):
        assert Organisation.objects.filter(name=name, is_synthetic=False).exists(), name


def test_ma_jun_leads_the_working_meeting(demo):
    ma_jun = Person.objects.get(name="Ma Jun")
    assert ma_jun.name_zh == "马骏"
    assert "majun" in ma_jun.search_key
    meeting = (
        Session.objects.filter(
            conference__slug="nairobi-2024", kind="bilateral_meeting", roles__person=ma_jun
        )
        .distinct()
        .get()
    )
    local = meeting.start.astimezone(NAIROBI)
    assert local.date() == date(2024, 9, 25)
    assert 11 <= local.hour <= 13  # noon
    assert set(meeting.roles.values_list("person__name", flat=True)) >= {
        "Ma Jun",
        "Leno Miranda",
        "Ebba Lund",
    }


def test_nairobi_opening_and_exhibition_tour(demo):
    opening = Session.objects.get(conference__slug="nairobi-2024", kind="opening_ceremony")
    local = opening.start.astimezone(NAIROBI)
    assert local.date() == date(2024, 9, 25)
    assert local.hour < 12
    announcement = opening.talks.get(speakers__name="Ebba Lund")
    assert "top-10" in announcement.title
    assert "Feibiao (Dart)" in opening.description
    tour = (
        Session.objects.filter(
            conference__slug="nairobi-2024", roles__person__name="Rigathi Gachagua"
        )
        .distinct()
        .get()
    )
    assert tour.kind == "exhibition"
    assert tour.start < opening.start
    assert tour.roles.filter(person__name="Leno Miranda").exists()


def test_circular_economy_plenary(demo):
    nairobi_talks = Talk.objects.filter(session__conference__slug="nairobi-2024")
    talk = nairobi_talks.get(speakers__name_zh="常盛")
    assert talk.title == (
        "Thinking and practice of circular economy promoting industry and science park development"
    )
    assert talk.session.kind == "plenary"
    assert talk.session.title == "Circular economy and sustainability"
    assert talk.session.title_zh == "循环经济与可持续性"
    assert talk.session.start.astimezone(NAIROBI).date() == date(2024, 9, 26)
    qiu = nairobi_talks.get(speakers__name="Qiu Lijing")
    assert qiu.session_id == talk.session_id
    assert qiu.title == "Green and low-carbon practice of Zhongguancun Science Park"
    assert qiu.speakers.get().organisation.parent.name == "Zhongguancun Development Group"
    li = nairobi_talks.get(speakers__name_zh="李志丹")
    assert li.session.title == "Digital transformation and education innovation"
    assert li.session.kind == "parallel_forum"


def test_booth_visitors_and_dart_in_beijing(demo):
    assert Person.objects.get(name="Cecile Harle").organisation.country == "FR"
    assert Person.objects.get(name="Elif").organisation.name == "Ostim Technopark"
    assert Person.objects.get(name="Annie").organisation.name == "Konza Technopolis"
    dart_people = Person.objects.filter(organisation__short_name="Dart")
    assert Talk.objects.filter(
        session__conference__slug="beijing-2025", speakers__in=dart_people
    ).exists()


# ------------------------------------------------ determinism and idempotence
def test_two_loads_on_empty_databases_are_identical(db):
    load_demo(seed=7)
    first = canonical_summary()
    for model in (Registration, Session, Conference, Person, Organisation, Sector):
        model.objects.all().delete()
    assert not Person.objects.exists()
    load_demo(seed=7)
    assert canonical_summary() == first


def test_other_seed_gives_other_data(db):
    load_demo(seed=1)
    first = set(Person.objects.filter(is_synthetic=True).values_list("name", flat=True))
    for model in (Registration, Session, Conference, Person, Organisation, Sector):
        model.objects.all().delete()
    load_demo(seed=2)
    second = set(Person.objects.filter(is_synthetic=True).values_list("name", flat=True))
    assert first != second


def test_second_run_keeps_edits_and_duplicates_nothing(demo):
    session = beijing_sessions().get(kind="opening_ceremony")
    session.title = "Grand opening (edited by the organiser)"
    session.save()
    person = Person.objects.get(name="Ma Jun")
    person.position = "Edited position"
    person.save()
    registration = Registration.objects.filter(conference__slug="beijing-2025").first()
    registration.status = "cancelled"
    registration.save()
    before = canonical_summary()
    counts = load_demo()
    assert canonical_summary() == before
    assert counts["created"] == {
        "organisations": 0,
        "people": 0,
        "nairobi_sessions": 0,
        "nairobi_registrations": 0,
        "beijing_sessions": 0,
        "beijing_registrations": 0,
        "beijing_types": 0,
        "beijing_orders": 0,
        "beijing_bookings": 0,
        "beijing_delegations": 0,
        "beijing_b2b_blocks": 0,
        "beijing_b2b_profiles": 0,
        "beijing_b2b_requests": 0,
        "beijing_b2b_published": 0,
        "beijing_receipts": 0,
        "beijing_checkins": 0,
        "beijing_visa_requests": 0,
        "beijing_exhibition_exhibitors": 0,
        "beijing_exhibition_booths": 0,
        "beijing_exhibition_leads": 0,
        "nairobi_exhibition_exhibitors": 0,
        "nairobi_exhibition_booths": 0,
        "nairobi_exhibition_leads": 0,
    }
    session.refresh_from_db()
    assert session.title == "Grand opening (edited by the organiser)"
    assert Person.objects.get(slug="ma-jun").position == "Edited position"
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_renamed_room_and_track_are_not_added_back(demo):
    room = Room.objects.get(conference__slug="beijing-2025", name="Room 301A")
    room.name = "Auditorium Zhongguancun"
    room.save()
    rooms = Room.objects.count()
    load_demo()
    assert Room.objects.count() == rooms
    assert not Room.objects.filter(conference__slug="beijing-2025", name="Room 301A").exists()


def test_deleted_rows_are_added_back_but_programme_is_left_alone(demo):
    Person.objects.filter(slug="elif-ostim").delete()
    beijing_sessions().filter(kind="break").delete()
    remaining = beijing_sessions().count()
    load_demo()
    assert Person.objects.filter(slug="elif-ostim").exists()
    assert beijing_sessions().count() == remaining


def test_command_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--without-debug"):
        call_command("load_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    assert not Conference.objects.exists()


def test_command_runs_in_debug_mode(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    assert get_user_model().objects.filter(username="organiser", is_superuser=True).exists()


def test_command_prints_counts_and_creates_the_organiser(db):
    out = io.StringIO()
    call_command("load_demo", "--seed", "2025", "--without-debug", stdout=out)
    text = out.getvalue()
    assert "beijing-2025" in text
    assert "Loaded in" in text
    assert "user: organiser  password: atrium-demo" in text
    user = get_user_model().objects.get(username="organiser")
    assert user.is_staff and user.is_superuser
    assert user.check_password("atrium-demo")
    user.set_password("changed-by-the-organiser")
    user.save()
    call_command("load_demo", "--without-debug", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password("changed-by-the-organiser")


# ------------------------------------------------------------ large edition
@pytest.mark.parametrize(("sessions", "organisations"), [(60, 350), (600, 3500)])
def test_large_edition_has_the_requested_size(db, sessions, organisations):
    conference = build_large_edition(sessions=sessions, organisations=organisations)
    assert conference.sessions.count() == sessions
    orgs = Organisation.objects.filter(slug__startswith="large-org-")
    assert orgs.count() == organisations
    assert orgs.filter(parent__isnull=False).count() == organisations // 5
    assert orgs.filter(member_since__isnull=False).count() == organisations - organisations // 5
    assert orgs.values("country").distinct().count() >= min(organisations, 77)
    people = Person.objects.filter(slug__startswith="large-person-")
    assert people.count() == organisations
    assert not people.filter(directory_opt_in=False).exists()
    assert conference.registrations.count() == organisations
    # Same relations per session at every size.
    assert SessionRole.objects.filter(session__conference=conference).count() == 4 * sessions
    assert Talk.objects.filter(session__conference=conference).count() == 2 * sessions
    assert not conference.sessions.filter(track__isnull=True).exists()
    assert conference.sessions.filter(kind="technical_visit", seats=40).exists()
    days = {s.start.astimezone(conference.tz).date() for s in conference.sessions.all()}
    assert len(days) == 3


def test_large_edition_with_people_and_next_to_the_demo(demo):
    conference = build_large_edition(sessions=30, organisations=40, people=100, slug="bench")
    assert conference.slug == "bench"
    assert Person.objects.filter(slug__startswith="bench-person-").count() == 100
    assert conference.number not in (41, 42)
    with pytest.raises(ValueError, match="exists already"):
        build_large_edition(sessions=30, organisations=40, slug="bench")
