from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "atrium.checkin"
    verbose_name = _("Badges and check-in")

    def ready(self):
        from atrium.checkin import receivers

        receivers.connect()
