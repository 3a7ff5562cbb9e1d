"""Account rules: sign up, confirm the e-mail address, resend the link, link a person,
and the throttles of log-in and password reset.

Every function here is the one place its rule lives; the views (and any later
API or command) only call them. E-mail is sent after the transaction that
created the account has committed, in the language the caller passes (the
language of the request), so a rolled-back sign-up never mails anyone.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from atrium.accounts.models import SignUp
from atrium.core.audit import log_action
from atrium.core.i18n import is_chinese
from atrium.core.mail import render_text
from atrium.core.search import has_han, pinyin_forms
from atrium.core.throttle import throttle_clear, throttle_hit, throttle_peek
from atrium.network.models import Person
from atrium.network.slugs import unique_person_slug

User = get_user_model()
logger = logging.getLogger(__name__)

VERIFY_SALT = "atrium.accounts.verify"
VERIFY_MAX_AGE = timedelta(days=3)
RESEND_INTERVAL = 60  # seconds: at most one verification mail per address per minute
USERNAME_MAX_LENGTH = 150  # Django's User.username

DUPLICATE_EMAIL = _("An account with this e-mail already exists. Log in or reset your password.")


class VerificationError(Exception):
    """A verification link that cannot be used: ``reason`` is expired, invalid or used."""

    def __init__(self, reason: Literal["expired", "invalid", "used"], email: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.email = email  # known when the link was genuine but expired or used


@dataclass(frozen=True)
class Verification:
    user: AbstractBaseUser
    person: Person
    person_created: bool
    next_url: str


def normalise_email(email: str) -> str:
    """The form every address is stored and compared in: trimmed, lower-case."""
    return (email or "").strip().lower()


def email_taken(email: str) -> bool:
    email = normalise_email(email)
    return User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()


def login_name_for(email: str) -> str:
    """The username to authenticate ``email`` with (any case; accounts made in the admin too)."""
    email = normalise_email(email)
    user = User.objects.filter(username__iexact=email).only("username").first()
    if user is None:
        matches = list(User.objects.filter(email__iexact=email).only("username")[:2])
        user = matches[0] if len(matches) == 1 else None
    return user.username if user else email


def awaits_verification(user: AbstractBaseUser) -> bool:
    """An account that signed up here and has not confirmed its address yet."""
    if user.is_active:
        return False
    sign_up = SignUp.objects.filter(user=user).first()
    return sign_up is not None and sign_up.verified is None


# --- sign-up -----------------------------------------------------------------------------


def _valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def latin_name(*, name: str, name_zh: str) -> str:
    """The Latin-script name; from the pinyin of the Chinese name when none was given."""
    name = " ".join((name or "").split())
    if name:
        return name
    forms = pinyin_forms(name_zh)
    return forms[0].title() if forms else ""


def sign_up_errors(*, email: str, password: str, name: str, name_zh: str = "") -> dict:
    """What is wrong with these sign-up details, by field (empty when they are fine)."""
    email = normalise_email(email)
    errors: dict[str, list] = {}
    if not email:
        errors["email"] = [_("Enter your e-mail address.")]
    elif not _valid_email(email):
        errors["email"] = [_("Enter a valid e-mail address, like name@example.org.")]
    elif len(email) > USERNAME_MAX_LENGTH:
        errors["email"] = [
            _("Use an e-mail address of at most %(max)d characters.") % {"max": USERNAME_MAX_LENGTH}
        ]
    elif email_taken(email):
        errors["email"] = [DUPLICATE_EMAIL]
    if has_han(name):
        errors["name"] = [
            _("Write this name in Latin letters (e.g. Ma Jun); the Chinese name has its own field.")
        ]
    elif not (name or "").strip() and not (name_zh or "").strip():
        errors["name"] = [_("Enter your name.")]
    full_name = latin_name(name=name, name_zh=name_zh)
    candidate = User(username=email, email=email, first_name=full_name[:150])
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = exc.error_list
    return errors


def account_sign_up(
    *,
    email: str,
    password: str,
    name: str,
    name_zh: str = "",
    site_url: str,
    language: str,
    next_url: str = "",
) -> AbstractBaseUser:
    """Create an inactive account and mail it a verification link.

    ``site_url`` is the scheme and host the link starts with (``https://atrium.example``);
    ``next_url`` (already checked to stay on this site) is where the new member lands
    after confirming. Raises :class:`ValidationError` with the field at fault.
    """
    email = normalise_email(email)
    name = " ".join((name or "").split())
    name_zh = " ".join((name_zh or "").split())
    errors = sign_up_errors(email=email, password=password, name=name, name_zh=name_zh)
    if errors:
        raise ValidationError(errors)
    full_name = latin_name(name=name, name_zh=name_zh)
    user = User(username=email, email=email, first_name=full_name[:150], is_active=False)
    user.set_password(password)
    user.full_clean(exclude=["username", "password"])
    try:
        with transaction.atomic():
            user.save()
            SignUp.objects.create(user=user, name=name, name_zh=name_zh, language=language)
            log_action(actor=None, action="accounts.signed_up", obj=user)
    except IntegrityError:  # the same address signed up at the same moment
        raise ValidationError({"email": [DUPLICATE_EMAIL]}) from None

    _claim_resend_slot(email)
    _send_verification(user=user, site_url=site_url, language=language, next_url=next_url)
    return user


def _state(user: AbstractBaseUser) -> str:
    """Changes when the account logs in, so a link works once."""
    return user.last_login.isoformat() if user.last_login else ""


def verification_token(*, user: AbstractBaseUser, next_url: str = "") -> str:
    payload = {"u": user.pk, "e": user.email, "s": _state(user)}
    if next_url:
        payload["n"] = next_url
    return signing.dumps(payload, salt=VERIFY_SALT, compress=True)


def _send_verification(
    *, user: AbstractBaseUser, site_url: str, language: str, next_url: str = ""
) -> None:
    token = verification_token(user=user, next_url=next_url)
    now = timezone.now()
    language = language or settings.LANGUAGE_CODE
    sign_up = SignUp.objects.filter(user=user).first()
    name = user.first_name
    if sign_up is not None and sign_up.name_zh and is_chinese(language):
        name = sign_up.name_zh
    context = {
        "user": user,
        "name": name,
        "site_name": settings.ATRIUM_SITE_NAME,
        "link": site_url.rstrip("/") + reverse("accounts:verify", args=[token]),
        "now": now,
        "expires": now + VERIFY_MAX_AGE,
    }
    with translation.override(language):
        subject = render_text("accounts/email/verify_subject.txt", context)
        body = render_text("accounts/email/verify_body.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [user.email])
    except Exception:  # an SMTP failure must not lose the sign-up: the member can resend
        logger.exception("Could not send the verification mail to account %s", user.pk)


def _claim_resend_slot(email: str) -> bool:
    """True at most once a minute per address (a light brake on mail floods)."""
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()
    return cache.add(f"accounts:verify-mail:{digest}", True, RESEND_INTERVAL)


def account_resend_verification(*, email: str, site_url: str, language: str) -> bool:
    """Mail a new link if ``email`` belongs to an account awaiting confirmation.

    Returns whether a mail went out. Callers show the same message either way, so
    nobody learns from it whether an address has an account.
    """
    email = normalise_email(email)
    user = (
        User.objects.filter(
            Q(username__iexact=email) | Q(email__iexact=email),
            is_active=False,
            sign_up__isnull=False,
            sign_up__verified__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if user is None or not _claim_resend_slot(email):
        return False
    _send_verification(user=user, site_url=site_url, language=language)
    return True


# --- throttles ---------------------------------------------------------------------------
# Counted per e-mail address as typed (normalised), whether or not an account has it, and
# per client address, so a refusal says nothing about which addresses have accounts.

THROTTLE_DEFAULTS = {
    "ATRIUM_LOGIN_LIMIT_PER_EMAIL": 10,  # failed log-ins per e-mail address per window
    "ATRIUM_LOGIN_LIMIT_PER_IP": 50,  # failed log-ins per client address per window
    "ATRIUM_LOGIN_WINDOW": 900,  # seconds
    "ATRIUM_RESET_LIMIT_PER_EMAIL": 3,  # password-reset requests per e-mail address per window
    "ATRIUM_RESET_LIMIT_PER_IP": 20,  # password-reset requests per client address per window
    "ATRIUM_RESET_WINDOW": 3600,  # seconds
}


def _limit(name: str) -> int:
    return max(1, int(getattr(settings, name, THROTTLE_DEFAULTS[name])))


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def login_throttle_check(*, email: str, client_ip: str) -> None:
    """Refuse a log-in attempt (``ValidationError``, code ``throttled``) after too many failures.

    Once an e-mail address or a client address has failed ``ATRIUM_LOGIN_LIMIT_PER_*``
    times in the current window, every attempt is refused until the window ends, the
    right password included.
    """
    window = _limit("ATRIUM_LOGIN_WINDOW")
    counts = [
        (
            throttle_peek(scope="login-email", ident=normalise_email(email), window=window),
            _limit("ATRIUM_LOGIN_LIMIT_PER_EMAIL"),
        ),
        (
            throttle_peek(scope="login-ip", ident=client_ip, window=window),
            _limit("ATRIUM_LOGIN_LIMIT_PER_IP"),
        ),
    ]
    for count, limit in counts:
        if count.count >= limit:
            minutes = _minutes(count.wait)
            raise ValidationError(
                ngettext(
                    "Too many failed log-ins for this e-mail address or from your network. "
                    "Try again in %(minutes)d minute, or reset your password.",
                    "Too many failed log-ins for this e-mail address or from your network. "
                    "Try again in %(minutes)d minutes, or reset your password.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )


def login_failure_record(*, email: str, client_ip: str) -> None:
    window = _limit("ATRIUM_LOGIN_WINDOW")
    throttle_hit(scope="login-email", ident=normalise_email(email), window=window)
    throttle_hit(scope="login-ip", ident=client_ip, window=window)


def login_success_record(*, email: str) -> None:
    """A right password clears the failures of the address (not those of the network)."""
    throttle_clear(
        scope="login-email", ident=normalise_email(email), window=_limit("ATRIUM_LOGIN_WINDOW")
    )


def password_reset_claim(*, email: str, client_ip: str) -> None:
    """Count a password-reset request; ``ValidationError`` on ``email`` once over a limit.

    At most ``ATRIUM_RESET_LIMIT_PER_EMAIL`` requests per e-mail address and
    ``ATRIUM_RESET_LIMIT_PER_IP`` per client address in each window; the form shows
    the same thing whether or not an account has the address.
    """
    window = _limit("ATRIUM_RESET_WINDOW")
    by_email = throttle_hit(scope="reset-email", ident=normalise_email(email), window=window)
    by_ip = throttle_hit(scope="reset-ip", ident=client_ip, window=window)
    if by_email.count > _limit("ATRIUM_RESET_LIMIT_PER_EMAIL") or by_ip.count > _limit(
        "ATRIUM_RESET_LIMIT_PER_IP"
    ):
        minutes = _minutes(by_email.wait)
        raise ValidationError(
            {
                "email": ValidationError(
                    ngettext(
                        "Too many requests for this e-mail address or from your network. "
                        "Try again in %(minutes)d minute.",
                        "Too many requests for this e-mail address or from your network. "
                        "Try again in %(minutes)d minutes.",
                        minutes,
                    )
                    % {"minutes": minutes},
                    code="throttled",
                )
            }
        )


# --- verification ------------------------------------------------------------------------


def read_verification_token(token: str) -> dict:
    """The payload of a genuine, unexpired token; :class:`VerificationError` otherwise."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        try:
            email = signing.loads(token, salt=VERIFY_SALT).get("e", "")
        except (signing.BadSignature, AttributeError):
            email = ""
        raise VerificationError("expired", email=email) from None
    except signing.BadSignature:
        raise VerificationError("invalid") from None
    if not isinstance(payload, dict) or not {"u", "e", "s"} <= payload.keys():
        raise VerificationError("invalid")
    return payload


def _usable(payload: dict, *, lock: bool = False) -> tuple[AbstractBaseUser, SignUp]:
    users = User.objects.select_for_update() if lock else User.objects
    user = users.filter(pk=payload["u"]).first()
    if user is None or normalise_email(user.email) != normalise_email(payload["e"]):
        raise VerificationError("invalid")
    sign_ups = SignUp.objects.select_for_update() if lock else SignUp.objects
    sign_up = sign_ups.filter(user=user).first()
    if user.is_active or _state(user) != payload["s"] or sign_up is None or sign_up.verified:
        raise VerificationError("used", email=user.email)
    return user, sign_up


def verification_check(*, token: str) -> AbstractBaseUser:
    """The account a link would confirm, without changing anything (for the confirm page)."""
    user, _sign_up = _usable(read_verification_token(token))
    return user


def account_verify(*, token: str) -> Verification:
    """Confirm the address in ``token``: activate the account and link its person.

    Nothing changes when the link is expired, forged or already used; the
    :class:`VerificationError` says which.
    """
    payload = read_verification_token(token)
    with transaction.atomic():
        user, sign_up = _usable(payload, lock=True)
        user.is_active = True
        user.save(update_fields=["is_active"])
        sign_up.verified = timezone.now()
        sign_up.save(update_fields=["verified"])
        person, created = person_link_or_create(
            user=user, name=sign_up.name, name_zh=sign_up.name_zh
        )
        log_action(
            actor=user,
            action="accounts.verified",
            obj=user,
            data={"person": person.pk, "person_created": created},
        )
    return Verification(
        user=user, person=person, person_created=created, next_url=payload.get("n", "")
    )


# --- the person behind an account --------------------------------------------------------


def person_link_or_create(
    *, user: AbstractBaseUser, name: str, name_zh: str
) -> tuple[Person, bool]:
    """The account's person: already linked, or an unlinked one with the same e-mail
    (imported by the organisers), or a new one from the sign-up names.

    Runs inside the caller's transaction; returns ``(person, created)``.
    """
    existing = Person.objects.filter(user=user).first()
    if existing is not None:
        return existing, False
    person = (
        Person.objects.select_for_update()
        .filter(email__iexact=user.email, user__isnull=True)
        .order_by("pk")
        .first()
    )
    if person is not None:
        person.user = user
        person.save(update_fields=["user", "updated"])
        log_action(actor=user, action="accounts.person_linked", obj=person)
        return person, False
    full_name = latin_name(name=name, name_zh=name_zh) or user.email.split("@")[0]
    for _attempt in range(3):
        person = Person(
            name=full_name[:200],
            name_zh=name_zh[:100],
            email=user.email,
            user=user,
            slug=unique_person_slug(full_name),
        )
        person.full_clean(exclude=["search_key", "slug"])
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:  # another sign-up took the slug meanwhile
            continue
        log_action(actor=user, action="accounts.person_created", obj=person)
        return person, True
    raise IntegrityError("Could not find a free slug for the new person.")
