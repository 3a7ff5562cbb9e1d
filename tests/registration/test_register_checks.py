"""Register form checks: dates within a window around the edition, phone numbers in E.164,
free-text answers of bounded length; each refusal names its field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from atrium.network.models import Person
from atrium.registration import services
from atrium.registration.models import Answer, Question, Registration
from atrium.registration.phones import phone_e164
from tests.factories import (
    ConferenceFactory,
    PersonFactory,
    QuestionFactory,
    RegistrationPolicyFactory,
    RegistrationTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():  # 16-18 September 2025
    conference = ConferenceFactory(slug="beijing-2025")
    RegistrationPolicyFactory(conference=conference)
    return conference


@pytest.fixture
def arrival(conference):
    return QuestionFactory(conference=conference, label="Arrival date", kind=Question.Kind.DATE)


@pytest.fixture
def rtype(conference):
    return RegistrationTypeFactory(conference=conference)


def submit(conference, rtype, **kwargs):
    return services.registration_submit(
        conference=conference, person=PersonFactory(), rtype=rtype, **kwargs
    )


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("1999-01-01", False),
        ("2025-07-17", False),  # 61 days before the first day
        ("2025-07-18", True),  # 60 days before
        ("2025-09-15", True),
        ("2025-10-18", True),  # 30 days after the last day
        ("2025-10-19", False),
    ],
)
def test_date_answers_fall_within_a_window_around_the_edition(
    conference, rtype, arrival, value, accepted
):
    if accepted:
        registration = submit(conference, rtype, answers={arrival.pk: value})
        assert registration.answers.get().value == value
        return
    with pytest.raises(ValidationError) as error:
        submit(conference, rtype, answers={arrival.pk: value})
    assert error.value.message_dict[f"q_{arrival.pk}"] == [
        "Arrival date: enter a date between 2025-07-18 and 2025-10-18 (around the edition's dates)."
    ]
    assert not Registration.objects.exists() and not Answer.objects.exists()


def test_long_text_answers_are_refused_with_their_length(conference, rtype):
    question = QuestionFactory(conference=conference, label="Dietary needs")
    with pytest.raises(ValidationError) as error:
        submit(conference, rtype, answers={question.pk: "x" * 1001})
    assert error.value.message_dict[f"q_{question.pk}"] == [
        "Dietary needs: keep it to 1000 characters (this is 1001)."
    ]


@pytest.mark.parametrize(
    ("value", "country", "stored"),
    [
        ("+86 10 6256 6000", "", "+861062566000"),
        ("010-6256 6000", "CN", "+861062566000"),
        ("138 0013 8000", "CN", "+8613800138000"),
        ("0033 1 42 68 53 00", "FR", "+33142685300"),
        ("01 42 68 53 00", "FR", "+33142685300"),
    ],
)
def test_phone_numbers_are_stored_in_e164(value, country, stored):
    assert phone_e164(value, country=country) == stored


@pytest.mark.parametrize("value", ["call me maybe 😀", "12", "+86 1", "+999 1234 5678"])
def test_what_is_not_a_phone_number_is_refused(value):
    with pytest.raises(ValidationError) as error:
        phone_e164(value, country="CN")
    assert error.value.message_dict["phone"][0].startswith("Phone: ")


def test_the_registration_service_stores_the_phone_in_e164(conference, rtype):
    person = PersonFactory(country="CN")
    services.registration_submit(
        conference=conference, person=person, rtype=rtype, profile={"phone": "138 0013 8000"}
    )
    person.refresh_from_db()
    assert person.phone == "+8613800138000"


def test_the_registration_service_refuses_a_bad_phone_and_writes_nothing(conference, rtype):
    person = PersonFactory(country="CN", phone="")
    with pytest.raises(ValidationError) as error:
        services.registration_submit(
            conference=conference,
            person=person,
            rtype=rtype,
            profile={"phone": "call me maybe 😀"},
        )
    assert "phone" in error.value.message_dict
    person.refresh_from_db()
    assert person.phone == "" and not Registration.objects.exists()


def test_the_register_form_names_the_fields_and_sums_the_errors_up(
    client, conference, rtype, arrival
):
    user = UserFactory()
    client.force_login(user)
    url = reverse("registration:register", args=[conference.slug])
    page = client.get(url).content.decode()
    assert 'min="2025-07-18"' in page and 'max="2025-10-18"' in page
    response = client.post(
        url,
        {
            "type": rtype.pk,
            "currency": "USD",
            "name": "Cecile Harle",
            "country": "FR",
            "phone": "call me maybe 😀",
            f"q_{arrival.pk}": "1999-01-01",
        },
    )
    html = response.content.decode()
    assert "is not a phone number we can reach" in html
    assert "Arrival date: enter a date between" in html
    # The summary at the top links each field in error.
    assert "data-error-summary" in html
    assert 'href="#id_phone"' in html and f'href="#id_q_{arrival.pk}"' in html
    assert not Registration.objects.exists()
    assert not Person.objects.filter(user=user, phone__contains="maybe").exists()


def test_the_register_form_stores_a_good_phone_in_e164(client, conference, rtype):
    user = UserFactory()
    client.force_login(user)
    client.post(
        reverse("registration:register", args=[conference.slug]),
        {
            "type": rtype.pk,
            "currency": "USD",
            "name": "Ma Jun",
            "country": "CN",
            "phone": "138 0013 8000",
        },
    )
    assert Person.objects.get(user=user).phone == "+8613800138000"


def test_the_summary_names_each_field_once(client, conference, rtype, arrival):
    client.force_login(UserFactory())
    response = client.post(
        reverse("registration:register", args=[conference.slug]),
        {
            "type": rtype.pk,
            "currency": "USD",
            "name": "",
            "country": "FR",
            "phone": "12",
            f"q_{arrival.pk}": "1999-01-01",
        },
    )
    html = response.content.decode()
    assert "Arrival date: Arrival date" not in html and "Phone: Phone" not in html
    assert "Name (Latin script): This field is required." in html
