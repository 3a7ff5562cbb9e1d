"""The exhibition's rules: the plan and its import, applications, holds and bookings,
staff passes, lead scans, edits waiting for approval, products, tours."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from atrium.checkin.badges import badge_issue
from atrium.core import tabular
from atrium.core.models import AuditEntry
from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition import plan as exhibition_plan
from atrium.exhibition import selectors, services
from atrium.exhibition import staff as exhibition_staff
from atrium.exhibition import tours as exhibition_tours
from atrium.exhibition.models import Booth, BoothBooking, Exhibitor, Lead, StaffPass
from tests.exhibition.factories import (
    BoothFactory,
    ExhibitorFactory,
    HallFactory,
    badge_token,
    booked,
)
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 9, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def hall(conference):
    return HallFactory(conference=conference, code="A")


def _csv(text: str):
    return tabular.read_table(SimpleUploadedFile("plan.csv", text.encode()))


# --- the plan ---------------------------------------------------------------------------


def test_plan_import_creates_and_updates_booths(conference, hall):
    BoothFactory(hall=hall, code="A01", x=2, y=2)
    table = _csv(
        "hall,code,x,y,width,depth,category,price_usd,price_cny,furniture,staff_passes\n"
        "A,A01,2,2,6,3,corner,8000,56000,yes,4\n"
        "A,A02,10,2,3,3,standard,4000,28000,no,2\n"
    )
    result = exhibition_plan.plan_import(conference=conference, table=table, dry_run=False)
    assert result.ok and result.saved
    assert (result.created, result.updated) == (1, 1)
    a01 = Booth.objects.get(hall=hall, code="A01")
    assert (a01.width, a01.category, a01.price_cny, a01.furniture, a01.staff_passes) == (
        6,
        "corner",
        Decimal("56000"),
        True,
        4,
    )
    assert AuditEntry.objects.filter(action="exhibition.plan.imported").count() == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A,A03,5,2,4,3", "Booth A03 overlaps booth A01."),
        ("A,A03,98,2,4,3", "Booth A03 is outside the plan of hall A."),
        ("A,A03,-1,2,4,3", "Booth A03 is outside the plan of hall A."),
    ],
)
def test_plan_import_refuses_overlapping_or_off_plan_booths_naming_the_row(
    conference, hall, row, message
):
    BoothFactory(hall=hall, code="A01", x=2, y=2, width=4, height=3)
    table = _csv(f"hall,code,x,y,width,depth\nA,A02,20,20,3,3\n{row}\n")
    result = exhibition_plan.plan_import(conference=conference, table=table, dry_run=False)
    assert not result.ok and not result.saved
    [error] = result.errors
    assert error.row == 3
    assert "Row 3" in error.message and message in error.message
    assert list(Booth.objects.values_list("code", flat=True)) == ["A01"]


def test_plan_import_refuses_two_booths_of_the_file_overlapping_each_other(conference, hall):
    table = _csv("hall,code,x,y,width,depth\nA,A10,10,10,4,4\nA,A11,12,12,4,4\n")
    result = exhibition_plan.plan_import(conference=conference, table=table, dry_run=False)
    assert [(e.row, e.field) for e in result.errors] == [(3, "x")]
    assert "Booth A11 overlaps booth A10." in result.errors[0].message
    assert not Booth.objects.exists()


def test_plan_import_bad_numbers_and_unknown_hall_name_their_column(conference, hall):
    table = _csv("hall,code,x,y,width,depth,price_usd\nZ,A1,1,1,2,2,0\nA,A2,x,1,2,2,-5\n")
    result = exhibition_plan.plan_import(conference=conference, table=table, dry_run=False)
    assert {(e.row, e.field) for e in result.errors} == {(2, "hall"), (3, "x"), (3, "price_usd")}
    assert not Booth.objects.exists()


def test_booth_in_an_l_shaped_hall_must_stay_inside_the_outline(conference):
    hall = HallFactory(
        conference=conference, outline=[[0, 0], [40, 0], [40, 20], [20, 20], [20, 40], [0, 40]]
    )
    exhibition_plan.booth_save(hall=hall, code="IN", x=2, y=25, width=5, height=5)
    with pytest.raises(ValidationError) as error:
        exhibition_plan.booth_save(hall=hall, code="OUT", x=25, y=25, width=5, height=5)
    assert "outside the plan" in error.value.message_dict["x"][0]
    with pytest.raises(ValidationError):
        exhibition_plan.booth_save(hall=hall, code="CROSS", x=15, y=15, width=10, height=10)


def test_negative_price_is_refused_by_the_database_constraint(hall):
    with pytest.raises(ValidationError) as error:
        exhibition_plan.booth_save(hall=hall, code="N", x=1, y=1, width=2, height=2, price_usd=-1)
    assert "A price cannot be negative." in str(error.value)


# --- applications and edits -------------------------------------------------------------


def test_apply_accept_reject_with_reason(conference):
    organisation = OrganisationFactory(name="Zhongguancun Science Park", name_zh="中关村科技园区")
    contact = UserFactory()
    exhibitor = services.exhibitor_apply(
        conference=conference, organisation=organisation, contact=contact, description="Parks"
    )
    assert exhibitor.status == "applied"
    assert exhibitor.display_name_zh == "中关村科技园区"
    with pytest.raises(ValidationError) as error:
        services.exhibitor_apply(conference=conference, organisation=organisation, contact=contact)
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.exhibitor_decide(exhibitor=exhibitor, accept=False, reason=" ")
    assert "reason" in error.value.message_dict
    services.exhibitor_decide(exhibitor=exhibitor, accept=False, reason="No space left")
    exhibitor.refresh_from_db()
    assert (exhibitor.status, exhibitor.decision_reason) == ("rejected", "No space left")


def test_edits_after_acceptance_wait_as_a_difference_until_approved(conference):
    exhibitor = ExhibitorFactory(conference=conference, description="Old profile")
    services.exhibitor_profile_edit(exhibitor=exhibitor, changes={"description": "New profile"})
    exhibitor.refresh_from_db()
    assert exhibitor.description == "Old profile"
    assert exhibitor.pending_changes == {"description": ["Old profile", "New profile"]}
    services.exhibitor_changes_decide(exhibitor=exhibitor, approve=True)
    exhibitor.refresh_from_db()
    assert (exhibitor.description, exhibitor.pending_changes) == ("New profile", {})


def test_edit_before_acceptance_applies_at_once_and_bad_website_is_refused(conference):
    exhibitor = ExhibitorFactory(conference=conference, status="applied")
    services.exhibitor_profile_edit(exhibitor=exhibitor, changes={"description": "Now"})
    exhibitor.refresh_from_db()
    assert exhibitor.description == "Now"
    with pytest.raises(ValidationError) as error:
        services.exhibitor_profile_edit(exhibitor=exhibitor, changes={"website": "not a url"})
    assert "website" in error.value.message_dict


def _png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def test_product_image_is_checked_by_content_and_stored_as_jpeg(conference):
    exhibitor = ExhibitorFactory(conference=conference)
    product = services.product_save(
        exhibitor=exhibitor,
        name="Dart Acceleration Service Platform",
        name_zh="飞镖加速服务平台",
        image=SimpleUploadedFile("dart.png", _png(), content_type="image/png"),
    )
    assert product.image.name.endswith(".jpg")
    with product.image.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_saved(conference):
    exhibitor = ExhibitorFactory(conference=conference)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        services.product_save(exhibitor=exhibitor, name="X", image=fake)
    assert "not a picture" in error.value.message_dict["image"][0]
    assert not exhibitor.products.exists()


def test_a_too_large_image_is_refused(conference, settings):
    settings.ATRIUM_UPLOAD_MAX_SIZE = 100
    exhibitor = ExhibitorFactory(conference=conference)
    with pytest.raises(ValidationError) as error:
        services.product_save(
            exhibitor=exhibitor, name="X", image=SimpleUploadedFile("a.png", _png((400, 300)))
        )
    assert "limit" in error.value.message_dict["image"][0]


# --- holds and bookings -----------------------------------------------------------------


def test_hold_then_pay_books_the_booth(conference, hall):
    booth = BoothFactory(hall=hall)
    exhibitor = ExhibitorFactory(conference=conference)
    booking = services.booth_hold(booth=booth, exhibitor=exhibitor, currency="CNY", now=NOW)
    assert booking.held_until == NOW + dt.timedelta(minutes=15)
    assert booking.amount == booth.price_cny
    assert selectors.booth_status(booth, now=NOW) == "held"
    services.booking_pay(booking=booking, reference="TT-1", now=NOW)
    booking.refresh_from_db()
    assert booking.status == "booked"
    assert booking.payments.get().amount == booth.price_cny
    assert selectors.booth_status(booth, now=NOW) == "booked"


def test_a_hold_on_a_booked_booth_is_refused_and_nothing_changes(conference, hall):
    booth = BoothFactory(hall=hall, code="A07")
    booked(booth, ExhibitorFactory(conference=conference))
    other = ExhibitorFactory(conference=conference)
    with pytest.raises(ValidationError) as error:
        services.booth_hold(booth=booth, exhibitor=other)
    assert error.value.message_dict["booth"] == ["Booth A07 is already booked."]
    assert BoothBooking.objects.count() == 1


def test_a_hold_on_a_held_booth_is_refused(conference, hall):
    booth = BoothFactory(hall=hall, code="A08")
    services.booth_hold(booth=booth, exhibitor=ExhibitorFactory(conference=conference), now=NOW)
    with pytest.raises(ValidationError) as error:
        services.booth_hold(booth=booth, exhibitor=ExhibitorFactory(conference=conference), now=NOW)
    assert "held by another exhibitor" in error.value.message_dict["booth"][0]


def test_holds_expire_after_fifteen_minutes(conference, hall):
    booth = BoothFactory(hall=hall)
    first = services.booth_hold(
        booth=booth, exhibitor=ExhibitorFactory(conference=conference), now=NOW
    )
    at_14 = NOW + dt.timedelta(minutes=14, seconds=59)
    at_16 = NOW + dt.timedelta(minutes=15, seconds=1)
    assert selectors.booth_status(booth, now=at_14) == "held"
    assert selectors.booth_status(booth, now=at_16) == "free"
    with pytest.raises(ValidationError):
        services.booth_hold(
            booth=booth, exhibitor=ExhibitorFactory(conference=conference), now=at_14
        )
    second = services.booth_hold(
        booth=booth, exhibitor=ExhibitorFactory(conference=conference), now=at_16
    )
    first.refresh_from_db()
    assert (first.status, second.status) == ("released", "held")
    # The late payer of the first hold cannot take the booth back.
    with pytest.raises(ValidationError) as error:
        services.booking_pay(booking=first, now=at_16)
    assert "went to another exhibitor" in error.value.messages[0]


def test_management_command_releases_expired_holds(conference, hall):
    booking = services.booth_hold(
        booth=BoothFactory(hall=hall),
        exhibitor=ExhibitorFactory(conference=conference),
        now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    out = io.StringIO()
    call_command("release_booth_holds", stdout=out)
    booking.refresh_from_db()
    assert booking.status == "released"
    assert "1" in out.getvalue()


def test_only_accepted_exhibitors_of_the_edition_hold_booths(conference, hall):
    booth = BoothFactory(hall=hall)
    with pytest.raises(ValidationError):
        services.booth_hold(
            booth=booth, exhibitor=ExhibitorFactory(conference=conference, status="applied")
        )
    with pytest.raises(ValidationError) as error:
        services.booth_hold(booth=booth, exhibitor=ExhibitorFactory())
    assert "another edition" in error.value.message_dict["booth"][0]
    assert not BoothBooking.objects.exists()


# --- staff passes -----------------------------------------------------------------------


def test_staff_invitations_stay_within_the_pass_quota(conference, hall):
    exhibitor = ExhibitorFactory(conference=conference)
    booth = BoothFactory(hall=hall, staff_passes=2, extra_pass_usd=Decimal("150"))
    booked(booth, exhibitor)
    first = exhibition_staff.staff_invite(exhibitor=exhibitor, email="a@example.org", role="leads")
    exhibition_staff.staff_invite(exhibitor=exhibitor, email="b@example.org")
    with pytest.raises(ValidationError) as error:
        exhibition_staff.staff_invite(exhibitor=exhibitor, email="c@example.org")
    message = error.value.message_dict["email"][0]
    assert "All 2 staff passes are used" in message and "$150" in message
    exhibition_staff.staff_revoke(staff_pass=StaffPass.objects.get(pk=first.pk))
    exhibition_staff.staff_invite(exhibitor=exhibitor, email="c@example.org")
    assert exhibitor.passes.filter(status__in=StaffPass.ACTIVE).count() == 2


def test_staff_invitation_token_is_stored_hashed_and_accepted_once(conference):
    exhibitor = ExhibitorFactory(conference=conference, extra_passes=1)
    invitation = exhibition_staff.staff_invite(exhibitor=exhibitor, email="li@example.org")
    stored = StaffPass.objects.get(pk=invitation.pk)
    assert invitation.token not in stored.token_hash
    user = UserFactory()
    PersonFactory(user=user)
    exhibition_staff.staff_accept(token=invitation.token, user=user)
    with pytest.raises(ValidationError):
        exhibition_staff.staff_accept(token=invitation.token, user=user)


# --- lead scans -------------------------------------------------------------------------


@pytest.fixture
def visitor(conference):
    return RegistrationFactory(
        conference=conference, person=PersonFactory(name="Cecile Harle", phone="+33 4 00")
    )


def test_scan_makes_one_lead_per_visitor_and_is_idempotent_per_client_id(conference, visitor):
    exhibitor = ExhibitorFactory(conference=conference)
    token = badge_token(visitor)
    client_id = uuid.uuid4()
    device_time = NOW - dt.timedelta(minutes=3)
    first = exhibition_leads.lead_scan(
        exhibitor=exhibitor, token=token, client_id=client_id, scanned_at=device_time, now=NOW
    )
    again = exhibition_leads.lead_scan(
        exhibitor=exhibitor, token=token, client_id=client_id, now=NOW
    )
    other_scan = exhibition_leads.lead_scan(
        exhibitor=exhibitor, token=token, client_id=uuid.uuid4()
    )
    assert first.created and not again.created and not other_scan.created
    assert first.lead.pk == again.lead.pk == other_scan.lead.pk
    assert Lead.objects.get().scanned_at == device_time


@pytest.mark.parametrize("case", ["revoked", "other_edition", "forged", "cancelled"])
def test_bad_badges_are_refused_and_nothing_saved(conference, visitor, case):
    exhibitor = ExhibitorFactory(conference=conference)
    token = badge_token(visitor)
    expected = "This is not a valid badge."
    if case == "revoked":
        badge_issue(registration=visitor, actor=None, reprint=True)
        expected = "This badge was replaced by a newer one and no longer counts."
    elif case == "other_edition":
        token = badge_token(RegistrationFactory(conference=ConferenceFactory()))
        expected = "This badge belongs to another edition."
    elif case == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    else:
        visitor.status = "cancelled"
        visitor.save()
        expected = "This visitor's registration is not active."
    with pytest.raises(ValidationError) as error:
        exhibition_leads.lead_scan(exhibitor=exhibitor, token=token, client_id=uuid.uuid4())
    assert error.value.message_dict["token"] == [expected]
    assert not Lead.objects.exists()


def test_withdrawn_lead_is_emptied_and_not_made_again(conference, visitor):
    exhibitor = ExhibitorFactory(conference=conference)
    token = badge_token(visitor)
    lead = exhibition_leads.lead_scan(exhibitor=exhibitor, token=token, client_id=uuid.uuid4()).lead
    exhibition_leads.lead_update(
        lead=lead, rating=5, notes="Call back", interests=["Life and health"]
    )
    with pytest.raises(ValidationError):
        exhibition_leads.lead_withdraw(lead=lead, person=PersonFactory())
    exhibition_leads.lead_withdraw(lead=lead, person=visitor.person)
    lead.refresh_from_db()
    assert (lead.notes, lead.interests, lead.rating) == ("", [], None)
    with pytest.raises(ValidationError) as error:
        exhibition_leads.lead_scan(exhibitor=exhibitor, token=token, client_id=uuid.uuid4())
    assert "withdrawn" in error.value.message_dict["token"][0]
    assert selectors.leads_with_cards(exhibitor) == []


def test_lead_rating_is_from_0_to_5(conference, visitor):
    exhibitor = ExhibitorFactory(conference=conference)
    lead = exhibition_leads.lead_scan(
        exhibitor=exhibitor, token=badge_token(visitor), client_id=uuid.uuid4()
    ).lead
    with pytest.raises(ValidationError) as error:
        exhibition_leads.lead_update(lead=lead, rating=6)
    assert "rating" in error.value.message_dict
    exhibition_leads.lead_update(lead=lead, rating=0, tags="hot, ,asia")
    lead.refresh_from_db()
    assert (lead.rating, lead.tags) == (0, ["hot", "asia"])


# --- tours ------------------------------------------------------------------------------


def test_tour_orders_its_stops_and_flags_clashes(conference, hall):
    from atrium.exhibition.models import PlanFeature

    exhibition_plan.feature_add(hall=hall, kind=PlanFeature.Kind.ENTRANCE, x=0, y=30, label="Gate")
    far = BoothFactory(hall=hall, code="FAR", x=80, y=28, width=4, height=4)
    near = BoothFactory(hall=hall, code="NEAR", x=5, y=28, width=4, height=4)
    middle = BoothFactory(hall=hall, code="MID", x=40, y=28, width=4, height=4, is_closed=True)
    start = dt.datetime(2025, 9, 16, 0, 30, tzinfo=dt.UTC)  # 08:30 in Beijing
    tour = exhibition_tours.tour_save(
        conference=conference,
        name="Official tour",
        starts_at=start,
        party=[{"name": "Rigathi Gachagua"}, {"name": "Leno Miranda"}],
        stops=[(far, 10), (near, 10), (middle, 5)],
    )
    schedule = exhibition_tours.tour_schedule(tour)
    assert [s.stop.booth.code for s in schedule] == ["NEAR", "MID", "FAR"]
    assert schedule[0].arrives == start + dt.timedelta(minutes=1)
    problems = exhibition_tours.tour_clashes(tour)
    assert problems == ["Booth MID is closed."]
    other = exhibition_tours.tour_save(
        conference=conference,
        name="Second tour",
        starts_at=start,
        party=["Guest"],
        stops=[(near, 10)],
    )
    assert any(
        "on the tour “Official tour” at the same time" in p
        for p in exhibition_tours.tour_clashes(other)
    )
    late = exhibition_tours.tour_save(
        conference=conference,
        name="Late",
        starts_at=dt.datetime(2025, 9, 16, 9, 55, tzinfo=dt.UTC),  # 17:55 local
        party=["Guest"],
        stops=[(far, 10)],
    )
    assert any("outside the hours" in p for p in exhibition_tours.tour_clashes(late))


def test_tour_hosts_are_told_by_email(conference, hall, django_capture_on_commit_callbacks):
    booth = BoothFactory(hall=hall)
    exhibitor = ExhibitorFactory(conference=conference)
    booked(booth, exhibitor)
    tour = exhibition_tours.tour_save(
        conference=conference,
        name="Opening tour",
        starts_at=dt.datetime(2025, 9, 16, 1, 0, tzinfo=dt.UTC),
        party=["Vice mayor"],
        stops=[(booth, 8)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        count = exhibition_tours.tour_notify_hosts(tour=tour)
    assert count == 1
    [message] = mail.outbox
    assert message.to == [exhibitor.contact.email]
    assert "09:0" in message.body and "Vice mayor" in message.body


def test_tour_refuses_an_empty_party_and_a_booth_of_another_edition(conference, hall):
    with pytest.raises(ValidationError) as error:
        exhibition_tours.tour_save(
            conference=conference,
            name="T",
            starts_at=NOW,
            party=[],
            stops=[(BoothFactory(hall=hall), 5)],
        )
    assert "party" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        exhibition_tours.tour_save(
            conference=conference, name="T", starts_at=NOW, party=["A"], stops=[(BoothFactory(), 5)]
        )
    assert "stops" in error.value.message_dict


def test_exhibitor_model_is_searchable_in_chinese(conference):
    ExhibitorFactory(
        conference=conference,
        organisation=OrganisationFactory(
            name="Zhongguancun Science Park", name_zh="中关村科技园区"
        ),
    )
    assert selectors.public_exhibitors(conference, "中關村").count() == 1
    assert selectors.public_exhibitors(conference, "zhongguancun").count() == 1
    assert Exhibitor.objects.count() == 1


def test_accepted_staff_get_a_free_exhibitor_registration_with_the_exhibitor_band(conference):
    from atrium.checkin.badges import badge_role
    from atrium.registration.models import Registration
    from tests.factories import RegistrationPolicyFactory, RegistrationTypeFactory

    RegistrationPolicyFactory(conference=conference)
    RegistrationTypeFactory(conference=conference, code="exhibitor-pass", price_usd=0, price_cny=0)
    exhibitor = ExhibitorFactory(conference=conference, extra_passes=2)
    user = UserFactory()
    person = PersonFactory(user=user)
    invitation = exhibition_staff.staff_invite(exhibitor=exhibitor, email=user.email)
    exhibition_staff.staff_accept(token=invitation.token, user=user)
    registration = Registration.objects.get(conference=conference, person=person)
    assert registration.status == "confirmed"
    assert badge_role(registration).code == "exhibitor"
    # Someone already registered keeps their registration.
    other = RegistrationFactory(conference=conference, person=PersonFactory(user=UserFactory()))
    invitation = exhibition_staff.staff_invite(exhibitor=exhibitor, email=other.person.user.email)
    exhibition_staff.staff_accept(token=invitation.token, user=other.person.user)
    assert Registration.objects.filter(person=other.person).count() == 1


# --- tags and interests typed in one field ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        ("new-generation IT, life and health", ["new-generation IT", "life and health"]),
        ("新一代信息技术，生命健康", ["新一代信息技术", "生命健康"]),
        ("新一代信息技术、生命健康", ["新一代信息技术", "生命健康"]),
        ("投资；孵化;  加速 ", ["投资", "孵化", "加速"]),
        ("AI, 物联网、IoT；5G;\n芯片", ["AI", "物联网", "IoT", "5G", "芯片"]),
        (" ,，、;； ", []),
        ("", []),
        ("one entry", ["one entry"]),
    ],
)
def test_split_entries_on_ascii_and_chinese_separators(text, entries):
    assert exhibition_leads.split_entries(text) == entries


def test_lead_tags_and_interests_split_on_chinese_separators(world):
    lead = exhibition_leads.lead_update(
        lead=world["lead"],
        tags="合作伙伴、投资人；partner",
        interests="新一代信息技术，生命健康",
    )
    lead.refresh_from_db()
    assert lead.tags == ["合作伙伴", "投资人", "partner"]
    assert lead.interests == ["新一代信息技术", "生命健康"]
