"""The decision on a submission: pending, then sent; the talk or edition it led to.

Part of ``atrium.reviews.models`` (see its ``__init__``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Conference, Talk
from atrium.reviews.models.call import Track
from atrium.reviews.models.submission import Submission


class Decision(models.Model):
    class Outcome(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REJECT = "reject", _("Reject")
        WAITLIST = "waitlist", _("Waiting list")
        ACCEPT_OTHER_TRACK = "accept_other_track", _("Accept into another track")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")

    submission = models.OneToOneField(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    track = models.ForeignKey(
        Track,
        verbose_name=_("into track"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    language = models.CharField(
        _("language of the mail"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    note = models.TextField(_("note to the submitter"), blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    talk = models.ForeignKey(
        Talk,
        verbose_name=_("talk in the programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    edition = models.ForeignKey(
        Conference,
        verbose_name=_("chosen to host"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chosen_bids",
        help_text=_("For host bids: the future edition this bid was chosen for."),
    )
    host_chosen_at = models.DateTimeField(
        _("chosen to host on"),
        null=True,
        blank=True,
        help_text=_("For host bids: when the bid was chosen, with or without an edition yet."),
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["edition"],
                condition=models.Q(edition__isnull=False),
                name="reviews_decision_one_bid_per_edition",
                violation_error_message=_("Another bid is recorded on this edition already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.outcome}"

    @property
    def is_acceptance(self) -> bool:
        return self.outcome in (self.Outcome.ACCEPT, self.Outcome.ACCEPT_OTHER_TRACK)
