"""Who may do what in an edition: one check, used by every organiser view and API route."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from atrium.events.models import Conference, ConferenceRole

Role = ConferenceRole.Role


def has_role(user, conference: Conference, *roles: str) -> bool:
    """True if ``user`` holds one of ``roles`` in ``conference``.

    Superusers are organisers everywhere; an organiser may also do what
    check-in staff and reviewers do.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    wanted = set(roles) | {Role.ORGANISER}
    return ConferenceRole.objects.filter(conference=conference, user=user, role__in=wanted).exists()


def conference_role_required(*roles: str, hide: bool = False):
    """View decorator: resolve ``slug`` to the edition, then require one of ``roles``.

    Anonymous users go to the login page; logged-in users without the role get 403, or
    404 with ``hide`` (for addresses naming one person's papers: a badge, a receipt, a
    visa letter, whose existence is nobody else's business).
    The view receives the conference as ``conference`` instead of ``slug``.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            conference = get_object_or_404(Conference, slug=slug)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, conference, *roles):
                if hide:
                    raise Http404
                raise PermissionDenied
            return view(request, *args, conference=conference, **kwargs)

        return wrapped

    return decorator


#: For addresses naming one person's papers (a badge, a receipt, a certificate, a visa
#: request or letter): organisers only, and anyone else learns nothing, not even that the
#: papers exist (404).
personal_papers_required = conference_role_required(Role.ORGANISER, hide=True)


#: The view decorators of the roles, used by every organiser and desk page.
organiser_required = conference_role_required(Role.ORGANISER)
checkin_required = conference_role_required(Role.CHECKIN)
