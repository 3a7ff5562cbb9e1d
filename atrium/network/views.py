"""The member directory: organisations and the people who opted in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from atrium.core.forms import add_service_errors
from atrium.network import hooks, photos, selectors
from atrium.network.forms import DirectoryFilterForm, PhotoForm
from atrium.network.models import Organisation, Person


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
        "sections": hooks.organisation_sections.collect(request=request, organisation=organisation),
        "nav": "directory",
    }
    return render(request, "network/organisation.html", context)


# --- photos for check-in -------------------------------------------------------------------


@require_GET
def person_photo(request, slug: str):
    """Stream a person's photo to those ``photos.can_see_photo`` allows; 404 to anyone else."""
    person = Person.objects.filter(slug=slug).exclude(photo="").first()
    if person is None or not photos.can_see_photo(request.user, person):
        raise Http404
    try:
        handle = person.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    # The address carries the file's version (?v=), so the browser may keep it a while,
    # but no shared cache may: it is personal data.
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_photo(request):
    """Upload, replace or remove my photo for check-in (the form also sits on /me/)."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404(_("Your account is not linked to a person yet."))
    form = PhotoForm(request.POST, request.FILES) if request.method == "POST" else PhotoForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["remove"]:
                    photos.person_photo_remove(person=person, actor=request.user)
                    messages.success(request, _("Your photo is removed."))
                else:
                    photos.person_photo_set(
                        person=person, upload=form.cleaned_data["photo"], actor=request.user
                    )
                    messages.success(request, _("Your photo for check-in is saved."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(reverse("registration:me") + "#photo")
        status = 400
    return render(
        request,
        "network/my_photo.html",
        {"person": person, "photo_form": form, "nav": "me"},
        status=status,
    )
