"""The demo's receipts and check-ins: a fresh load numbers the paid orders and lets the demo
delegate download her receipt and certificate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atrium.checkin.certificates import certificate_refusal
from atrium.checkin.models import CheckIn
from atrium.demo.loader import load_demo
from atrium.registration.models import Order, Registration
from atrium.registration.receipts import receipt_refusal

pytestmark = pytest.mark.django_db


def test_fresh_demo_has_numbered_receipts_and_check_ins(client, clock):
    load_demo()
    clock.move_to("2025-09-25 12:00:00")  # after the demo edition
    orders = Order.objects.filter(conference__slug="beijing-2025")
    paid = orders.filter(status="paid")
    assert paid.count() > 100
    numbers = sorted(paid.values_list("receipt_number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert not orders.exclude(status="paid").filter(receipt_number__isnull=False).exists()
    assert CheckIn.objects.filter(conference__slug="beijing-2025", session__isnull=False).exists()

    cecile = Registration.objects.select_related("conference", "order", "person__user").get(
        conference__slug="beijing-2025", person__slug="cecile-harle"
    )
    assert receipt_refusal(cecile.order) is None
    assert cecile.order.receipt_label.startswith("BJ25-R-")
    assert certificate_refusal(cecile) is None  # the demo edition is over
    client.force_login(cecile.person.user)
    me = client.get(reverse("registration:me")).content.decode()
    assert reverse("registration:my-receipt", args=["beijing-2025"]) in me
    assert reverse("checkin:my-certificate", args=["beijing-2025"]) in me
    response = client.get(reverse("checkin:my-certificate", args=["beijing-2025"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    # Loading again numbers nothing twice and adds no check-in.
    counts = load_demo()["created"]
    assert counts["beijing_receipts"] == 0 and counts["beijing_checkins"] == 0
