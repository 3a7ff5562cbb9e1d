"""Suggested partners: an explainable score, computed here from plain data.

Every point of a score comes with its reason, and the reasons are what the delegate
sees ("both in life sciences; they look for incubation, you offer it"). No network
call, no learned model: the same profiles always give the same list, in the same
order.

Points (``WEIGHTS``):

* a sector both work in: 3 each, at most three sectors counted;
* they look for something you offer: 4 for each kind of partnership;
* they offer something you look for: 4 for each;
* their organisation is of a kind you look for: 2; yours is of a kind they look for: 1;
* a language in common: 1; both list languages but share none: −3;
* from another country than yours, and one you have no request or meeting with yet: 1.

Only candidates with a shared sector or a matching offer or need are suggested. The
ranking then spreads suggestions across countries: each suggestion already picked from
a country lowers the next one from that country by ``COUNTRY_SPREAD`` (ties are broken by
name, then id, so the order is stable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

WEIGHTS = {
    "sectors": 3,
    "they_seek_you_offer": 4,
    "they_offer_you_seek": 4,
    "kind_you_seek": 2,
    "kind_they_seek": 1,
    "languages": 1,
    "no_language": -3,
    "new_country": 1,
}
MAX_SECTORS_COUNTED = 3
COUNTRY_SPREAD = 1.5
#: Reasons that make someone worth suggesting on their own.
SUBSTANTIVE = frozenset({"sectors", "they_seek_you_offer", "they_offer_you_seek"})


@dataclass(frozen=True)
class Card:
    """What scoring needs to know about one delegate's profile."""

    key: int  # the registration id
    name: str = ""
    organisation_id: int | None = None
    organisation_kind: str = ""
    country: str = ""
    sectors: frozenset[int] = frozenset()
    offers: frozenset[str] = frozenset()
    seeks: frozenset[str] = frozenset()
    partner_kinds: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reason:
    """One line of explanation: ``code`` (a key of ``WEIGHTS``), its points, and what
    matched (sector ids, partnership kinds, language codes or a country code), sorted."""

    code: str
    points: float
    items: tuple = ()


@dataclass(frozen=True)
class Recommendation:
    """A suggestion: its explained ``score``, and the ``spread`` it was ranked lower by
    because suggestions from the same country came before it (0 unless that put someone
    with a lower score ahead of it)."""

    card: Card
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    spread: float = 0


def explain(me: Card, other: Card, *, contacted_countries: Iterable[str] = ()) -> Recommendation:
    """Score ``other`` as a partner for ``me``, with every reason for the score."""
    reasons: list[Reason] = []
    shared = sorted(me.sectors & other.sectors)
    if shared:
        counted = len(shared[:MAX_SECTORS_COUNTED])
        reasons.append(Reason("sectors", WEIGHTS["sectors"] * counted, tuple(shared)))
    they_seek = sorted(other.seeks & me.offers)
    if they_seek:
        reasons.append(
            Reason(
                "they_seek_you_offer",
                WEIGHTS["they_seek_you_offer"] * len(they_seek),
                tuple(they_seek),
            )
        )
    they_offer = sorted(other.offers & me.seeks)
    if they_offer:
        reasons.append(
            Reason(
                "they_offer_you_seek",
                WEIGHTS["they_offer_you_seek"] * len(they_offer),
                tuple(they_offer),
            )
        )
    if other.organisation_kind and other.organisation_kind in me.partner_kinds:
        reasons.append(
            Reason("kind_you_seek", WEIGHTS["kind_you_seek"], (other.organisation_kind,))
        )
    if me.organisation_kind and me.organisation_kind in other.partner_kinds:
        reasons.append(Reason("kind_they_seek", WEIGHTS["kind_they_seek"], (me.organisation_kind,)))
    if me.languages and other.languages:
        common = sorted(me.languages & other.languages)
        if common:
            reasons.append(Reason("languages", WEIGHTS["languages"], tuple(common)))
        else:
            reasons.append(Reason("no_language", WEIGHTS["no_language"]))
    if other.country and other.country != me.country and other.country not in contacted_countries:
        reasons.append(Reason("new_country", WEIGHTS["new_country"], (other.country,)))
    return Recommendation(other, float(sum(r.points for r in reasons)), tuple(reasons))


def is_worth_suggesting(rec: Recommendation) -> bool:
    return rec.score > 0 and any(r.code in SUBSTANTIVE for r in rec.reasons)


def _name_key(card: Card) -> tuple:
    return (card.name.casefold(), card.key)


def recommend(
    me: Card,
    candidates: Iterable[Card],
    *,
    exclude: Iterable[int] = (),
    contacted_countries: Iterable[str] = (),
    limit: int | None = 10,
) -> list[Recommendation]:
    """The best partners for ``me`` among ``candidates``, best first.

    ``exclude`` holds registration ids not to suggest (people already asked or asking);
    ``me`` itself and people of the same organisation are never suggested.
    """
    excluded = set(exclude) | {me.key}
    contacted = frozenset(contacted_countries)
    scored = []
    for card in candidates:
        if card.key in excluded:
            continue
        if me.organisation_id is not None and card.organisation_id == me.organisation_id:
            continue
        rec = explain(me, card, contacted_countries=contacted)
        if is_worth_suggesting(rec):
            scored.append(rec)
    scored.sort(key=lambda r: (-r.score, *_name_key(r.card)))
    # Spread across countries: greedy pick on the score less a penalty per earlier pick
    # from the same country. Scores shown stay the unpenalised, explained ones.
    picked: list[Recommendation] = []
    per_country: dict[str, int] = {}
    remaining = scored
    want = len(scored) if limit is None else min(limit, len(scored))
    while len(picked) < want:
        best_i, best_key, best_penalty = 0, None, 0.0
        for i, rec in enumerate(remaining):
            penalty = COUNTRY_SPREAD * per_country.get(rec.card.country, 0)
            key = (-(rec.score - penalty), *_name_key(rec.card))
            if best_key is None or key < best_key:
                best_i, best_key, best_penalty = i, key, penalty
            if penalty == 0:
                # Sorted by unpenalised score: nothing after an unpenalised one can beat it.
                break
        rec = remaining.pop(best_i)
        # Say so only if the spread really put someone with a lower score before it.
        overtaken = any(earlier.score < rec.score for earlier in picked)
        picked.append(replace(rec, spread=best_penalty if overtaken else 0))
        per_country[rec.card.country] = per_country.get(rec.card.country, 0) + 1
    return picked
