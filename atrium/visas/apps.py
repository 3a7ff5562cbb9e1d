from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisasConfig(AppConfig):
    name = "atrium.visas"
    verbose_name = _("Visa invitation letters")

    def ready(self):
        from atrium.visas import receivers

        receivers.connect()
