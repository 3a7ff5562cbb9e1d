"""Read-only queries of the exhibition, reused by pages, the API and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from atrium.core.search import search
from atrium.events.models import Conference
from atrium.events.permissions import Role, has_role
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    Exhibitor,
    Hall,
    Lead,
    LeadConsent,
    StaffPass,
)
from atrium.matchmaking.selectors import profile_for_person
from atrium.network.models import Person

FREE, HELD, BOOKED = "free", "held", "booked"


# --- who may do what --------------------------------------------------------------------

OWNER, LEADS, SCAN, ORGANISER = "owner", "leads", "scan", "organiser"


def exhibitor_access(user, exhibitor: Exhibitor) -> str | None:
    """The user's part at ``exhibitor``: owner (its contact), leads or scan (booth staff),
    organiser (of its edition), or None."""
    if not user or not user.is_authenticated:
        return None
    if exhibitor.contact_id == user.pk:
        return OWNER
    staff = (
        StaffPass.objects.filter(
            exhibitor=exhibitor, person__user=user, status=StaffPass.Status.ACCEPTED
        )
        .values_list("role", flat=True)
        .first()
    )
    if staff == StaffPass.Role.LEADS:
        return LEADS
    if has_role(user, exhibitor.conference, Role.ORGANISER):
        return ORGANISER
    if staff == StaffPass.Role.SCAN:
        return SCAN
    return None


def can_scan(access: str | None) -> bool:
    return access in (OWNER, LEADS, SCAN)


def can_see_leads(access: str | None) -> bool:
    return access in (OWNER, LEADS, ORGANISER)


def can_manage(access: str | None) -> bool:
    return access in (OWNER, ORGANISER)


def exhibitors_of_user(user, conference: Conference) -> list[tuple[Exhibitor, str]]:
    """Exhibitors the user works for in ``conference``, with the user's part."""
    if not user.is_authenticated:
        return []
    found = {}
    for exhibitor in Exhibitor.objects.filter(conference=conference, contact=user):
        found[exhibitor.pk] = (exhibitor, OWNER)
    passes = StaffPass.objects.filter(
        exhibitor__conference=conference, person__user=user, status=StaffPass.Status.ACCEPTED
    ).select_related("exhibitor")
    for staff in passes:
        found.setdefault(staff.exhibitor_id, (staff.exhibitor, staff.role))
    return list(found.values())


# --- the plan ---------------------------------------------------------------------------


@dataclass
class BoothView:
    booth: Booth
    status: str
    exhibitor: Exhibitor | None = None

    @property
    def status_label(self) -> str:
        return {
            FREE: pgettext("booth status", "Free"),
            HELD: pgettext("booth status", "Held"),
            BOOKED: pgettext("booth status", "Booked"),
        }[self.status]


@dataclass
class HallView:
    hall: Hall
    booths: list[BoothView] = field(default_factory=list)
    features: list = field(default_factory=list)
    #: The booths shown in the list view (those matching a search, or all).
    listed: list[BoothView] = field(default_factory=list)

    @property
    def view_box(self) -> str:
        x0, y0, x1, y1 = self.hall.bounds
        return f"{x0 - 1:g} {y0 - 1:g} {x1 - x0 + 2:g} {y1 - y0 + 2:g}"


def plan(conference: Conference, *, now: dt.datetime | None = None) -> list[HallView]:
    """Every hall with its booths and their status; a hold past its time counts as free.

    Three queries whatever the number of booths.
    """
    now = now or timezone.now()
    live = BoothBooking.objects.filter(
        Q(status=BoothBooking.Status.BOOKED)
        | Q(status=BoothBooking.Status.HELD, held_until__gte=now)
    ).select_related("exhibitor__organisation")
    halls = conference.halls.prefetch_related(
        Prefetch(
            "booths",
            queryset=Booth.objects.prefetch_related(
                Prefetch("bookings", queryset=live, to_attr="live_bookings")
            ),
        ),
        "features",
    )
    views = []
    for hall in halls:
        view = HallView(hall=hall, features=list(hall.features.all()))
        for booth in hall.booths.all():
            booking = booth.live_bookings[0] if booth.live_bookings else None
            if booking is None:
                view.booths.append(BoothView(booth=booth, status=FREE))
            elif booking.status == BoothBooking.Status.BOOKED:
                view.booths.append(
                    BoothView(booth=booth, status=BOOKED, exhibitor=booking.exhibitor)
                )
            else:
                view.booths.append(BoothView(booth=booth, status=HELD))
        views.append(view)
    return views


def booth_status(booth: Booth, *, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    live = booth.bookings.filter(
        Q(status=BoothBooking.Status.BOOKED)
        | Q(status=BoothBooking.Status.HELD, held_until__gte=now)
    ).first()
    if live is None:
        return FREE
    return BOOKED if live.status == BoothBooking.Status.BOOKED else HELD


def public_exhibitors(conference: Conference, q: str = ""):
    """Accepted exhibitors with their organisation and booked booths, searchable (pinyin,
    Traditional characters)."""
    booked = BoothBooking.objects.filter(status=BoothBooking.Status.BOOKED).select_related(
        "booth__hall"
    )
    queryset = (
        Exhibitor.objects.filter(conference=conference, status=Exhibitor.Status.ACCEPTED)
        .select_related("organisation")
        .prefetch_related(Prefetch("bookings", queryset=booked, to_attr="booked"))
        .order_by("display_name")
    )
    if q:
        queryset = search(queryset, q)
    return queryset


# --- consent and leads ------------------------------------------------------------------

SHARED_DEFAULT = {
    "share_name": True,
    "share_organisation": True,
    "share_email": False,
    "share_phone": False,
    "share_job_title": False,
}


def general_consent(person: Person) -> LeadConsent | None:
    return LeadConsent.objects.filter(person=person, exhibitor__isnull=True).first()


def consent_choices(person: Person, exhibitor: Exhibitor, consents=None) -> dict[str, bool]:
    """What ``person`` shares with ``exhibitor``: its own row, else the row for all, else
    name and organisation only. ``consents``: the person's rows, if already fetched."""
    if consents is None:
        consents = list(LeadConsent.objects.filter(person=person))
    specific = next((c for c in consents if c.exhibitor_id == exhibitor.pk), None)
    general = next((c for c in consents if c.exhibitor_id is None), None)
    chosen = specific or general
    if chosen is None:
        return dict(SHARED_DEFAULT)
    return {name: getattr(chosen, name) for name in LeadConsent.FIELDS}


def shared_card(lead: Lead, choices: dict[str, bool]) -> dict[str, str]:
    """The visitor's data a lead shows, only what ``choices`` allow (nothing once withdrawn)."""
    if lead.withdrawn_at is not None:
        return {
            "name": "",
            "name_zh": "",
            "organisation": "",
            "email": "",
            "phone": "",
            "job_title": "",
        }
    person = lead.registration.person
    organisation = person.organisation
    return {
        "name": person.name if choices["share_name"] else "",
        "name_zh": person.name_zh if choices["share_name"] else "",
        "organisation": (
            (organisation.name_i18n if organisation else "")
            if choices["share_organisation"]
            else ""
        ),
        "email": person.email if choices["share_email"] else "",
        "phone": person.phone if choices["share_phone"] else "",
        "job_title": person.position_i18n if choices["share_job_title"] else "",
    }


def leads_with_cards(exhibitor: Exhibitor, *, include_withdrawn: bool = False):
    """The exhibitor's leads, each with ``card`` (what the visitor shares); two queries more
    than the leads' own, whatever their number."""
    leads = list(
        exhibitor.leads.select_related("registration__person__organisation", "scanned_by").order_by(
            "-scanned_at", "-id"
        )
    )
    if not include_withdrawn:
        leads = [lead for lead in leads if lead.withdrawn_at is None]
    person_ids = {lead.registration.person_id for lead in leads}
    consents: dict[int, list] = {}
    for consent in LeadConsent.objects.filter(person_id__in=person_ids).filter(
        Q(exhibitor=exhibitor) | Q(exhibitor__isnull=True)
    ):
        consents.setdefault(consent.person_id, []).append(consent)
    for lead in leads:
        person = lead.registration.person
        lead.card = shared_card(
            lead, consent_choices(person, exhibitor, consents.get(person.pk, []))
        )
    return leads


def export_rows(leads):
    for lead in leads:
        card = lead.card
        yield [
            card["name"],
            card["name_zh"],
            card["organisation"],
            card["job_title"],
            card["email"],
            card["phone"],
            lead.scanned_at,
            lead.rating,
            lead.tags,
            lead.interests,
            lead.notes,
        ]


def export_headers():
    return [
        _("Name"),
        _("Name in Chinese"),
        _("Organisation"),
        _("Job title"),
        _("E-mail"),
        _("Phone"),
        _("Scanned"),
        _("Rating"),
        _("Tags"),
        _("Interests"),
        _("Notes"),
    ]


def leads_of_visitor(registration) -> list[Lead]:
    """Who scanned this visitor at this edition (for /me/)."""
    return list(
        Lead.objects.filter(registration=registration)
        .select_related("exhibitor__organisation")
        .order_by("-scanned_at")
    )


def meeting_contact(exhibitor: Exhibitor) -> Person | None:
    """The exhibitor's contact as a B2B recipient: their person, if they have an active B2B
    profile in the edition (as ``matchmaking`` requires for a request), else None."""
    person_id = (
        Person.objects.filter(user_id=exhibitor.contact_id).values_list("pk", flat=True).first()
    )
    if person_id is None:
        return None
    profile = profile_for_person(exhibitor.conference, person_id)
    return profile.registration.person if profile is not None else None
