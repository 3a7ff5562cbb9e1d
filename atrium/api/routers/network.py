"""The member directory: organisations and sectors (public)."""

from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate

from atrium.api.errors import invalid, not_found, responses
from atrium.api.pagination import Page
from atrium.api.schemas import (
    SLUG_PATTERN,
    OrganisationDetailOut,
    OrganisationFilters,
    OrganisationOut,
    SectorOut,
)
from atrium.network import selectors
from atrium.network.models import Organisation, Sector

router = Router(tags=["Member network"])


@router.get("/organisations", response=responses(list[OrganisationOut]))
@paginate(Page)
def organisation_list(request, filters: Query[OrganisationFilters]):
    """Organisations of the network; ``q`` finds 中关村, 中關村 and zhongguancun alike.

    Best matches first when searching, by name otherwise.
    """
    if filters.sector and not Sector.objects.filter(slug=filters.sector).exists():
        raise invalid(
            "sector", _("There is no sector “%(slug)s”.") % {"slug": filters.sector}, type="unknown"
        )
    return selectors.organisation_list(
        q=filters.q,
        country=filters.country or "",
        kind=filters.kind or "",
        sector=filters.sector or "",
        member=filters.member or "",
    ).prefetch_related("sectors")


@router.get("/organisations/{slug}", response=responses(OrganisationDetailOut))
def organisation_detail(request, slug: str = Path(..., max_length=120, pattern=SLUG_PATTERN)):
    """An organisation with its sub-organisations and the people who agreed to be listed."""
    try:
        organisation = selectors.organisation_detail(slug)
    except Organisation.DoesNotExist:
        raise not_found(_("There is no organisation “%(slug)s”.") % {"slug": slug}) from None
    organisation.children_list = list(organisation.children.order_by("name", "pk"))
    people = selectors.listed_people(organisation).order_by("sort_name", "name", "pk")
    organisation.people_list = list(people)
    return organisation


@router.get("/sectors", response=responses(list[SectorOut]))
@paginate(Page)
def sector_list(request):
    """Sectors with the number of organisations in each."""
    return selectors.sector_list().order_by("name", "pk")
