"""What every exhibition page needs: the published edition, and the exhibitor a user works
for with the part they play there."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from atrium.events.models import Conference
from atrium.exhibition import selectors
from atrium.exhibition.models import (
    Exhibitor,
)


def published_conference(slug: str) -> Conference:
    return get_object_or_404(Conference, slug=slug, is_published=True)


def exhibitor_required(need: str):
    """Resolve ``slug`` and ``pk`` to an exhibitor the user works for, with the part ``need``:
    ``any``, ``scan``, ``leads`` or ``manage``. Anonymous users log in; users with no part
    at this exhibitor get 404 (another exhibitor learns nothing); a part too small, 403."""
    checks = {
        "any": lambda access: access is not None,
        "scan": selectors.can_scan,
        "leads": selectors.can_see_leads,
        "manage": selectors.can_manage,
    }

    def decorator(view):
        @wraps(view)
        def wrapped(request, slug, pk, *args, **kwargs):
            conference = get_object_or_404(Conference, slug=slug)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            exhibitor = get_object_or_404(
                Exhibitor.objects.select_related("organisation", "conference"),
                conference=conference,
                pk=pk,
            )
            access = selectors.exhibitor_access(request.user, exhibitor)
            if access is None:
                raise Http404
            if not checks[need](access):
                raise PermissionDenied
            return view(request, *args, exhibitor=exhibitor, access=access, **kwargs)

        return wrapped

    return decorator
