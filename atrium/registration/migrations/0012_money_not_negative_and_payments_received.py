"""Money is never negative; a price of 0 only on a free type; payments record what arrived.

Before the check constraints are added, ``check_money`` looks at the rows already there:

- types whose every price is 0 become ``is_free`` (they were free in all but name);
- any negative amount (a price, a voucher's amount, an order's price, total or refund, a
  payment) or a type priced 0 in one currency but not in the other (or with an early-bird
  price of 0) stops the migration with a list of the rows to fix in the admin. Amounts of
  money are not guessed: an organiser corrects them, then runs ``migrate`` again.

Paid and refunded orders are taken to have received their total (the only amount
``payment_confirm`` accepted until now).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q

MONEY_COLUMNS = {
    "RegistrationType": ("price_usd", "price_cny", "early_price_usd", "early_price_cny"),
    "Voucher": ("amount_usd", "amount_cny"),
    "Order": ("list_price", "total", "refund_amount"),
    "Payment": ("amount",),
}


def check_money(apps, schema_editor):
    problems = []
    for model_name, fields in MONEY_COLUMNS.items():
        model = apps.get_model("registration", model_name)
        negative = Q()
        for field in fields:
            negative |= Q(**{f"{field}__lt": 0})
        for row in model.objects.filter(negative).order_by("pk"):
            values = ", ".join(
                f"{field}={getattr(row, field)}"
                for field in fields
                if getattr(row, field) is not None and getattr(row, field) < 0
            )
            problems.append(f"{model_name} #{row.pk}: negative {values}")
    RegistrationType = apps.get_model("registration", "RegistrationType")
    RegistrationType.objects.filter(price_usd=0, price_cny=0).filter(
        Q(early_price_usd__isnull=True) | Q(early_price_usd=0),
        Q(early_price_cny__isnull=True) | Q(early_price_cny=0),
    ).update(is_free=True)
    half_free = RegistrationType.objects.filter(is_free=False).filter(
        Q(price_usd=0) | Q(price_cny=0) | Q(early_price_usd=0) | Q(early_price_cny=0)
    )
    for row in half_free.order_by("pk"):
        problems.append(
            f"RegistrationType #{row.pk} ({row.code}): a price of 0 on a type that is not free "
            f"(USD {row.price_usd}, CNY {row.price_cny}, early USD {row.early_price_usd}, "
            f"early CNY {row.early_price_cny})"
        )
    if problems:
        raise RuntimeError(
            "Cannot add the money checks: fix these rows in the admin (or the database), "
            "then run migrate again:\n  " + "\n  ".join(problems)
        )
    Order = apps.get_model("registration", "Order")
    Order.objects.filter(status__in=["paid", "refunded"], received_amount__isnull=True).update(
        received_amount=F("total"), received_currency=F("currency")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_conference_badge_layout"),
        ("registration", "0011_move_out_checkin_and_visas"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="received_amount",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                editable=False,
                help_text="What the confirmed payment brought in (may differ from the total).",
                max_digits=10,
                null=True,
                verbose_name="amount received",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="received_currency",
            field=models.CharField(
                blank=True,
                choices=[("USD", "US dollars (USD)"), ("CNY", "Chinese yuan (CNY)")],
                editable=False,
                max_length=3,
                verbose_name="currency received",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="bank_reference",
            field=models.CharField(
                blank=True,
                help_text="The reference on the bank statement.",
                max_length=100,
                verbose_name="bank reference",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="received_on",
            field=models.DateField(
                blank=True,
                help_text="The day the money arrived.",
                null=True,
                verbose_name="received on",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="registrationtype",
            name="is_free",
            field=models.BooleanField(
                default=False,
                help_text="A free type (speakers, press, guests) has every price at 0; any other type has prices above 0.",
                verbose_name="free",
            ),
        ),
        migrations.RunPython(check_money, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("list_price__isnull", True), ("list_price__gte", 0), _connector="OR"),
                    models.Q(("total__isnull", True), ("total__gte", 0), _connector="OR"),
                    models.Q(
                        ("refund_amount__isnull", True), ("refund_amount__gte", 0), _connector="OR"
                    ),
                    models.Q(
                        ("received_amount__isnull", True),
                        ("received_amount__gte", 0),
                        _connector="OR",
                    ),
                ),
                name="order_amounts_not_negative",
                violation_error_message="An order's amounts cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)),
                name="payment_amount_not_negative",
                violation_error_message="A payment's amount cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="registrationtype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("price_usd__isnull", True), ("price_usd__gte", 0), _connector="OR"),
                    models.Q(("price_cny__isnull", True), ("price_cny__gte", 0), _connector="OR"),
                    models.Q(
                        ("early_price_usd__isnull", True),
                        ("early_price_usd__gte", 0),
                        _connector="OR",
                    ),
                    models.Q(
                        ("early_price_cny__isnull", True),
                        ("early_price_cny__gte", 0),
                        _connector="OR",
                    ),
                ),
                name="registration_type_prices_not_negative",
                violation_error_message="Prices cannot be negative.",
            ),
        ),
        migrations.AddConstraint(
            model_name="registrationtype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("is_free", True),
                        ("price_cny", 0),
                        ("price_usd", 0),
                        models.Q(
                            ("early_price_usd__isnull", True),
                            ("early_price_usd", 0),
                            _connector="OR",
                        ),
                        models.Q(
                            ("early_price_cny__isnull", True),
                            ("early_price_cny", 0),
                            _connector="OR",
                        ),
                    ),
                    models.Q(
                        ("is_free", False),
                        ("price_cny__gt", 0),
                        ("price_usd__gt", 0),
                        models.Q(
                            ("early_price_usd__isnull", True),
                            ("early_price_usd__gt", 0),
                            _connector="OR",
                        ),
                        models.Q(
                            ("early_price_cny__isnull", True),
                            ("early_price_cny__gt", 0),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="registration_type_zero_price_only_if_free",
                violation_error_message="A price of 0 is only for a type marked free, and a free type costs 0.",
            ),
        ),
        migrations.AddConstraint(
            model_name="voucher",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("amount_usd__isnull", True), ("amount_usd__gte", 0), _connector="OR"),
                    models.Q(("amount_cny__isnull", True), ("amount_cny__gte", 0), _connector="OR"),
                ),
                name="voucher_amounts_not_negative",
                violation_error_message="A voucher's amounts cannot be negative.",
            ),
        ),
    ]
