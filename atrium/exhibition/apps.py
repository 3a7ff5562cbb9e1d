from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExhibitionConfig(AppConfig):
    name = "atrium.exhibition"
    verbose_name = _("Exhibition")

    def ready(self):
        from atrium.exhibition import receivers

        receivers.connect()
