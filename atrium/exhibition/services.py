"""The exhibition's rules: every change goes through here (pages, API and commands alike).

Each service is keyword-only, runs in one transaction and writes the audit log. Bad input
raises ``ValidationError`` naming the field; nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from atrium.core.audit import log_action
from atrium.core.uploads import check_upload_size, too_large_message, upload_limit
from atrium.events.models import Conference
from atrium.exhibition.models import (
    HOLD_MINUTES,
    Booth,
    BoothBooking,
    BoothPayment,
    Exhibitor,
    Product,
)
from atrium.network.models import Organisation
from atrium.registration.services import lock_receipt_numbers

# --- exhibitors -------------------------------------------------------------------------


@transaction.atomic
def exhibitor_apply(
    *,
    conference: Conference,
    organisation: Organisation,
    contact,
    description: str = "",
    description_zh: str = "",
    display_name: str = "",
    display_name_zh: str = "",
    website: str = "",
    wished_booth: Booth | None = None,
    wished_category: str = "",
    actor=None,
) -> Exhibitor:
    """An organisation asks to exhibit, represented by ``contact`` (a logged-in user)."""
    if Exhibitor.objects.filter(conference=conference, organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("This organisation has already applied to this exhibition.")}
        )
    if wished_booth is not None and wished_booth.hall.conference_id != conference.pk:
        raise ValidationError({"wished_booth": _("This booth belongs to another edition.")})
    exhibitor = Exhibitor(
        conference=conference,
        organisation=organisation,
        contact=contact,
        display_name=display_name.strip(),
        display_name_zh=display_name_zh.strip(),
        description=description.strip(),
        description_zh=description_zh.strip(),
        website=website.strip(),
        wished_booth=wished_booth,
        wished_category=wished_category,
    )
    exhibitor.full_clean(exclude=["display_name"])
    exhibitor.save()
    log_action(
        actor=actor or contact,
        action="exhibition.exhibitor.applied",
        obj=exhibitor,
        conference=conference,
    )
    return exhibitor


@transaction.atomic
def exhibitor_decide(
    *, exhibitor: Exhibitor, accept: bool, reason: str = "", actor=None
) -> Exhibitor:
    """Organisers accept or reject an application; a rejection gives its reason."""
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    exhibitor.status = Exhibitor.Status.ACCEPTED if accept else Exhibitor.Status.REJECTED
    exhibitor.decision_reason = reason
    exhibitor.decided_at = timezone.now()
    exhibitor.save(update_fields=["status", "decision_reason", "decided_at"])
    if not accept:
        BoothBooking.objects.filter(exhibitor=exhibitor, status=BoothBooking.Status.HELD).update(
            status=BoothBooking.Status.RELEASED, released_at=timezone.now()
        )
    log_action(
        actor=actor,
        action="exhibition.exhibitor.accepted" if accept else "exhibition.exhibitor.rejected",
        obj=exhibitor,
        conference=exhibitor.conference,
        data={"reason": reason} if reason else None,
    )
    return exhibitor


@transaction.atomic
def exhibitor_profile_edit(*, exhibitor: Exhibitor, changes: dict, actor=None) -> Exhibitor:
    """Change the public profile. Before acceptance the change is made at once; after it, it
    waits for an organiser as a difference (field → [current, proposed])."""
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    unknown = set(changes) - set(Exhibitor.PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    changes = {k: (v or "").strip() for k, v in changes.items()}
    probe = Exhibitor(**{k: getattr(exhibitor, k) for k in Exhibitor.PROFILE_FIELDS})
    for field, value in changes.items():
        setattr(probe, field, value)
    probe.clean_fields(exclude=[f.name for f in Exhibitor._meta.fields if f.name not in changes])
    if exhibitor.status != Exhibitor.Status.ACCEPTED:
        for field, value in changes.items():
            setattr(exhibitor, field, value)
        exhibitor.save(update_fields=list(changes) or None)
        action = "exhibition.exhibitor.edited"
    else:
        pending = dict(exhibitor.pending_changes)
        for field, value in changes.items():
            if value == getattr(exhibitor, field):
                pending.pop(field, None)
            else:
                pending[field] = [getattr(exhibitor, field), value]
        exhibitor.pending_changes = pending
        exhibitor.save(update_fields=["pending_changes"])
        action = "exhibition.exhibitor.edit_proposed"
    log_action(
        actor=actor, action=action, obj=exhibitor, conference=exhibitor.conference, data=changes
    )
    return exhibitor


@transaction.atomic
def exhibitor_changes_decide(*, exhibitor: Exhibitor, approve: bool, actor=None) -> Exhibitor:
    """Organisers approve (apply) or discard the edits waiting for approval."""
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    pending = exhibitor.pending_changes or {}
    if not pending:
        raise ValidationError(_("No changes are waiting for approval."))
    if approve:
        for field, (_old, new) in pending.items():
            setattr(exhibitor, field, new)
    exhibitor.pending_changes = {}
    exhibitor.save()
    log_action(
        actor=actor,
        action="exhibition.exhibitor.edit_approved"
        if approve
        else "exhibition.exhibitor.edit_discarded",
        obj=exhibitor,
        conference=exhibitor.conference,
        data=pending,
    )
    return exhibitor


PRODUCT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
PRODUCT_IMAGE_SIDE = 1200
PRODUCT_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
PRODUCT_IMAGE_MAX_PIXELS = 50_000_000


def product_image_bytes(upload) -> bytes:
    """The upload checked by its content and size, as a JPEG of at most 1200 px a side."""
    check_upload_size(upload, limit=PRODUCT_IMAGE_MAX_BYTES, field="image")
    limit = upload_limit(PRODUCT_IMAGE_MAX_BYTES)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"image": too_large_message(limit=limit)})
    not_an_image = ValidationError(
        {"image": _("This is not a picture Atrium can read: upload a JPEG, PNG or WebP image.")}
    )
    if not data:
        raise not_an_image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in PRODUCT_IMAGE_FORMATS:
                raise not_an_image
            if image.size[0] * image.size[1] > PRODUCT_IMAGE_MAX_PIXELS:
                raise ValidationError(
                    {"image": _("The picture has too many pixels; make it smaller.")}
                )
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise not_an_image from error
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((PRODUCT_IMAGE_SIDE, PRODUCT_IMAGE_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


@transaction.atomic
def product_save(
    *,
    exhibitor: Exhibitor,
    name: str,
    name_zh: str = "",
    description: str = "",
    description_zh: str = "",
    image=None,
    product: Product | None = None,
    actor=None,
) -> Product:
    """Add or change a product or service, with an optional image (checked, re-encoded)."""
    product = product or Product(exhibitor=exhibitor)
    if product.exhibitor_id != exhibitor.pk:
        raise ValidationError(_("This product belongs to another exhibitor."))
    product.name, product.name_zh = name.strip(), name_zh.strip()
    product.description, product.description_zh = description.strip(), description_zh.strip()
    if product.order == 0 and not product.pk:
        product.order = exhibitor.products.count() + 1
    product.full_clean(exclude=["image"])
    data = product_image_bytes(image) if image is not None else None
    if data is not None:
        old = product.image.name if product.image else ""
        product.image.save("product.jpg", ContentFile(data), save=False)
        if old:
            storage = product.image.storage
            transaction.on_commit(lambda: storage.delete(old))
    product.save()
    log_action(
        actor=actor,
        action="exhibition.product.saved",
        obj=product,
        conference=exhibitor.conference,
    )
    return product


# --- booths: hold, pay, release ---------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def expired_holds(now: dt.datetime | None = None):
    return BoothBooking.objects.filter(status=BoothBooking.Status.HELD, held_until__lt=_now(now))


@transaction.atomic
def holds_release_expired(*, now: dt.datetime | None = None, booth: Booth | None = None) -> int:
    """Release the holds whose 15 minutes are over (all, or ``booth``'s); the number released."""
    now = _now(now)
    holds = expired_holds(now)
    if booth is not None:
        holds = holds.filter(booth=booth)
    released = list(holds.select_for_update())
    for booking in released:
        booking.status = BoothBooking.Status.RELEASED
        booking.released_at = now
        booking.save(update_fields=["status", "released_at"])
        log_action(
            actor=None,
            action="exhibition.booking.expired",
            obj=booking,
            conference=None,
        )
    return len(released)


@transaction.atomic
def booth_hold(
    *,
    booth: Booth,
    exhibitor: Exhibitor,
    currency: str = "USD",
    now: dt.datetime | None = None,
    actor=None,
) -> BoothBooking:
    """Hold a free booth for ``HOLD_MINUTES`` while the exhibitor pays.

    The booth's row is locked first, so that concurrent holds queue; the partial unique
    constraint (one held-or-booked booking a booth) backs the lock up. A hold on a held or
    booked booth is refused with a clear message.
    """
    now = _now(now)
    booth = Booth.objects.select_for_update().select_related("hall").get(pk=booth.pk)
    if booth.hall.conference_id != exhibitor.conference_id:
        raise ValidationError({"booth": _("This booth belongs to another edition.")})
    if exhibitor.status != Exhibitor.Status.ACCEPTED:
        raise ValidationError(_("Only accepted exhibitors can book a booth."))
    if booth.is_closed:
        raise ValidationError({"booth": _("Booth %(code)s is closed.") % {"code": booth.code}})
    if currency not in ("USD", "CNY"):
        raise ValidationError({"currency": _("Choose USD or CNY.")})
    holds_release_expired(now=now, booth=booth)
    live = booth.bookings.filter(status__in=BoothBooking.LIVE).first()
    if live is not None:
        if live.status == BoothBooking.Status.BOOKED:
            message = _("Booth %(code)s is already booked.")
        else:
            message = _("Booth %(code)s is held by another exhibitor; try again in a few minutes.")
        if live.exhibitor_id == exhibitor.pk:
            message = _("You already hold or booked booth %(code)s.")
        raise ValidationError({"booth": message % {"code": booth.code}})
    if BoothBooking.objects.filter(
        exhibitor=exhibitor, status=BoothBooking.Status.HELD, held_until__gte=now
    ).exists():
        raise ValidationError(
            {"booth": _("You already hold a booth: pay for it or release it first.")}
        )
    amount = booth.price_usd if currency == "USD" else booth.price_cny
    try:
        with transaction.atomic():
            booking = BoothBooking.objects.create(
                booth=booth,
                exhibitor=exhibitor,
                status=BoothBooking.Status.HELD,
                currency=currency,
                amount=amount,
                held_until=now + dt.timedelta(minutes=HOLD_MINUTES),
                created=now,
            )
    except IntegrityError:
        raise ValidationError(
            {"booth": _("Booth %(code)s was taken a moment ago.") % {"code": booth.code}}
        ) from None
    log_action(
        actor=actor,
        action="exhibition.booth.held",
        obj=booking,
        conference=exhibitor.conference,
        data={"booth": booth.code, "held_until": booking.held_until.isoformat()},
    )
    return booking


def booking_lock(booking: BoothBooking) -> BoothBooking:
    """Lock ``booking`` and its booth, booth first (as ``booth_hold`` does, so that a payment
    and a hold on the same booth queue instead of deadlocking). Call inside a transaction."""
    booth_id = BoothBooking.objects.values_list("booth_id", flat=True).get(pk=booking.pk)
    Booth.objects.select_for_update().filter(pk=booth_id).first()
    return (
        BoothBooking.objects.select_for_update()
        .select_related("booth", "exhibitor__conference")
        .get(pk=booking.pk)
    )


def _next_booth_receipt_number(conference_id: int) -> int:
    """The edition's next booth receipt number, under the lock of the edition's receipt
    numbers (registration's): inside the paying transaction, so no gaps, no duplicates."""
    lock_receipt_numbers(conference_id)
    highest = BoothPayment.objects.filter(conference_id=conference_id).aggregate(
        n=Max("receipt_number")
    )
    return (highest["n"] or 0) + 1


def booking_payment_record(
    *, booking: BoothBooking, provider: str, reference: str, now: dt.datetime, actor
) -> BoothPayment:
    """Book the locked ``booking`` and record its payment, with a numbered receipt when the
    amount is above zero. Called by ``booking_pay`` and ``payments.booking_pay_online``."""
    booking.status = BoothBooking.Status.BOOKED
    booking.booked_at = now
    booking.held_until = None
    booking.save(update_fields=["status", "booked_at", "held_until"])
    conference = booking.exhibitor.conference
    payment = BoothPayment.objects.create(
        booking=booking,
        conference=conference,
        amount=booking.amount,
        currency=booking.currency,
        provider=provider,
        reference=reference.strip()[:100],
        paid_at=now,
        receipt_number=_next_booth_receipt_number(conference.pk) if booking.amount > 0 else None,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    log_action(
        actor=actor,
        action="exhibition.booth.booked",
        obj=booking,
        conference=conference,
        data={
            "amount": str(payment.amount),
            "currency": payment.currency,
            "provider": provider,
            "receipt": payment.receipt_label,
        },
    )
    return payment


@transaction.atomic
def booking_pay(
    *,
    booking: BoothBooking,
    provider: str = "bank_transfer",
    reference: str = "",
    now: dt.datetime | None = None,
    actor=None,
) -> BoothBooking:
    """An organiser records a payment that arrived outside Atrium (a bank transfer), and the
    booth is booked, with a numbered receipt.

    The money has arrived, so a hold whose time ran out still books, unless the booth has
    gone to someone else meanwhile. Online payments go through
    ``payments.booking_pay_online``, which refuses an expired hold.
    """
    now = _now(now)
    booking = booking_lock(booking)
    if booking.status == BoothBooking.Status.BOOKED:
        raise ValidationError(_("This booking is paid already."))
    if (
        booking.status == BoothBooking.Status.RELEASED
        and booking.booth.bookings.filter(status__in=BoothBooking.LIVE).exists()
    ):
        raise ValidationError(
            _("The hold ran out and booth %(code)s went to another exhibitor.")
            % {"code": booking.booth.code}
        )
    booking_payment_record(
        booking=booking, provider=provider, reference=reference, now=now, actor=actor
    )
    return booking


@transaction.atomic
def booking_release(*, booking: BoothBooking, actor=None) -> BoothBooking:
    """Give a held booth up (the exhibitor), or free a booked one (an organiser)."""
    booking = BoothBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == BoothBooking.Status.RELEASED:
        return booking
    booking.status = BoothBooking.Status.RELEASED
    booking.released_at = timezone.now()
    booking.save(update_fields=["status", "released_at"])
    log_action(
        actor=actor,
        action="exhibition.booking.released",
        obj=booking,
        conference=booking.exhibitor.conference,
    )
    return booking
