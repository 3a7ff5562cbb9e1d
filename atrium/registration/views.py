"""Delegate-side pages: register, pay, my conference, cancel, seat sign-ups, delegations.

Thin: parse the request, call a service, render. Every page that shows a
registration checks that it belongs to the logged-in user.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atrium.core.forms import add_service_errors
from atrium.core.views import next_url, render_in_conference_time
from atrium.events.calendar import agenda_calendar, ics_response, uid_host
from atrium.events.models import Conference, Session
from atrium.events.permissions import Role, conference_role_required, has_role
from atrium.events.selectors import next_edition, starred_sessions
from atrium.network.forms import PhotoForm
from atrium.network.models import Person
from atrium.registration import delegations, hooks, seats, selectors, services
from atrium.registration import forms as forms_module
from atrium.registration.forms import (
    CancelForm,
    DelegationForm,
    InvitationForm,
    RegistrationForm,
)
from atrium.registration.models import Delegation, DelegationInvitation, Registration, SeatBooking
from atrium.registration.payments import enabled_providers, provider

INVITATION_SESSION_KEY = "atrium_delegation_invitation"


def _conference(slug: str) -> Conference:
    return get_object_or_404(Conference, slug=slug, is_published=True)


def _my_registration(request, conference: Conference) -> Registration | None:
    registration = (
        Registration.objects.select_related("order", "type", "delegation", "person")
        .filter(conference=conference, person__user=request.user)
        .first()
    )
    if registration is not None:
        registration.conference = conference  # the same row: no second query for it
    return registration


def _language() -> str:
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


# --- register --------------------------------------------------------------------------


@login_required
def register(request, slug):
    conference = _conference(slug)
    # Read only: the person is made from the account when the form is sent (never on GET).
    person = Person.objects.filter(user=request.user).first()
    existing = _my_registration(request, conference)
    if existing:
        messages.info(request, _("You are registered already; here is your registration."))
        return redirect("registration:me")
    invitation = delegations.invitation_for_token(request.session.get(INVITATION_SESSION_KEY, ""))
    if invitation and invitation.delegation.conference_id != conference.pk:
        invitation = None
    policy = services.policy_for(conference)
    types = conference.registration_types.filter(is_active=True).annotate(
        taken=Count("registrations", filter=Q(registrations__status__in=Registration.ACTIVE))
    )
    questions = list(conference.questions.prefetch_related("types"))
    initial = {
        "name": person.name if person else request.user.get_full_name(),
        "name_zh": person.name_zh if person else "",
        "position": person.position if person else "",
        "organisation": person.organisation_id if person else None,
        "country": person.country if person else "",
        "phone": person.phone if person else "",
        "consent_directory": person.directory_opt_in if person else False,
        "currency": "CNY" if _language() == "zh-hans" else "USD",
    }
    # "Find" next to the organisation search (pages without JavaScript): the form comes back
    # with what was typed and the matches, unchecked and unsent.
    finding = request.method == "POST" and "find_organisation" in request.POST
    if finding:
        initial = {**initial, **request.POST.dict()}
    form = RegistrationForm(
        None if finding else (request.POST or None),
        initial=initial,
        conference=conference,
        types=types,
        questions=questions,
        fixed_type=invitation.type if invitation else None,
    )
    if request.method == "POST" and not finding and form.is_valid():
        try:
            registration = services.registration_submit(
                conference=conference,
                person=person,
                user=request.user,
                rtype=form.cleaned_data["type"],
                currency=form.cleaned_data["currency"],
                answers=form.answers(),
                consent_directory=form.cleaned_data["consent_directory"],
                consent_photos=form.cleaned_data["consent_photos"],
                voucher_code=form.cleaned_data["voucher"],
                invitation=invitation,
                language=_language(),
                profile=form.profile(),
                questions=questions,
                actor=request.user,
            )
        except services.AlreadyRegistered:
            messages.info(request, _("You are registered already; here is your registration."))
            return redirect("registration:me")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            if registration.order.status == registration.order.Status.PENDING:
                return redirect(
                    "registration:pay", slug=conference.slug, reference=registration.reference
                )
            messages.success(request, _("Thank you: your registration is received."))
            return redirect("registration:me")
    type_rows = []
    for rtype in form.types:  # the rows the form checked the choice against
        left = None if rtype.capacity is None else max(0, rtype.capacity - rtype.taken)
        type_rows.append(
            {
                "type": rtype,
                "usd": rtype.price("USD", early=policy.is_early()),
                "cny": rtype.price("CNY", early=policy.is_early()),
                "regular_usd": rtype.price_usd,
                "regular_cny": rtype.price_cny,
                "left": left,
                "checked": str(form["type"].value()) == str(rtype.pk),
                "allowed": not invitation or not invitation.type or invitation.type == rtype,
            }
        )
    return render_in_conference_time(
        request,
        conference,
        "registration/register.html",
        {
            "form": form,
            "policy": policy,
            "is_open": policy.is_open(),
            "has_ended": conference.has_ended(),
            "next_edition": next_edition(conference) if conference.has_ended() else None,
            "opens_later": bool(policy.opens_at and policy.opens_at > timezone.now()),
            "type_rows": type_rows,
            "invitation": invitation,
            "nav": "register",
        },
    )


@require_GET
@login_required
def organisation_options(request, slug):
    """The register page's organisation matches for what was typed (htmx partial)."""
    conference = _conference(slug)
    options = forms_module.organisation_options(
        chosen=request.GET.get("organisation", ""), query=request.GET.get("organisation_q", "")
    )
    return render_in_conference_time(
        request,
        conference,
        "registration/_organisation_options.html",
        {
            "options": options,
            "chosen": request.GET.get("organisation", ""),
            "query": request.GET.get("organisation_q", "").strip(),
        },
        private=True,
    )


# --- payment ---------------------------------------------------------------------------


def _my_order_registration(request, slug, reference) -> Registration:
    registration = (
        Registration.objects.select_related("order", "conference", "type", "person")
        .filter(conference__slug=slug, order__reference=reference, person__user=request.user)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


@login_required
def pay(request, slug, reference):
    registration = _my_order_registration(request, slug, reference)
    providers = enabled_providers()
    return render(
        request,
        "registration/pay.html",
        {
            "conference": registration.conference,
            "registration": registration,
            "order": registration.order,
            "providers": [(p, p.instructions(registration.order)) for p in providers],
        },
    )


@login_required
@require_POST
def pay_online(request, slug, reference, provider_code):
    registration = _my_order_registration(request, slug, reference)
    chosen = provider(provider_code)
    if chosen is None or not chosen.pays_online:
        raise Http404
    order = registration.order
    try:
        services.payment_confirm(
            order=order,
            provider=chosen.code,
            amount=order.total,
            currency=order.currency,
            provider_reference=f"{chosen.code}-{uuid.uuid4().hex}",
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registration:pay", slug=slug, reference=reference)
    messages.success(request, _("Thank you: your payment is received."))
    return redirect("registration:me")


# --- my conference ---------------------------------------------------------------------


@login_required
def me(request):
    registrations = list(
        Registration.objects.filter(person__user=request.user)
        .select_related(
            "conference__letterhead", "order", "type", "delegation__head", "fapiao_request"
        )
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=selectors.with_waitlist_position(
                    SeatBooking.objects.filter(status__in=services.ACTIVE_BOOKING)
                ).select_related("session__room"),
                to_attr="active_bookings",
            )
        )
        .order_by("-conference__start_date")
    )
    for registration in registrations:
        registration.is_head = (
            registration.delegation is not None
            and registration.delegation.head_id == registration.person_id
        )
        registration.starred = list(starred_sessions(registration.person, registration.conference))
        registration.sections = hooks.me_sections.collect(
            request=request, registration=registration
        )
        registration.feed_url = request.build_absolute_uri(
            reverse(
                "registration:agenda-feed",
                kwargs={"slug": registration.conference.slug, "token": registration.feed_token},
            )
        )
    return render(
        request,
        "registration/me.html",
        {
            "registrations": registrations,
            "nav": "me",
            "person": Person.objects.filter(user=request.user).first(),
            "photo_form": PhotoForm(),
        },
    )


@login_required
def cancel(request, slug):
    conference = _conference(slug)
    registration = _my_registration(request, conference)
    if registration is None or not registration.is_active:
        raise Http404
    form = CancelForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_cancel(
                registration=registration,
                actor=request.user,
                visa_refused=form.cleaned_data["visa_refused"],
                proof=form.cleaned_data["proof"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your registration is cancelled."))
            return redirect("registration:me")
    refund, reason = services.refund_for(
        registration=registration, at=timezone.now(), visa_refused=False
    )
    return render_in_conference_time(
        request,
        conference,
        "registration/cancel.html",
        {
            "registration": registration,
            "form": form,
            "refund": refund,
            "refund_reason": reason,
            "policy": services.policy_for(conference),
        },
    )


# --- seats -----------------------------------------------------------------------------


def signups(request, slug):
    """Every session of the edition that needs a sign-up, with seats left and my place."""
    conference = _conference(slug)
    sessions = list(
        Session.objects.filter(conference=conference, seats__isnull=False, is_public=True)
        .select_related("room")
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.CONFIRMED)),
            waiting=Count("bookings", filter=Q(bookings__status=SeatBooking.Status.WAITLISTED)),
        )
        .order_by("start", "title")
    )
    registration = _my_registration(request, conference) if request.user.is_authenticated else None
    mine = {}
    if registration:
        bookings = registration.bookings.filter(status__in=services.ACTIVE_BOOKING)
        for booking in selectors.with_waitlist_position(bookings):
            mine[booking.session_id] = booking
    now = timezone.now()
    for session in sessions:
        session.conference = conference  # for its link, without a query per session
        session.left = max(0, session.seats - session.taken)
        session.closed = now >= session.start  # sign-ups close when the session starts
        session.my_booking = mine.get(session.pk)
    return render_in_conference_time(
        request,
        conference,
        "registration/signups.html",
        {
            "sessions": sessions,
            "registration": registration,
            "nav": "signups",
        },
    )


@login_required
@require_POST
def seat_signup(request, slug, session_id):
    conference = _conference(slug)
    session = get_object_or_404(Session, conference=conference, pk=session_id, is_public=True)
    registration = _my_registration(request, conference)
    if registration is None:
        messages.error(request, _("Register for the conference first."))
        return redirect("registration:register", slug=slug)
    try:
        booking = seats.seat_signup(registration=registration, session=session, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if booking.status == SeatBooking.Status.CONFIRMED:
            messages.success(request, _("Your seat is booked: %s.") % session.title_i18n)
        else:
            messages.info(
                request,
                _("%(title)s is full: you are number %(position)s on the waiting list.")
                % {"title": session.title_i18n, "position": booking.position},
            )
    return redirect("registration:signups", slug=slug)


@login_required
@require_POST
def seat_cancel(request, slug, booking_id):
    booking = get_object_or_404(
        SeatBooking.objects.select_related("session"),
        pk=booking_id,
        registration__conference__slug=slug,
        registration__person__user=request.user,
    )
    seats.seat_cancel(booking=booking, actor=request.user)
    messages.success(request, _("You are no longer signed up for %s.") % booking.session.title_i18n)
    return redirect(next_url(request, reverse("registration:signups", args=[slug])))


# --- delegations -----------------------------------------------------------------------


@login_required
def delegation_new(request, slug):
    conference = _conference(slug)
    registration = _my_registration(request, conference)
    if registration is None:
        messages.info(request, _("Register for the conference first, then create your delegation."))
        return redirect("registration:register", slug=slug)
    if registration.delegation_id:
        return redirect(registration.delegation)
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = delegations.delegation_create(
                conference=conference,
                head=registration.person,
                name=data["name"],
                name_zh=data["name_zh"],
                basis=data["basis"],
                city=data["city"],
                country=data["country"],
                organisation=data["organisation"],
                member_kind=data["member_kind"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your delegation is created: invite its members."))
            return redirect(delegation)
    return render(
        request, "registration/delegation_form.html", {"conference": conference, "form": form}
    )


def _delegation_for_head(request, slug, pk) -> Delegation:
    delegation = get_object_or_404(
        Delegation.objects.select_related("conference", "head"), conference__slug=slug, pk=pk
    )
    is_head = delegation.head.user_id == request.user.pk
    if not is_head and not has_role(request.user, delegation.conference, Role.ORGANISER):
        raise PermissionDenied
    return delegation


@login_required
def delegation_detail(request, slug, pk):
    delegation = _delegation_for_head(request, slug, pk)
    conference = delegation.conference
    form = InvitationForm(request.POST or None, conference=conference)
    if request.method == "POST" and form.is_valid():
        try:
            delegations.delegation_invite(
                delegation=delegation,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                rtype=form.cleaned_data["type"],
                join_url=request.build_absolute_uri(
                    reverse("registration:join", kwargs={"slug": slug, "token": "TOKEN"})
                ).replace("TOKEN", "{token}"),
                actor=request.user,
                language=_language(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %s.") % form.cleaned_data["email"].lower()
            )
            return redirect(delegation)
    members = delegation.registrations.select_related("person__organisation", "type", "order")
    invitations = delegation.invitations.exclude(status=DelegationInvitation.Status.ACCEPTED)
    return render(
        request,
        "registration/delegation.html",
        {
            "conference": conference,
            "delegation": delegation,
            "members": members,
            "invitations": invitations,
            "form": form,
        },
    )


@login_required
@require_POST
def invitation_revoke(request, slug, pk, invitation_id):
    delegation = _delegation_for_head(request, slug, pk)
    invitation = get_object_or_404(delegation.invitations, pk=invitation_id)
    try:
        delegations.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation to %s is withdrawn.") % invitation.email)
    return redirect(delegation)


def join(request, slug, token):
    """The link in an invitation e-mail: keep the token, then register (or join)."""
    conference = _conference(slug)
    invitation = delegations.invitation_for_token(token)
    if invitation is None or invitation.delegation.conference_id != conference.pk:
        return render(
            request, "registration/join_invalid.html", {"conference": conference}, status=404
        )
    registration = _my_registration(request, conference) if request.user.is_authenticated else None
    if request.method == "POST" and request.user.is_authenticated:
        if registration is None:
            request.session[INVITATION_SESSION_KEY] = token
            return redirect("registration:register", slug=slug)
        try:
            delegations.invitation_accept(
                invitation=invitation, registration=registration, actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("You are now a member of %s.") % invitation.delegation.name_i18n
            )
            return redirect("registration:me")
    return render(
        request,
        "registration/join.html",
        {"conference": conference, "invitation": invitation, "registration": registration},
    )


def agenda_feed(request, slug, token):
    """My agenda as an iCalendar feed, at a private URL (the token is revocable on /me/)."""
    registration = get_object_or_404(
        Registration.objects.select_related("conference", "person"),
        conference__slug=slug,
        feed_token=token,
        status=Registration.Status.CONFIRMED,
    )
    calendar = agenda_calendar(
        conference=registration.conference,
        sessions=services.agenda_sessions(registration=registration),
        name=_("My agenda: %s") % registration.conference.name_i18n,
        request=request,
    )
    for events in hooks.agenda_feed_events.send(registration=registration, host=uid_host(request)):
        for event in events:
            calendar.add_component(event)
    response = ics_response(calendar=calendar, filename=f"{slug}-my-agenda.ics")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def agenda_feed_reset(request, slug):
    registration = _my_registration(request, _conference(slug))
    if registration is None:
        raise Http404
    services.feed_token_reset(registration=registration, actor=request.user)
    messages.success(request, _("Your calendar link is renewed; the old one no longer works."))
    return redirect("registration:me")


@conference_role_required(Role.ORGANISER)
def delegation_import(request, conference):
    """Register a whole delegation from a spreadsheet: dry run first, then save."""
    from atrium.core.tabular import TableError, discard_stash, read_stashed_table, stash_upload
    from atrium.registration.forms import DelegationImportForm
    from atrium.registration.imports import COLUMNS, delegation_import

    purpose = f"delegation-import-{conference.pk}"
    context = {"conference": conference, "columns": COLUMNS, "nav": "organiser"}
    if request.method == "POST" and "token" in request.POST:
        # The confirmation of a clean dry run: the same file, kept for an hour.
        token = request.POST["token"]
        details = request.session.get(purpose, {})
        try:
            table = read_stashed_table(token, user=request.user, purpose=purpose)
        except TableError as error:
            messages.error(request, str(error))
            return redirect("registration:delegation-import", slug=conference.slug)
        result = delegation_import(
            conference=conference, table=table, dry_run=False, actor=request.user, **details
        )
        if result.saved:
            discard_stash(token, user=request.user, purpose=purpose)
        context.update(result=result, details=details)
        return render(request, "registration/delegation_import.html", context)
    form = DelegationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        details = {
            key: form.cleaned_data[key]
            for key in ("name", "basis", "city", "country", "member_kind")
        }
        details["country"] = str(details["country"] or "")
        dry_run = form.cleaned_data["dry_run"]
        result = delegation_import(
            conference=conference,
            table=form.cleaned_data["table"],
            dry_run=dry_run,
            actor=request.user,
            **details,
        )
        token = None
        if dry_run and result.ok:
            token = stash_upload(request.FILES["file"], user=request.user, purpose=purpose)
            request.session[purpose] = details
        context.update(result=result, token=token, details=details)
        return render(request, "registration/delegation_import.html", context)
    context["form"] = form
    return render(request, "registration/delegation_import.html", context)
