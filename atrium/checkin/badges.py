"""Badges: the PDF of one badge per page, issuing and reprinting, and print runs.

The QR code carries the signed token of ``atrium.checkin.tokens``; a reprint revokes the
old badge (and so its token) and issues a new key. Batches above
``ATRIUM_BADGE_INLINE_MAX`` are printed by a background run (``atrium.core.runs``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from atrium.checkin.models import Badge, BadgePrintRun, new_badge_key
from atrium.checkin.tokens import short_code, sign_badge_key
from atrium.core.audit import log_action
from atrium.core.pdf import FAMILY, new_document
from atrium.core.runs import (
    run_after_commit,
    run_claim,
    run_failed,
    run_heartbeat,
    run_in_progress,
    run_owned,
)
from atrium.events.models import BadgeLayout, Conference
from atrium.registration.models import Registration

logger = logging.getLogger(__name__)

LAYOUTS = tuple(BadgeLayout.values)
#: Pixels per QR module in the image embedded in the PDF.
QR_SCALE = 5


# --- the PDF -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    label_zh: str
    colour: tuple[int, int, int]


ROLES: dict[str, Role] = {
    role.code: role
    for role in (
        Role("delegate", "DELEGATE", "代表", (31, 94, 168)),
        Role("speaker", "SPEAKER", "演讲嘉宾", (200, 60, 30)),
        Role("vip", "VIP", "贵宾", (176, 132, 20)),
        Role("press", "PRESS", "媒体", (40, 140, 70)),
        Role("exhibitor", "EXHIBITOR", "参展商", (120, 60, 150)),
        Role("staff", "STAFF", "工作人员", (70, 70, 70)),
        Role("organiser", "ORGANISER", "主办方", (20, 20, 20)),
    )
}
_ALIASES = {"organizer": "organiser", "media": "press", "journalist": "press"}


def badge_role(registration: Registration) -> Role:
    """The colour band of a registration, from its type's code (``speaker``, ``vip-guest``…).

    A code that names no role (``delegate-member``, ``student``) is a delegate.
    """
    code = (registration.type.code if registration.type else "").lower()
    for part in [code, *code.replace("_", "-").split("-")]:
        part = _ALIASES.get(part, part)
        if part in ROLES:
            return ROLES[part]
    return ROLES["delegate"]


def _qr_image(token: str):
    """The QR code as a greyscale Pillow image, 5 pixels a module, 4 modules of quiet zone.

    Built from segno's matrix straight into Pillow: no PNG written and parsed again per
    badge (see docs/badges.md for the figures). Whole pixels per module, so the PDF
    scales it without blurring the modules' edges.
    """
    import segno
    from PIL import Image

    rows = list(segno.make(token, error="m", micro=False).matrix_iter(scale=1, border=4))
    size = len(rows)
    image = Image.frombytes(
        "L", (size, size), bytes(0 if dark else 255 for row in rows for dark in row)
    )
    return image.resize((size * QR_SCALE, size * QR_SCALE), Image.Resampling.NEAREST)


class _BadgeWriter:
    def __init__(self, layout: str):
        if layout not in LAYOUTS:
            raise ValueError(f"Unknown badge layout {layout!r}; use one of {', '.join(LAYOUTS)}.")
        self.layout = layout
        if layout == BadgeLayout.A6:
            self.pdf = new_document(orientation="P", format=(105, 148), title="Badges")
        else:  # a 4 x 3 inch label, landscape
            self.pdf = new_document(orientation="L", format=(76.2, 101.6), title="Badges")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(0, 0, 0)

    def _fit(self, text: str, width: float, size: float, minimum: float = 7) -> float:
        """The largest font size up to ``size``, in steps of 0.5, at which ``text`` fits.

        A string's width grows in proportion to the font size, so it is measured once
        (and checked once more against rounding) instead of at every step down.
        """
        pdf = self.pdf
        pdf.set_font(FAMILY, size=size)
        measured = pdf.get_string_width(text)
        if measured <= width:
            return size
        fitted = max(minimum, size - 0.5 * math.ceil((size - size * width / measured) / 0.5))
        pdf.set_font(FAMILY, size=fitted)
        while fitted > minimum and pdf.get_string_width(text) > width:
            fitted -= 0.5
            pdf.set_font(FAMILY, size=fitted)
        return fitted

    def _line(self, text: str, *, x: float, y: float, width: float, size: float, align="C"):
        """Write ``text`` in one line at the largest size that fits (wrapped only below 7 pt)."""
        if not text:
            return y
        pdf = self.pdf
        room = width - 2 * pdf.c_margin
        size = self._fit(text, room, size)
        height = size * 0.45
        pdf.set_xy(x, y)
        if pdf.get_string_width(text) <= room:
            pdf.cell(width, height, text, align=align)
            return y + height
        pdf.multi_cell(width, height, text, align=align)
        return pdf.get_y()

    def _code(self, token: str, *, x: float, y: float, width: float) -> None:
        """The short code under the QR code, for the desk to type when a scan fails."""
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.set_font(FAMILY, size=10)
        self.pdf.set_xy(x, y)
        self.pdf.cell(width, 4.5, short_code(token.partition(".")[0]), align="C")

    def add(self, registration: Registration, token: str) -> None:
        pdf = self.pdf
        pdf.add_page()
        person = registration.person
        role = badge_role(registration)
        organisation = person.organisation
        org_name = organisation.name if organisation else ""
        org_zh = organisation.name_zh if organisation and organisation.name_zh else ""
        with translation.override("en"):
            country = str(person.country.name) if person.country else ""
        conference = registration.conference
        pdf.set_text_color(0, 0, 0)
        if self.layout == BadgeLayout.A6:
            w, h = pdf.w, pdf.h
            y = self._line(conference.name, x=8, y=7, width=w - 16, size=9)
            y = self._line(person.name, x=6, y=y + 6, width=w - 12, size=24)
            y = self._line(person.name_zh, x=6, y=y + 1, width=w - 12, size=24)
            y = self._line(org_name, x=8, y=y + 4, width=w - 16, size=12)
            y = self._line(org_zh, x=8, y=y + 1, width=w - 16, size=11)
            y = self._line(country, x=8, y=y + 2, width=w - 16, size=11)
            qr = 42
            qr_y = h - 22 - qr - 8
            pdf.image(_qr_image(token), x=(w - qr) / 2, y=qr_y, w=qr, h=qr)
            self._code(token, x=(w - qr) / 2, y=qr_y + qr + 0.5, width=qr)
            band_y, band_h = h - 22, 22
            pdf.set_fill_color(*role.colour)
            pdf.rect(0, band_y, w, band_h, style="F")
            pdf.set_text_color(255, 255, 255)
            self._line(f"{role.label}  {role.label_zh}", x=4, y=band_y + 7, width=w - 8, size=18)
        else:
            w, h = pdf.w, pdf.h
            band_h = 11
            pdf.set_fill_color(*role.colour)
            pdf.rect(0, 0, w, band_h, style="F")
            pdf.set_text_color(255, 255, 255)
            self._line(f"{role.label}  {role.label_zh}", x=3, y=2.5, width=w - 6, size=14)
            pdf.set_text_color(0, 0, 0)
            qr = 34
            text_w = w - qr - 10
            y = self._line(person.name, x=4, y=band_h + 5, width=text_w, size=20, align="L")
            y = self._line(person.name_zh, x=4, y=y + 1, width=text_w, size=20, align="L")
            y = self._line(org_name, x=4, y=y + 3, width=text_w, size=10, align="L")
            y = self._line(org_zh, x=4, y=y + 0.5, width=text_w, size=9, align="L")
            y = self._line(country, x=4, y=y + 1.5, width=text_w, size=9, align="L")
            pdf.image(_qr_image(token), x=w - qr - 3, y=band_h + 3, w=qr, h=qr)
            self._code(token, x=w - qr - 3, y=band_h + 3 + qr + 0.3, width=qr)
            self._line(conference.name, x=4, y=h - 7, width=w - 8, size=7, align="L")

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def render_badges(
    items: Iterable[tuple[Registration, str]], *, layout: str = BadgeLayout.A6
) -> bytes:
    """One page per ``(registration, token)``; the registrations need person, type, conference."""
    writer = _BadgeWriter(layout)
    for registration, token in items:
        writer.add(registration, token)
    return writer.output()


# --- services: issue, reprint, print -----------------------------------------------------
#
# One rule for every path (a delegate's download, one badge, a batch, a background run):
# ``_plan`` decides the key each page carries (the valid badge's, or a new one for a
# first badge or a reprint), ``_apply`` makes those keys the valid badges, revoking what
# they replace, and marks them printed. A batch plans and renders first and applies once
# the PDF exists, so a failure half-way marks nothing printed.


#: Ids per query: within every database's limit of query parameters.
SLICE = 500


@dataclass(frozen=True)
class _Planned:
    registration: Registration
    key: str


def _check_confirmed(registration: Registration) -> None:
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed registration has a badge."))


def _plan(registrations: Iterable[Registration], *, printing: bool) -> list[_Planned]:
    """The key each registration's page carries; one query for the lot.

    The valid badge's key, unless there is none, or this is a print (``printing``) of a
    badge printed before: then a new key (the reprint revokes the old one on apply).
    """
    registrations = list(registrations)
    for registration in registrations:
        _check_confirmed(registration)
    ids = [r.pk for r in registrations]
    current = {}
    for start in range(0, len(ids), SLICE):
        current.update(
            (registration_id, (key, printed_at))
            for registration_id, key, printed_at in Badge.objects.filter(
                registration__in=ids[start : start + SLICE], revoked_at__isnull=True
            ).values_list("registration_id", "key", "printed_at")
        )
    planned = []
    for registration in registrations:
        key, printed_at = current.get(registration.pk, (None, None))
        if key is None or (printing and printed_at is not None):
            key = new_badge_key()
        planned.append(_Planned(registration, key))
    return planned


def _apply(planned: list[_Planned], *, actor, printing: bool, now) -> dict[int, Badge]:
    """Make the planned keys the valid badges (in the caller's transaction); by registration.

    A valid badge with another key (a reprint, or one issued since the plan) is revoked
    and the planned key issued: the badge on paper is the one that checks in.
    """
    ids = [p.registration.pk for p in planned]
    current: dict[int, Badge] = {}
    for start in range(0, len(ids), SLICE):
        for badge in Badge.objects.select_for_update().filter(
            registration__in=ids[start : start + SLICE], revoked_at__isnull=True
        ):
            current[badge.registration_id] = badge
    badges: dict[int, Badge] = {}
    replaced: dict[int, Badge] = {}
    for item in planned:
        badge = current.get(item.registration.pk)
        if badge is not None and badge.key == item.key:
            badges[item.registration.pk] = badge
        else:
            replaced[item.registration.pk] = badge
    _update_in_slices([b.pk for b in replaced.values() if b is not None], revoked_at=now)
    by_registration = {item.registration.pk: item for item in planned}
    # A planned key revoked since the plan (a reprint meanwhile) is made valid again.
    keys = [by_registration[rid].key for rid in replaced]
    earlier = {}
    for start in range(0, len(keys), SLICE):
        earlier.update(
            (badge.key, badge)
            for badge in Badge.objects.filter(key__in=keys[start : start + SLICE])
        )
    for registration_id, old in replaced.items():
        registration = by_registration[registration_id].registration
        badge = earlier.get(by_registration[registration_id].key)
        if badge is not None:
            badge.revoked_at = None
            badge.printed_at = now if printing else badge.printed_at
            badge.save(update_fields=["revoked_at", "printed_at"])
        else:
            badge = Badge.objects.create(
                registration=registration,
                key=by_registration[registration_id].key,
                issued_at=now,
                printed_at=now if printing else None,
            )
        badges[registration_id] = badge
        log_action(
            actor=actor,
            action="badge.reissued" if old else "badge.issued",
            obj=badge,
            conference=registration.conference,
            data={"registration": registration_id, "revoked": old.pk if old else None},
        )
    if printing:
        _update_in_slices(
            [b.pk for rid, b in badges.items() if rid not in replaced], printed_at=now
        )
        for badge in badges.values():
            badge.printed_at = now
    return badges


def _update_in_slices(pks: list[int], **values) -> None:
    for start in range(0, len(pks), SLICE):
        Badge.objects.filter(pk__in=pks[start : start + SLICE]).update(**values)


@transaction.atomic
def badge_issue(*, registration: Registration, actor, reprint: bool = False) -> Badge:
    """The valid badge of a confirmed registration; ``reprint`` revokes it and issues a new one."""
    _check_confirmed(registration)
    current = (
        Badge.objects.select_for_update()
        .filter(registration=registration, revoked_at__isnull=True)
        .first()
    )
    key = current.key if current and not reprint else new_badge_key()
    planned = [_Planned(registration, key)]
    return _apply(planned, actor=actor, printing=False, now=timezone.now())[registration.pk]


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise ValidationError({"layout": _("Choose the A6 or the 4×3 inch label layout.")})


@transaction.atomic
def badge_pdf(
    *,
    registrations: Iterable[Registration],
    layout: str | None = None,
    actor=None,
    printing: bool = False,
) -> bytes:
    """The PDF of the registrations' badges, one per page, issuing badges where needed.

    ``layout`` defaults to the edition's (``Conference.badge_layout``). ``printing`` is
    the organisers' print: a badge already printed is reprinted (a new token, the old one
    revoked), and every badge is marked printed. A delegate's own download
    (``printing=False``) keeps the current token.
    """
    registrations = list(registrations)
    if layout is None:
        layout = registrations[0].conference.badge_layout if registrations else BadgeLayout.A6
    _check_layout(layout)
    planned = _plan(registrations, printing=printing)
    data = render_badges(
        ((item.registration, sign_badge_key(item.key)) for item in planned), layout=layout
    )
    _apply(planned, actor=actor, printing=printing, now=timezone.now())
    return data


# --- the edition's layout ----------------------------------------------------------------


@transaction.atomic
def badge_layout_set(*, conference: Conference, layout: str, actor) -> Conference:
    """Choose the page the edition's badges are printed on (``a6`` or ``label4x3``)."""
    _check_layout(layout)
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    previous = conference.badge_layout
    if previous == layout:
        return conference
    conference.badge_layout = layout
    others = [field.name for field in Conference._meta.fields if field.name != "badge_layout"]
    conference.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    conference.save(update_fields=["badge_layout"])
    log_action(
        actor=actor,
        action="badge.layout_changed",
        obj=conference,
        conference=conference,
        data={"from": previous, "to": layout},
    )
    return conference


# --- which badges: the filter of the badges page ------------------------------------------


def badge_selection(conference: Conference, filters: dict | None = None):
    """Confirmed registrations of the edition matching ``filters``, in print order.

    ``filters``: ``type`` and ``delegation`` (ids, as strings or numbers; empty: all) and
    ``printed``: ``"no"`` (default: no printed valid badge yet) or ``"all"``.
    """
    filters = filters or {}
    registrations = Registration.objects.filter(
        conference=conference, status=Registration.Status.CONFIRMED
    ).select_related("person__organisation", "type", "conference")
    if filters.get("type"):
        registrations = registrations.filter(type_id=filters["type"])
    if filters.get("delegation"):
        registrations = registrations.filter(delegation_id=filters["delegation"])
    if (filters.get("printed") or "no") == "no":
        printed = Badge.objects.filter(revoked_at__isnull=True, printed_at__isnull=False)
        registrations = registrations.exclude(pk__in=printed.values("registration"))
    return registrations.order_by("person__sort_name", "pk")


def _clean_filters(conference: Conference, filters: dict) -> tuple[dict, str]:
    """The filters with ids checked against the edition, and a description in words."""
    cleaned = {"type": "", "delegation": "", "printed": "no"}
    parts = []
    if filters.get("type"):
        rtype = conference.registration_types.filter(pk=_int(filters["type"], "type")).first()
        if rtype is None:
            raise ValidationError({"type": _("Choose a registration type of this edition.")})
        cleaned["type"] = str(rtype.pk)
        parts.append(rtype.name_i18n)
    if filters.get("delegation"):
        delegation = conference.delegations.filter(
            pk=_int(filters["delegation"], "delegation")
        ).first()
        if delegation is None:
            raise ValidationError({"delegation": _("Choose a delegation of this edition.")})
        cleaned["delegation"] = str(delegation.pk)
        parts.append(delegation.name_i18n)
    if (filters.get("printed") or "no") == "all":
        cleaned["printed"] = "all"
        parts.append(_("all badges, printed ones again"))
    else:
        parts.append(_("not printed yet"))
    if not filters.get("type") and not filters.get("delegation"):
        parts.insert(0, _("All types"))
    return cleaned, " · ".join(str(part) for part in parts)


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Choose one from the list.")}) from None


# --- background print runs ---------------------------------------------------------------

#: Progress is committed after every CHUNK badges.
CHUNK = 25


class _RunTakenOver(Exception):
    """This worker's run was taken over by a retry (it was thought dead): stop quietly."""


def inline_max_badges() -> int:
    """Batches of at most this many badges are answered at once; larger ones are a run."""
    # About 30 ms a badge: 20 come back in well under a second; more go to a run that
    # shows its progress.
    return int(getattr(settings, "ATRIUM_BADGE_INLINE_MAX", 20))


def badge_run_in_progress(conference: Conference) -> BadgePrintRun | None:
    return run_in_progress(BadgePrintRun.objects.filter(conference=conference))


@task()
def badge_print_run_task(run_id: int) -> str:
    """Do the queued print run ``run_id``; returns its final status."""
    return badge_print_run_execute(run_id=run_id).status


@transaction.atomic
def badge_print_run_start(
    *, conference: Conference, filters: dict, layout: str | None = None, actor
) -> BadgePrintRun:
    """Queue a print run of the badges ``filters`` select (see ``badge_selection``).

    The task is enqueued once this transaction commits. One run at a time per edition:
    two runs of "not printed yet" would print the same badges twice.
    """
    layout = layout or conference.badge_layout
    _check_layout(layout)
    Conference.objects.select_for_update().filter(pk=conference.pk).first()
    if badge_run_in_progress(conference) is not None:
        raise ValidationError(_("A print run is in progress already: wait for it to finish."))
    cleaned, description = _clean_filters(conference, filters)
    total = badge_selection(conference, cleaned).count()
    if not total:
        raise ValidationError(_("No badge matches these filters."))
    run = BadgePrintRun(
        conference=conference,
        filters=cleaned,
        description=description[:300],
        layout=layout,
        total=total,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    run.full_clean(exclude=["file"])
    run.save()
    log_action(
        actor=actor,
        action="badge.print_run_started",
        obj=run,
        conference=conference,
        data={"filters": cleaned, "layout": layout, "total": total},
    )
    run_after_commit(
        inline=False, execute=badge_print_run_execute, task=badge_print_run_task, run_id=run.pk
    )
    return run


def badge_print_run_execute(*, run_id: int) -> BadgePrintRun:
    """Do a queued run: render in chunks (progress committed after each), then mark printed.

    Not one transaction on purpose: each chunk's progress is committed so the page can
    show it. Badges are marked printed (and reprints revoke the old ones) in one
    transaction once the whole PDF is written; a failure marks the run failed with the
    message, and no badge printed.
    """
    # Taken once; a retry after a killed worker takes it over (nothing was marked printed:
    # that happens in the last transaction only) and starts again.
    run, claimed = run_claim(
        BadgePrintRun.objects.select_related("conference", "created_by"), run_id
    )
    if not claimed:
        return run  # done, failed, or running in a live worker: a duplicate does nothing
    mine = run_owned(BadgePrintRun.objects, run)
    ids = list(badge_selection(run.conference, run.filters).values_list("pk", flat=True))
    run.total = len(ids)
    mine.update(total=run.total, done_count=0)
    saved_name = ""
    try:
        writer = _BadgeWriter(run.layout)
        planned: list[_Planned] = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            # The filter again: a badge printed meanwhile (one badge at a time) is skipped.
            registrations = badge_selection(run.conference, run.filters).filter(pk__in=chunk)
            for item in _plan(registrations, printing=True):
                writer.add(item.registration, sign_badge_key(item.key))
                planned.append(item)
            if not mine.update(done_count=start + len(chunk)):
                raise _RunTakenOver
            run_heartbeat(run)
        if not planned:
            raise ValidationError(_("No badge matches these filters."))
        data = writer.output()
        run.file.save(f"{run.pk}.pdf", ContentFile(data), save=False)
        saved_name = run.file.name
        with transaction.atomic():
            if not mine.select_for_update().exists():
                raise _RunTakenOver
            now = timezone.now()
            _apply(planned, actor=run.created_by, printing=True, now=now)
            run.status = BadgePrintRun.Status.DONE
            run.finished_at = now
            run.done_count = run.total
            run.save(update_fields=["file", "status", "finished_at", "done_count"])
            log_action(
                actor=None,
                action="badge.print_run_finished",
                obj=run,
                conference=run.conference,
                data={"badges": len(planned), "file": saved_name},
            )
    except _RunTakenOver:
        if saved_name:
            run.file.storage.delete(saved_name)
        run.refresh_from_db()
    except Exception as error:  # a run must end, whatever happened
        logger.exception("Badge print run %s failed", run_id)
        if saved_name:
            run.file.storage.delete(saved_name)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        run_failed(mine, run_id, message or error.__class__.__name__, file="")
        run.refresh_from_db()
    return run
