from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "atrium.reviews"
    verbose_name = _("Calls with review")

    def ready(self):
        from atrium.reviews import receivers

        receivers.connect()
