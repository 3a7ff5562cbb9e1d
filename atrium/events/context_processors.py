from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from atrium.events.selectors import current_conference


def site(request):
    """Site name, language, and the current edition for the navigation (queried only if used)."""
    return {
        "site_name": settings.ATRIUM_SITE_NAME,
        "current_language": get_language(),
        "nav_conference": SimpleLazyObject(current_conference),
    }
