"""Spreadsheets of the directory (CSV/XLSX) and the import pages for staff.

Exports use the import's column names, so a file exported here can be edited
and imported back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from atrium.core.tabular import (
    TableError,
    TableUploadForm,
    discard_stash,
    path_format,
    read_stashed_table,
    stash_upload,
    tabular_export,
    tabular_response,
)
from atrium.network import selectors
from atrium.network.forms import DirectoryFilterForm
from atrium.network.imports import (
    ORGANISATION_COLUMNS,
    PERSON_COLUMNS,
    organisations_import,
    people_import,
)
from atrium.network.models import Person, Sector

PUBLIC_PERSON_COLUMNS = [
    "slug",
    "name",
    "name_zh",
    "position",
    "position_zh",
    "organisation",
    "organisation_name",
    "country",
]
CONTACT_COLUMNS = ["email", "phone", "directory_opt_in"]


def can_see_contacts(user) -> bool:
    """Staff with the permission to view people see everyone, with e-mail and phone."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("network.view_person")
    )


def _refuse(request, permission: str):
    """A redirect to the login page for anonymous users, 403 for users who are not allowed."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and user.is_staff and user.has_perm(permission)):
        raise PermissionDenied
    return None


def staff_permission_required(permission: str):
    """Anonymous users go to the login page; others need to be staff with ``permission``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return _refuse(request, permission) or view(request, *args, **kwargs)

        return wrapped

    return decorator


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


def _directory_filter_form(request) -> DirectoryFilterForm:
    return DirectoryFilterForm(
        request.GET or None,
        country_codes=selectors.directory_countries(),
        sectors=list(selectors.sector_list()),
    )


@require_GET
def organisations_export(request, fmt: str):
    """The organisations of the directory page with the same filters, public fields only."""
    fmt = path_format(fmt)
    filters, _notices = _directory_filter_form(request).filters()
    filters.pop("page", None)
    sectors = Prefetch("sectors", queryset=Sector.objects.only("slug"), to_attr="sector_list")
    organisations = (
        selectors.organisation_list(**filters).select_related("parent").prefetch_related(sectors)
    )
    # One reverse() for all rows: an organisation's address with its slug put in.
    url_before, url_after = request.build_absolute_uri(
        reverse("network:organisation", kwargs={"slug": "slug"})
    ).rsplit("slug", 1)
    rows = (
        [
            org.slug,
            org.name,
            org.name_zh,
            org.short_name,
            org.kind,
            org.parent.slug if org.parent else "",
            org.country.code or "",
            org.city,
            org.city_zh,
            org.website,
            [sector.slug for sector in org.sector_list],
            org.member_since,
            org.description,
            org.description_zh,
            f"{url_before}{org.slug}{url_after}",
        ]
        for org in organisations.iterator(chunk_size=500)
    )
    return tabular_response(
        filename_stem="organisations",
        fmt=fmt,
        headers=[*ORGANISATION_COLUMNS, "url"],
        rows=rows,
    )


@require_GET
def people_export(request):
    """People who opted in to the directory, without contacts; all of them for staff."""
    full = can_see_contacts(request.user)
    people = Person.objects.select_related("organisation").order_by("sort_name", "name", "pk")
    if not full:
        people = people.filter(directory_opt_in=True)

    def rows():
        for person in people.iterator(chunk_size=500):
            organisation = person.organisation
            row = [
                person.slug,
                person.name,
                person.name_zh,
                person.position,
                person.position_zh,
                organisation.slug if organisation else "",
                organisation.name if organisation else "",
                person.country.code or "",
            ]
            if full:
                row += [person.email, person.phone, person.directory_opt_in]
            yield row

    headers = PUBLIC_PERSON_COLUMNS + (CONTACT_COLUMNS if full else [])
    return tabular_export(
        request, filename_stem="people" if full else "people-listed", headers=headers, rows=rows()
    )


@require_GET
def directory_export_links(request):
    """The export links of the directory page, for the filters in the query (htmx refresh)."""
    form = _directory_filter_form(request)
    return render(
        request,
        "network/export_directory_links.html",
        {"filter_query": form.active_query(exclude=("page",))},
    )


# ---------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportKind:
    name: str
    title: str
    permission: str
    service: object
    columns: list[str]
    help: dict[str, str]
    url_name: str


COLUMN_HELP_ORGANISATIONS = {
    "slug": _(
        "Optional. The organisation's address in the directory; a row with a slug "
        "updates that organisation. Without one, a row updates the organisation with "
        "exactly the same name (and country), or creates a new one."
    ),
    "name": _("Required. The name in Latin script (or in Chinese if it has no other)."),
    "name_zh": _("The name in Chinese."),
    "short_name": _("A short name or acronym, such as ZGC."),
    "kind": _(
        "science_park, area_of_innovation, incubator, company, university, "
        "research_institute, government, association or other (or their English names)."
    ),
    "parent": _(
        "The organisation it is part of: the slug or exact name of an organisation in "
        "the directory or in an earlier row."
    ),
    "country": _("An ISO code such as CN or ES, or the English name."),
    "city": _("The city."),
    "city_zh": _("The city in Chinese."),
    "website": _("The web address."),
    "sectors": _("Slugs or names of existing sectors, separated by “;”."),
    "member_since": _(
        "The year it joined the association (1984 or later); empty if it is not a member."
    ),
    "description": _("A description."),
    "description_zh": _("A description in Chinese."),
}
COLUMN_HELP_PEOPLE = {
    "slug": _(
        "Optional. A row with a slug updates that person. Without one, a row updates the "
        "person with the same e-mail, else with the same name at the same organisation, "
        "or creates a new one."
    ),
    "name": _("Required. The name in Latin script, in the order the person uses."),
    "name_zh": _("The name in Chinese."),
    "sort_name": _("Family name first, for sorting (the name if empty)."),
    "position": _("The position."),
    "position_zh": _("The position in Chinese."),
    "organisation": _(
        "The slug or exact name of an organisation in the directory (import organisations first)."
    ),
    "country": _("An ISO code such as CN or ES, or the English name."),
    "email": _("An e-mail address; each may appear only once in the file."),
    "phone": _("A phone number."),
    "directory_opt_in": _(
        "Listed in the public directory: yes or no (1/0, true/false, 是/否); empty means no."
    ),
}

IMPORTS = {
    "organisations": ImportKind(
        name="organisations",
        title=_("Import organisations"),
        permission="network.add_organisation",
        service=organisations_import,
        columns=ORGANISATION_COLUMNS,
        help=COLUMN_HELP_ORGANISATIONS,
        url_name="spreadsheets:import_organisations",
    ),
    "people": ImportKind(
        name="people",
        title=_("Import people"),
        permission="network.add_person",
        service=people_import,
        columns=PERSON_COLUMNS,
        help=COLUMN_HELP_PEOPLE,
        url_name="spreadsheets:import_people",
    ),
}


@require_http_methods(["GET", "POST"])
@staff_permission_required("network.add_organisation")
def import_organisations(request):
    return _import_page(request, IMPORTS["organisations"])


@require_http_methods(["GET", "POST"])
@staff_permission_required("network.add_person")
def import_people(request):
    return _import_page(request, IMPORTS["people"])


@require_GET
def import_template(request, kind: str, fmt: str):
    """An empty spreadsheet with the import's column names."""
    if kind not in IMPORTS:
        raise Http404
    kind = IMPORTS[kind]
    return _refuse(request, kind.permission) or tabular_response(
        filename_stem=f"{kind.name}-import", fmt=fmt, headers=kind.columns, rows=[]
    )


def _page_context(kind: ImportKind, **extra) -> dict:
    return {
        "kind": kind,
        "columns": [(column, kind.help.get(column, "")) for column in kind.columns],
        "action": reverse(kind.url_name),
        "nav": "directory",
        **extra,
    }


def _import_page(request, kind: ImportKind):
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, kind)
    if request.method == "POST":
        form = TableUploadForm(request.POST, request.FILES)
        if form.is_valid():
            table = form.cleaned_data["table"]
            dry_run = form.cleaned_data["dry_run"]
            result = kind.service(table=table, dry_run=dry_run, actor=request.user)
            token = ""
            if dry_run and result.ok:
                token = stash_upload(
                    form.cleaned_data["file"], user=request.user, purpose=kind.name
                )
            return render(
                request,
                "network/import_result.html",
                _page_context(kind, result=result, token=token, filename=table.filename),
            )
    else:
        form = TableUploadForm()
    return render(request, "network/import_form.html", _page_context(kind, form=form))


def _confirm(request, kind: ImportKind):
    token = request.POST.get("token", "")
    try:
        table = read_stashed_table(token, user=request.user, purpose=kind.name)
    except TableError as error:
        form = TableUploadForm()
        return render(
            request,
            "network/import_form.html",
            _page_context(kind, form=form, notices=[str(error)]),
            status=400,
        )
    result = kind.service(table=table, dry_run=False, actor=request.user)
    if result.saved:
        discard_stash(token, user=request.user, purpose=kind.name)
    return render(
        request,
        "network/import_result.html",
        _page_context(kind, result=result, token="", filename=table.filename),
    )
