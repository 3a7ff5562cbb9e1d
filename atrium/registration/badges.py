"""Badges: the signed token a badge's QR code carries, and the PDF of one badge per page.

The token is ``<key>.<mac>``: the badge row's random key (16 base32 characters) and the
first 120 bits of an HMAC-SHA256 of it, keyed from ``SECRET_KEY`` with a salt (24 base32
characters). Only upper-case letters, digits and a dot: a QR code's compact alphanumeric
mode, and a handheld scanner types it back as is. Never a bare id: a forged or edited
token fails the HMAC; a revoked badge's token fails the lookup in ``checkin``.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.pdf import FAMILY, new_document
from atrium.registration.models import Badge, Registration

SALT = "atrium.registration.badge"
LAYOUTS = ("a6", "label4x3")


# --- the token ---------------------------------------------------------------------------


def _mac(key: str) -> str:
    digest = salted_hmac(SALT, key, algorithm="sha256").digest()[:15]
    return base64.b32encode(digest).decode("ascii")


def sign_badge_key(key: str) -> str:
    return f"{key}.{_mac(key)}"


def unsign_badge_token(token: str) -> str | None:
    """The badge key inside ``token``, or None if the token is malformed or forged."""
    key, sep, mac = (token or "").strip().upper().partition(".")
    if not sep or len(key) != 16 or len(mac) != 24:
        return None
    if not constant_time_compare(mac, _mac(key)):
        return None
    return key


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


def _qr_png(token: str) -> io.BytesIO:
    import segno

    buffer = io.BytesIO()
    segno.make(token, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    return buffer


class _BadgeWriter:
    def __init__(self, layout: str):
        if layout not in LAYOUTS:
            raise ValueError(f"Unknown badge layout {layout!r}; use one of {', '.join(LAYOUTS)}.")
        self.layout = layout
        if layout == "a6":
            self.pdf = new_document(orientation="P", format=(105, 148), title="Badges")
        else:  # a 4 x 3 inch label, landscape
            self.pdf = new_document(orientation="L", format=(76.2, 101.6), title="Badges")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(0, 0, 0)

    def _fit(self, text: str, width: float, size: float, minimum: float = 7) -> float:
        """The largest font size up to ``size`` at which ``text`` fits in ``width`` mm."""
        while size > minimum:
            self.pdf.set_font(FAMILY, size=size)
            if self.pdf.get_string_width(text) <= width:
                return size
            size -= 0.5
        return minimum

    def _line(self, text: str, *, x: float, y: float, width: float, size: float, align="C"):
        if not text:
            return y
        size = self._fit(text, width, size)
        self.pdf.set_font(FAMILY, size=size)
        height = size * 0.45
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(width, height, text, align=align)
        return self.pdf.get_y()

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
        if self.layout == "a6":
            w, h = pdf.w, pdf.h
            y = self._line(conference.name, x=8, y=7, width=w - 16, size=9)
            y = self._line(person.name, x=6, y=y + 6, width=w - 12, size=24)
            y = self._line(person.name_zh, x=6, y=y + 1, width=w - 12, size=24)
            y = self._line(org_name, x=8, y=y + 4, width=w - 16, size=12)
            y = self._line(org_zh, x=8, y=y + 1, width=w - 16, size=11)
            y = self._line(country, x=8, y=y + 2, width=w - 16, size=11)
            qr = 42
            pdf.image(_qr_png(token), x=(w - qr) / 2, y=h - 22 - qr - 4, w=qr, h=qr)
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
            pdf.image(_qr_png(token), x=w - qr - 3, y=band_h + 4, w=qr, h=qr)
            self._line(conference.name, x=4, y=h - 7, width=w - 8, size=7, align="L")

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def render_badges(items: Iterable[tuple[Registration, str]], *, layout: str = "a6") -> bytes:
    """One page per ``(registration, token)``; the registrations need person, type, conference."""
    writer = _BadgeWriter(layout)
    for registration, token in items:
        writer.add(registration, token)
    return writer.output()


# --- services: issue, reprint, print -----------------------------------------------------


def _issue(registration: Registration, *, actor, reprint: bool, now) -> Badge:
    """The registration's valid badge; a new one (the old revoked) if none or on a reprint."""
    current = (
        Badge.objects.select_for_update()
        .filter(registration=registration, revoked_at__isnull=True)
        .first()
    )
    if current and not reprint:
        return current
    if current:
        current.revoked_at = now
        current.save(update_fields=["revoked_at"])
    badge = Badge.objects.create(registration=registration, issued_at=now)
    log_action(
        actor=actor,
        action="badge.reissued" if current else "badge.issued",
        obj=badge,
        conference=registration.conference,
        data={"registration": registration.pk, "revoked": current.pk if current else None},
    )
    return badge


@transaction.atomic
def badge_issue(*, registration: Registration, actor, reprint: bool = False) -> Badge:
    """The valid badge of a confirmed registration; ``reprint`` revokes it and issues a new one."""
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed registration has a badge."))
    return _issue(registration, actor=actor, reprint=reprint, now=timezone.now())


@transaction.atomic
def badge_pdf(
    *,
    registrations: Iterable[Registration],
    layout: str = "a6",
    actor=None,
    printing: bool = False,
) -> bytes:
    """The PDF of the registrations' badges, one per page, issuing badges where needed.

    ``printing`` is the organisers' print run: a badge already printed is reprinted
    (a new token, the old one revoked), and every badge is marked printed. A delegate's
    own download (``printing=False``) keeps the current token.
    """
    if layout not in LAYOUTS:
        raise ValidationError({"layout": _("Choose the A6 or the 4×3 inch label layout.")})
    now = timezone.now()
    items = []
    for registration in registrations:
        if registration.status != Registration.Status.CONFIRMED:
            raise ValidationError(_("Only a confirmed registration has a badge."))
        current = (
            Badge.objects.filter(registration=registration, revoked_at__isnull=True)
            .only("printed_at")
            .first()
        )
        reprint = printing and current is not None and current.printed_at is not None
        badge = _issue(registration, actor=actor, reprint=reprint, now=now)
        if printing:
            badge.printed_at = now
            badge.save(update_fields=["printed_at"])
        items.append((registration, sign_badge_key(badge.key)))
    return render_badges(items, layout=layout)
