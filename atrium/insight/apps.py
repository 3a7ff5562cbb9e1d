from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "atrium.insight"
    verbose_name = _("Organiser insight")

    def ready(self):
        from atrium.insight import receivers

        receivers.connect()
