"""The visitor's side: what a badge scan shares, withdrawing a lead, saving a booth."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atrium.core.views import next_url
from atrium.events.models import Conference
from atrium.exhibition import forms
from atrium.exhibition import leads as exhibition_leads
from atrium.exhibition.models import (
    Booth,
    Exhibitor,
    Lead,
)
from atrium.network.models import Person


def _my_registration(request, conference):
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    registration = person.registrations.filter(conference=conference).first()
    if registration is None:
        raise Http404
    return person, registration


@login_required
@require_POST
def my_consent(request, slug):
    conference = get_object_or_404(Conference, slug=slug)
    person, _registration = _my_registration(request, conference)
    form = forms.ConsentForm(request.POST)
    exhibitor = None
    if request.POST.get("exhibitor"):
        exhibitor = get_object_or_404(
            Exhibitor, pk=request.POST["exhibitor"], conference=conference
        )
    if form.is_valid():
        exhibition_leads.consent_set(
            person=person, exhibitor=exhibitor, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("Your choices for badge scans are saved."))
    return redirect(reverse("registration:me") + "#exhibition")


@login_required
@require_POST
def my_booth_toggle(request, slug, booth_id):
    """Save a booth to my agenda (from an exhibitor's profile), or take it off."""
    conference = get_object_or_404(Conference, slug=slug)
    _person, registration = _my_registration(request, conference)
    booth = get_object_or_404(Booth, pk=booth_id, hall__conference=conference)
    try:
        saved = exhibition_leads.booth_agenda_toggle(
            registration=registration, booth=booth, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Booth %(code)s is in your agenda.") % {"code": booth.code}
            if saved
            else _("Booth %(code)s is off your agenda.") % {"code": booth.code},
        )
    return redirect(next_url(request, reverse("registration:me") + "#exhibition"))


@login_required
@require_POST
def my_lead_withdraw(request, slug, lead_id):
    conference = get_object_or_404(Conference, slug=slug)
    person, registration = _my_registration(request, conference)
    lead = get_object_or_404(Lead, pk=lead_id, registration=registration)
    exhibition_leads.lead_withdraw(lead=lead, person=person, actor=request.user)
    messages.success(request, _("Withdrawn: the exhibitor no longer sees you among its leads."))
    return redirect(reverse("registration:me") + "#exhibition")
