from django.conf import settings
from django.utils.translation import get_language


def site(request):
    return {
        "site_name": settings.ATRIUM_SITE_NAME,
        "current_language": get_language(),
    }
