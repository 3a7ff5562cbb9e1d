"""Personal API tokens: a user's key to the authenticated part of the JSON API."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "atr"  # noqa: S105 - the visible start of every token, not a secret


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret.

    A plain SHA-256 is enough: the secret is 256 random bits, not a password
    a person chose, so it cannot be guessed from its hash.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A token ``atr_<prefix>_<secret>``: the prefix finds the row, the secret proves it.

    Only the SHA-256 of the secret is stored; the whole token is shown once,
    when it is created.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “my calendar sync”.")
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        # Also the throttling key of Ninja's built-in throttles: never the secret.
        return f"{TOKEN_PREFIX}_{self.prefix}_…"

    @property
    def display(self) -> str:
        return str(self)

    def is_expired(self, now=None) -> bool:
        return self.expires is not None and self.expires <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return self.revoked is None and not self.is_expired()

    def allows(self, scope: str) -> bool:
        """A write token may also read; a read token may only read."""
        if scope == self.Scope.READ:
            return True
        return self.scope == self.Scope.WRITE
