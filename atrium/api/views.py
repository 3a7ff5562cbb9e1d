"""The token pages on /me/tokens/: list, create (the secret is shown once), revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_http_methods, require_POST

from atrium.api import services
from atrium.api.forms import TokenForm
from atrium.api.models import ApiToken


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires=form.expires(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            new_token = created
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created", "-pk")
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "nav": "me"},
        status=422 if request.method == "POST" and new_token is None else 200,
    )
    # The page may hold a token's only copy: never keep it in a cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api_tokens:list")


def page_not_found(request, exception=None):
    """``handler404`` for the whole site: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": _("There is no API endpoint at this address.")},
            status=404,
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500`` for the whole site: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "message": _("Something went wrong on our side.")},
            status=500,
        )
    return defaults.server_error(request)
