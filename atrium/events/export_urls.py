"""Open-data exports of an edition's programme (iCalendar, frab XML and JSON, CSV/XLSX)."""

from django.urls import path

from atrium.events import export_views, spreadsheets

urlpatterns = [
    path(
        "c/<slug:slug>/programme.ics",
        export_views.programme_ics,
        name="events-programme-ics",
    ),
    path(
        "c/<slug:slug>/sessions/<int:session_id>.ics",
        export_views.session_ics,
        name="events-session-ics",
    ),
    path("c/<slug:slug>/schedule.xml", export_views.schedule_xml, name="events-schedule-xml"),
    path("c/<slug:slug>/schedule.json", export_views.schedule_json, name="events-schedule-json"),
    path(
        "c/<slug:slug>/sessions/export/",
        spreadsheets.sessions_export,
        name="events-sessions-export",
    ),
]
