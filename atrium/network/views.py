"""The member directory: organisations and the people who opted in."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atrium.network import selectors
from atrium.network.forms import DirectoryFilterForm
from atrium.network.models import Organisation


@require_GET
def directory(request):
    sectors = list(selectors.sector_list())
    form = DirectoryFilterForm(
        request.GET or None, country_codes=selectors.directory_countries(), sectors=sectors
    )
    filters, notices = form.filters()
    page_number = filters.pop("page", 1)
    organisations = selectors.organisation_list(**filters).prefetch_related("sectors")
    paginator = Paginator(organisations, settings.ATRIUM_PAGE_SIZE)
    if page_number > paginator.num_pages:
        notices.append(
            _("There is no page %(page)s; showing the last page.") % {"page": page_number}
        )
        page_number = paginator.num_pages
    page = paginator.page(page_number)
    people = list(selectors.people_search(filters["q"])[:12]) if filters.get("q") else []
    context = {
        "form": form,
        "notices": notices,
        "page": page,
        "people": people,
        "query": filters.get("q", ""),
        "filter_query": form.active_query(exclude=("page",)),
        "nav": "directory",
    }
    template = "network/_directory_results.html" if request.htmx else "network/directory.html"
    return render(request, template, context)


@require_GET
def organisation_detail(request, slug: str):
    try:
        organisation = selectors.organisation_detail(slug)
    except Organisation.DoesNotExist:
        raise Http404(
            _("There is no organisation “%(slug)s” in the directory.") % {"slug": slug}
        ) from None
    context = {
        "organisation": organisation,
        "children": organisation.children.order_by("name"),
        "people": selectors.listed_people(organisation),
        "sessions": selectors.organisation_sessions(organisation),
        "nav": "directory",
    }
    return render(request, "network/organisation.html", context)
