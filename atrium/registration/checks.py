"""System checks of the registration app (``manage.py check``; run at every start-up)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_test_payment_provider(app_configs, **kwargs):
    """The test provider marks an order paid at once: a demo tool, never with DEBUG off."""
    if settings.DEBUG or "test" not in settings.ATRIUM_PAYMENT_PROVIDERS:
        return []
    return [
        Error(
            "The test payment provider is on with DEBUG off: it pays every order at once, "
            "without any money.",
            hint="Remove 'test' from ATRIUM_PAYMENT_PROVIDERS.",
            id="atrium.E001",
        )
    ]
