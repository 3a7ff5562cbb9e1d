"""B2B matchmaking: delegates' profiles, meeting requests, the B2B blocks' slots and
tables, meetings, and the scheduler's runs.

State changes go through ``atrium.matchmaking.services``; the scheduler itself
(``solver.py``) knows nothing of these models: ``scheduling.py`` translates.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from atrium.core.runs import RunStatus
from atrium.events.models import Conference, Session
from atrium.network.models import Organisation, Sector
from atrium.registration.models import Registration


class PartnershipKind(models.TextChoices):
    """What an organisation offers or looks for; matched against each other."""

    INCUBATION = "incubation", _("Incubation and acceleration")
    SOFT_LANDING = "soft_landing", _("Soft landing for companies abroad")
    INVESTMENT = "investment", _("Investment and funding")
    TECHNOLOGY_TRANSFER = "technology_transfer", _("Technology transfer and licensing")
    JOINT_RESEARCH = "joint_research", _("Joint research and development")
    TALENT = "talent", _("Talent and training exchanges")
    MARKET_ACCESS = "market_access", _("Market access and distribution")
    PARK_MANAGEMENT = "park_management", _("Park management and policy know-how")
    FACILITIES = "facilities", _("Laboratories and facilities")


class Language(models.TextChoices):
    """Languages a delegate can hold a meeting in."""

    EN = "en", _("English")
    ZH = "zh", _("Chinese")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    PT = "pt", _("Portuguese")
    DE = "de", _("German")
    IT = "it", _("Italian")
    AR = "ar", _("Arabic")
    RU = "ru", _("Russian")
    JA = "ja", _("Japanese")
    KO = "ko", _("Korean")
    TR = "tr", _("Turkish")
    SW = "sw", _("Swahili")


class MatchmakingSettings(models.Model):
    """An edition's B2B rules, set by its organisers."""

    conference = models.OneToOneField(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="matchmaking_settings",
    )
    request_limit = models.PositiveSmallIntegerField(
        _("requests per person"),
        null=True,
        blank=True,
        default=15,
        help_text=_(
            "How many meeting requests a delegate may have open (waiting or accepted) at once. "
            "Empty for no limit."
        ),
    )
    requests_open = models.BooleanField(
        _("requests open"),
        default=True,
        help_text=_("Delegates may send new meeting requests."),
    )

    class Meta:
        verbose_name = _("matchmaking settings")
        verbose_name_plural = _("matchmaking settings")

    def __str__(self) -> str:
        return str(self.conference)


class Profile(models.Model):
    """A delegate's matchmaking profile for one edition: taking part means being suggested
    to others and being able to ask for meetings."""

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="matchmaking_profiles",
    )
    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="b2b_profile",
    )
    is_active = models.BooleanField(
        _("taking part"),
        default=True,
        help_text=_("Shown to other delegates and suggested to them."),
    )
    offers = models.TextField(_("what my organisation offers"), max_length=1000, blank=True)
    seeks = models.TextField(_("what my organisation looks for"), max_length=1000, blank=True)
    offer_kinds = models.JSONField(_("we offer"), default=list, blank=True)
    seek_kinds = models.JSONField(_("we look for"), default=list, blank=True)
    partner_kinds = models.JSONField(_("kinds of partner sought"), default=list, blank=True)
    languages = models.JSONField(_("meeting languages"), default=list, blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="matchmaking_profiles"
    )
    directory_listed = models.BooleanField(
        _("shown on my organisation's page"),
        default=False,
        help_text=_("The profile appears on the organisation's page in the member directory."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["conference", "id"]
        verbose_name = _("matchmaking profile")
        verbose_name_plural = _("matchmaking profiles")
        indexes = [models.Index(fields=["conference", "is_active"], name="b2b_profile_active")]

    def __str__(self) -> str:
        return str(self.registration)

    def _labels(self, choices, values) -> list[str]:
        labels = dict(choices)
        return [str(labels[v]) for v in values if v in labels]

    @property
    def offer_labels(self) -> list[str]:
        return self._labels(PartnershipKind.choices, self.offer_kinds)

    @property
    def seek_labels(self) -> list[str]:
        return self._labels(PartnershipKind.choices, self.seek_kinds)

    @property
    def partner_kind_labels(self) -> list[str]:
        return self._labels(Organisation.Kind.choices, self.partner_kinds)

    @property
    def language_labels(self) -> list[str]:
        return self._labels(Language.choices, self.languages)


class Block(models.Model):
    """How a B2B session (a session of kind "bilateral meeting") is cut into slots and
    tables. A B2B session without these settings is not used by the scheduler."""

    session = models.OneToOneField(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="b2b_block"
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    table_count = models.PositiveSmallIntegerField(_("tables"), default=10)
    table_names = models.TextField(
        _("table names"),
        blank=True,
        help_text=_("One per line, in order; tables without a name are called Table 1, 2…"),
    )
    is_active = models.BooleanField(_("used for meetings"), default=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["session__start", "session_id"]
        verbose_name = _("B2B block")
        verbose_name_plural = _("B2B blocks")

    def __str__(self) -> str:
        return str(self.session)

    def names(self) -> list[str]:
        return [line.strip() for line in self.table_names.splitlines() if line.strip()]

    def table_name(self, number: int) -> str:
        """The name of table ``number`` (1-based)."""
        names = self.names()
        if 1 <= number <= len(names):
            return names[number - 1]
        return str(_("Table %(number)s") % {"number": number})

    def slots(self) -> list[tuple]:
        """(start, end) of each slot, in order; a last piece shorter than a slot is dropped."""
        length = timedelta(minutes=self.slot_minutes)
        slots = []
        start = self.session.start
        while start + length <= self.session.end:
            slots.append((start, start + length))
            start += length
        return slots


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.PENDING, Status.ACCEPTED)

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="meeting_requests",
    )
    requester = models.ForeignKey(
        Registration,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="b2b_requests_sent",
    )
    recipient = models.ForeignKey(
        Registration,
        verbose_name=_("asked"),
        on_delete=models.CASCADE,
        related_name="b2b_requests_received",
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    created = models.DateTimeField(_("asked"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Registration,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "recipient"],
                condition=Q(status__in=["pending", "accepted"]),
                name="b2b_one_open_request_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(requester=models.F("recipient")), name="b2b_request_not_to_self"
            ),
        ]
        indexes = [models.Index(fields=["conference", "status"], name="b2b_request_status")]

    def __str__(self) -> str:
        return f"{self.requester.person} → {self.recipient.person}"


class Meeting(models.Model):
    """An accepted request: two delegates (and colleagues they bring), to be placed in a
    slot at a table. ``start``/``end``/``table`` hold the published place."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="meetings"
    )
    request = models.OneToOneField(
        MeetingRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="meeting"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=1,
        help_text=_("The scheduler places meetings of higher priority first (1 to 3)."),
    )
    block = models.ForeignKey(
        Block,
        verbose_name=_("B2B block"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
    )
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    table = models.PositiveSmallIntegerField(_("table"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    locked = models.BooleanField(
        _("locked"),
        default=False,
        help_text=_(
            "A locked meeting keeps its time and table: later runs leave it where it is, and "
            "unpublishing a run does not take it back."
        ),
    )
    sequence = models.PositiveIntegerField(
        _("revision"),
        default=0,
        help_text=_("Goes up on every change of time, table or people (for calendar apps)."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["block", "start", "table"],
                condition=Q(status="active", start__isnull=False),
                name="b2b_one_meeting_per_table_and_slot",
            )
        ]
        indexes = [models.Index(fields=["conference", "status"], name="b2b_meeting_status")]

    def __str__(self) -> str:
        return str(self.request)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.start is not None

    @property
    def table_name(self) -> str:
        if self.block is None or self.table is None:
            return ""
        return self.block.table_name(self.table)


class Participant(models.Model):
    """Someone at a meeting: one of the two delegates, or a colleague one of them added."""

    class Side(models.TextChoices):
        REQUESTER = "requester", _("Asking side")
        RECIPIENT = "recipient", _("Asked side")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participants"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="b2b_participations",
    )
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    is_colleague = models.BooleanField(_("added colleague"), default=False)
    added_by = models.ForeignKey(
        Registration,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["is_colleague", "side", "id"]
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "registration"], name="b2b_participant_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return str(self.registration.person)


class SchedulerRun(models.Model):
    """One run of the scheduler over an edition's accepted meetings."""

    Status = RunStatus

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="scheduler_runs",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    time_limit = models.FloatField(_("time limit (seconds)"), default=10)
    incremental = models.BooleanField(
        _("incremental"),
        default=False,
        help_text=_(
            "Places only meetings without a place, in slots not yet begun: no published "
            "meeting moves."
        ),
    )
    seed = models.PositiveIntegerField(_("seed"), default=0)
    created = models.DateTimeField(_("started"), auto_now_add=True)
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
    meeting_count = models.PositiveIntegerField(_("meetings"), default=0)
    scheduled_count = models.PositiveIntegerField(_("scheduled"), default=0)
    fixed_count = models.PositiveIntegerField(_("kept from earlier publications"), default=0)
    objective = models.FloatField(_("weight scheduled"), null=True, blank=True)
    upper_bound = models.FloatField(_("proven upper bound"), null=True, blank=True)
    solver_status = models.CharField(_("solver status"), max_length=20, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    idle_slots = models.PositiveIntegerField(_("idle slots"), null=True, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    unpublished_at = models.DateTimeField(_("unpublished"), null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unpublished by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-id"]
        get_latest_by = "created"
        verbose_name = _("scheduler run")
        verbose_name_plural = _("scheduler runs")

    def __str__(self) -> str:
        return f"{self.conference} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.unpublished_at is None

    @property
    def quality(self) -> float | None:
        """objective / upper bound, as a percentage (a certified quality figure)."""
        if self.objective is None or not self.upper_bound:
            return None
        return 100 * self.objective / self.upper_bound

    @property
    def unscheduled_count(self) -> int:
        return self.meeting_count - self.scheduled_count


class Placement(models.Model):
    """What a run decided for one meeting: a slot and table, or why it has none."""

    run = models.ForeignKey(
        SchedulerRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="placements"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="placements"
    )
    block = models.ForeignKey(
        Block, verbose_name=_("B2B block"), on_delete=models.CASCADE, null=True, blank=True
    )
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    table = models.PositiveSmallIntegerField(_("table"), null=True, blank=True)
    fixed = models.BooleanField(_("kept as published"), default=False)
    reason_code = models.CharField(_("reason"), max_length=40, blank=True)
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)
    reason_text = models.TextField(_("scheduler's words"), blank=True)

    class Meta:
        ordering = ["run", "start", "table", "id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(fields=["run", "meeting"], name="b2b_placement_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} @ {self.start or '-'}"

    @property
    def is_placed(self) -> bool:
        return self.start is not None


class Absence(models.Model):
    """A delegate who will not come to their B2B meetings from ``since`` on (a no-show, an
    early departure). Their meetings from then are freed; the scheduler treats them as
    busy from then."""

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="+"
    )
    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="b2b_absence",
    )
    since = models.DateTimeField(_("absent from"))
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created = models.DateTimeField(_("marked"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["since", "id"]
        verbose_name = _("B2B absence")
        verbose_name_plural = _("B2B absences")

    def __str__(self) -> str:
        return f"{self.registration} ({self.since:%Y-%m-%d %H:%M})"


class Feedback(models.Model):
    """One side's word on a meeting: whether it took place, a rating and a note."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="feedback"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("given by"), on_delete=models.CASCADE, related_name="+"
    )
    took_place = models.BooleanField(_("the meeting took place"))
    rating = models.PositiveSmallIntegerField(_("rating (1 to 5)"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created = models.DateTimeField(_("given"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("meeting feedback")
        verbose_name_plural = _("meeting feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "registration"], name="b2b_feedback_once_per_person"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="b2b_feedback_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.registration}"
