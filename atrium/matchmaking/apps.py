from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "atrium.matchmaking"
    verbose_name = _("B2B matchmaking")

    def ready(self):
        from atrium.matchmaking import receivers

        receivers.connect()
