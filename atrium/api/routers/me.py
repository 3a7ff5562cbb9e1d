"""The token's own user: account, linked person, roles and tokens."""

from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from atrium.api.auth import require_scope, token_auth
from atrium.api.errors import not_found, responses
from atrium.api.models import ApiToken
from atrium.api.pagination import Page
from atrium.api.schemas import MAX_ID, MeOut, TokenOut
from atrium.api.services import token_revoke
from atrium.network.models import Person

router = Router(tags=["Me"], auth=token_auth)


@router.get("/me", response=responses(MeOut, auth=True))
def me(request):
    """The account the token belongs to, its person record and its conference roles."""
    user = request.auth.user
    person = Person.objects.select_related("organisation").filter(user=user).first()
    roles = user.conference_roles.select_related("conference").order_by(
        "conference__number", "role", "pk"
    )
    return {
        "id": user.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "person": person,
        "roles": list(roles),
        "token": request.auth,
    }


@router.get("/me/tokens", response=responses(list[TokenOut], auth=True))
@paginate(Page)
def my_tokens(request):
    """The user's API tokens, newest first (never their secrets)."""
    return ApiToken.objects.filter(user=request.auth.user).order_by("-created", "-pk")


@router.delete("/me/tokens/{token_id}", response=responses(None, status=204, auth=True))
def revoke_my_token(request, token_id: int = Path(..., ge=1, le=MAX_ID)):
    """Revoke one of the user's tokens (needs a read-and-write token)."""
    require_scope(request, ApiToken.Scope.WRITE)
    token = ApiToken.objects.filter(user=request.auth.user, pk=token_id).first()
    if token is None:
        raise not_found(_("You have no token with this id."))
    token_revoke(token=token, actor=request.auth.user)
    return Status(204, None)
