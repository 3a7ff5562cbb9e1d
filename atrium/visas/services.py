"""Visa invitation letters: the delegate asks, an organiser reviews, the host's letter is issued.

Life of a request (``VisaLetterRequest.Status``)::

    requested ──approve──▶ approved (a letter number; the PDF can be downloaded)
        │  ▲  ╲──refuse──▶ refused (with a reason)
        │  │correct
        ▼  │
    needs_correction ──refuse──▶ refused
    (requested, needs_correction, approved) ──withdraw (the delegate)──▶ withdrawn

A registration has at most one open request (requested, needs_correction or approved:
a database constraint); after a refusal or a withdrawal the delegate may ask again.

Rules (each error names its field):

- the passport is valid at least ``PASSPORT_VALID_MONTHS`` (6) months after the exit date;
- entry strictly before exit; entry no earlier than ``ENTRY_DAYS_BEFORE`` (30) days before the
  edition's first day and no later than its last day; exit no earlier than the first day and
  no later than ``EXIT_DAYS_AFTER`` (30) days after the last day;
- a date of birth that makes the delegate ``MIN_AGE_YEARS``–``MAX_AGE_YEARS`` old at the
  edition; a passport number of 5 to 20 letters and digits; a nationality other than the
  host country's (its citizens need no visa).

Letter numbers are ``<Letterhead.letter_prefix>-<sequence:04d>`` (``BJ25-VL-0007``), one
sequence per edition without gaps: the next number is taken at approval while the
edition's letterhead row is locked, so parallel approvals queue up behind each other.

Every service is one transaction and writes the audit log; so do every organiser's look at
the passport data (``visa_passport_reveal``) and every download of a letter
(``visa_letter_pdf``). Audit entries never hold passport data, only field names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.events.models import Conference
from atrium.registration.models import Letterhead, Registration
from atrium.visas.letters import render_visa_letter
from atrium.visas.models import PassportDetails, VisaLetterRequest

Status = VisaLetterRequest.Status

#: The passport must stay valid this many months after the intended exit.
PASSPORT_VALID_MONTHS = 6
#: The earliest entry: this many days before the edition's first day.
ENTRY_DAYS_BEFORE = 30
#: The latest exit: this many days after the edition's last day.
EXIT_DAYS_AFTER = 30
#: A plausible delegate's age (in years) on the edition's first day.
MIN_AGE_YEARS = 12
MAX_AGE_YEARS = 110
PASSPORT_NUMBER = re.compile(r"^[A-Z0-9]{5,20}$")

TRAVEL_FIELDS = ("entry_date", "exit_date", "consulate_city")


# --- dates -------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (31 August + 6 months = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- validation --------------------------------------------------------------------------


def visa_details_clean(
    *,
    conference: Conference,
    passport: PassportDetails,
    entry_date: dt.date | None,
    exit_date: dt.date | None,
    consulate_city: str,
    today: dt.date | None = None,
) -> tuple[PassportDetails, str]:
    """Check a request's data; return it tidied (``passport``, ``consulate_city``).

    Raises ``ValidationError`` keyed by field name, with every problem at once.
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    name = " ".join((passport.passport_name or "").split())
    if not name:
        errors["passport_name"] = _("Give your full name exactly as printed in your passport.")
    elif len(name) > 200:
        errors["passport_name"] = _("The name is too long (200 characters at most).")
    elif any(ch.isdigit() for ch in name):
        errors["passport_name"] = _("A name in a passport has no digits; check the name.")

    nationality = (passport.nationality or "").strip().upper()
    if not nationality:
        errors["nationality"] = _("Choose your nationality (the country of your passport).")
    elif nationality not in dict(countries):
        errors["nationality"] = _("Choose a country from the list.")
    elif nationality == str(conference.country):
        errors["nationality"] = _(
            "Citizens of the host country need no visa: no invitation letter is needed."
        )

    number = re.sub(r"\s+", "", passport.passport_number or "").upper()
    if not number:
        errors["passport_number"] = _("Give your passport number.")
    elif not PASSPORT_NUMBER.match(number):
        errors["passport_number"] = _(
            "A passport number has 5 to 20 letters and digits (no other signs)."
        )

    born = passport.date_of_birth
    if not born:
        errors["date_of_birth"] = _("Give your date of birth.")
    elif born >= today:
        errors["date_of_birth"] = _("The date of birth must be in the past.")
    else:
        age = _years_between(born, conference.start_date)
        if age < MIN_AGE_YEARS or age > MAX_AGE_YEARS:
            errors["date_of_birth"] = _(
                "This date of birth is not plausible for a delegate (%(min)s to %(max)s years "
                "old at the conference): check the year."
            ) % {"min": MIN_AGE_YEARS, "max": MAX_AGE_YEARS}

    first, last = conference.start_date, conference.end_date
    earliest = first - dt.timedelta(days=ENTRY_DAYS_BEFORE)
    latest = last + dt.timedelta(days=EXIT_DAYS_AFTER)
    if not entry_date:
        errors["entry_date"] = _("Give the day you intend to enter the country.")
    elif entry_date < earliest:
        errors["entry_date"] = _(
            "Entry can be at the earliest %(days)s days before the conference (%(date)s)."
        ) % {"days": ENTRY_DAYS_BEFORE, "date": earliest.isoformat()}
    elif entry_date > last:
        errors["entry_date"] = _("Entry must be before the conference ends (%(date)s).") % {
            "date": last.isoformat()
        }
    if not exit_date:
        errors["exit_date"] = _("Give the day you intend to leave the country.")
    elif entry_date and exit_date <= entry_date:
        errors["exit_date"] = _("The exit date must be after the entry date.")
    elif exit_date < first:
        errors["exit_date"] = _("Exit must be after the conference begins (%(date)s).") % {
            "date": first.isoformat()
        }
    elif exit_date > latest:
        errors["exit_date"] = _(
            "Exit can be at the latest %(days)s days after the conference (%(date)s)."
        ) % {"days": EXIT_DAYS_AFTER, "date": latest.isoformat()}

    expiry = passport.passport_expiry
    if not expiry:
        errors["passport_expiry"] = _("Give the expiry date of your passport.")
    elif exit_date and expiry < add_months(exit_date, PASSPORT_VALID_MONTHS):
        errors["passport_expiry"] = _(
            "Your passport must be valid at least %(months)s months after your exit date, "
            "that is until %(date)s or later: renew it before you apply."
        ) % {
            "months": PASSPORT_VALID_MONTHS,
            "date": add_months(exit_date, PASSPORT_VALID_MONTHS).isoformat(),
        }

    city = " ".join((consulate_city or "").split())
    if not city:
        errors["consulate_city"] = _(
            "Give the city of the embassy or consulate where you will apply."
        )
    elif len(city) > 100:
        errors["consulate_city"] = _("The city is too long (100 characters at most).")

    if errors:
        raise ValidationError(errors)
    cleaned = PassportDetails(
        passport_name=name,
        nationality=nationality,
        date_of_birth=born,
        passport_number=number,
        passport_expiry=expiry,
    )
    return cleaned, city


# --- helpers -----------------------------------------------------------------------------


def _lock(visa_request: VisaLetterRequest) -> VisaLetterRequest:
    return (
        VisaLetterRequest.objects.select_for_update(of=("self",))
        .select_related("conference", "registration__person__user", "registration__conference")
        .get(pk=visa_request.pk)
    )


def _log(visa_request: VisaLetterRequest, action: str, actor, **data) -> None:
    log_action(
        actor=actor,
        action=action,
        obj=visa_request,
        conference=visa_request.conference,
        data={"registration": visa_request.registration_id, **data},
    )


def _mail(visa_request: VisaLetterRequest, template: str) -> None:
    registration = visa_request.registration
    send_email_on_commit(
        to=registration.person.contact_email,
        template=f"visas/email/{template}",
        context={
            "visa_request": visa_request,
            "registration": registration,
            "conference": visa_request.conference,
        },
        language=registration.language,
    )


def _is_owner(visa_request: VisaLetterRequest, user) -> bool:
    person = visa_request.registration.person
    return bool(user and user.is_authenticated and person.user_id == user.pk)


def _travel(visa_request: VisaLetterRequest) -> dict:
    return {field: getattr(visa_request, field) for field in TRAVEL_FIELDS}


# --- the delegate ------------------------------------------------------------------------


@transaction.atomic
def visa_request_submit(
    *,
    registration: Registration,
    passport: PassportDetails,
    entry_date: dt.date | None,
    exit_date: dt.date | None,
    consulate_city: str,
    actor,
) -> VisaLetterRequest:
    """Ask for a letter for a pending or confirmed registration (one open request at a time)."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("conference", "person")
        .get(pk=registration.pk)
    )
    if registration.status not in Registration.ACTIVE:
        raise ValidationError(
            _("Only a pending or confirmed registration can ask for a visa letter.")
        )
    if VisaLetterRequest.objects.filter(
        registration=registration, status__in=VisaLetterRequest.OPEN
    ).exists():
        raise ValidationError(
            _("You have asked for a visa letter already: correct or withdraw that request.")
        )
    conference = registration.conference
    passport, city = visa_details_clean(
        conference=conference,
        passport=passport,
        entry_date=entry_date,
        exit_date=exit_date,
        consulate_city=consulate_city,
    )
    visa_request = VisaLetterRequest(
        conference=conference,
        registration=registration,
        status=Status.REQUESTED,
        entry_date=entry_date,
        exit_date=exit_date,
        consulate_city=city,
        submitted_at=timezone.now(),
    )
    visa_request.set_passport(passport)
    visa_request.full_clean(exclude=["registration", "conference"], validate_constraints=False)
    try:
        with transaction.atomic():
            visa_request.save()
    except IntegrityError as error:  # a second submission raced this one
        raise ValidationError(
            _("You have asked for a visa letter already: correct or withdraw that request.")
        ) from error
    _log(
        visa_request,
        "visa.requested",
        actor,
        **{k: str(v) for k, v in _travel(visa_request).items()},
    )
    return visa_request


@transaction.atomic
def visa_request_correct(
    *,
    visa_request: VisaLetterRequest,
    passport: PassportDetails,
    entry_date: dt.date | None,
    exit_date: dt.date | None,
    consulate_city: str,
    actor,
) -> VisaLetterRequest:
    """The delegate changes a request waiting for review or for a correction; it waits again."""
    visa_request = _lock(visa_request)
    if visa_request.status not in VisaLetterRequest.PENDING:
        raise ValidationError(
            _("Only a request waiting for review or for a correction can be changed.")
        )
    if visa_request.registration.status not in Registration.ACTIVE:
        raise ValidationError(_("Your registration is no longer active."))
    passport, city = visa_details_clean(
        conference=visa_request.conference,
        passport=passport,
        entry_date=entry_date,
        exit_date=exit_date,
        consulate_city=consulate_city,
    )
    before = visa_request.passport()
    changed = [
        field
        for field in PassportDetails.FIELDS
        if before is None or getattr(before, field) != getattr(passport, field)
    ]
    new_travel = {"entry_date": entry_date, "exit_date": exit_date, "consulate_city": city}
    changed += [
        field for field, value in new_travel.items() if getattr(visa_request, field) != value
    ]
    was = visa_request.status
    visa_request.set_passport(passport)
    for field, value in new_travel.items():
        setattr(visa_request, field, value)
    visa_request.status = Status.REQUESTED
    visa_request.submitted_at = timezone.now()
    visa_request.full_clean(exclude=["registration", "conference"], validate_constraints=False)
    visa_request.save(
        update_fields=[
            "passport_data",
            *TRAVEL_FIELDS,
            "status",
            "submitted_at",
            "updated",
        ]
    )
    _log(visa_request, "visa.corrected", actor, changed=changed, was=was)
    return visa_request


@transaction.atomic
def visa_request_withdraw(*, visa_request: VisaLetterRequest, actor) -> VisaLetterRequest:
    """The delegate no longer needs the letter (an issued letter's number stays taken)."""
    visa_request = _lock(visa_request)
    if visa_request.status not in VisaLetterRequest.OPEN:
        raise ValidationError(_("This request is closed already."))
    was = visa_request.status
    visa_request.status = Status.WITHDRAWN
    visa_request.save(update_fields=["status", "updated"])
    _log(visa_request, "visa.withdrawn", actor, was=was)
    return visa_request


def visa_requests_close(*, registration: Registration, actor) -> int:
    """A cancelled or rejected registration needs no letter: its open requests are withdrawn.

    An issued letter can no longer be downloaded (its number stays taken). Called by the
    registration services in their transaction; returns how many requests were closed.
    """
    open_requests = VisaLetterRequest.objects.filter(
        registration=registration, status__in=VisaLetterRequest.OPEN
    )
    closed = 0
    for visa_request in open_requests:
        visa_request_withdraw(visa_request=visa_request, actor=actor)
        closed += 1
    return closed


# --- the organisers ----------------------------------------------------------------------


def _decide(visa_request: VisaLetterRequest, actor, status: str, note: str) -> None:
    visa_request.status = status
    visa_request.note = note
    visa_request.decided_by = actor if actor is not None and actor.is_authenticated else None
    visa_request.decided_at = timezone.now()


def letter_number(letterhead: Letterhead, sequence: int) -> str:
    prefix = (letterhead.letter_prefix or "").strip().rstrip("-")
    return f"{prefix}-{sequence:04d}" if prefix else f"{sequence:04d}"


@transaction.atomic
def visa_request_approve(*, visa_request: VisaLetterRequest, actor) -> VisaLetterRequest:
    """Issue the letter: the next letter number of the edition, and a mail to the delegate."""
    conference = visa_request.conference
    # The letterhead's row lock serialises approvals of the edition: numbers without gaps.
    letterhead = Letterhead.objects.select_for_update().filter(conference=conference).first()
    if letterhead is None:
        raise ValidationError(
            _("Set up the edition's letterhead (issuer, signatory) before issuing letters.")
        )
    visa_request = _lock(visa_request)
    if visa_request.status != Status.REQUESTED:
        raise ValidationError(_("Only a request waiting for review can be approved."))
    if visa_request.registration.status not in Registration.ACTIVE:
        raise ValidationError(_("The registration is no longer active: refuse the request."))
    if visa_request.is_purged:
        raise ValidationError(_("The passport data of this request was removed."))
    last = VisaLetterRequest.objects.filter(conference=conference).aggregate(
        last=Max("letter_sequence")
    )["last"]
    visa_request.letter_sequence = (last or 0) + 1
    visa_request.letter_number = letter_number(letterhead, visa_request.letter_sequence)
    _decide(visa_request, actor, Status.APPROVED, "")
    visa_request.save(
        update_fields=[
            "status",
            "note",
            "decided_by",
            "decided_at",
            "letter_sequence",
            "letter_number",
            "updated",
        ]
    )
    _log(visa_request, "visa.approved", actor, letter_number=visa_request.letter_number)
    _mail(visa_request, "approved")
    return visa_request


@transaction.atomic
def visa_request_ask_correction(
    *, visa_request: VisaLetterRequest, actor, note: str
) -> VisaLetterRequest:
    """Send the request back to the delegate with what to correct."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Tell the delegate what to correct.")})
    visa_request = _lock(visa_request)
    if visa_request.status != Status.REQUESTED:
        raise ValidationError(_("Only a request waiting for review can be sent back."))
    _decide(visa_request, actor, Status.NEEDS_CORRECTION, note)
    visa_request.save(update_fields=["status", "note", "decided_by", "decided_at", "updated"])
    _log(visa_request, "visa.correction_asked", actor, note=note)
    _mail(visa_request, "correction")
    return visa_request


@transaction.atomic
def visa_request_refuse(
    *, visa_request: VisaLetterRequest, actor, reason: str
) -> VisaLetterRequest:
    """Refuse a request waiting for review or for a correction, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the delegate a reason.")})
    visa_request = _lock(visa_request)
    if visa_request.status not in VisaLetterRequest.PENDING:
        raise ValidationError(
            _("Only a request waiting for review or a correction can be refused.")
        )
    _decide(visa_request, actor, Status.REFUSED, reason)
    visa_request.save(update_fields=["status", "note", "decided_by", "decided_at", "updated"])
    _log(visa_request, "visa.refused", actor, reason=reason)
    _mail(visa_request, "refused")
    return visa_request


@transaction.atomic
def visa_passport_reveal(*, visa_request: VisaLetterRequest, actor) -> PassportDetails | None:
    """The decrypted passport data, for its owner or an organiser of the edition.

    The caller has checked the permission; an organiser's look is logged (the owner's is
    not: it is their own data).
    """
    passport = visa_request.passport()
    if passport is not None and not _is_owner(visa_request, actor):
        _log(visa_request, "visa.passport_viewed", actor)
    return passport


# --- the letter --------------------------------------------------------------------------


@transaction.atomic
def visa_letter_pdf(*, visa_request: VisaLetterRequest, actor) -> bytes:
    """The issued letter as a PDF on the edition's letterhead; every download is logged."""
    visa_request = (
        VisaLetterRequest.objects.select_related(
            "conference__letterhead", "registration__person__organisation"
        )
        .filter(pk=visa_request.pk)
        .get()
    )
    if not visa_request.has_letter:
        raise ValidationError(_("No letter was issued for this request."))
    if visa_request.registration.status not in Registration.ACTIVE:
        raise ValidationError(_("The registration is no longer active: the letter is void."))
    passport = visa_request.passport()
    if passport is None:
        raise ValidationError(
            _("The passport data was removed after the conference: the letter cannot be made.")
        )
    letterhead = getattr(visa_request.conference, "letterhead", None)
    if letterhead is None:
        raise ValidationError(_("The edition has no letterhead."))
    data = render_visa_letter(visa_request=visa_request, passport=passport, letterhead=letterhead)
    _log(
        visa_request,
        "visa.letter_downloaded",
        actor,
        letter_number=visa_request.letter_number,
        by="owner" if _is_owner(visa_request, actor) else "organiser",
    )
    return data


# --- removal after the conference ----------------------------------------------------------


@dataclass
class PurgeResult:
    conference: Conference
    count: int
    dry_run: bool


def visa_purge(
    *,
    days: int,
    conference: Conference | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
    actor=None,
) -> list[PurgeResult]:
    """Remove the passport data of editions that ended ``days`` days ago or more.

    Keeps each request's status, dates, consulate city and letter number; logs each
    removal. Idempotent: what is removed already is skipped. ``dry_run`` only counts.
    """
    if days < 0:
        raise ValidationError({"days": _("The number of days cannot be negative.")})
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=days)
    editions = Conference.objects.filter(end_date__lte=cutoff).order_by("start_date", "pk")
    if conference is not None:
        editions = editions.filter(pk=conference.pk)
    results = []
    for edition in editions:
        with transaction.atomic():
            pending = (
                VisaLetterRequest.objects.select_for_update()
                .filter(conference=edition)
                .exclude(passport_data="")
                .order_by("pk")
            )
            ids = list(pending.values_list("pk", flat=True))
            if ids and not dry_run:
                now = timezone.now()
                VisaLetterRequest.objects.filter(pk__in=ids).update(
                    passport_data="", purged_at=now, updated=now
                )
                for visa_request in VisaLetterRequest.objects.filter(pk__in=ids).select_related(
                    "conference"
                ):
                    _log(visa_request, "visa.purged", actor, retention_days=days)
        results.append(PurgeResult(conference=edition, count=len(ids), dry_run=dry_run))
    return results
