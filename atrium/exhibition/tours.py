"""The official tour: stops in walking order, clashes, the run sheet, the hosts told.

Part of the exhibition's rules (see ``services``): keyword-only, one transaction each,
audit-logged; bad input raises ``ValidationError`` naming the field."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.events.models import Conference
from atrium.exhibition import tour as tour_order_module
from atrium.exhibition.models import (
    Booth,
    BoothBooking,
    Exhibitor,
    PlanFeature,
    Tour,
    TourStop,
)
from atrium.network.models import Person

# --- tours ------------------------------------------------------------------------------


def booth_site_point(booth: Booth) -> tuple[float, float]:
    cx, cy = booth.centre
    return booth.hall.site_x + cx, booth.hall.site_y + cy


def _tour_start(stops: list[TourStop]) -> tuple[float, float] | None:
    if not stops:
        return None
    hall = stops[0].booth.hall
    entrance = hall.features.filter(kind=PlanFeature.Kind.ENTRANCE).first()
    if entrance is None:
        return None
    return hall.site_x + entrance.x, hall.site_y + entrance.y


def _clean_party(party) -> list[dict]:
    cleaned = []
    for member in party or []:
        if isinstance(member, str):
            member = {"name": member}
        name = str(member.get("name", "")).strip()
        if not name:
            continue
        cleaned.append(
            {
                "name": name[:200],
                "name_zh": str(member.get("name_zh", "")).strip()[:100],
                "title": str(member.get("title", "")).strip()[:200],
                "title_zh": str(member.get("title_zh", "")).strip()[:200],
            }
        )
    if not cleaned:
        raise ValidationError({"party": _("Name at least one member of the party.")})
    return cleaned


@transaction.atomic
def tour_save(
    *,
    conference: Conference,
    name: str,
    starts_at: dt.datetime,
    party,
    stops: list[tuple[Booth, int]],
    name_zh: str = "",
    reorder: bool = True,
    tour: Tour | None = None,
    actor=None,
) -> Tour:
    """Plan a tour: its party in protocol order, its start and its stops (booth, minutes).

    With ``reorder`` the stops are put in the order of the shortest walk.
    """
    tour = tour or Tour(conference=conference)
    tour.name, tour.name_zh = name.strip(), name_zh.strip()
    tour.starts_at = starts_at
    tour.party = _clean_party(party)
    tour.full_clean()
    if not stops:
        raise ValidationError({"stops": _("Choose at least one booth to visit.")})
    seen = set()
    for booth, minutes in stops:
        if booth.hall.conference_id != conference.pk:
            raise ValidationError(
                {"stops": _("Booth %(code)s belongs to another edition.") % {"code": booth.code}}
            )
        if booth.pk in seen:
            raise ValidationError(
                {"stops": _("Booth %(code)s is twice on the tour.") % {"code": booth.code}}
            )
        if not 1 <= int(minutes) <= 120:
            raise ValidationError({"stops": _("A stop lasts from 1 to 120 minutes.")})
        seen.add(booth.pk)
    tour.save()
    tour.stops.all().delete()
    created = [
        TourStop.objects.create(tour=tour, booth=booth, minutes=int(minutes), order=i + 1)
        for i, (booth, minutes) in enumerate(stops)
    ]
    if reorder:
        _reorder(tour, created)
    log_action(actor=actor, action="exhibition.tour.saved", obj=tour, conference=conference)
    return tour


def _reorder(tour: Tour, stops: list[TourStop]) -> None:
    stops = [TourStop.objects.select_related("booth__hall").get(pk=s.pk) for s in stops]
    points = [booth_site_point(s.booth) for s in stops]
    order = tour_order_module.order_stops(points, start=_tour_start(stops))
    for position, index in enumerate(order, start=1):
        stop = stops[index]
        if stop.order != position:
            stop.order = position
            stop.save(update_fields=["order"])


@transaction.atomic
def tour_reorder(*, tour: Tour, actor=None) -> Tour:
    _reorder(tour, list(tour.stops.all()))
    log_action(
        actor=actor, action="exhibition.tour.reordered", obj=tour, conference=tour.conference
    )
    return tour


@dataclass
class ScheduledStop:
    stop: TourStop
    walk_minutes: int
    arrives: dt.datetime
    leaves: dt.datetime


def tour_schedule(tour: Tour) -> list[ScheduledStop]:
    """Arrival and departure at each stop: the walk at the tour's pace, then the stop."""
    stops = list(tour.stops.select_related("booth__hall").order_by("order", "id"))
    here = _tour_start(stops)
    clock = tour.starts_at
    schedule = []
    for stop in stops:
        point = booth_site_point(stop.booth)
        walk = 0
        if here is not None:
            walk = math.ceil(tour_order_module.distance(here, point) / max(tour.walking_speed, 1))
        arrives = clock + dt.timedelta(minutes=walk)
        leaves = arrives + dt.timedelta(minutes=stop.minutes)
        schedule.append(ScheduledStop(stop=stop, walk_minutes=walk, arrives=arrives, leaves=leaves))
        clock, here = leaves, point
    return schedule


def tour_clashes(tour: Tour) -> list[str]:
    """What is wrong with the tour: a closed booth, a booth another tour visits at the same
    time, a stop outside its hall's opening hours."""
    schedule = tour_schedule(tour)
    problems = []
    others = {}
    for other in tour.conference.tours.exclude(pk=tour.pk):
        for item in tour_schedule(other):
            others.setdefault(item.stop.booth_id, []).append((other, item))
    tz = tour.conference.tz
    for item in schedule:
        booth = item.stop.booth
        if booth.is_closed:
            problems.append(_("Booth %(code)s is closed.") % {"code": booth.code})
        for other, theirs in others.get(booth.pk, []):
            if item.arrives < theirs.leaves and theirs.arrives < item.leaves:
                problems.append(
                    _("Booth %(code)s is on the tour “%(other)s” at the same time.")
                    % {"code": booth.code, "other": other.name_i18n}
                )
        arrives = item.arrives.astimezone(tz)
        leaves = item.leaves.astimezone(tz)
        hall = booth.hall
        if (
            arrives.time() < hall.opens_at
            or leaves.time() > hall.closes_at
            or leaves.date() != arrives.date()
        ):
            problems.append(
                _(
                    "The stop at booth %(code)s (%(start)s–%(end)s) is outside the hours of "
                    "%(hall)s (%(opens)s–%(closes)s)."
                )
                % {
                    "code": booth.code,
                    "start": arrives.strftime("%H:%M"),
                    "end": leaves.strftime("%H:%M"),
                    "hall": hall.name_i18n,
                    "opens": hall.opens_at.strftime("%H:%M"),
                    "closes": hall.closes_at.strftime("%H:%M"),
                }
            )
    return problems


def booth_exhibitor(booth: Booth) -> Exhibitor | None:
    booking = (
        booth.bookings.filter(status=BoothBooking.Status.BOOKED)
        .select_related("exhibitor__contact", "exhibitor__organisation")
        .first()
    )
    return booking.exhibitor if booking else None


@transaction.atomic
def tour_notify_hosts(*, tour: Tour, actor=None) -> int:
    """E-mail each booth's host (the exhibitor's contact) when the tour will reach them."""
    count = 0
    tz = tour.conference.tz
    party = ", ".join(m["name"] for m in tour.party)
    for item in tour_schedule(tour):
        exhibitor = booth_exhibitor(item.stop.booth)
        if exhibitor is None or not exhibitor.contact.email:
            continue
        person = Person.objects.filter(user=exhibitor.contact).first()
        language = "en"
        registration = (
            person.registrations.filter(conference=tour.conference).first() if person else None
        )
        if registration is not None:
            language = registration.language
        send_email_on_commit(
            to=exhibitor.contact.email,
            template="exhibition/email/tour_host",
            context={
                "tour_name": tour.name,
                "tour_name_zh": tour.name_zh,
                "party": party,
                "booth": item.stop.booth.code,
                "arrives": item.arrives.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "minutes": item.stop.minutes,
                "exhibitor": str(exhibitor),
                "conference_name": tour.conference.name,
            },
            language=language,
        )
        count += 1
    tour.hosts_notified_at = timezone.now()
    tour.save(update_fields=["hosts_notified_at"])
    log_action(
        actor=actor,
        action="exhibition.tour.hosts_notified",
        obj=tour,
        conference=tour.conference,
        data={"mails": count},
    )
    return count
