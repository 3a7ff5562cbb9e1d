"""Visa invitation letters in the demo (Beijing 2025): the demo delegate's letter, issued;
one request waiting for review; one sent back for a correction.

Idempotent: nothing is added once the edition has a request. Skipped (with nothing
written) when no passport key is configured: ``make demo`` runs with ``DEBUG`` on, which
derives a development key from ``SECRET_KEY``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from atrium.events.models import Conference
from atrium.registration.models import Letterhead, Registration
from atrium.visas.crypto import passport_key_configured
from atrium.visas.models import PassportDetails, VisaLetterRequest
from atrium.visas.services import letter_number

DEMO_DELEGATE_SLUG = "cecile-harle"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# (status, date of birth, passport number, passport expiry, organisers' note)
OTHERS = [
    (VisaLetterRequest.Status.REQUESTED, dt.date(1979, 4, 23), "K4471902",
     dt.date(2031, 2, 14), ""),
    (VisaLetterRequest.Status.NEEDS_CORRECTION, dt.date(1986, 11, 2), "P20583316",
     dt.date(2029, 6, 30),
     "Please give your name exactly as in your passport, with your middle name, and check "
     "the passport number (it has one digit too few)."),
]  # fmt: skip


def _request(
    conference: Conference,
    registration: Registration,
    *,
    status: str,
    born: dt.date,
    number: str,
    expiry: dt.date,
    city: str,
    submitted: dt.datetime,
    note: str = "",
) -> VisaLetterRequest:
    person = registration.person
    visa_request = VisaLetterRequest(
        conference=conference,
        registration=registration,
        status=status,
        entry_date=conference.start_date - dt.timedelta(days=2),
        exit_date=conference.end_date + dt.timedelta(days=2),
        consulate_city=city,
        note=note,
        submitted_at=submitted,
    )
    visa_request.set_passport(
        PassportDetails(
            passport_name=person.name,
            nationality=str(person.country or "FR"),
            date_of_birth=born,
            passport_number=number,
            passport_expiry=expiry,
        )
    )
    if status != VisaLetterRequest.Status.REQUESTED:
        visa_request.decided_at = submitted + dt.timedelta(days=3)
    return visa_request


CONSULATES = {"FR": "Paris", "ES": "Madrid", "GB": "London", "DE": "Berlin", "US": "New York"}


def ensure_visa_demo(conference: Conference) -> dict[str, int]:
    """Three requests for the edition (one issued letter for the demo delegate)."""
    if not passport_key_configured() or conference.visa_requests.exists():
        return {"visa_requests": 0}
    letterhead = Letterhead.objects.filter(conference=conference).first()
    active = conference.registrations.filter(status__in=Registration.ACTIVE).select_related(
        "person"
    )
    made = []
    cecile = active.filter(person__slug=DEMO_DELEGATE_SLUG).first()
    if cecile is not None and letterhead is not None:
        visa_request = _request(
            conference,
            cecile,
            status=VisaLetterRequest.Status.APPROVED,
            born=dt.date(1968, 5, 17),
            number="19FR27384",
            expiry=dt.date(2030, 3, 9),
            city="Marseille",
            submitted=dt.datetime(2025, 7, 10, 10, tzinfo=SHANGHAI),
        )
        visa_request.letter_sequence = 1
        visa_request.letter_number = letter_number(letterhead, 1)
        made.append(visa_request)
    others = (
        active.exclude(person__slug=DEMO_DELEGATE_SLUG)
        .exclude(person__country__in=["", str(conference.country)])
        .order_by("pk")[: len(OTHERS)]
    )
    for index, (registration, row) in enumerate(zip(others, OTHERS, strict=False)):
        status, born, number, expiry, note = row
        country = str(registration.person.country)
        made.append(
            _request(
                conference,
                registration,
                status=status,
                born=born,
                number=number,
                expiry=expiry,
                city=CONSULATES.get(country, "Geneva"),
                submitted=dt.datetime(2025, 8, 1 + index, 15, tzinfo=SHANGHAI),
                note=note,
            )
        )
    VisaLetterRequest.objects.bulk_create(made)
    return {"visa_requests": len(made)}
