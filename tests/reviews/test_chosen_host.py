"""A chosen host bid recorded on the future edition: one bid per edition, or the city and
year only; shown on the call's organiser page and on the future edition's awards page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from atrium.core.models import AuditEntry
from atrium.reviews import services
from atrium.reviews.models import Decision
from tests.factories import ConferenceFactory

from .helpers import make_call, make_organiser, make_person

pytestmark = pytest.mark.django_db


def _bid(call, title, city):
    person = make_person()
    at = call.opens_at + dt.timedelta(hours=1)
    bid = services.submission_save(
        call=call,
        person=person,
        answers={"audience": "x"},
        actor=None,
        at=at,
        data={
            "title": title,
            "city": city,
            "venue": "Hall",
            "supporting_government": city,
            "proposed_start": dt.date(2028, 9, 1),
            "proposed_end": dt.date(2028, 9, 3),
        },
    )
    services.submission_submit(submission=bid, person=person, actor=None, at=at)
    services.decision_set(submission=bid, outcome="accept", actor=None)
    return bid


@pytest.fixture
def bids():
    call = make_call(kind="bids", slug="bids", reviewing=True)
    future = ConferenceFactory(
        name="Summit 2028", start_date=dt.date(2028, 9, 1), end_date=dt.date(2028, 9, 3)
    )
    return {
        "call": call,
        "future": future,
        "seoul": _bid(call, "Seoul bid", "Seoul"),
        "lima": _bid(call, "Lima bid", "Lima"),
        "organiser": make_organiser(call.conference),
    }


def _choose(client, bids, bid, edition):
    call = bids["call"]
    return client.post(
        reverse(
            "reviews:organiser-submission-action", args=[call.conference.slug, call.slug, bid.pk]
        ),
        {"action": "choose", "edition": edition.pk if edition else ""},
        follow=True,
    )


def test_one_bid_per_future_edition(bids):
    services.bid_choose(submission=bids["seoul"], edition=bids["future"], actor=None)
    with pytest.raises(ValidationError) as refused:
        services.bid_choose(submission=bids["lima"], edition=bids["future"], actor=None)
    assert "edition" in refused.value.message_dict
    assert "Seoul bid" in refused.value.message_dict["edition"][0]
    assert Decision.objects.get(submission=bids["lima"]).edition is None
    # and the database says so too
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(submission=bids["lima"]).update(edition=bids["future"])


def test_a_bid_chosen_without_an_edition_keeps_the_city_and_year(client, bids):
    client.force_login(bids["organiser"])
    page = _choose(client, bids, bids["lima"], None)
    assert "marked as chosen" in page.content.decode()
    decision = Decision.objects.get(submission=bids["lima"])
    assert decision.host_chosen_at is not None and decision.edition is None
    entry = AuditEntry.objects.get(action="reviews.bid_chosen")
    assert entry.data["city"] == "Lima" and entry.data["year"] == 2028
    assert entry.data["edition"] is None
    call = bids["call"]
    text = client.get(
        reverse("reviews:organiser-call", args=[call.conference.slug, call.slug])
    ).content.decode()
    chosen = text[text.index('data-testid="chosen-bids"') :]
    assert "Lima bid" in chosen and "2028" in chosen and "no edition recorded yet" in chosen
    assert "Seoul bid" not in chosen
    # later recorded on the edition, the same choice
    _choose(client, bids, bids["lima"], bids["future"])
    decision.refresh_from_db()
    assert decision.edition == bids["future"]


def test_the_organiser_call_page_shows_the_edition(client, bids):
    services.bid_choose(submission=bids["seoul"], edition=bids["future"], actor=None)
    client.force_login(bids["organiser"])
    call = bids["call"]
    text = client.get(
        reverse("reviews:organiser-call", args=[call.conference.slug, call.slug])
    ).content.decode()
    chosen = text[text.index('data-testid="chosen-bids"') :]
    assert "Seoul bid" in chosen and "recorded on Summit 2028" in chosen


def test_the_own_edition_or_an_earlier_one_is_refused(client, bids):
    client.force_login(bids["organiser"])
    page = _choose(client, bids, bids["seoul"], bids["call"].conference)
    assert "Choose a later edition." in page.content.decode()
    assert Decision.objects.get(submission=bids["seoul"]).host_chosen_at is None


def test_only_organisers_of_the_call_edition_choose(client, bids):
    client.force_login(make_organiser(bids["future"]))
    response = client.post(
        reverse(
            "reviews:organiser-submission-action",
            args=[bids["call"].conference.slug, bids["call"].slug, bids["seoul"].pk],
        ),
        {"action": "choose", "edition": bids["future"].pk},
    )
    assert response.status_code == 403
    assert Decision.objects.get(submission=bids["seoul"]).host_chosen_at is None


def test_the_future_edition_public_page_names_the_bid_once_the_decision_is_sent(client, bids):
    services.bid_choose(submission=bids["seoul"], edition=bids["future"], actor=None)
    url = reverse("reviews:awards", args=[bids["future"].slug])
    before = client.get(url).content.decode()
    assert "Host chosen from the bid of" not in before
    assert "<h1>Award winners</h1>" in before
    services.decisions_send(call=bids["call"], actor=None, mail=False)
    text = client.get(url).content.decode()
    assert "<h1>Award winners and the chosen host</h1>" in text
    host = text[text.index('data-testid="chosen-host"') :]
    assert "Host chosen from the bid of Seoul (Seoul)" in host
    assert "Lima" not in host
    # the call's own edition does not show it
    own = client.get(reverse("reviews:awards", args=[bids["call"].conference.slug]))
    assert "Host chosen from the bid of" not in own.content.decode()
