"""Accounts: Django's own User, plus what a person gave when signing up.

The sign-up details wait here until the e-mail address is confirmed; only then
is a :class:`~atrium.network.models.Person` linked or created from them, so
unconfirmed sign-ups never reach the member network.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignUp(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="sign_up",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created = models.DateTimeField(_("signed up"), auto_now_add=True)
    verified = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")

    def __str__(self) -> str:
        return self.user.email
