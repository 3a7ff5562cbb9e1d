"""Badges (one row per printed badge, with the key its QR code signs) and check-ins.

Kept apart from ``models.py``, which imports this module at its end, so that the
registration app has one set of models.
"""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Conference, Session
from atrium.registration.models import Registration

__all__ = ["Badge", "CheckIn", "new_badge_key"]


def new_badge_key() -> str:
    """80 random bits in upper-case base32 (16 characters: fits a QR code's alphanumeric mode)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


class Badge(models.Model):
    """A badge issued to a registration. Reprinting revokes the old one and issues a new one."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="badges",
    )
    key = models.CharField(_("key"), max_length=16, unique=True, default=new_badge_key)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="one_valid_badge_per_registration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} ({self.key})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CheckIn(models.Model):
    """A person let in at the entrance (no session) or at a session with seats.

    ``client_id`` is made by the scanning device for each scan, so a scan sent twice
    (a retry after a lost answer) is saved once.
    """

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="checkins"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="checkins",
    )
    badge = models.ForeignKey(
        Badge,
        verbose_name=_("badge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checkins",
        help_text=_("Empty: the main entrance."),
    )
    client_id = models.UUIDField(_("client id"), unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("checked in"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["conference", "created"])]

    def __str__(self) -> str:
        return f"{self.registration.person} @ {self.session or _('entrance')}"
