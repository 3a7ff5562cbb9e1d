"""The exhibition of an edition: halls and their plan, booths, exhibitors, bookings, staff
passes, leads with the visitor's consent, and official tours.

Plan coordinates are metres on the hall's own plan (origin top left, y downwards, as in
SVG); a hall's ``site_x``/``site_y`` place it on the site, so that a tour can walk from one
hall to another.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from atrium.core.i18n import bilingual
from atrium.core.search import build_search_key
from atrium.events.models import Conference
from atrium.network.models import Organisation, Person
from atrium.registration.models import Registration

HOLD_MINUTES = 15


class Hall(models.Model):
    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="halls"
    )
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    outline = models.JSONField(
        _("outline"),
        default=list,
        help_text=_("The hall's outline: a list of [x, y] corners in metres on the plan."),
    )
    site_x = models.FloatField(_("position on the site (x)"), default=0)
    site_y = models.FloatField(_("position on the site (y)"), default=0)
    opens_at = models.TimeField(_("opens at"), default="09:00")
    closes_at = models.TimeField(_("closes at"), default="18:00")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name_i18n = bilingual("name")

    class Meta:
        ordering = ["conference", "order", "code"]
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        constraints = [
            models.UniqueConstraint(fields=["conference", "code"], name="hall_code_per_conference"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="hall_hours_in_order",
                violation_error_message=_("The hall must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """min x, min y, max x, max y of the outline."""
        xs = [float(p[0]) for p in self.outline] or [0.0]
        ys = [float(p[1]) for p in self.outline] or [0.0]
        return min(xs), min(ys), max(xs), max(ys)

    @property
    def svg_points(self) -> str:
        return " ".join(f"{float(x):g},{float(y):g}" for x, y in self.outline)


class Booth(models.Model):
    class Category(models.TextChoices):
        STANDARD = "standard", _("Standard")
        CORNER = "corner", _("Corner")
        ISLAND = "island", _("Island")
        PAVILION = "pavilion", _("Pavilion")

    hall = models.ForeignKey(
        Hall, verbose_name=_("hall"), on_delete=models.CASCADE, related_name="booths"
    )
    code = models.CharField(_("code"), max_length=20)
    x = models.FloatField(_("x"))
    y = models.FloatField(_("y"))
    width = models.FloatField(_("width"))
    height = models.FloatField(_("depth"))
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.STANDARD
    )
    price_usd = models.DecimalField(_("price (USD)"), max_digits=10, decimal_places=2, default=0)
    price_cny = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2, default=0)
    walls = models.BooleanField(_("walls"), default=True)
    power = models.BooleanField(_("power"), default=True)
    furniture = models.BooleanField(_("furniture"), default=False)
    staff_passes = models.PositiveSmallIntegerField(_("staff passes"), default=2)
    extra_pass_usd = models.DecimalField(
        _("extra pass (USD)"), max_digits=8, decimal_places=2, default=150
    )
    extra_pass_cny = models.DecimalField(
        _("extra pass (CNY)"), max_digits=8, decimal_places=2, default=1000
    )
    is_closed = models.BooleanField(
        _("closed"), default=False, help_text=_("Not open to visitors (and to tours).")
    )

    class Meta:
        ordering = ["hall", "code"]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="booth_code_per_hall"),
            models.CheckConstraint(
                condition=Q(price_usd__gte=0) & Q(price_cny__gte=0),
                name="booth_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(width__gt=0) & Q(height__gt=0),
                name="booth_size_positive",
                violation_error_message=_("A booth needs a width and a depth above zero."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


class PlanFeature(models.Model):
    """A corridor, an entrance or a point of interest (toilets, café, stage) on a hall's plan."""

    class Kind(models.TextChoices):
        CORRIDOR = "corridor", _("Corridor")
        ENTRANCE = "entrance", _("Entrance")
        POINT = "point", _("Point of interest")

    hall = models.ForeignKey(
        Hall, verbose_name=_("hall"), on_delete=models.CASCADE, related_name="features"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    label_zh = models.CharField(_("label in Chinese"), max_length=100, blank=True)
    x = models.FloatField(_("x"))
    y = models.FloatField(_("y"))
    width = models.FloatField(_("width"), default=0)
    height = models.FloatField(_("depth"), default=0)

    label_i18n = bilingual("label")

    class Meta:
        ordering = ["hall", "kind", "id"]
        verbose_name = _("plan feature")
        verbose_name_plural = _("plan features")

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class Exhibitor(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    #: Profile fields an exhibitor may edit; after acceptance, edits wait for approval.
    PROFILE_FIELDS = ("display_name", "display_name_zh", "description", "description_zh", "website")

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="exhibitors",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="exhibitors",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="exhibitors",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLIED
    )
    decision_reason = models.TextField(_("reason given"), blank=True)
    display_name = models.CharField(_("name on the plan"), max_length=200, blank=True)
    display_name_zh = models.CharField(_("name on the plan in Chinese"), max_length=200, blank=True)
    description = models.TextField(_("profile"), blank=True)
    description_zh = models.TextField(_("profile in Chinese"), blank=True)
    website = models.URLField(_("website"), blank=True)
    wished_booth = models.ForeignKey(
        Booth,
        verbose_name=_("wished booth"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    wished_category = models.CharField(
        _("wished category"), max_length=20, choices=Booth.Category.choices, blank=True
    )
    pending_changes = models.JSONField(
        _("changes waiting for approval"),
        default=dict,
        blank=True,
        help_text=_("Field → [current value, proposed value]."),
    )
    extra_passes = models.PositiveSmallIntegerField(_("extra staff passes"), default=0)
    search_key = models.TextField(editable=False, default="")
    created = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["conference", "display_name"]
        verbose_name = _("exhibitor")
        verbose_name_plural = _("exhibitors")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "organisation"], name="one_exhibitor_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.organisation)

    def save(self, *args, **kwargs):
        if not self.display_name:
            self.display_name = self.organisation.name
            self.display_name_zh = self.display_name_zh or self.organisation.name_zh
        self.search_key = build_search_key(
            self.display_name, self.display_name_zh, self.organisation.short_name
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    name_i18n = bilingual("display_name")
    description_i18n = bilingual("description")

    def get_absolute_url(self) -> str:
        return reverse("exhibition:exhibitor", kwargs={"slug": self.conference.slug, "pk": self.pk})

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED


def product_image_path(product: Product, filename: str) -> str:
    return f"exhibition/products/{uuid.uuid4().hex}.jpg"


class Product(models.Model):
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    image = models.ImageField(_("image"), upload_to=product_image_path, blank=True, max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name_i18n = bilingual("name")
    description_i18n = bilingual("description")

    class Meta:
        ordering = ["exhibitor", "order", "id"]
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")

    def __str__(self) -> str:
        return self.name


class BoothBooking(models.Model):
    class Status(models.TextChoices):
        HELD = "held", pgettext_lazy("booth status", "Held")
        BOOKED = "booked", pgettext_lazy("booth status", "Booked")
        RELEASED = "released", pgettext_lazy("booth status", "Released")

    LIVE = (Status.HELD, Status.BOOKED)

    booth = models.ForeignKey(
        Booth, verbose_name=_("booth"), on_delete=models.RESTRICT, related_name="bookings"
    )
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="bookings"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.HELD
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, default=0)
    held_until = models.DateTimeField(_("held until"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    booked_at = models.DateTimeField(_("booked"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("booth booking")
        verbose_name_plural = _("booth bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["booth"],
                condition=Q(status__in=["held", "booked"]),
                name="one_live_booking_per_booth",
                violation_error_message=_("This booth is already held or booked."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.booth} → {self.exhibitor} ({self.status})"

    @property
    def reference(self) -> str:
        """What the exhibitor quotes on a bank transfer: booth code and booking number."""
        return f"{self.booth.code}-{self.pk}"

    def hold_expired(self, now=None) -> bool:
        """A hold whose 15 minutes are over (released or not yet): it can no longer be paid."""
        if self.status == self.Status.RELEASED:
            return True
        return (
            self.status == self.Status.HELD
            and self.held_until is not None
            and self.held_until < (now or timezone.now())
        )


class BoothPayment(models.Model):
    """A payment for a booth booking: recorded by an organiser (bank transfer) or made online
    through one of registration's payment providers.

    A payment above zero gets a receipt number, per edition and without gaps, in a series
    of its own beside the registration receipts (printed ``BJ25-R-B-0001``).
    """

    booking = models.ForeignKey(
        BoothBooking, verbose_name=_("booking"), on_delete=models.RESTRICT, related_name="payments"
    )
    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="booth_payments",
        null=True,
        editable=False,
    )
    receipt_number = models.PositiveIntegerField(
        _("receipt number"), null=True, blank=True, editable=False
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    provider = models.CharField(_("provider"), max_length=40, default="bank_transfer")
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-paid_at"]
        verbose_name = _("booth payment")
        verbose_name_plural = _("booth payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="booth_payment_not_negative"),
            models.UniqueConstraint(
                fields=["conference", "receipt_number"], name="booth_receipt_number_per_conference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    @property
    def receipt_label(self) -> str:
        """The receipt number as printed, ``BJ25-R-B-0001``; empty if there is none."""
        if self.receipt_number is None:
            return ""
        letterhead = getattr(self.conference, "letterhead", None)
        prefix = letterhead.receipt_prefix if letterhead else "R"
        return f"{prefix}-B-{self.receipt_number:04d}"


class StaffPass(models.Model):
    class Role(models.TextChoices):
        SCAN = "scan", _("Scanning only")
        LEADS = "leads", _("Scanning, seeing and exporting leads")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")

    ACTIVE = (Status.INVITED, Status.ACCEPTED)

    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="passes"
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_passes",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SCAN)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INVITED
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("invited"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["exhibitor", "created", "id"]
        verbose_name = _("staff pass")
        verbose_name_plural = _("staff passes")
        constraints = [
            models.UniqueConstraint(
                fields=["exhibitor", "email"],
                condition=Q(status__in=["invited", "accepted"]),
                name="one_active_pass_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.exhibitor}"


class Lead(models.Model):
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.CASCADE, related_name="leads"
    )
    registration = models.ForeignKey(
        Registration, verbose_name=_("visitor"), on_delete=models.CASCADE, related_name="leads"
    )
    client_id = models.UUIDField(_("client id"), unique=True)
    scanned_at = models.DateTimeField(_("scanned"), help_text=_("The scanning device's time."))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scanned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn by the visitor"), null=True, blank=True)

    class Meta:
        ordering = ["-scanned_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.UniqueConstraint(
                fields=["exhibitor", "registration"], name="one_lead_per_exhibitor_and_visitor"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__lte=5),
                name="lead_rating_0_to_5",
                violation_error_message=_("A rating is from 0 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} @ {self.exhibitor}"


class LeadConsent(models.Model):
    """What a badge scan shares with an exhibitor (``exhibitor`` set) or with all (empty).

    Without a row: name and organisation only. A row for one exhibitor overrides the row
    for all.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("visitor"), on_delete=models.CASCADE, related_name="lead_consents"
    )
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("Empty: every exhibitor."),
    )
    share_name = models.BooleanField(_("name"), default=True)
    share_organisation = models.BooleanField(_("organisation"), default=True)
    share_email = models.BooleanField(_("e-mail"), default=False)
    share_phone = models.BooleanField(_("phone"), default=False)
    share_job_title = models.BooleanField(_("job title"), default=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    FIELDS = ("share_name", "share_organisation", "share_email", "share_phone", "share_job_title")

    class Meta:
        verbose_name = _("lead consent")
        verbose_name_plural = _("lead consents")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "exhibitor"], name="one_consent_per_person_and_exhibitor"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(exhibitor__isnull=True),
                name="one_general_consent_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.exhibitor or _('every exhibitor')}"


class Tour(models.Model):
    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="tours"
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    party = models.JSONField(
        _("party"),
        default=list,
        blank=True,
        help_text=_("The VIP party in protocol order: a list of {name, name_zh, title}."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    walking_speed = models.FloatField(
        _("walking speed (metres a minute)"), default=50, help_text=_("A slow, official pace.")
    )
    hosts_notified_at = models.DateTimeField(_("hosts told"), null=True, blank=True)

    name_i18n = bilingual("name")

    class Meta:
        ordering = ["conference", "starts_at"]
        verbose_name = _("tour")
        verbose_name_plural = _("tours")

    def __str__(self) -> str:
        return self.name


class TourStop(models.Model):
    tour = models.ForeignKey(
        Tour, verbose_name=_("tour"), on_delete=models.CASCADE, related_name="stops"
    )
    booth = models.ForeignKey(
        Booth, verbose_name=_("booth"), on_delete=models.RESTRICT, related_name="tour_stops"
    )
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=5)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["tour", "order", "id"]
        verbose_name = _("tour stop")
        verbose_name_plural = _("tour stops")
        constraints = [
            models.UniqueConstraint(fields=["tour", "booth"], name="one_stop_per_booth_and_tour")
        ]

    def __str__(self) -> str:
        return f"{self.tour}: {self.booth}"


class SavedBooth(models.Model):
    """A booth a visitor saved to their agenda (shown on /me/ with its hall and hours)."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("visitor"),
        on_delete=models.CASCADE,
        related_name="saved_booths",
    )
    booth = models.ForeignKey(
        Booth, verbose_name=_("booth"), on_delete=models.CASCADE, related_name="saved_by"
    )
    created = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["booth__hall__order", "booth__code"]
        verbose_name = _("saved booth")
        verbose_name_plural = _("saved booths")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "booth"], name="one_save_per_booth_and_visitor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration.person} ★ {self.booth}"
