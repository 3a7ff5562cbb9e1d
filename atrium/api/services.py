"""Creating and revoking personal API tokens: the one place that changes them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.api.models import TOKEN_PREFIX, ApiToken, hash_secret
from atrium.core.audit import log_action

#: A user may hold this many tokens that are neither revoked nor expired.
MAX_ACTIVE_TOKENS = 20


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    #: The whole token (``atr_<prefix>_<secret>``): shown once, never stored.
    plain: str


def active_tokens(user):
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked__isnull=True).exclude(expires__lte=now)


@transaction.atomic
def token_create(*, user, name: str, scope: str, expires: datetime | None = None) -> NewToken:
    """Create a token for ``user``; the returned ``plain`` text is the only copy of the secret."""
    if active_tokens(user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You already have %(count)d active tokens; revoke one first.")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    if expires is not None and expires <= timezone.now():
        raise ValidationError({"expires": _("The expiry must be in the future.")})
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # pragma: no cover - 1 in 4 billion
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        scope=scope,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        expires=expires,
    )
    token.full_clean()
    token.save()
    log_action(
        actor=user, action="api_token.create", obj=token, data={"name": token.name, "scope": scope}
    )
    return NewToken(token=token, plain=f"{TOKEN_PREFIX}_{prefix}_{secret}")


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke ``token`` (idempotent: revoking twice keeps the first time)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        log_action(actor=actor, action="api_token.revoke", obj=token, data={"name": token.name})
    return token


def token_touch(*, token: ApiToken) -> None:
    """Note that ``token`` was used; at most once a minute, so reads stay reads."""
    now = timezone.now()
    if token.last_used is None or (now - token.last_used).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
