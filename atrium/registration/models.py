"""Registration: types and prices, custom questions, vouchers, orders and payments,
delegations, and seat quotas with waiting lists.

State changes go through ``atrium.registration.services``; the models only hold
data and small derived properties.

Length (about 700 lines): one model per subject of registration (policy, types,
questions, vouchers, delegations, registrations, orders, payments, seats, letterhead); each
model is short, and they reference each other throughout.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from atrium.core.i18n import bilingual, option_lines
from atrium.events.models import Conference, Session
from atrium.network.models import Organisation, Person

MONEY = {"max_digits": 10, "decimal_places": 2}


def _not_negative(*fields: str) -> Q:
    """Each of ``fields`` is empty or at least 0 (a database check of money columns)."""
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0})
    return condition


def negative_money_errors(instance: models.Model, fields: tuple[str, ...]) -> dict[str, str]:
    """A message per money field of ``instance`` holding a negative amount, naming the field."""
    errors = {}
    for field in fields:
        value = getattr(instance, field)
        if value is not None and value < 0:
            label = instance._meta.get_field(field).verbose_name
            errors[field] = _("“%(field)s” cannot be negative.") % {"field": label}
    return errors


class Currency(models.TextChoices):
    USD = "USD", _("US dollars (USD)")
    CNY = "CNY", _("Chinese yuan (CNY)")


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class RegistrationPolicy(models.Model):
    """An edition's registration period, early-bird deadline, refund policy and bank details."""

    conference = models.OneToOneField(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="registration_policy",
    )
    opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    early_bird_until = models.DateTimeField(_("early-bird prices until"), null=True, blank=True)
    full_refund_until = models.DateTimeField(
        _("full refund until"),
        null=True,
        blank=True,
        help_text=_("Cancellations before this moment get the whole amount back."),
    )
    half_refund_until = models.DateTimeField(
        _("half refund until"),
        null=True,
        blank=True,
        help_text=_("Cancellations before this moment (and after the full refund) get 50% back."),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        default="ATR",
        help_text=_("Starts every order reference, e.g. BJ25-7K3Q9M."),
    )
    bank_details = models.TextField(_("bank transfer instructions"), blank=True)
    bank_details_zh = models.TextField(_("bank transfer instructions in Chinese"), blank=True)

    bank_details_i18n = bilingual("bank_details")

    class Meta:
        verbose_name = _("registration policy")
        verbose_name_plural = _("registration policies")

    def __str__(self) -> str:
        return str(self.conference)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        if self.opens_at and at < self.opens_at:
            return False
        if self.conference.has_ended(at):
            # Without ``closes_at`` too: nobody registers for an edition that is over.
            return False
        return not (self.closes_at and at >= self.closes_at)

    def is_early(self, at=None) -> bool:
        at = at or timezone.now()
        return bool(self.early_bird_until and at < self.early_bird_until)


class RegistrationType(models.Model):
    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="registration_types",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description in Chinese"), blank=True)
    price_usd = models.DecimalField(_("price (USD)"), default=Decimal(0), **MONEY)
    price_cny = models.DecimalField(_("price (CNY)"), default=Decimal(0), **MONEY)
    early_price_usd = models.DecimalField(
        _("early-bird price (USD)"), null=True, blank=True, **MONEY
    )
    early_price_cny = models.DecimalField(
        _("early-bird price (CNY)"), null=True, blank=True, **MONEY
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty for no limit.")
    )
    requires_approval = models.BooleanField(
        _("needs approval"),
        default=False,
        help_text=_("An organiser approves each registration (press, VIP, speakers)."),
    )
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Only for people of a member organisation of the association."),
    )
    is_free = models.BooleanField(
        pgettext_lazy("costs nothing", "free"),
        default=False,
        help_text=_(
            "A free type (speakers, press, guests) has every price at 0; "
            "any other type has prices above 0."
        ),
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    name_i18n = bilingual("name")
    description_i18n = bilingual("description")

    PRICE_FIELDS = ("price_usd", "price_cny", "early_price_usd", "early_price_cny")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("registration type")
        verbose_name_plural = _("registration types")
        constraints = [
            models.UniqueConstraint(fields=["conference", "code"], name="registration_type_code"),
            models.CheckConstraint(
                condition=_not_negative(
                    "price_usd", "price_cny", "early_price_usd", "early_price_cny"
                ),
                name="registration_type_prices_not_negative",
                violation_error_message=_("Prices cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(is_free=True, price_usd=0, price_cny=0)
                    & (Q(early_price_usd__isnull=True) | Q(early_price_usd=0))
                    & (Q(early_price_cny__isnull=True) | Q(early_price_cny=0))
                )
                | (
                    Q(is_free=False, price_usd__gt=0, price_cny__gt=0)
                    & (Q(early_price_usd__isnull=True) | Q(early_price_usd__gt=0))
                    & (Q(early_price_cny__isnull=True) | Q(early_price_cny__gt=0))
                ),
                name="registration_type_zero_price_only_if_free",
                violation_error_message=_(
                    "A price of 0 is only for a type marked free, and a free type costs 0."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def price(self, currency: str, *, early: bool) -> Decimal:
        field = "price_usd" if currency == Currency.USD else "price_cny"
        if early:
            early_price = getattr(self, f"early_{field}")
            if early_price is not None:
                return early_price
        return getattr(self, field)

    def clean(self) -> None:
        errors = negative_money_errors(self, self.PRICE_FIELDS)
        for field in self.PRICE_FIELDS:
            value = getattr(self, field)
            if field in errors or value is None:
                continue
            label = self._meta.get_field(field).verbose_name
            if self.is_free and value != 0:
                errors[field] = _("“%(field)s” must be 0 on a free type (or untick “free”).") % {
                    "field": label
                }
            elif not self.is_free and value == 0:
                errors[field] = _("“%(field)s” cannot be 0 unless the type is marked free.") % {
                    "field": label
                }
        if errors:
            raise ValidationError(errors)


class Question(models.Model):
    """A custom question of an edition's registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes or no")
        DATE = "date", _("Date")

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=200)
    label_zh = models.CharField(_("question in Chinese"), max_length=200, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    help_text_zh = models.CharField(_("help text in Chinese"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    options = models.TextField(
        _("options"),
        blank=True,
        help_text=_(
            "For choice questions: one option per line, English then Chinese after a '|', "
            "e.g. 'Vegetarian|素食'."
        ),
    )
    required = models.BooleanField(_("required"), default=False)
    types = models.ManyToManyField(
        RegistrationType,
        verbose_name=_("for types"),
        blank=True,
        help_text=_("Empty: asked of every type."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    label_i18n = bilingual("label")
    help_text_i18n = bilingual("help_text")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    def option_pairs(self) -> list[tuple[str, str, str]]:
        """(value, English, Chinese) for each option line; the value is the English text."""
        return option_lines(self.options)


class Voucher(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage off")
        FIXED = "fixed", _("Fixed amount off")
        FREE = "free", _("Free")

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="vouchers"
    )
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Not case-sensitive; stored in capitals.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    percent = models.PositiveSmallIntegerField(
        _("percent off"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    amount_usd = models.DecimalField(_("amount off (USD)"), null=True, blank=True, **MONEY)
    amount_cny = models.DecimalField(_("amount off (CNY)"), null=True, blank=True, **MONEY)
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    used = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    types = models.ManyToManyField(
        RegistrationType,
        verbose_name=_("valid for types"),
        blank=True,
        help_text=_("Empty: valid for every type."),
    )
    comment = models.CharField(_("internal note"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.UniqueConstraint(fields=["conference", "code"], name="voucher_code_unique"),
            models.CheckConstraint(
                condition=Q(used__lte=models.F("max_uses")), name="voucher_not_overused"
            ),
            models.CheckConstraint(
                condition=_not_negative("amount_usd", "amount_cny"),
                name="voucher_amounts_not_negative",
                violation_error_message=_("A voucher's amounts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = negative_money_errors(self, ("amount_usd", "amount_cny"))
        if errors:
            raise ValidationError(errors)

    def discounted(self, price: Decimal, currency: str) -> Decimal:
        if self.kind == self.Kind.FREE:
            return Decimal(0)
        if self.kind == self.Kind.PERCENT:
            off = (price * Decimal(self.percent or 0) / 100).quantize(Decimal("0.01"))
        else:
            off = (self.amount_usd if currency == Currency.USD else self.amount_cny) or Decimal(0)
        return max(Decimal(0), price - off)


class Delegation(models.Model):
    """A group travelling together, from a city, a country or an organisation."""

    class Basis(models.TextChoices):
        CITY = "city", _("City")
        COUNTRY = "country", _("Country")
        ORGANISATION = "organisation", _("Organisation")

    class MemberKind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        PARK = "park", _("Science parks")
        COMPANY = "company", _("Companies")
        MIXED = "mixed", _("Mixed")

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="delegations",
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    basis = models.CharField(_("from"), max_length=20, choices=Basis.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegations",
    )
    member_kind = models.CharField(
        _("members"), max_length=20, choices=MemberKind.choices, default=MemberKind.MIXED
    )
    head = models.ForeignKey(
        Person,
        verbose_name=_("head of delegation"),
        on_delete=models.PROTECT,
        related_name="delegations_led",
    )
    invitations_stopped = models.BooleanField(
        _("invitations stopped"),
        default=False,
        help_text=_("Organisers stop a delegation from sending more invitations."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    name_i18n = bilingual("name")

    class Meta:
        ordering = ["name"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "registration:delegation", kwargs={"slug": self.conference.slug, "pk": self.pk}
        )


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    class Approval(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Not needed")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    ACTIVE = (Status.PENDING, Status.CONFIRMED)

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="registrations"
    )
    type = models.ForeignKey(
        RegistrationType,
        verbose_name=_("registration type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    approval = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default=Approval.NOT_NEEDED
    )
    decision_reason = models.TextField(_("reason given"), blank=True)
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    voucher = models.ForeignKey(
        Voucher,
        verbose_name=_("voucher"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    consent_directory = models.BooleanField(_("listed in the attendee directory"), default=False)
    consent_photos = models.BooleanField(_("photos may be published"), default=False)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    feed_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_feed_token
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    visa_refusal_proof = models.FileField(
        _("proof of visa refusal"), upload_to="private/visa-refusals/%Y/", blank=True
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "person"], name="one_registration_per_person_and_conference"
            )
        ]
        indexes = [models.Index(fields=["conference", "status"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.conference}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def reference(self) -> str:
        order = getattr(self, "order", None)
        return order.reference if order else ""


class Answer(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["question__position", "question_id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["registration", "question"], name="one_answer")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class Order(models.Model):
    """What a registration costs, and whether it is paid.

    ``reference`` identifies the order (on bank transfers, at the desk). A paid order also
    gets a receipt number: per edition, without gaps, in the order payments were
    confirmed (``services.payment_confirm``); printed with the letterhead's prefix
    (``BJ25-R-0001``). A free order has none; a cancelled or refunded order keeps its own.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        FREE = "free", _("Free")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    conference = models.ForeignKey(
        Conference, verbose_name=_("conference"), on_delete=models.CASCADE, related_name="orders"
    )
    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="order"
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    list_price = models.DecimalField(_("price"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    refund_amount = models.DecimalField(_("refund"), default=Decimal(0), **MONEY)
    refund_reason = models.CharField(_("refund reason"), max_length=200, blank=True)
    receipt_number = models.PositiveIntegerField(
        _("receipt number"), null=True, blank=True, editable=False
    )
    receipt_issued_at = models.DateTimeField(
        _("receipt issued"), null=True, blank=True, editable=False
    )
    received_amount = models.DecimalField(
        _("amount received"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("What the confirmed payment brought in (may differ from the total)."),
        **MONEY,
    )
    received_currency = models.CharField(
        _("currency received"), max_length=3, choices=Currency.choices, blank=True, editable=False
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "receipt_number"], name="receipt_number_per_conference"
            ),
            models.CheckConstraint(
                condition=_not_negative("list_price", "total", "refund_amount", "received_amount"),
                name="order_amounts_not_negative",
                violation_error_message=_("An order's amounts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def receipt_label(self) -> str:
        """The receipt number as printed, ``BJ25-R-0001``; empty if the order has none."""
        if self.receipt_number is None:
            return ""
        letterhead = getattr(self.conference, "letterhead", None)
        prefix = letterhead.receipt_prefix if letterhead else "R"
        return f"{prefix}-{self.receipt_number:04d}"

    @property
    def discount(self) -> Decimal:
        return self.list_price - self.total

    @property
    def is_settled(self) -> bool:
        return self.status in (self.Status.PAID, self.Status.FREE)

    @property
    def payment_flag(self) -> str:
        """``under``, ``over`` or ``currency`` when what was received differs from the total."""
        if self.received_amount is None:
            return ""
        if self.received_currency and self.received_currency != self.currency:
            return "currency"
        if self.received_amount < self.total:
            return "under"
        if self.received_amount > self.total:
            return "over"
        return ""

    @property
    def payment_difference(self) -> Decimal:
        """Received minus due, in the order's currency (0 when not comparable)."""
        if self.received_amount is None or self.payment_flag == "currency":
            return Decimal(0)
        return self.received_amount - self.total

    @property
    def payment_gap(self) -> Decimal:
        """How far what was received is from the total, as a positive amount."""
        return abs(self.payment_difference)


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Started")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="payments"
    )
    provider = models.CharField(_("provider"), max_length=30)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    received_on = models.DateField(
        _("received on"), null=True, blank=True, help_text=_("The day the money arrived.")
    )
    bank_reference = models.CharField(
        _("bank reference"),
        max_length=100,
        blank=True,
        help_text=_("The reference on the bank statement."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["created"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="payment_amount_not_negative",
                violation_error_message=_("A payment's amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency}"


class DelegationInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    type = models.ForeignKey(
        RegistrationType,
        verbose_name=_("registration type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    registration = models.OneToOneField(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    created = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("delegation invitation")
        verbose_name_plural = _("delegation invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "email"],
                condition=Q(status="pending"),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.delegation}"


class SeatBooking(models.Model):
    """A place on a session with limited seats, or a place on its waiting list.

    The waiting list is the waitlisted bookings of a session in the order they
    were made (``created``, then ``id``).
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Seat confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    #: Holding a seat or a place on the waiting list.
    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="bookings"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="bookings",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created = models.DateTimeField(_("signed up"), default=timezone.now, db_index=True)
    promoted_at = models.DateTimeField(_("moved up"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("seat booking")
        verbose_name_plural = _("seat bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="one_active_booking_per_session",
            )
        ]
        indexes = [models.Index(fields=["session", "status", "created"])]

    def __str__(self) -> str:
        return f"{self.registration.person} – {self.session}"


class Letterhead(models.Model):
    """Who issues an edition's papers: visa invitation letters, receipts, certificates.

    The host (the letters' sender, with its name also in Chinese), its address and
    contacts, the signatory and the stamp image, the tax number receipts print, and the
    prefixes that start letter and receipt numbers (``BJ25-VL-0001``, ``BJ25-R-0001``).
    """

    conference = models.OneToOneField(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="letterhead",
    )
    issuer_name = models.CharField(_("issuer"), max_length=200)
    issuer_name_zh = models.CharField(_("issuer in Chinese"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    address_zh = models.TextField(_("address in Chinese"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    tax_number = models.CharField(
        _("tax number"),
        max_length=50,
        blank=True,
        help_text=_("Printed on receipts (unified social credit code, VAT number)."),
    )
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True)
    stamp = models.ImageField(
        _("stamp"),
        upload_to="private/letterheads/",
        blank=True,
        help_text=_("A PNG or JPEG of the seal, printed beside the signature."),
    )
    letter_prefix = models.CharField(
        _("letter number prefix"), max_length=16, default="VL", help_text=_("e.g. BJ25-VL")
    )
    receipt_prefix = models.CharField(
        _("receipt number prefix"), max_length=16, default="R", help_text=_("e.g. BJ25-R")
    )

    issuer_name_i18n = bilingual("issuer_name")
    address_i18n = bilingual("address")

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self) -> str:
        return f"{self.conference}: {self.issuer_name}"

    @property
    def contacts(self) -> str:
        """E-mail, phone and website on one line, as letters and receipts print them."""
        return " · ".join(value for value in (self.email, self.phone, self.website) if value)

    def stamp_bytes(self) -> bytes | None:
        """The stamp image's bytes, or None without one (or when its file is gone)."""
        if not self.stamp:
            return None
        try:
            with self.stamp.open("rb") as file:
                return file.read()
        except (OSError, ValueError):  # the file is gone from storage: print without it
            return None


def fapiao_upload_to(instance, filename: str) -> str:
    """A random name under ``private/``: never served by ``/media/``, never guessed."""
    return f"private/fapiao/{timezone.now():%Y}/{secrets.token_urlsafe(16)}.pdf"


class FapiaoRequest(models.Model):
    """A delegate's request for a Chinese invoice (发票) for their order, and its issue.

    The rules (taxpayer number check, what a special VAT invoice needs, who may change
    what when) are in ``atrium.registration.fapiao``.
    """

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary fapiao (普通发票)")
        SPECIAL = "special", _("Special VAT fapiao (增值税专用发票)")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ISSUED = "issued", _("Issued")

    conference = models.ForeignKey(
        Conference,
        verbose_name=_("conference"),
        on_delete=models.CASCADE,
        related_name="fapiao_requests",
    )
    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="fapiao_request",
    )
    kind = models.CharField(_("kind of fapiao"), max_length=10, choices=Kind.choices)
    title = models.CharField(
        _("invoice title (抬头)"),
        max_length=200,
        help_text=_("The organisation's full registered name, as the fapiao must show it."),
    )
    taxpayer_number = models.CharField(
        _("taxpayer number (统一社会信用代码)"),
        max_length=18,
        help_text=_("The unified social credit code: 18 characters."),
    )
    address = models.CharField(_("registered address"), max_length=200, blank=True)
    telephone = models.CharField(_("telephone"), max_length=40, blank=True)
    bank = models.CharField(_("bank"), max_length=200, blank=True)
    account = models.CharField(_("bank account"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    number = models.CharField(_("fapiao number"), max_length=40, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    pdf = models.FileField(_("fapiao (PDF)"), upload_to=fapiao_upload_to, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("requested"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("fapiao request")
        verbose_name_plural = _("fapiao requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="ordinary")
                | (~Q(address="") & ~Q(telephone="") & ~Q(bank="") & ~Q(account="")),
                name="fapiao_special_has_bank_details",
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | (~Q(number="") & Q(issued_on__isnull=False)),
                name="fapiao_issued_has_number_and_date",
            ),
        ]
        indexes = [models.Index(fields=["conference", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.registration.reference})"
