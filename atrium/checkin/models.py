"""Badges (one row per printed badge, with the key its QR code signs) and check-ins.

Kept apart from ``models.py``, which imports this module at its end, so that the
registration app has one set of models.
"""

from __future__ import annotations

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atrium.core.runs import FINISHED, RunStatus
from atrium.events.models import BadgeLayout, Conference, Session
from atrium.registration.models import Registration

__all__ = ["Badge", "BadgePrintRun", "CheckIn", "new_badge_key"]


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


def badge_run_path(run: BadgePrintRun, filename: str) -> str:
    """``badges/<edition>/<random uuid>.pdf``: not guessable, and apart per edition."""
    return f"private/badges/{run.conference.slug}/{uuid.uuid4()}.pdf"


class BadgePrintRun(models.Model):
    """A batch of badges printed into one PDF by a background task, with its progress."""

    Status = RunStatus

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="badge_print_runs",
    )
    description = models.CharField(_("selection"), max_length=300, blank=True)
    filters = models.JSONField(
        _("filters"),
        default=dict,
        blank=True,
        help_text=_("The filter of the badges page: type, delegation, printed."),
    )
    layout = models.CharField(_("layout"), max_length=10, choices=BadgeLayout.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("badges"), default=0)
    done_count = models.PositiveIntegerField(_("badges done"), default=0)
    file = models.FileField(_("PDF"), upload_to=badge_run_path, blank=True)
    created = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("badge print run")
        verbose_name_plural = _("badge print runs")

    def __str__(self) -> str:
        return f"{self.conference} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.done_count / self.total))
