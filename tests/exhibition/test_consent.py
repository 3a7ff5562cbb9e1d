"""A lead shares only what the visitor chose: every combination of choices, for all
exhibitors or for one, in the list and in the CSV export."""

from __future__ import annotations

import csv
import io
import itertools
import uuid

import pytest
from django.utils import translation

from atrium.core import tabular
from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition import selectors
from atrium.exhibition.models import LeadConsent
from tests.exhibition.factories import ExhibitorFactory, badge_token
from tests.factories import (
    ConferenceFactory,
    OrganisationFactory,
    PersonFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

DATA = {
    "name": "Cecile Harle",
    "organisation": "Sophia Antipolis",
    "email": "cecile@example.org",
    "phone": "+33 4 92 00 00 00",
    "job_title": "Head of international relations",
}
FIELD_OF = {
    "share_name": "name",
    "share_organisation": "organisation",
    "share_email": "email",
    "share_phone": "phone",
    "share_job_title": "job_title",
}
COMBINATIONS = list(itertools.product([False, True], repeat=len(LeadConsent.FIELDS)))


def _setup():
    conference = ConferenceFactory()
    person = PersonFactory(
        name=DATA["name"],
        email=DATA["email"],
        phone=DATA["phone"],
        position=DATA["job_title"],
        organisation=OrganisationFactory(name=DATA["organisation"]),
    )
    registration = RegistrationFactory(conference=conference, person=person)
    exhibitor = ExhibitorFactory(conference=conference)
    other = ExhibitorFactory(conference=conference)
    token = badge_token(registration)
    for ex in (exhibitor, other):
        exhibition_leads.lead_scan(exhibitor=ex, token=token, client_id=uuid.uuid4())
    return person, exhibitor, other


def _csv_cells(exhibitor) -> list[str]:
    leads = selectors.leads_with_cards(exhibitor)
    with translation.override("en"):
        response = tabular.tabular_response(
            filename_stem="leads",
            fmt="csv",
            headers=selectors.export_headers(),
            rows=selectors.export_rows(leads),
        )
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1]


def _assert_shares(exhibitor, choices: dict[str, bool]):
    [lead] = selectors.leads_with_cards(exhibitor)
    row = _csv_cells(exhibitor)
    everything = " ".join(row)
    for flag, key in FIELD_OF.items():
        if choices[flag]:
            assert lead.card[key] == DATA[key]
            assert DATA[key] in row
        else:
            assert lead.card[key] == ""
            assert DATA[key] not in everything


def test_without_a_choice_a_scan_shares_name_and_organisation_only():
    _person, exhibitor, _other = _setup()
    _assert_shares(exhibitor, selectors.SHARED_DEFAULT)


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_every_combination_for_all_exhibitors(combination):
    person, exhibitor, other = _setup()
    choices = dict(zip(LeadConsent.FIELDS, combination, strict=True))
    exhibition_leads.consent_set(person=person, **choices)
    _assert_shares(exhibitor, choices)
    _assert_shares(other, choices)


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_every_combination_for_one_exhibitor_overrides_the_general_choice(combination):
    person, exhibitor, other = _setup()
    exhibition_leads.consent_set(person=person)  # general: the defaults
    choices = dict(zip(LeadConsent.FIELDS, combination, strict=True))
    exhibition_leads.consent_set(person=person, exhibitor=exhibitor, **choices)
    _assert_shares(exhibitor, choices)
    _assert_shares(other, selectors.SHARED_DEFAULT)
