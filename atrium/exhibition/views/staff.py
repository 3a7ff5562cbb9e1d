"""Booth staff: invite, withdraw, and the invitation page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atrium.core.views import render_in_conference_time
from atrium.exhibition import forms
from atrium.exhibition import staff as exhibition_staff
from atrium.exhibition.models import (
    StaffPass,
)
from atrium.exhibition.views.access import exhibitor_required
from atrium.exhibition.views.portal import portal_post


@require_POST
@exhibitor_required("manage")
def staff_invite(request, exhibitor, access):
    form = forms.StaffInviteForm(request.POST)
    join_url = reverse("exhibition:staff-join", kwargs={"token": "TOKEN"}).replace(
        "TOKEN", "{token}"
    )
    return portal_post(
        request,
        exhibitor,
        access,
        form_name="staff_form",
        form=form,
        call=lambda data: exhibition_staff.staff_invite(
            exhibitor=exhibitor,
            join_url=join_url,
            language=translation.get_language(),
            actor=request.user,
            **data,
        ),
        done=_("Invitation sent."),
    )


@require_POST
@exhibitor_required("manage")
def staff_revoke(request, exhibitor, access, pass_id):
    staff_pass = get_object_or_404(StaffPass, pk=pass_id, exhibitor=exhibitor)
    exhibition_staff.staff_revoke(staff_pass=staff_pass, actor=request.user)
    messages.success(request, _("The pass is withdrawn."))
    return redirect("exhibition:portal", slug=exhibitor.conference.slug, pk=exhibitor.pk)


@login_required
@require_http_methods(["GET", "POST"])
def staff_join(request, token):
    staff_pass = exhibition_staff.staff_pass_for_token(token)
    if staff_pass is None:
        raise Http404(_("This invitation is not valid any more."))
    conference = staff_pass.exhibitor.conference
    error = ""
    if request.method == "POST":
        try:
            exhibition_staff.staff_accept(token=token, user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("You are on the booth staff."))
            return redirect("exhibition:leads", slug=conference.slug, pk=staff_pass.exhibitor_id)
    return render_in_conference_time(
        request,
        conference,
        "exhibition/staff_join.html",
        {"staff_pass": staff_pass, "error": error},
        status=400 if error else 200,
        private=True,
    )
