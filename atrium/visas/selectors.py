"""Read queries of visa letter requests: the organisers' queue, its counts, a delegate's."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from atrium.events.models import Conference
from atrium.registration.models import Registration
from atrium.visas.models import VisaLetterRequest

Status = VisaLetterRequest.Status

#: The passport must stay valid this many months after the intended exit.


def visa_requests_for(conference: Conference, *, status: str = "") -> QuerySet[VisaLetterRequest]:
    """The edition's requests, oldest waiting first, optionally of one status."""
    found = VisaLetterRequest.objects.filter(conference=conference).select_related(
        "registration__person__organisation", "registration__order", "decided_by"
    )
    if status:
        found = found.filter(status=status)
    return found.order_by("submitted_at", "pk")


def visa_status_counts(conference: Conference) -> dict[str, int]:
    rows = (
        VisaLetterRequest.objects.filter(conference=conference)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def visa_requests_of(registration: Registration) -> list[VisaLetterRequest]:
    """A registration's requests, newest first (the open one, then the closed ones)."""
    return list(
        VisaLetterRequest.objects.filter(registration=registration)
        .select_related("conference", "registration__person")
        .order_by("-submitted_at", "-pk")
    )
