from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "atrium.ops"
    verbose_name = _("Operations")

    def ready(self):
        from atrium.ops import requestlog

        requestlog.connect_task_signals()
