"""Conference editions, venues, rooms and the programme."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from atrium.core.i18n import bilingual
from atrium.network.models import Organisation, Person

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb, for example #0b5cad.")
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class BadgeLayout(models.TextChoices):
    """The page of a printed badge; each edition chooses one (``Conference.badge_layout``)."""

    A6 = "a6", _("A6 portrait")
    LABEL_4X3 = "label4x3", _("4×3 inch label")


class Conference(models.Model):
    """One edition of the world conference (41st Nairobi 2024, 42nd Beijing 2025)."""

    slug = models.SlugField(_("slug"), unique=True)
    number = models.PositiveSmallIntegerField(_("edition number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    theme_zh = models.CharField(_("theme in Chinese"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_conferences",
    )
    city = models.CharField(_("city"), max_length=100)
    city_zh = models.CharField(_("city in Chinese"), max_length=100, blank=True)
    country = CountryField(_("country"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    is_published = models.BooleanField(_("published"), default=True)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#0b4f8a", validators=[colour_validator]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#c8102e", validators=[colour_validator]
    )
    badge_layout = models.CharField(
        _("badge layout"),
        max_length=10,
        choices=BadgeLayout.choices,
        default=BadgeLayout.A6,
        help_text=_("The page badges are printed on: A6 portrait or a 4×3 inch label."),
    )

    name_i18n = bilingual("name")
    theme_i18n = bilingual("theme")
    city_i18n = bilingual("city")
    description_i18n = bilingual("description")

    class Meta:
        ordering = ["-number"]
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="conference_dates_in_order",
                violation_error_message=_("The last day cannot be before the first day."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("events:conference", kwargs={"slug": self.slug})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_date(self, moment: datetime.datetime) -> datetime.date:
        """The date of ``moment`` in the edition's time zone."""
        return moment.astimezone(self.tz).date()

    @property
    def ends_at(self) -> datetime.datetime:
        """Midnight after the edition's last day, in its own time zone."""
        next_day = self.end_date + datetime.timedelta(days=1)
        return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=self.tz)

    def has_ended(self, at: datetime.datetime | None = None) -> bool:
        """True once the edition's last day is over (in its own time zone)."""
        return (at or timezone.now()) >= self.ends_at

    @property
    def days(self) -> list:
        from datetime import timedelta

        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=i) for i in range(count)]


class Venue(models.Model):
    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_zh = models.CharField(_("address in Chinese"), max_length=300, blank=True)

    name_i18n = bilingual("name")
    address_i18n = bilingual("address")

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="rooms"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rooms",
    )
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    name_i18n = bilingual("name")

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["conference", "name"], name="room_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="tracks"
    )
    slug = models.SlugField(_("slug"))
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)

    name_i18n = bilingual("name")

    class Meta:
        ordering = ["name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["conference", "slug"], name="track_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    class Kind(models.TextChoices):
        OPENING_CEREMONY = "opening_ceremony", _("Opening ceremony")
        PLENARY = "plenary", _("Plenary")
        PARALLEL_FORUM = "parallel_forum", _("Parallel forum")
        WORKSHOP = "workshop", _("Workshop")
        KEYNOTE = "keynote", _("Keynote")
        EXHIBITION = "exhibition", _("Exhibition")
        TECHNICAL_VISIT = "technical_visit", _("Technical visit")
        CULTURAL_VISIT = "cultural_visit", _("Cultural visit")
        BILATERAL_MEETING = "bilateral_meeting", _("Bilateral meetings")
        SOCIAL = "social", _("Social event")
        BREAK = "break", _("Break")

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    title_zh = models.CharField(_("title in Chinese"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("room"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    place = models.CharField(
        _("off-site place"),
        max_length=200,
        blank=True,
        help_text=_("For visits and events outside the venue's rooms."),
    )
    place_zh = models.CharField(_("off-site place in Chinese"), max_length=200, blank=True)
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    seats = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        help_text=_("Limited seats that need a sign-up (a visit bus of 40); empty if open."),
    )
    is_public = models.BooleanField(_("public"), default=True)
    sequence = models.PositiveIntegerField(
        _("revision"),
        default=0,
        editable=False,
        help_text=_("Goes up on every change, so calendar apps update the event in place."),
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    title_i18n = bilingual("title")
    description_i18n = bilingual("description")
    place_i18n = bilingual("place")

    class Meta:
        ordering = ["start", "room__position", "title"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            )
        ]
        indexes = [models.Index(fields=["conference", "start"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Calendar clients (RFC 5545 SEQUENCE) replace an event only when its
        # revision goes up; every save of an existing session is a revision.
        if self.pk is not None and not kwargs.get("update_fields"):
            self.sequence += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "events:session", kwargs={"slug": self.conference.slug, "session_id": self.pk}
        )

    def clean(self) -> None:
        if self.room_id and self.conference_id and self.room.conference_id != self.conference_id:
            raise ValidationError({"room": _("The room belongs to another conference.")})
        if self.track_id and self.conference_id and self.track.conference_id != self.conference_id:
            raise ValidationError({"track": _("The track belongs to another conference.")})

    @property
    def location_i18n(self) -> str:
        if self.room_id:
            return self.room.name_i18n
        return self.place_i18n

    @property
    def is_off_site(self) -> bool:
        return not self.room_id


class SessionRole(models.Model):
    """A person's part in a session: speaker, chair, moderator or panellist."""

    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        CHAIR = "chair", _("Chair")
        MODERATOR = "moderator", _("Moderator")
        PANELLIST = "panellist", _("Panellist")
        HOST = "host", _("Host")
        GUIDE = "guide", _("Guide")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="roles"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="session_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("session role")
        verbose_name_plural = _("session roles")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "role"], name="session_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}"


class Talk(models.Model):
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="talks"
    )
    title = models.CharField(_("title"), max_length=300)
    title_zh = models.CharField(_("title in Chinese"), max_length=300, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    abstract_zh = models.TextField(_("abstract in Chinese"), blank=True)
    speakers = models.ManyToManyField(
        Person, verbose_name=_("speakers"), related_name="talks", blank=True
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    title_i18n = bilingual("title")
    abstract_i18n = bilingual("abstract")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("talk")
        verbose_name_plural = _("talks")

    def __str__(self) -> str:
        return self.title


class ConferenceRole(models.Model):
    """A user's part in running one edition: every organiser view checks it."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        CHECKIN = "checkin", _("Check-in staff")
        REVIEWER = "reviewer", _("Reviewer")

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="conference_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("conference role")
        verbose_name_plural = _("conference roles")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "user", "role"], name="conference_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.conference}"


class AgendaStar(models.Model):
    """A session a person has starred for their own agenda (``/me/`` and their calendar)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="agenda_stars"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="stars"
    )
    created = models.DateTimeField(_("starred"), default=timezone.now)

    class Meta:
        verbose_name = _("starred session")
        verbose_name_plural = _("starred sessions")
        constraints = [
            models.UniqueConstraint(fields=["person", "session"], name="agenda_star_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} ★ {self.session}"


class ProgrammeVersion(models.Model):
    """A token that changes whenever anything the edition's public programme shows changes.

    Part of the programme's revision (``atrium.events.revision``), which keys the cached
    exports and timetables. A row of its own, not a field of ``Conference``: a conference
    saved from a copy read before the change would write the old token back. The token is
    random, never a counter, so that no two states of any database share one (a counter
    restarts after a test's rollback; a cache may outlive both).
    """

    conference = models.OneToOneField(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="programme_version",
    )
    token = models.CharField(_("token"), max_length=32)
    changed = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")

    def __str__(self) -> str:
        return f"{self.conference} @ {self.token}"
