"""Account pages: thin views over :mod:`atrium.accounts.services` and Django's auth views."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from atrium.accounts import services
from atrium.accounts.forms import (
    AccountPasswordResetForm,
    EmailAuthenticationForm,
    ResendVerificationForm,
    SignUpForm,
)
from atrium.core import views as core_views
from atrium.core.throttle import client_ip

SIGNED_UP_EMAIL = "accounts:signed-up-email"
RESENT_EMAIL = "accounts:resent-email"


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _next_url(request) -> str:
    return core_views.next_url(request)


@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                name=form.cleaned_data["name"],
                name_zh=form.cleaned_data["name_zh"],
                site_url=_site_url(request),
                language=get_language(),
                next_url=next_url,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session[SIGNED_UP_EMAIL] = user.email
            return redirect("accounts:signup_done")
    # Errors re-render with 200, as Django's own auth views do.
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@require_GET
def signup_done(request):
    email = request.session.get(SIGNED_UP_EMAIL, "")
    return render(
        request,
        "accounts/signup_done.html",
        {"email": email, "resend_form": ResendVerificationForm(initial={"email": email})},
    )


def _verification_failed(request, error: services.VerificationError):
    return render(
        request,
        "accounts/verify_failed.html",
        {
            "reason": error.reason,
            "resend_form": ResendVerificationForm(initial={"email": error.email}),
        },
        status=400,
    )


@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    """GET shows a confirm button; the POST behind it confirms and logs in.

    Confirming by a bare GET would let another site log a visitor into an account
    of its choosing (an image pointing at a fresh link of its own), and lets mail
    scanners that prefetch links use them up.
    """
    if request.method == "GET":
        try:
            user = services.verification_check(token=token)
        except services.VerificationError as error:
            own = request.user.is_authenticated and (
                services.normalise_email(request.user.email) == error.email
            )
            if error.reason == "used" and own:
                messages.info(request, _("Your e-mail address is already confirmed."))
                return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
            return _verification_failed(request, error)
        return render(request, "accounts/verify.html", {"email": user.email})
    try:
        result = services.account_verify(token=token)
    except services.VerificationError as error:
        return _verification_failed(request, error)
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Thank you: your e-mail address is confirmed. Welcome!"))
    next_url = core_views.safe_next_url(result.next_url, allowed_hosts={request.get_host()})
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


@require_http_methods(["GET", "POST"])
def resend(request):
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_resend_verification(
            email=form.cleaned_data["email"], site_url=_site_url(request), language=get_language()
        )
        request.session[RESENT_EMAIL] = services.normalise_email(form.cleaned_data["email"])
        return redirect("accounts:resend_done")
    return render(request, "accounts/resend.html", {"resend_form": form})


@require_GET
def resend_done(request):
    return render(
        request, "accounts/resend_done.html", {"email": request.session.get(RESENT_EMAIL)}
    )


# Why the log-in page was shown, by where the visitor was going (the namespace and
# url name of ``next``, or the namespace alone). The URL names are plain strings here:
# accounts imports none of the apps above it.
_SEATS = gettext_lazy("Log in to sign up for visits and other sessions with seats.")
_LOGIN_REASONS = {
    "registration:register": gettext_lazy("Log in to register for the conference."),
    "registration:signups": _SEATS,
    "registration:seat-signup": _SEATS,
    "registration:join": gettext_lazy("Log in to join the delegation you were invited to."),
    "registration:delegation-new": gettext_lazy("Log in to lead a delegation."),
    "registration": gettext_lazy("Log in to see your conference: registration, payment and seats."),
    "organiser": gettext_lazy("Log in with your organiser account to open the organiser pages."),
    "checkin": gettext_lazy("Log in with your check-in staff account to open the check-in desk."),
    "visa": gettext_lazy("Log in to ask for or download your visa invitation letter."),
    "matchmaking": gettext_lazy("Log in to use B2B matchmaking."),
    "webhooks": gettext_lazy("Log in with your organiser account to manage webhooks."),
}


def login_reason(next_path: str) -> str:
    """A sentence saying why the page at ``next_path`` needs a log-in ("" if none fits)."""
    from django.urls import Resolver404, resolve

    path = (next_path or "").split("?", 1)[0]
    if not path.startswith("/"):
        return ""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    for key in (match.view_name, match.namespace):
        if key in _LOGIN_REASONS:
            return str(_LOGIN_REASONS[key])
    if match.namespace == "accounts":
        return ""
    return _("Log in to continue to the page you asked for.")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["login_reason"] = login_reason(context.get("next") or "")
        context["site_name"] = settings.ATRIUM_SITE_NAME  # Django's view puts the host name here
        form = context["form"]
        if form.is_bound and form.has_error(NON_FIELD_ERRORS, "unverified"):
            context["resend_form"] = ResendVerificationForm(
                initial={"email": form.data.get("username", "")}
            )
        return context


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default since 5.0): a link or an image cannot log anyone out."""


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = AccountPasswordResetForm
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_extra_email_context(self):
        return {"site_name": settings.ATRIUM_SITE_NAME}

    def form_valid(self, form):
        try:
            services.password_reset_claim(
                email=form.cleaned_data["email"], client_ip=client_ip(self.request)
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
