"""Token authentication, scopes and conference roles for API routes.

A route that needs a user::

    @router.get("/me/things", response=responses(ThingOut, auth=True), auth=token_auth)
    def my_things(request):
        user = request.auth.user          # request.user is the same user
        ...

A route that changes something also calls ``require_scope(request, "write")``;
an organiser route calls ``conference_for_role(request, slug, Role.ORGANISER)``.
"""

from __future__ import annotations

import hmac

from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from atrium.api.errors import ApiError, forbidden, not_found
from atrium.api.models import TOKEN_PREFIX, ApiToken, hash_secret
from atrium.api.services import token_touch
from atrium.events.models import Conference, ConferenceRole
from atrium.events.permissions import has_role

Role = ConferenceRole.Role


def parse_token(plain: str) -> tuple[str, str] | None:
    """``atr_<prefix>_<secret>`` → ``(prefix, secret)``; anything else → None."""
    parts = plain.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class TokenAuth(HttpBearer):
    """``Authorization: Bearer atr_<prefix>_<secret>``.

    Unknown, revoked and expired tokens, and tokens of inactive users, get a
    401. On success ``request.auth`` is the :class:`ApiToken` and
    ``request.user`` its user.
    """

    openapi_description = "A personal API token (atr_…), created on /me/tokens/."

    def authenticate(self, request, token: str) -> ApiToken | None:
        parsed = parse_token(token)
        if parsed is None:
            return None
        prefix, secret = parsed
        found = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if found is None or not hmac.compare_digest(found.secret_hash, hash_secret(secret)):
            return None
        if found.revoked is not None:
            raise AuthenticationError(message=_("This token was revoked."))
        if found.is_expired():
            raise AuthenticationError(message=_("This token has expired."))
        if not found.user.is_active:
            raise AuthenticationError(message=_("This account is disabled."))
        token_touch(token=found)
        request.user = found.user
        return found


token_auth = TokenAuth()


def require_scope(request, scope: str) -> ApiToken:
    """403 unless the request's token has ``scope`` ("read" or "write")."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise ApiError(401, "not_authenticated", _("Send a personal API token."))
    if not token.allows(scope):
        raise forbidden(
            _("This token may only read; create a read-and-write token for this."),
            code="insufficient_scope",
        )
    return token


def conference_for_role(request, slug: str, *roles: str) -> Conference:
    """The edition ``slug`` if the token's user holds one of ``roles`` in it (organisers always).

    Unknown slug → 404; an unpublished edition is a 404 too for those without
    a role; a published one → 403.
    """
    conference = Conference.objects.filter(slug=slug).first()
    if conference is None:
        raise not_found(_("There is no conference “%(slug)s”.") % {"slug": slug})
    if not has_role(request.user, conference, *roles):
        if not conference.is_published:
            raise not_found(_("There is no conference “%(slug)s”.") % {"slug": slug})
        raise forbidden(_("You have no role in this conference that allows this."))
    return conference
