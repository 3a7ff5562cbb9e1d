import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from atrium.core.views import favicon
from atrium.events import views as event_views

admin.site.site_header = _("Atrium administration")
admin.site.site_title = _("Atrium")
admin.site.index_title = _("Conferences and member network")

urlpatterns = [
    path("", event_views.home, name="home"),
    path("", include("atrium.ops.urls")),
    # Browsers ask for /favicon.ico on their own (also beside a PDF or a static file); a
    # redirect to the static icon, rather than a rendered 404 page that sets a CSRF cookie.
    path("favicon.ico", favicon),
    path("", include("atrium.events.urls")),
    path("", include("atrium.events.export_urls")),
    path("", include("atrium.network.urls")),
    path("", include("atrium.network.export_urls")),
    path("", include("atrium.registration.urls")),
    path("", include("atrium.registration.organiser_urls")),
    path("", include("atrium.checkin.urls")),
    path("", include("atrium.visas.urls")),
    path("accounts/", include("atrium.accounts.urls")),
    path("api/v1/", include("atrium.api.urls")),
    path("", include("atrium.api.token_urls")),
    path("", include("atrium.webhooks.urls")),
    path("", include("atrium.matchmaking.urls")),
    path("", include("atrium.exhibition.urls")),
    path("", include("atrium.reviews.urls")),
    path("", include("atrium.insight.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # development only: production serves no uploads at all
    from atrium.core.views import serve_public_media

    media = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns += [re_path(rf"^{media}(?P<path>.*)$", serve_public_media)]

# Under /api/ errors are JSON; elsewhere the site's own 404 and 500 pages.
handler400 = "atrium.core.views.bad_request"
handler404 = "atrium.api.views.page_not_found"
handler500 = "atrium.api.views.server_error"
