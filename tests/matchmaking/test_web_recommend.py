"""Suggested partners: every point explained, the same list every time."""

from __future__ import annotations

import pytest

from atrium.matchmaking import selectors, services
from atrium.matchmaking.recommend import WEIGHTS, Card, explain, recommend
from atrium.registration.models import Registration
from tests.factories import ConferenceFactory, OrganisationFactory, SectorFactory
from tests.matchmaking.factories_web import ProfileFactory, delegate

ME = Card(
    key=1,
    name="Harle, Cecile",
    organisation_id=10,
    organisation_kind="science_park",
    country="FR",
    sectors=frozenset({1, 2}),
    offers=frozenset({"incubation", "soft_landing"}),
    seeks=frozenset({"joint_research"}),
    partner_kinds=frozenset({"science_park"}),
    languages=frozenset({"en", "fr"}),
)


def card(key, **values) -> Card:
    values.setdefault("name", f"Person {key}")
    values.setdefault("organisation_id", 100 + key)
    return Card(key=key, **values)


def test_every_point_has_its_reason():
    zgc = card(
        2,
        organisation_kind="science_park",
        country="CN",
        sectors=frozenset({2, 3}),
        seeks=frozenset({"incubation"}),
        offers=frozenset({"joint_research", "investment"}),
        partner_kinds=frozenset({"science_park"}),
        languages=frozenset({"zh", "en"}),
    )
    rec = explain(ME, zgc)
    codes = {r.code: r for r in rec.reasons}
    assert codes["sectors"].items == (2,)
    assert codes["they_seek_you_offer"].items == ("incubation",)
    assert codes["they_offer_you_seek"].items == ("joint_research",)
    assert codes["kind_you_seek"].items == ("science_park",)
    assert codes["kind_they_seek"].items == ("science_park",)
    assert codes["languages"].items == ("en",)
    assert codes["new_country"].items == ("CN",)
    assert rec.score == sum(r.points for r in rec.reasons)
    assert rec.score == (
        WEIGHTS["sectors"]
        + WEIGHTS["they_seek_you_offer"]
        + WEIGHTS["they_offer_you_seek"]
        + WEIGHTS["kind_you_seek"]
        + WEIGHTS["kind_they_seek"]
        + WEIGHTS["languages"]
        + WEIGHTS["new_country"]
    )


def test_no_common_language_counts_against_and_contacted_countries_do_not_count():
    other = card(2, country="CN", sectors=frozenset({1}), languages=frozenset({"zh"}))
    rec = explain(ME, other, contacted_countries={"CN"})
    assert [r.code for r in rec.reasons] == ["sectors", "no_language"]
    assert rec.score == WEIGHTS["sectors"] + WEIGHTS["no_language"]


def test_recommend_leaves_out_me_colleagues_excluded_and_the_irrelevant():
    candidates = [
        ME,
        card(2, sectors=frozenset({1})),  # suggested
        card(3, sectors=frozenset({1}), organisation_id=10),  # a colleague
        card(4, sectors=frozenset({1})),  # already asked
        card(5, country="CN", languages=frozenset({"en"})),  # only a language and a country
    ]
    keys = [r.card.key for r in recommend(ME, candidates, exclude={4})]
    assert keys == [2]


def test_recommend_is_deterministic_and_ordered_by_score_then_name():
    candidates = [
        card(7, name="Zhou", sectors=frozenset({1})),
        card(3, name="Abe", sectors=frozenset({1})),
        card(9, name="Mo", sectors=frozenset({1, 2})),
    ]
    first = recommend(ME, candidates)
    assert [r.card.name for r in first] == ["Mo", "Abe", "Zhou"]
    assert recommend(ME, list(reversed(candidates))) == first


def test_ranking_spreads_countries():
    same = [card(k, name=f"CN {k}", country="CN", sectors=frozenset({1, 2})) for k in (2, 3, 4)]
    other = card(5, name="KE", country="KE", sectors=frozenset({1}), languages=frozenset({"en"}))
    keys = [r.card.key for r in recommend(ME, [*same, other], limit=3)]
    # Kenya scores 2 points less than each Chinese park (5 against 7), but after two of
    # them the third Chinese park counts 7 - 2 × 1.5 = 4, so Kenya comes before it.
    assert keys == [2, 3, 5]
    ranked = recommend(ME, [*same, other], limit=4)
    assert [(r.card.key, r.score, r.spread) for r in ranked] == [
        (2, 7, 0),
        (3, 7, 0),  # lowered by 1.5, but still before Kenya: nothing to say
        (5, 5, 0),
        (4, 7, 3),
    ]


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_suggestions_from_the_database_with_reasons_in_words():
    conference = ConferenceFactory()
    ict = SectorFactory(name="Information and communication technology", slug="ict")
    health = SectorFactory(name="Life sciences and health", slug="health")
    me = delegate(conference, profile=False)
    mine = ProfileFactory(
        registration=me, sectors=[ict, health], offer_kinds=["incubation"], seek_kinds=[]
    )
    zgc = OrganisationFactory(name="Zhongguancun Science Park", country="CN")
    them = delegate(conference, organisation=zgc, profile=False, country="CN")
    ProfileFactory(registration=them, sectors=[health], seek_kinds=["incubation"], offer_kinds=[])
    unconfirmed = delegate(conference, profile=False, country="DE")
    ProfileFactory(registration=unconfirmed, sectors=[ict, health])
    Registration.objects.filter(pk=unconfirmed.pk).update(status="pending")
    inactive = delegate(conference, profile=False)
    ProfileFactory(registration=inactive, sectors=[ict], is_active=False)
    elsewhere = delegate(ConferenceFactory(), profile=False)
    ProfileFactory(registration=elsewhere, sectors=[ict, health])

    found = selectors.suggestions(registration=me, profile=mine)
    assert [s.profile.registration_id for s in found] == [them.pk]
    texts = [r.text for r in found[0].reasons]
    assert "Both in Life sciences and health" in texts
    assert "They look for incubation and acceleration; you offer it" in texts
    assert found[0].score == sum(r.points for r in found[0].reasons)
    assert selectors.suggestions(registration=me, profile=mine)[0].reasons == found[0].reasons


@pytestmark_db
def test_people_with_a_request_are_not_suggested_again():
    conference = ConferenceFactory()
    sector = SectorFactory()
    me = delegate(conference, profile=False)
    mine = ProfileFactory(registration=me, sectors=[sector])
    asked = delegate(conference, profile=False)
    ProfileFactory(registration=asked, sectors=[sector])
    other = delegate(conference, profile=False)
    ProfileFactory(registration=other, sectors=[sector])
    services.request_create(requester=me, recipient=asked)
    found = [
        s.profile.registration_id for s in selectors.suggestions(registration=me, profile=mine)
    ]
    assert found == [other.pk]
