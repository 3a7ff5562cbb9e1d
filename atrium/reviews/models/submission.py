"""A submission to a call and its co-authors.

Part of ``atrium.reviews.models`` (see its ``__init__``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.events.models import Session
from atrium.network.models import Organisation, Person
from atrium.reviews.models.call import Call, Track


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WAITLISTED = "waitlisted", _("Waiting list")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="submissions"
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
    )
    submitter = models.ForeignKey(
        Person, verbose_name=_("submitter"), on_delete=models.CASCADE, related_name="submissions"
    )
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True)
    # Talk proposals
    session_kind = models.CharField(
        _("session kind"), max_length=30, choices=Session.Kind.choices, blank=True
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    co_speakers = models.TextField(
        _("co-speakers"), blank=True, help_text=_("Names of co-speakers, one per line.")
    )
    # Award entries
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
    )
    solution = models.TextField(_("solution"), blank=True)
    projects_served = models.PositiveIntegerField(_("projects served"), null=True, blank=True)
    money_raised_cny = models.DecimalField(
        _("money raised (CNY)"), max_digits=16, decimal_places=0, null=True, blank=True
    )
    ip_rights = models.PositiveIntegerField(_("IP rights"), null=True, blank=True)
    # Host bids
    city = models.CharField(_("city"), max_length=100, blank=True)
    proposed_start = models.DateField(_("proposed first day"), null=True, blank=True)
    proposed_end = models.DateField(_("proposed last day"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    supporting_government = models.CharField(_("supporting government"), max_length=200, blank=True)

    answers = models.JSONField(_("answers"), default=dict, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    extended_until = models.DateTimeField(
        _("extended until"),
        null=True,
        blank=True,
        help_text=_("An organiser's extension of the deadline for this submission."),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return self.title

    def deadline(self):
        """The call's deadline, or this submission's extension when later."""
        deadline = self.call.deadline
        if self.extended_until and self.extended_until > deadline:
            return self.extended_until
        return deadline

    @property
    def money_raised_i18n(self) -> str:
        """The money raised in words of the page's language: 2 billion yuan / 20亿元."""
        from atrium.reviews.figures import yuan_in_words

        return yuan_in_words(self.money_raised_cny)

    @property
    def is_reviewable(self) -> bool:
        return self.status not in (self.Status.DRAFT, self.Status.WITHDRAWN)


class CoAuthor(models.Model):
    """A co-author or team member invited by e-mail; the token's SHA-256 only is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        REVOKED = "revoked", _("Withdrawn")

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="coauthors"
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coauthorships",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        verbose_name = _("co-author")
        verbose_name_plural = _("co-authors")

    def __str__(self) -> str:
        return self.name or self.email
