"""Spreadsheet exports (CSV/XLSX) of the directory, and the imports."""

from django.urls import path, re_path

from atrium.network import export_views as views

app_name = "spreadsheets"

urlpatterns = [
    # "directory/export/" would be read as an organisation's slug: the format is the extension.
    re_path(
        r"^directory/export\.(?P<fmt>csv|xlsx)$",
        views.organisations_export,
        name="organisations",
    ),
    path("directory/export/links/", views.directory_export_links, name="directory_links"),
    path("directory/people/export/", views.people_export, name="people"),
    path(
        "directory/import/organisations/", views.import_organisations, name="import_organisations"
    ),
    path("directory/import/people/", views.import_people, name="import_people"),
    re_path(
        r"^directory/import/(?P<kind>organisations|people)/template\.(?P<fmt>csv|xlsx)$",
        views.import_template,
        name="import_template",
    ),
]
