from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "atrium.registration"
    verbose_name = _("Registration")

    def ready(self):
        from atrium.registration import receivers

        receivers.connect()
        from atrium.registration import checks  # noqa: F401 - registers the system checks
