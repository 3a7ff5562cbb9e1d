"""Calls with review: talk proposals, award entries and host bids, one engine.

A ``Call`` of an edition has a form (``FormField``), tracks, a rubric (``Criterion``) and
reviewers; a ``Submission`` to it gets ``Assignment``s of reviewers, ``Review``s, then a
``Decision``. Every state change goes through ``atrium.reviews.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atrium.core.i18n import bilingual, option_lines
from atrium.events.models import Conference, Session, Talk
from atrium.network.models import Organisation, Person, Sector


class Call(models.Model):
    class Kind(models.TextChoices):
        TALKS = "talks", _("Talk proposals")
        AWARD = "award", _("Award entries")
        BIDS = "bids", _("Host bids")

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="calls"
    )
    slug = models.SlugField(_("slug"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_zh = models.CharField(_("title in Chinese"), max_length=200, blank=True)
    guidance = models.TextField(_("guidance"), blank=True)
    guidance_zh = models.TextField(_("guidance in Chinese"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    extended_until = models.DateTimeField(
        _("extended for everyone until"),
        null=True,
        blank=True,
        help_text=_("An organiser's extension of the deadline for the whole call."),
    )
    review_from = models.DateTimeField(_("review from"))
    review_until = models.DateTimeField(_("review until"))
    decisions_at = models.DateTimeField(_("decisions"))
    anonymised = models.BooleanField(
        _("anonymised review"),
        default=False,
        help_text=_("Reviewers see no names, organisations or file names."),
    )
    same_country_conflict = models.BooleanField(
        _("same country is a conflict"),
        default=False,
        help_text=_("A reviewer from the submitter's country may not review it."),
    )
    reviews_per_submission = models.PositiveSmallIntegerField(
        _("reviews per submission"), default=3, validators=[MinValueValidator(1)]
    )
    results_published = models.BooleanField(
        _("results published"),
        default=False,
        help_text=_("For awards: the winners are shown on the edition's public page."),
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    title_i18n = bilingual("title")
    guidance_i18n = bilingual("guidance")

    class Meta:
        ordering = ["opens_at", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["conference", "slug"], name="reviews_call_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="reviews_call_closes_after_opening",
                violation_error_message=_("The call must close after it opens."),
            ),
            models.CheckConstraint(
                condition=models.Q(review_until__gte=models.F("review_from")),
                name="reviews_call_review_dates_in_order",
                violation_error_message=_("The review period must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "reviews:call", kwargs={"slug": self.conference.slug, "call_slug": self.slug}
        )

    @property
    def deadline(self):
        """The close of the call, or the whole-call extension when later."""
        if self.extended_until and self.extended_until > self.closes_at:
            return self.extended_until
        return self.closes_at

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.deadline


class Track(models.Model):
    """A track of a call for talks, or a category of an award."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="tracks"
    )
    slug = models.SlugField(_("slug"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    name_i18n = bilingual("name")

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["call", "slug"], name="reviews_track_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    """One question of a call's form; answers are kept in ``Submission.answers[key]``."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        CHOICE = "choice", _("Choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
        NUMBER = "number", pgettext_lazy("kind of form field", "Number")
        DATE = "date", _("Date")
        FILE = "file", _("File")
        LINK = "link", _("Link")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="fields"
    )
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    label = models.CharField(_("label"), max_length=200)
    label_zh = models.CharField(_("label in Chinese"), max_length=200, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    help_text_zh = models.CharField(_("help text in Chinese"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_length = models.PositiveIntegerField(
        _("maximum length"), null=True, blank=True, help_text=_("For text: characters.")
    )
    max_file_size = models.PositiveIntegerField(
        _("largest file (bytes)"), default=5 * 1024 * 1024, help_text=_("For files.")
    )
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_("One per line, English then Chinese after a '|', e.g. 'Health|健康'."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    label_i18n = bilingual("label")
    help_text_i18n = bilingual("help_text")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="reviews_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.label

    def choice_pairs(self) -> list[tuple[str, str, str]]:
        """(value, English, Chinese) per line; the value is the English text."""
        return option_lines(self.choices)


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


class Criterion(models.Model):
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    scale_min = models.SmallIntegerField(_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    counts = models.BooleanField(
        _("counts toward the total"), default=True, help_text=_("Off: shown only.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    name_i18n = bilingual("name")
    description_i18n = bilingual("description")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="reviews_criterion_key_unique"),
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="reviews_criterion_scale_in_order",
                violation_error_message=_("The highest score must be above the lowest."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.outcome}"

    @property
    def is_acceptance(self) -> bool:
        return self.outcome in (self.Outcome.ACCEPT, self.Outcome.ACCEPT_OTHER_TRACK)
