"""Read queries of check-in: points, name search, today's counts, a session's roster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from atrium.checkin.models import CheckIn
from atrium.core.i18n import is_chinese
from atrium.core.search import search, sort_key
from atrium.events.models import Conference, Session
from atrium.registration.models import Registration, SeatBooking


def check_point(conference: Conference, point: Session | None) -> None:
    """A check-in point is the entrance (None) or a session of this edition."""
    if point is not None and point.conference_id != conference.pk:
        raise ValidationError({"point": _("This session is not part of this edition.")})


def checkin_points(conference: Conference) -> QuerySet[Session]:
    """The sessions with seats, where staff check people in besides the entrance."""
    return conference.sessions.filter(seats__isnull=False).order_by("start", "id")


def checkin_find(
    *, conference: Conference, q: str, point: Session | None = None, limit: int = 20
) -> list[Registration]:
    """Registrations whose person's name matches ``q`` in any script (马骏, ma jun, majun).

    Each carries ``checked_in_at``: when the person was first checked in at ``point`` (the
    entrance when None), or None; the desk shows it instead of a check-in button.
    """
    if not q.strip():
        return []
    first_checkin = CheckIn.objects.filter(
        registration=OuterRef("pk"),
        session=point,
    ).order_by("created")
    found = search(
        Registration.objects.filter(conference=conference)
        .select_related("person__organisation", "type", "order")
        .annotate(checked_in_at=Subquery(first_checkin.values("created")[:1])),
        q,
        field="person__search_key",
    )
    return list(found.order_by("search_rank", "person__sort_name", "pk")[:limit])


@dataclass
class CheckInCounts:
    """People checked in on one day: in all, by registration type and by country.

    ``by_type`` holds (type name in the page's language, people); ``by_country`` holds
    (country code, country name, people), the largest first; "" is the country not given.
    """

    day: dt.date
    total: int
    by_type: list[tuple[str, int]]
    by_country: list[tuple[str, str, int]] = field(default_factory=list)
    #: People checked in at least once at this edition, on any day.
    ever: int = 0


def checkin_counts(conference: Conference, *, day: dt.date | None = None) -> CheckInCounts:
    """People checked in (anywhere) on ``day`` of the edition's time zone: in all, by type
    and by country.

    One aggregate query, whatever the number of check-ins: people counted per (type,
    country) pair, on the day and on any day, then summed both ways (a registration has
    one type and one country).
    """
    tz = conference.tz
    day = day or timezone.localtime(timezone.now(), tz).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        CheckIn.objects.filter(conference=conference)
        .values_list(
            "registration__type__name",
            "registration__type__name_zh",
            "registration__person__country",
        )
        .annotate(
            people=Count(
                "registration", distinct=True, filter=Q(created__gte=start, created__lt=end)
            ),
            ever=Count("registration", distinct=True),
        )
        .order_by()
    )
    chinese = is_chinese()
    types: dict[str, int] = {}
    by_code: dict[str, int] = {}
    ever = 0
    for name, name_zh, code, people, ever_here in rows:
        ever += ever_here
        if not people:
            continue
        label = (chinese and name_zh) or name or "—"
        types[label] = types.get(label, 0) + people
        by_code[code or ""] = by_code.get(code or "", 0) + people
    by_country = sorted(
        ((code, str(countries.name(code)) if code else "", n) for code, n in by_code.items()),
        key=lambda row: (not row[0], -row[2], sort_key(row[1])),
    )
    return CheckInCounts(
        day=day,
        total=sum(types.values()),
        by_type=sorted(types.items(), key=lambda item: sort_key(item[0])),
        by_country=by_country,
        ever=ever,
    )


@dataclass
class SessionRoster:
    """Who boards at a session point: the people with a confirmed seat, and who is missing."""

    session: Session
    expected: int
    boarded: int
    missing: list[Registration]
    not_signed_up: int


def checkin_session_roster(*, conference: Conference, session: Session) -> SessionRoster:
    """The people with a confirmed seat on ``session`` not yet checked in there (by name),
    how many of them did board, and how many boarded without a seat. Three queries."""
    check_point(conference, session)
    seated = SeatBooking.objects.filter(
        session=session, status=SeatBooking.Status.CONFIRMED
    ).values("registration")
    boarded_ids = CheckIn.objects.filter(conference=conference, session=session).values(
        "registration"
    )
    expected = seated.count()
    not_signed_up = (
        CheckIn.objects.filter(conference=conference, session=session)
        .exclude(registration__in=seated)
        .values("registration")
        .distinct()
        .count()
    )
    missing = list(
        Registration.objects.filter(conference=conference, pk__in=seated)
        .exclude(pk__in=boarded_ids)
        .select_related("person__organisation", "type")
        .order_by("person__sort_name", "pk")
    )
    return SessionRoster(
        session=session,
        expected=expected,
        boarded=max(expected - len(missing), 0),
        missing=missing,
        not_signed_up=not_signed_up,
    )
