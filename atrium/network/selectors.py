"""Read-only queries of the member directory."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.db.models.functions import Length

from atrium.core.search import search
from atrium.network.models import Organisation, Person, Sector


def organisation_list(
    *,
    q: str = "",
    country: str = "",
    kind: str = "",
    sector: str = "",
    member: str = "",
) -> QuerySet[Organisation]:
    """Organisations matching the directory filters; best matches first when searching."""
    organisations = Organisation.objects.select_related("parent")
    if country:
        organisations = organisations.filter(country=country)
    if kind:
        organisations = organisations.filter(kind=kind)
    if sector:
        organisations = organisations.filter(sectors__slug=sector)
    if member == "yes":
        organisations = organisations.filter(member_since__isnull=False)
    elif member == "no":
        organisations = organisations.filter(member_since__isnull=True)
    if q:
        # Whole-phrase matches first, then the shortest (most specific) names.
        return search(organisations, q).order_by("search_rank", Length("name"), "name", "pk")
    return organisations.order_by("name", "pk")


def organisation_matches(query: str, *, limit: int = 8) -> list[Organisation]:
    """A few organisations for a search-as-you-type field (pinyin, Simplified, Traditional)."""
    query = (query or "").strip()
    if not query:
        return []
    return list(organisation_list(q=query)[:limit])


def directory_countries() -> list[str]:
    """Country codes that have at least one organisation, for the filter."""
    return list(
        Organisation.objects.exclude(country="")
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.annotate(organisation_count=Count("organisations")).order_by("name")


def organisation_detail(slug: str) -> Organisation:
    return Organisation.objects.select_related("parent").prefetch_related("sectors").get(slug=slug)


def listed_people(organisation: Organisation) -> QuerySet[Person]:
    """The organisation's people who agreed to appear in the directory."""
    return organisation.people.filter(directory_opt_in=True).order_by("sort_name", "name")


def people_search(q: str) -> QuerySet[Person]:
    """Directory search of people: only those who opted in."""
    people = Person.objects.filter(directory_opt_in=True).select_related("organisation")
    return search(people, q).order_by("search_rank", "sort_name", "pk")
