"""Registrations: a person at a conference.

The core keeps the minimal record the programme and the counts need; types,
prices, orders, delegations and seat quotas come with the registration issue.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Conference
from atrium.network.models import Person


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "person"], name="one_registration_per_person_and_conference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.conference}"
