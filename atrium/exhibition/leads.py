"""Lead scanning with consent: each scan once, what a scan shares, withdrawal, export.

Part of the exhibition's rules (see ``services``): keyword-only, one transaction each,
audit-logged; bad input raises ``ValidationError`` naming the field."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from atrium.checkin.models import Badge
from atrium.checkin.tokens import unsign_badge_token
from atrium.core.audit import log_action
from atrium.exhibition.models import (
    Booth,
    Exhibitor,
    Lead,
    LeadConsent,
    SavedBooth,
)
from atrium.exhibition.services import _now
from atrium.network.models import Person
from atrium.registration.models import Registration

# --- leads ------------------------------------------------------------------------------


@dataclass
class ScanResult:
    lead: Lead | None = None
    created: bool = False
    error: str = ""


def _scan_error(message: str) -> ValidationError:
    return ValidationError({"token": message})


def lead_scan(
    *,
    exhibitor: Exhibitor,
    token: str,
    client_id: uuid.UUID | str,
    scanned_at: dt.datetime | str | None = None,
    actor=None,
    now: dt.datetime | None = None,
) -> ScanResult:
    """Make a lead from a scanned (or typed) badge token.

    Idempotent per ``client_id`` (a scan sent twice is saved once) and one lead per
    exhibitor and visitor (a second scan returns the first lead). The scan time is the
    device's, when given and not in the future. A forged token, a revoked badge or a
    badge of another edition is refused with a message, and nothing is saved.
    """
    now = _now(now)
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError({"client_id": _("The scan's client id is not valid.")}) from None
    if isinstance(scanned_at, str):
        scanned_at = parse_datetime(scanned_at)
    if scanned_at is None or timezone.is_naive(scanned_at) or scanned_at > now:
        scanned_at = now
    existing = Lead.objects.filter(client_id=client_id).select_related("registration").first()
    if existing is not None:
        if existing.exhibitor_id != exhibitor.pk:
            raise ValidationError({"client_id": _("This client id was used for another scan.")})
        return ScanResult(lead=existing, created=False)
    if exhibitor.status != Exhibitor.Status.ACCEPTED:
        raise _scan_error(_("Only accepted exhibitors can scan badges."))
    key = unsign_badge_token(token)
    badge = None
    if key:
        badge = (
            Badge.objects.select_related("registration__person__organisation")
            .filter(key=key)
            .first()
        )
    if badge is None:
        raise _scan_error(_("This is not a valid badge."))
    if badge.registration.conference_id != exhibitor.conference_id:
        raise _scan_error(_("This badge belongs to another edition."))
    if badge.is_revoked:
        raise _scan_error(_("This badge was replaced by a newer one and no longer counts."))
    registration = badge.registration
    if not registration.is_active:
        raise _scan_error(_("This visitor's registration is not active."))
    with transaction.atomic():
        earlier = (
            Lead.objects.select_for_update()
            .filter(exhibitor=exhibitor, registration=registration)
            .first()
        )
        if earlier is not None:
            if earlier.withdrawn_at is not None:
                raise _scan_error(_("This visitor has withdrawn from your leads."))
            return ScanResult(lead=earlier, created=False)
        try:
            with transaction.atomic():
                lead = Lead.objects.create(
                    exhibitor=exhibitor,
                    registration=registration,
                    client_id=client_id,
                    scanned_at=scanned_at,
                    received_at=now,
                    scanned_by=actor if actor is not None and actor.is_authenticated else None,
                )
        except IntegrityError:
            lead = Lead.objects.filter(
                Q(client_id=client_id) | Q(exhibitor=exhibitor, registration=registration)
            ).first()
            if lead is None:
                raise
            return ScanResult(lead=lead, created=False)
        log_action(
            actor=actor,
            action="exhibition.lead.scanned",
            obj=lead,
            conference=exhibitor.conference,
        )
    return ScanResult(lead=lead, created=True)


#: What separates entries typed in one field: the ASCII comma and semicolon, their
#: full-width Chinese forms, the enumeration comma 、 and a new line.
ENTRY_SEPARATORS = re.compile(r"[,，、;；\n]")


def split_entries(text: str) -> list[str]:
    """Tags or interests typed in one field, in order, trimmed, empty ones dropped:
    ``"新一代信息技术、生命健康；AI, IoT"`` → ``["新一代信息技术", "生命健康", "AI", "IoT"]``."""
    return [part.strip() for part in ENTRY_SEPARATORS.split(text or "") if part.strip()]


def _clean_list(values, field: str) -> list[str]:
    if isinstance(values, str):
        values = split_entries(values)
    items = [str(v).strip()[:60] for v in values or [] if str(v).strip()]
    if len(items) > 20:
        raise ValidationError({field: _("At most 20 entries.")})
    return list(dict.fromkeys(items))


@transaction.atomic
def lead_update(
    *,
    lead: Lead,
    rating: int | None = None,
    notes: str = "",
    tags=(),
    interests=(),
    actor=None,
) -> Lead:
    """Booth staff rate a lead (0–5) and note the visitor's interests."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.withdrawn_at is not None:
        raise ValidationError(_("The visitor has withdrawn this lead."))
    if rating is not None and not 0 <= int(rating) <= 5:
        raise ValidationError({"rating": _("A rating is from 0 to 5.")})
    lead.rating = None if rating is None else int(rating)
    lead.notes = (notes or "").strip()[:5000]
    lead.tags = _clean_list(tags, "tags")
    lead.interests = _clean_list(interests, "interests")
    lead.save(update_fields=["rating", "notes", "tags", "interests"])
    log_action(
        actor=actor,
        action="exhibition.lead.updated",
        obj=lead,
        conference=lead.exhibitor.conference,
    )
    return lead


@transaction.atomic
def lead_withdraw(*, lead: Lead, person: Person, actor=None) -> Lead:
    """The visitor takes a lead back: the exhibitor keeps nothing of it but the fact."""
    lead = Lead.objects.select_for_update().select_related("registration").get(pk=lead.pk)
    if lead.registration.person_id != person.pk:
        raise ValidationError(_("This is not your lead."))
    lead.withdrawn_at = timezone.now()
    lead.notes, lead.tags, lead.interests, lead.rating = "", [], [], None
    lead.save(update_fields=["withdrawn_at", "notes", "tags", "interests", "rating"])
    log_action(
        actor=actor,
        action="exhibition.lead.withdrawn",
        obj=lead,
        conference=lead.exhibitor.conference,
    )
    return lead


@transaction.atomic
def consent_set(
    *,
    person: Person,
    exhibitor: Exhibitor | None = None,
    share_name: bool = True,
    share_organisation: bool = True,
    share_email: bool = False,
    share_phone: bool = False,
    share_job_title: bool = False,
    actor=None,
) -> LeadConsent:
    """What a scan of ``person``'s badge shares with ``exhibitor`` (None: with every one)."""
    consent, _created = LeadConsent.objects.select_for_update().get_or_create(
        person=person, exhibitor=exhibitor
    )
    consent.share_name = share_name
    consent.share_organisation = share_organisation
    consent.share_email = share_email
    consent.share_phone = share_phone
    consent.share_job_title = share_job_title
    consent.save()
    log_action(
        actor=actor,
        action="exhibition.consent.set",
        obj=consent,
        conference=exhibitor.conference if exhibitor else None,
        data={field: getattr(consent, field) for field in LeadConsent.FIELDS},
    )
    return consent


@transaction.atomic
def booth_agenda_toggle(*, registration: Registration, booth: Booth, actor=None) -> bool:
    """Save ``booth`` to the visitor's agenda, or take it off; True when now saved."""
    if booth.hall.conference_id != registration.conference_id:
        raise ValidationError({"booth": _("This booth belongs to another edition.")})
    if not registration.is_active:
        raise ValidationError(_("Your registration for this edition is not active."))
    saved = SavedBooth.objects.filter(registration=registration, booth=booth)
    if saved.exists():
        saved.delete()
        return False
    SavedBooth.objects.get_or_create(registration=registration, booth=booth)
    return True
