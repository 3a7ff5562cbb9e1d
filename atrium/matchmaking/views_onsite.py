"""B2B pages for the day itself: the organisers' meetings list, moving and locking one
meeting, unpublishing a run, absences, feedback figures and export, meeting sheets; and
the delegates' feedback form and their own meeting sheet.

Thin, like ``views.py``: parse, call ``onsite`` (the rules), render. Organiser pages need
the edition's organiser role; the delegate's need a confirmed registration, and a meeting
is looked up within the edition *and* the delegate's own meetings.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atrium.core.forms import add_service_errors
from atrium.core.tabular import tabular_export
from atrium.core.views import pdf_response
from atrium.events.permissions import organiser_required
from atrium.matchmaking import onsite, scheduling, selectors, sheets
from atrium.matchmaking.forms import AbsenceForm, FeedbackForm, LockForm, MoveForm, slot_value
from atrium.matchmaking.models import Absence, Feedback, Meeting, Participant, SchedulerRun
from atrium.matchmaking.views import _render, delegate_required
from atrium.registration.models import Registration

MEETINGS_PER_PAGE = 400


def _meetings_url(conference, anchor: str = "") -> str:
    url = reverse("matchmaking:meetings", args=[conference.slug])
    return f"{url}#{anchor}" if anchor else url


def _people():
    return Prefetch(
        "participants",
        queryset=Participant.objects.select_related("registration__person__organisation"),
    )


# --- organiser: meetings -------------------------------------------------------------------


@require_GET
@organiser_required
def meetings(request, conference):
    """Every active meeting: placed ones by time and table, then those without a place."""
    query = (request.GET.get("q") or "").strip()
    rows = (
        Meeting.objects.filter(conference=conference, status=Meeting.Status.ACTIVE)
        .select_related("block__session")
        .prefetch_related(_people())
        .order_by("start", "table", "pk")
    )
    if query:
        rows = rows.filter(
            Q(participants__registration__person__name__icontains=query)
            | Q(participants__registration__person__name_zh__icontains=query)
            | Q(participants__registration__person__organisation__name__icontains=query)
        ).distinct()
    rows = list(rows[:MEETINGS_PER_PAGE])
    rows.sort(key=lambda m: (m.start is None, m.start.timestamp() if m.start else 0, m.table or 0))
    return _render(
        request,
        conference,
        "matchmaking/onsite/meetings.html",
        {
            "meetings": rows,
            "query": query,
            "absences": Absence.objects.filter(conference=conference).count(),
            "nav": "b2b-organiser",
        },
    )


def _meeting(conference, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("block__session", "request").prefetch_related(_people()),
        conference=conference,
        pk=pk,
    )


def _move_form(conference, meeting) -> MoveForm:
    blocks, _warnings = scheduling.active_blocks(conference)
    initial = {"version": onsite.meeting_version(meeting)}
    if meeting.is_published and meeting.block is not None:
        starts = [start for start, _end in meeting.block.slots()]
        if meeting.start in starts:
            initial.update(
                slot=slot_value(meeting.block, starts.index(meeting.start)), table=meeting.table
            )
    return MoveForm(blocks=blocks, initial=initial)


def _meeting_page(request, conference, meeting, *, move_form=None, status=200):
    with timezone.override(conference.tz):
        move_form = move_form or _move_form(conference, meeting)
    return _render(
        request,
        conference,
        "matchmaking/onsite/meeting.html",
        {
            "meeting": meeting,
            "people": list(meeting.participants.all()),
            "move_form": move_form,
            "version": onsite.meeting_version(meeting),
            "history": selectors.meeting_history(meeting),
            "nav": "b2b-organiser",
        },
        status=status,
    )


@require_GET
@organiser_required
def meeting(request, conference, pk: int):
    return _meeting_page(request, conference, _meeting(conference, pk))


@require_POST
@organiser_required
def meeting_move(request, conference, pk: int):
    """Refused for a clash: the form again with the message on its field. Refused because
    someone else changed the meeting meanwhile: the meeting as it is now, with the message;
    nothing is written either way."""
    the_meeting = _meeting(conference, pk)
    blocks, _warnings = scheduling.active_blocks(conference)
    with timezone.override(conference.tz):
        form = MoveForm(request.POST, blocks=blocks)
        valid = form.is_valid()
    if valid:
        block, start = form.cleaned_data["slot"]
        was_placed = the_meeting.is_published
        try:
            onsite.meeting_move(
                meeting=the_meeting,
                block=block,
                start=start,
                table=form.cleaned_data["table"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except ValidationError as error:
            if any(e.code == "stale" for e in getattr(error, "error_list", [])):
                messages.error(request, " ".join(error.messages))
                return _meeting_page(request, conference, _meeting(conference, pk), status=409)
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The meeting is moved; its people get an e-mail.")
                if was_placed
                else _("The meeting has its place; its people get an e-mail."),
            )
            return redirect("matchmaking:meeting", slug=conference.slug, pk=the_meeting.pk)
    return _meeting_page(request, conference, the_meeting, move_form=form, status=400)


@require_POST
@organiser_required
def meeting_lock(request, conference, pk: int):
    the_meeting = _meeting(conference, pk)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: nothing was changed."))
    else:
        try:
            onsite.meeting_lock(
                meeting=the_meeting,
                locked=form.cleaned_data["locked"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            stale = any(e.code == "stale" for e in getattr(error, "error_list", []))
            return _meeting_page(
                request, conference, _meeting(conference, pk), status=409 if stale else 400
            )
        messages.success(
            request,
            _("The meeting is locked: runs keep it where it is.")
            if form.cleaned_data["locked"]
            else _("The meeting is unlocked."),
        )
    return redirect("matchmaking:meeting", slug=conference.slug, pk=the_meeting.pk)


# --- organiser: runs ------------------------------------------------------------------------


@require_POST
@organiser_required
def run_unpublish(request, conference, run_id: int):
    run = get_object_or_404(SchedulerRun, conference=conference, pk=run_id)
    try:
        taken = onsite.run_unpublish(run=run, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Unpublished: %(count)s meetings lost their time and table (their people get "
                "an e-mail); locked meetings and meetings moved by hand stay."
            )
            % {"count": len(taken)},
        )
    url = reverse("matchmaking:organiser", args=[conference.slug])
    return redirect(f"{url}#run")


# --- organiser: absences --------------------------------------------------------------------


def _delegates(conference):
    return (
        Registration.objects.filter(
            conference=conference,
            status=Registration.Status.CONFIRMED,
            b2b_participations__meeting__status=Meeting.Status.ACTIVE,
        )
        .select_related("person__organisation")
        .distinct()
        .order_by("person__sort_name", "pk")
    )


@require_http_methods(["GET", "POST"])
@organiser_required
def absences(request, conference):
    with timezone.override(conference.tz):
        form = AbsenceForm(
            request.POST or None,
            registrations=_delegates(conference),
            initial={"since": timezone.localtime().replace(second=0, microsecond=0)},
        )
        valid = request.method == "POST" and form.is_valid()
    status = 200
    if valid:
        try:
            result = onsite.absence_mark(
                registration=form.cleaned_data["registration"],
                since=form.cleaned_data["since"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is marked absent. Meetings freed (the other side is told): "
                    "%(freed)s; with a partner suggested: %(offers)s."
                )
                % {
                    "name": result.absence.registration.person.name_i18n,
                    "freed": len(result.freed),
                    "offers": len(result.offers),
                },
            )
            return redirect("matchmaking:absences", slug=conference.slug)
    if request.method == "POST":
        status = 400
    return _render(
        request,
        conference,
        "matchmaking/onsite/absences.html",
        {
            "form": form,
            "absences": Absence.objects.filter(conference=conference)
            .select_related("registration__person__organisation")
            .order_by("since", "pk"),
            "nav": "b2b-organiser",
        },
        status=status,
    )


@require_POST
@organiser_required
def absence_clear(request, conference, registration_id: int):
    absence = get_object_or_404(
        Absence.objects.select_related("registration__person"),
        conference=conference,
        registration_id=registration_id,
    )
    onsite.absence_clear(registration=absence.registration, actor=request.user)
    messages.success(
        request,
        _("%(name)s is no longer marked absent.") % {"name": absence.registration.person.name_i18n},
    )
    return redirect("matchmaking:absences", slug=conference.slug)


# --- organiser: feedback ---------------------------------------------------------------------


@require_GET
@organiser_required
def feedback(request, conference):
    return _render(
        request,
        conference,
        "matchmaking/onsite/feedback.html",
        {"rows": selectors.feedback_by_block(conference), "nav": "b2b-organiser"},
    )


@require_GET
@organiser_required
def feedback_export(request, conference):
    with timezone.override(conference.tz):
        return tabular_export(
            request,
            filename_stem=f"{conference.slug}-b2b-feedback",
            headers=selectors.FEEDBACK_HEADERS,
            rows=list(selectors.feedback_rows(conference)),
            sheet_title=_("B2B feedback"),
        )


# --- meeting sheets ------------------------------------------------------------------------


def _day(request, conference) -> date | None:
    value = request.GET.get("day") or ""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@require_GET
@organiser_required
def delegate_sheet(request, conference, registration_id: int):
    registration = get_object_or_404(
        Registration.objects.select_related("person__organisation", "conference"),
        conference=conference,
        pk=registration_id,
    )
    data = sheets.delegate_sheet(registration=registration, day=_day(request, conference))
    return pdf_response(data, f"b2b-{conference.slug}-{registration.pk}")


@require_GET
@organiser_required
def tables_pdf(request, conference):
    return pdf_response(sheets.table_sheets_pdf(conference), f"b2b-tables-{conference.slug}")


@require_GET
@delegate_required
def my_sheet(request, conference, registration):
    data = sheets.delegate_sheet(registration=registration, day=_day(request, conference))
    return pdf_response(data, f"b2b-{conference.slug}-my-meetings")


# --- delegate: feedback ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@delegate_required
def meeting_feedback(request, conference, registration, pk: int):
    the_meeting = get_object_or_404(
        Meeting.objects.select_related("block__session").prefetch_related(_people()),
        conference=conference,
        pk=pk,
        participants__registration=registration,
    )
    given = Feedback.objects.filter(meeting=the_meeting, registration=registration).first()
    initial = (
        {
            "took_place": "yes" if given.took_place else "no",
            "rating": given.rating or "",
            "note": given.note,
        }
        if given
        else {}
    )
    form = FeedbackForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                onsite.feedback_save(
                    meeting=the_meeting, registration=registration, **form.cleaned_data
                )
            except PermissionDenied:
                raise
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you: your feedback is saved."))
                url = reverse("matchmaking:home", args=[conference.slug])
                return redirect(f"{url}#meetings")
        status = 400
    return _render(
        request,
        conference,
        "matchmaking/onsite/feedback_form.html",
        {
            "meeting": the_meeting,
            "others": [
                p for p in the_meeting.participants.all() if p.registration_id != registration.pk
            ],
            "form": form,
            "is_open": the_meeting.is_published and the_meeting.start <= timezone.now(),
        },
        status=status,
    )
