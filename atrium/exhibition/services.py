"""The exhibition's rules: every change goes through here (pages, API and commands alike).

Each service is keyword-only, runs in one transaction and writes the audit log. Bad input
raises ``ValidationError`` naming the field; nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import secrets
import uuid
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from atrium.checkin.models import Badge
from atrium.checkin.tokens import unsign_badge_token
from atrium.core import tabular
from atrium.core.audit import log_action
from atrium.core.mail import send_email_on_commit
from atrium.core.money import money
from atrium.core.uploads import check_upload_size, too_large_message, upload_limit
from atrium.events.models import Conference
from atrium.exhibition import tour as tour_order_module
from atrium.exhibition.models import (
    HOLD_MINUTES,
    Booth,
    BoothBooking,
    BoothPayment,
    Exhibitor,
    Hall,
    Lead,
    LeadConsent,
    PlanFeature,
    Product,
    SavedBooth,
    StaffPass,
    Tour,
    TourStop,
)
from atrium.network.models import Organisation, Person
from atrium.registration.models import Registration, RegistrationType
from atrium.registration.services import registration_submit

# --- the plan ---------------------------------------------------------------------------


def _point_in_polygon(x: float, y: float, polygon: list) -> bool:
    """Ray casting; a point on an edge counts as inside."""
    inside = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = (float(v) for v in polygon[i])
        x2, y2 = (float(v) for v in polygon[(i + 1) % n])
        # On the edge?
        cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1)
        on_x = min(x1, x2) - 1e-9 <= x <= max(x1, x2) + 1e-9
        on_y = min(y1, y2) - 1e-9 <= y <= max(y1, y2) + 1e-9
        if abs(cross) < 1e-9 and on_x and on_y:
            return True
        if (y1 > y) != (y2 > y):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < at:
                inside = not inside
    return inside


def _edges_cross(a1, a2, b1, b2) -> bool:
    """True when segments a and b cross properly (touching does not count)."""

    def orient(p, q, r):
        value = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return 0 if abs(value) < 1e-9 else (1 if value > 0 else -1)

    o1, o2 = orient(a1, a2, b1), orient(a1, a2, b2)
    o3, o4 = orient(b1, b2, a1), orient(b1, b2, a2)
    return o1 * o2 < 0 and o3 * o4 < 0


def rect_inside_outline(outline: list, x: float, y: float, w: float, h: float) -> bool:
    """The rectangle lies inside the hall's outline (corners inside, no edge crossing)."""
    corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    if not all(_point_in_polygon(cx, cy, outline) for cx, cy in corners):
        return False
    poly = [(float(p[0]), float(p[1])) for p in outline]
    for i in range(4):
        for j in range(len(poly)):
            if _edges_cross(corners[i], corners[(i + 1) % 4], poly[j], poly[(j + 1) % len(poly)]):
                return False
    return True


def rects_overlap(a: tuple, b: tuple) -> bool:
    """Two (x, y, w, h) rectangles share some area (touching sides do not)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    eps = 1e-9
    return ax < bx + bw - eps and bx < ax + aw - eps and ay < by + bh - eps and by < ay + ah - eps


def _clean_outline(outline) -> list[list[float]]:
    try:
        points = [[float(p[0]), float(p[1])] for p in outline]
    except (TypeError, ValueError, IndexError):
        raise ValidationError(
            {"outline": _("Give the outline as corners: x,y pairs, at least three.")}
        ) from None
    if len(points) < 3:
        raise ValidationError({"outline": _("An outline needs at least three corners.")})
    return points


def parse_outline(text: str) -> list[list[float]]:
    """``"0,0 60,0 60,40 0,40"`` (pairs separated by spaces or semicolons) as corners."""
    pairs = [p for p in text.replace(";", " ").split() if p]
    try:
        points = [[float(v) for v in pair.split(",")] for pair in pairs]
    except ValueError:
        raise ValidationError(
            {"outline": _("Give the outline as x,y pairs separated by spaces.")}
        ) from None
    if any(len(p) != 2 for p in points):
        raise ValidationError({"outline": _("Give the outline as x,y pairs separated by spaces.")})
    return _clean_outline(points)


@transaction.atomic
def hall_save(
    *,
    conference: Conference,
    code: str,
    name: str,
    outline,
    name_zh: str = "",
    opens_at: dt.time = dt.time(9),
    closes_at: dt.time = dt.time(18),
    site_x: float = 0,
    site_y: float = 0,
    hall: Hall | None = None,
    actor=None,
) -> Hall:
    """Create a hall, or change ``hall``; its booths must still fit the new outline."""
    points = _clean_outline(outline)
    hall = hall or Hall(conference=conference)
    hall.code, hall.name, hall.name_zh = code.strip(), name.strip(), name_zh.strip()
    hall.outline, hall.opens_at, hall.closes_at = points, opens_at, closes_at
    hall.site_x, hall.site_y = site_x, site_y
    hall.full_clean()
    if hall.pk:
        for booth in hall.booths.all():
            if not rect_inside_outline(points, booth.x, booth.y, booth.width, booth.height):
                raise ValidationError(
                    {
                        "outline": _("Booth %(code)s would be outside the new outline.")
                        % {"code": booth.code}
                    }
                )
    hall.save()
    log_action(actor=actor, action="exhibition.hall.saved", obj=hall, conference=conference)
    return hall


def _geometry_problem(hall: Hall, code: str, rect: tuple, others) -> str | None:
    """Why a booth at ``rect`` cannot stand in ``hall`` among ``others`` (code, rect), or None."""
    if not rect_inside_outline(hall.outline, *rect):
        return _("Booth %(code)s is outside the plan of hall %(hall)s.") % {
            "code": code,
            "hall": hall.code,
        }
    for other_code, other_rect in others:
        if other_code != code and rects_overlap(rect, other_rect):
            return _("Booth %(code)s overlaps booth %(other)s.") % {
                "code": code,
                "other": other_code,
            }
    return None


@transaction.atomic
def booth_save(
    *,
    hall: Hall,
    code: str,
    x: float,
    y: float,
    width: float,
    height: float,
    category: str = Booth.Category.STANDARD,
    price_usd: Decimal = Decimal(0),
    price_cny: Decimal = Decimal(0),
    walls: bool = True,
    power: bool = True,
    furniture: bool = False,
    staff_passes: int = 2,
    is_closed: bool = False,
    booth: Booth | None = None,
    actor=None,
) -> Booth:
    """Create a booth in ``hall`` (or change ``booth``): inside the outline, overlapping none."""
    Hall.objects.select_for_update().filter(pk=hall.pk).first()
    booth = booth or Booth(hall=hall)
    values = {
        "code": code.strip(),
        "x": x,
        "y": y,
        "width": width,
        "height": height,
        "category": category,
        "price_usd": price_usd,
        "price_cny": price_cny,
        "walls": walls,
        "power": power,
        "furniture": furniture,
        "staff_passes": staff_passes,
        "is_closed": is_closed,
    }
    for field, value in values.items():
        setattr(booth, field, value)
    booth.full_clean()
    others = [(b.code, (b.x, b.y, b.width, b.height)) for b in hall.booths.exclude(pk=booth.pk)]
    problem = _geometry_problem(hall, booth.code, (x, y, width, height), others)
    if problem:
        raise ValidationError({"x": problem})
    booth.save()
    log_action(actor=actor, action="exhibition.booth.saved", obj=booth, conference=hall.conference)
    return booth


@transaction.atomic
def feature_add(
    *,
    hall: Hall,
    kind: str,
    x: float,
    y: float,
    width: float = 0,
    height: float = 0,
    label: str = "",
    label_zh: str = "",
    actor=None,
) -> PlanFeature:
    feature = PlanFeature(
        hall=hall, kind=kind, x=x, y=y, width=width, height=height, label=label, label_zh=label_zh
    )
    feature.full_clean()
    if not _point_in_polygon(x, y, hall.outline):
        raise ValidationError({"x": _("The point is outside the hall's plan.")})
    feature.save()
    log_action(
        actor=actor, action="exhibition.feature.added", obj=feature, conference=hall.conference
    )
    return feature


PLAN_COLUMNS = (
    "hall",
    "code",
    "x",
    "y",
    "width",
    "depth",
    "category",
    "price_usd",
    "price_cny",
    "walls",
    "power",
    "furniture",
    "staff_passes",
)
PLAN_REQUIRED = ("hall", "code", "x", "y", "width", "depth")
_TRUE = {"1", "yes", "y", "true", "x", "是", "有"}
_FALSE = {"", "0", "no", "n", "false", "否", "无"}


def _number(row, column: str, result, *, minimum: float | None = None) -> float | None:
    text = row.get(column)
    try:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        result.add_error(
            row.number, column, _("“%(value)s” is not a number.") % {"value": text[:30]}
        )
        return None
    if minimum is not None and value < minimum:
        result.add_error(row.number, column, _("This cannot be below %(min)s.") % {"min": minimum})
        return None
    return value


def _decimal(row, column: str, result) -> Decimal | None:
    text = row.get(column) or "0"
    try:
        value = Decimal(text)
    except InvalidOperation:
        result.add_error(
            row.number, column, _("“%(value)s” is not an amount.") % {"value": text[:30]}
        )
        return None
    if value < 0:
        result.add_error(row.number, column, _("A price cannot be negative."))
        return None
    return value


def _flag(row, column: str, default: bool, result) -> bool:
    if column not in row.values:
        return default
    text = row.get(column).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    result.add_error(row.number, column, _("Write yes or no."))
    return default


def plan_import(
    *, conference: Conference, table: tabular.Table, dry_run: bool, actor=None
) -> tabular.ImportResult:
    """Booths from a spreadsheet (one row a booth; columns ``PLAN_COLUMNS``).

    A row names its hall by code; a booth code already in the hall is updated. Every row is
    checked against the hall's outline and against every other booth (those already on the
    plan and those in the file) before anything is written; an overlap or a booth off the
    plan names its row. All or nothing.
    """
    halls = {h.code: h for h in conference.halls.all()}

    def check(table, result):
        if not tabular.check_columns(table, result, required=PLAN_REQUIRED, known=PLAN_COLUMNS):
            return []
        planned = []
        placed: dict[int, dict[str, tuple]] = {}
        existing: dict[int, dict[str, Booth]] = {}
        for hall in halls.values():
            existing[hall.pk] = {b.code: b for b in hall.booths.all()}
            placed[hall.pk] = {
                code: (b.x, b.y, b.width, b.height) for code, b in existing[hall.pk].items()
            }
        seen = set()
        for row in table.rows:
            errors_before = len(result.errors)
            hall = halls.get(row.get("hall"))
            if hall is None:
                result.add_error(
                    row.number,
                    "hall",
                    _("There is no hall “%(code)s” in this edition.") % {"code": row.get("hall")},
                )
                continue
            code = row.get("code")
            if not code:
                result.add_error(row.number, "code", _("Give the booth a code."))
                continue
            if (hall.pk, code) in seen:
                result.add_error(
                    row.number, "code", _("Booth %(code)s is twice in the file.") % {"code": code}
                )
                continue
            seen.add((hall.pk, code))
            x = _number(row, "x", result)
            y = _number(row, "y", result)
            w = _number(row, "width", result, minimum=0.1)
            h = _number(row, "depth", result, minimum=0.1)
            category = row.get("category") or Booth.Category.STANDARD
            if category not in Booth.Category.values:
                result.add_error(
                    row.number,
                    "category",
                    _("Choose one of: %(choices)s.")
                    % {"choices": ", ".join(Booth.Category.values)},
                )
            price_usd = _decimal(row, "price_usd", result)
            price_cny = _decimal(row, "price_cny", result)
            passes = 2
            if row.get("staff_passes"):
                passes = _number(row, "staff_passes", result, minimum=0)
                passes = int(passes) if passes is not None else 2
            flags = {
                "walls": _flag(row, "walls", True, result),
                "power": _flag(row, "power", True, result),
                "furniture": _flag(row, "furniture", False, result),
            }
            if len(result.errors) > errors_before:
                continue
            rect = (x, y, w, h)
            others = [(c, r) for c, r in placed[hall.pk].items() if c != code]
            problem = _geometry_problem(hall, code, rect, others)
            if problem:
                result.add_error(
                    row.number,
                    "x",
                    _("Row %(row)s: %(problem)s") % {"row": row.number, "problem": problem},
                )
                continue
            placed[hall.pk][code] = rect
            booth = existing[hall.pk].get(code)
            if booth is None:
                result.created += 1
            else:
                result.updated += 1
            planned.append(
                (
                    hall,
                    booth,
                    {
                        "code": code,
                        "x": x,
                        "y": y,
                        "width": w,
                        "height": h,
                        "category": category,
                        "price_usd": price_usd,
                        "price_cny": price_cny,
                        "staff_passes": passes,
                        **flags,
                    },
                )
            )
        return planned

    def save(planned, result):
        for hall, booth, values in planned:
            booth = booth or Booth(hall=hall)
            for field, value in values.items():
                setattr(booth, field, value)
            booth.full_clean()
            booth.save()
        log_action(
            actor=actor,
            action="exhibition.plan.imported",
            obj=conference,
            conference=conference,
            data={"created": result.created, "updated": result.updated},
        )

    return tabular.run_import(table=table, dry_run=dry_run, check=check, save=save)


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


@transaction.atomic
def booking_pay(
    *,
    booking: BoothBooking,
    provider: str = "bank_transfer",
    reference: str = "",
    now: dt.datetime | None = None,
    actor=None,
) -> BoothBooking:
    """Record the payment of a booking and book the booth.

    An organiser marks a bank transfer as paid (``provider="bank_transfer"``). A hold whose
    time ran out still books, unless the booth has gone to someone else meanwhile.
    """
    now = _now(now)
    booking = BoothBooking.objects.select_for_update().select_related("booth").get(pk=booking.pk)
    Booth.objects.select_for_update().filter(pk=booking.booth_id).first()
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
    booking.status = BoothBooking.Status.BOOKED
    booking.booked_at = now
    booking.held_until = None
    booking.save(update_fields=["status", "booked_at", "held_until"])
    payment = BoothPayment.objects.create(
        booking=booking,
        amount=booking.amount,
        currency=booking.currency,
        provider=provider,
        reference=reference.strip()[:100],
        paid_at=now,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    log_action(
        actor=actor,
        action="exhibition.booth.booked",
        obj=booking,
        conference=booking.exhibitor.conference,
        data={"amount": str(payment.amount), "currency": payment.currency, "provider": provider},
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


# --- staff passes -----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pass_quota(exhibitor: Exhibitor) -> int:
    """Passes the booked booths bring, plus extra passes bought."""
    booked = BoothBooking.objects.filter(exhibitor=exhibitor, status=BoothBooking.Status.BOOKED)
    return (booked.aggregate(n=Sum("booth__staff_passes"))["n"] or 0) + exhibitor.extra_passes


def extra_pass_price(exhibitor: Exhibitor) -> str:
    booking = (
        BoothBooking.objects.filter(exhibitor=exhibitor, status=BoothBooking.Status.BOOKED)
        .select_related("booth")
        .first()
    )
    if booking is None:
        return money(Decimal(150), "USD")
    booth = booking.booth
    return f"{money(booth.extra_pass_usd, 'USD')} / {money(booth.extra_pass_cny, 'CNY')}"


@transaction.atomic
def staff_invite(
    *,
    exhibitor: Exhibitor,
    email: str,
    name: str = "",
    role: str = StaffPass.Role.SCAN,
    join_url: str = "/",
    language: str = "en",
    actor=None,
) -> StaffPass:
    """Invite a member of the booth staff by e-mail, within the exhibitor's pass quota."""
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    email = (email or "").strip().lower()
    if role not in StaffPass.Role.values:
        raise ValidationError({"role": _("Choose scanning only, or scanning and leads.")})
    probe = StaffPass(exhibitor=exhibitor, email=email, name=name.strip(), role=role)
    probe.clean_fields(exclude=["token_hash", "person"])
    if exhibitor.passes.filter(email=email, status__in=StaffPass.ACTIVE).exists():
        raise ValidationError({"email": _("This address has a pass already.")})
    used = exhibitor.passes.filter(status__in=StaffPass.ACTIVE).count()
    quota = pass_quota(exhibitor)
    if used >= quota:
        raise ValidationError(
            {
                "email": _(
                    "All %(quota)s staff passes are used. An extra pass costs %(price)s: "
                    "ask the organisers for one."
                )
                % {"quota": quota, "price": extra_pass_price(exhibitor)}
            }
        )
    token = secrets.token_urlsafe(32)
    probe.token_hash = _token_hash(token)
    probe.save()
    log_action(
        actor=actor,
        action="exhibition.staff.invited",
        obj=probe,
        conference=exhibitor.conference,
        data={"email": email, "role": role},
    )
    send_email_on_commit(
        to=email,
        template="exhibition/email/staff_invitation",
        context={
            "exhibitor_name": str(exhibitor),
            "conference_name": exhibitor.conference.name,
            "url": join_url.format(token=token),
        },
        language=language,
    )
    probe.token = token  # for the caller (tests, API); never stored
    return probe


def staff_pass_for_token(token: str) -> StaffPass | None:
    if not token or len(token) > 100:
        return None
    return (
        StaffPass.objects.select_related("exhibitor__conference")
        .filter(token_hash=_token_hash(token), status=StaffPass.Status.INVITED)
        .first()
    )


def _staff_registration(conference: Conference, person: Person, user) -> None:
    """Booth staff get a registration of the edition's free exhibitor type (a type whose
    code starts with ``exhibitor``: its badge has the exhibitor band) and then a badge and
    check-in like delegates. Someone already registered keeps their registration; without
    such a type nothing is made (the organisers register the staff themselves)."""
    if Registration.objects.filter(conference=conference, person=person).exists():
        return
    types = RegistrationType.objects.filter(
        conference=conference, code__istartswith="exhibitor"
    ).order_by("pk")
    rtype = next((t for t in types if t.is_free), None)
    if rtype is not None:
        registration_submit(
            conference=conference, person=person, rtype=rtype, by_organiser=True, actor=user
        )


@transaction.atomic
def staff_accept(*, token: str, user) -> StaffPass:
    """The invited person (logged in) takes up the pass."""
    staff_pass = staff_pass_for_token(token)
    if staff_pass is None:
        raise ValidationError(_("This invitation is not valid any more."))
    staff_pass = StaffPass.objects.select_for_update().get(pk=staff_pass.pk)
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise ValidationError(_("Complete your profile first, then open the invitation again."))
    _staff_registration(staff_pass.exhibitor.conference, person, user)
    staff_pass.person = person
    staff_pass.status = StaffPass.Status.ACCEPTED
    staff_pass.accepted_at = timezone.now()
    staff_pass.save(update_fields=["person", "status", "accepted_at"])
    log_action(
        actor=user,
        action="exhibition.staff.accepted",
        obj=staff_pass,
        conference=staff_pass.exhibitor.conference,
    )
    return staff_pass


@transaction.atomic
def staff_revoke(*, staff_pass: StaffPass, actor=None) -> StaffPass:
    staff_pass = StaffPass.objects.select_for_update().get(pk=staff_pass.pk)
    staff_pass.status = StaffPass.Status.REVOKED
    staff_pass.save(update_fields=["status"])
    log_action(
        actor=actor,
        action="exhibition.staff.revoked",
        obj=staff_pass,
        conference=staff_pass.exhibitor.conference,
    )
    return staff_pass


@transaction.atomic
def extra_passes_set(*, exhibitor: Exhibitor, count: int, actor=None) -> Exhibitor:
    """Organisers grant extra staff passes (paid outside the booth booking)."""
    if count < 0:
        raise ValidationError({"count": _("The number cannot be negative.")})
    exhibitor = Exhibitor.objects.select_for_update().get(pk=exhibitor.pk)
    exhibitor.extra_passes = count
    exhibitor.save(update_fields=["extra_passes"])
    log_action(
        actor=actor,
        action="exhibition.staff.extra_passes",
        obj=exhibitor,
        conference=exhibitor.conference,
        data={"count": count},
    )
    return exhibitor


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


def _clean_list(values, field: str) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
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
