"""A call of an edition and its set-up: tracks, the form's fields, the rubric's criteria.

Part of ``atrium.reviews.models`` (see its ``__init__``)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atrium.core.i18n import bilingual, option_lines
from atrium.events.models import Conference


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
