"""Visa invitation letters: a delegate's request, its review, and the numbered letter.

Kept apart from ``models.py``, which imports this module at its end, so that the
registration app has one set of models. State changes go through
``atrium.visas.services``.

The passport data (name as in the passport, nationality, date of birth, passport number
and expiry) is personal: it is stored only encrypted (``passport_data``, a Fernet token of
JSON, see ``visa_crypto``), shown only to its owner and the edition's organisers, and
removed a set time after the edition (``visas.visa_purge``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from atrium.events.models import Conference
from atrium.registration.models import Registration
from atrium.visas.crypto import decrypt_json, encrypt_json

__all__ = ["PassportDetails", "VisaLetterRequest"]


@dataclass(frozen=True)
class PassportDetails:
    """What the passport says; encrypted as one JSON document in ``passport_data``."""

    passport_name: str
    nationality: str  # ISO 3166-1 alpha-2 code
    date_of_birth: dt.date
    passport_number: str
    passport_expiry: dt.date

    FIELDS = ("passport_name", "nationality", "date_of_birth", "passport_number", "passport_expiry")

    def to_json(self) -> dict:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat()
        data["passport_expiry"] = self.passport_expiry.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict) -> PassportDetails:
        return cls(
            passport_name=data["passport_name"],
            nationality=data["nationality"],
            date_of_birth=dt.date.fromisoformat(data["date_of_birth"]),
            passport_number=data["passport_number"],
            passport_expiry=dt.date.fromisoformat(data["passport_expiry"]),
        )

    @property
    def nationality_name(self) -> str:
        """The country's name in the current language."""
        return str(dict(countries).get(self.nationality, self.nationality))

    @property
    def nationality_name_en(self) -> str:
        with translation.override("en"):
            return self.nationality_name


class VisaLetterRequest(models.Model):
    """A delegate's request for a visa invitation letter to an edition (China: the host)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for review")
        NEEDS_CORRECTION = "needs_correction", _("Correction needed")
        APPROVED = "approved", _("Letter issued")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    #: A registration has at most one request in these statuses at a time.
    OPEN = (Status.REQUESTED, Status.NEEDS_CORRECTION, Status.APPROVED)
    #: Waiting for the delegate or an organiser.
    PENDING = (Status.REQUESTED, Status.NEEDS_CORRECTION)

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="visa_requests",
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="visa_requests",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.REQUESTED,
        db_index=True,
    )
    passport_data = models.TextField(
        _("passport data (encrypted)"),
        blank=True,
        editable=False,
        help_text=_("Encrypted; empty once removed after the conference."),
    )
    entry_date = models.DateField(_("intended entry"))
    exit_date = models.DateField(_("intended exit"))
    consulate_city = models.CharField(_("consulate city"), max_length=100)
    letter_sequence = models.PositiveIntegerField(
        _("letter sequence"), null=True, blank=True, editable=False
    )
    letter_number = models.CharField(_("letter number"), max_length=40, blank=True, editable=False)
    note = models.TextField(
        _("organisers' note"),
        blank=True,
        help_text=_("What to correct, or why the request was refused; the delegate sees it."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    purged_at = models.DateTimeField(_("passport data removed"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("visa letter request")
        verbose_name_plural = _("visa letter requests")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status__in=["requested", "needs_correction", "approved"]),
                name="one_open_visa_request_per_registration",
            ),
            models.UniqueConstraint(
                fields=["conference", "letter_sequence"], name="visa_letter_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["conference", "letter_number"],
                condition=~Q(letter_number=""),
                name="visa_letter_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__gt=F("entry_date")), name="visa_entry_before_exit"
            ),
        ]
        indexes = [models.Index(fields=["conference", "status"])]

    def __str__(self) -> str:
        return self.letter_number or f"{self.registration.person} ({self.get_status_display()})"

    # --- passport data: always through these two -----------------------------------------

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None or not self.passport_data

    def passport(self) -> PassportDetails | None:
        """The decrypted passport data, or None once removed. Callers log who looked."""
        if not self.passport_data:
            return None
        return PassportDetails.from_json(decrypt_json(self.passport_data))

    def set_passport(self, details: PassportDetails) -> None:
        self.passport_data = encrypt_json(details.to_json())

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def can_correct(self) -> bool:
        return self.status in self.PENDING and not self.is_purged

    @property
    def has_letter(self) -> bool:
        return self.status == self.Status.APPROVED and bool(self.letter_number)
