"""Extra factories for the organiser pages: orders, answers and conference roles."""

from __future__ import annotations

from decimal import Decimal

import factory

from atrium.events.models import ConferenceRole
from atrium.registration.models import Answer, Order
from tests.factories import QuestionFactory, RegistrationFactory, UserFactory


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    registration = factory.SubFactory(RegistrationFactory)
    conference = factory.SelfAttribute("registration.conference")
    reference = factory.Sequence(lambda n: f"T-{n:06d}")
    currency = "USD"
    list_price = Decimal("800.00")
    total = Decimal("800.00")
    status = Order.Status.PENDING


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    registration = factory.SubFactory(RegistrationFactory)
    question = factory.SubFactory(
        QuestionFactory, conference=factory.SelfAttribute("..registration.conference")
    )
    value = "yes"


class AccountFactory(UserFactory):
    """A user whose password is saved: ``UserFactory`` skips the save after
    ``set_password``, so a session made with ``force_login`` would not survive the
    next request (the session's password hash no longer matches the database).
    Redundant once ``UserFactory`` uses ``factory.django.Password`` (as on main now)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class ConferenceRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConferenceRole

    user = factory.SubFactory(AccountFactory)
    role = ConferenceRole.Role.ORGANISER
