"""Reviewers and their invitations, bids, declared conflicts, assignments, runs and reviews.

Part of ``atrium.reviews.models`` (see its ``__init__``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.network.models import Person, Sector
from atrium.reviews.models.call import Call, Track
from atrium.reviews.models.submission import Submission


class Reviewer(models.Model):
    """A reviewer (juror) of one call, optionally of one track, with a maximum load."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="reviewers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="reviewer_roles",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewer_roles",
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewers",
    )
    max_load = models.PositiveSmallIntegerField(_("maximum reviews"), default=10)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("expertise: sectors"), blank=True, related_name="reviewers"
    )
    topics = models.CharField(
        _("expertise: topics"), max_length=500, blank=True, help_text=_("Comma-separated.")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="reviews_reviewer_unique")
        ]

    def __str__(self) -> str:
        return str(self.person or self.user)

    def topic_set(self) -> set[str]:
        return {t.strip().lower() for t in self.topics.split(",") if t.strip()}


class ReviewerInvitation(models.Model):
    """An invitation to review a call sent to an e-mail without an account (yet).

    Only the SHA-256 of the token is kept (``core.invitations.token_hash``), as for
    delegation, co-author and booth-staff invitations; whoever opens the link signs up or
    logs in and becomes a reviewer of the call with the track and load chosen here.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    max_load = models.PositiveSmallIntegerField(_("maximum reviews"), default=10)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewer = models.ForeignKey(
        Reviewer,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        verbose_name = _("reviewer invitation")
        verbose_name_plural = _("reviewer invitations")

    def __str__(self) -> str:
        return self.email


class Bid(models.Model):
    class Level(models.TextChoices):
        EAGER = "eager", _("Eager")
        WILLING = "willing", _("Willing")
        NOT_WILLING = "not_willing", _("Not willing")
        CONFLICT = "conflict", _("Conflict of interest")

    reviewer = models.ForeignKey(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="bids"
    )
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="bids"
    )
    level = models.CharField(_("bid"), max_length=12, choices=Level.choices)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "submission"], name="reviews_bid_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} – {self.submission_id}"


class DeclaredConflict(models.Model):
    reviewer = models.ForeignKey(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="declared"
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="declared_conflicts",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "submission"], name="reviews_declared_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} – {self.submission_id}"


class Assignment(models.Model):
    reviewer = models.ForeignKey(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="assignments"
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    affinity = models.FloatField(_("affinity"), default=0)
    locked = models.BooleanField(_("locked"), default=False)
    published = models.BooleanField(_("published"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission_id", "reviewer_id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "submission"], name="reviews_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} – {self.submission_id}"


class AssignmentRun(models.Model):
    """One run of the solver for a call: its figures and proof, as the solver gave them."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="runs"
    )
    created = models.DateTimeField(auto_now_add=True)
    placed = models.PositiveIntegerField(_("reviews placed"), default=0)
    objective = models.FloatField(_("total affinity"), default=0)
    upper_bound = models.FloatField(_("upper bound"), default=0)
    status = models.CharField(_("status"), max_length=20)
    seconds = models.FloatField(_("seconds"), default=0)
    short = models.JSONField(_("short submissions"), default=list, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")

    def __str__(self) -> str:
        return f"{self.call} – {self.created:%Y-%m-%d %H:%M}"

    @property
    def proven(self) -> bool:
        return self.status == "optimal" and abs(self.objective - self.upper_bound) < 1e-6


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    reviewer = models.ForeignKey(
        Reviewer, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="reviews"
    )
    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="reviews"
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.FloatField(
        _("total"), null=True, blank=True, help_text=_("Weighted mean of the counted criteria.")
    )
    text_for_submitter = models.TextField(_("for the submitter"), blank=True)
    text_for_committee = models.TextField(_("for the committee"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "submission"], name="reviews_review_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} – {self.submission_id}"
