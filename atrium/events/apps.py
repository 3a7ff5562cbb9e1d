from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "atrium.events"
    verbose_name = _("Conferences and programme")

    def ready(self):
        from atrium.events import receivers

        receivers.connect()
