"""Account forms. The rules behind them live in :mod:`atrium.accounts.services`."""

from __future__ import annotations

import logging

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _

from atrium.accounts import services
from atrium.core.mail import render_text
from atrium.core.throttle import client_ip

User = get_user_model()
logger = logging.getLogger(__name__)


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


class SignUpForm(forms.Form):
    email = email_field(help_text=_("We send a link to this address to confirm it."))
    name = forms.CharField(
        label=_("Name in Latin script"),
        max_length=200,
        required=False,
        help_text=_(
            "As on your passport, in the order you use: Ma Jun, Cécile Harle. "
            "May stay empty if you give your name in Chinese."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    name_zh = forms.CharField(
        label=_("Name in Chinese (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "lang": "zh-Hans"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),  # lazy: in the language of the page
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The same password once more, to rule out a typo."),
    )

    def clean(self):
        data = super().clean()
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords differ."))
        errors = services.sign_up_errors(
            email=data.get("email", ""),
            password=password or "",
            name=data.get("name", ""),
            name_zh=data.get("name_zh", ""),
        )
        for field, field_errors in errors.items():
            if field not in self.errors:  # the field's own check already spoke
                self.add_error(field, field_errors)
        return data


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with the e-mail address, in any case; unconfirmed accounts are told so."""

    username = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "This e-mail and password do not match an account. Check both, or reset your password."
        ),
        "unverified": _(
            "Confirm your e-mail first: open the link we sent you. "
            "No mail? Ask for a new link below."
        ),
    }

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            address = client_ip(self.request) if self.request is not None else ""
            services.login_throttle_check(email=email, client_ip=address)
            login_name = services.login_name_for(email)
            self.user_cache = authenticate(self.request, username=login_name, password=password)
            if self.user_cache is None:
                services.login_failure_record(email=email, client_ip=address)
                user = User.objects.filter(username=login_name).first()
                if (
                    user is not None
                    and services.awaits_verification(user)
                    and user.check_password(password)
                ):
                    raise ValidationError(self.error_messages["unverified"], code="unverified")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            services.login_success_record(email=email)
        return self.cleaned_data

    def get_invalid_login_error(self):
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class ResendVerificationForm(forms.Form):
    email = email_field()


class AccountPasswordResetForm(PasswordResetForm):
    email = email_field()

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Django's reset mail, its text rendered by ``render_text`` (plain text, unescaped)."""
        subject = " ".join(render_text(subject_template_name, context).split())
        body = render_text(email_template_name, context)
        try:
            EmailMessage(subject, body, from_email, [to_email]).send()
        except Exception:  # as Django does: a failed mail must not reveal which accounts exist
            logger.exception("Failed to send password reset email to %s", context["user"].pk)

    def save(self, *args, request=None, **kwargs):
        super().save(*args, request=request, **kwargs)
        # An account that never confirmed its address cannot reset its password
        # (Django skips inactive accounts); it gets a fresh verification link instead.
        if request is not None:
            services.account_resend_verification(
                email=self.cleaned_data["email"],
                site_url=request.build_absolute_uri("/"),
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
