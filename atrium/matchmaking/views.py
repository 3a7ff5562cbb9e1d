"""B2B pages: the delegate's matchmaking (profile, suggestions, requests, meetings) and the
organiser's (blocks, settings, figures, scheduler runs, publication, table sheets).

Thin: parse, call a service or a selector, render. Delegate pages need a logged-in user
with a confirmed registration for the edition; organiser pages need the edition's
organiser role. Every object is looked up within the edition *and* the user's own
registration, so an id from elsewhere is a 404, never someone else's data.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from atrium.core.views import render_in_conference_time
from atrium.events.models import Conference, Session
from atrium.events.permissions import organiser_required
from atrium.matchmaking import planning, selectors, services
from atrium.matchmaking.forms import (
    AnswerForm,
    BlockForm,
    ColleagueForm,
    PeopleFilterForm,
    ProfileForm,
    RequestForm,
    SettingsForm,
    add_service_errors,
)
from atrium.matchmaking.models import Meeting, MeetingRequest, Participant, SchedulerRun
from atrium.registration.models import Registration

SUGGESTIONS = 10
PEOPLE_PER_PAGE = 24


def _render(request, conference, template: str, context: dict, status: int = 200):
    """A B2B page, never cached (personal or organiser data)."""
    return render_in_conference_time(
        request, conference, template, {"nav": "b2b", **context}, status=status, private=True
    )


def delegate_required(view):
    """Resolve ``slug`` to a published edition and require a confirmed registration in it.

    Anonymous users go to the login page; others without a confirmed registration get a
    403 page that says why. The view receives ``conference`` and ``registration``.
    """

    @wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        conference = get_object_or_404(Conference, slug=slug, is_published=True)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        registration = selectors.registration_for(request.user, conference)
        if registration is None:
            return _render(request, conference, "matchmaking/not_confirmed.html", {}, status=403)
        return view(request, *args, conference=conference, registration=registration, **kwargs)

    return wrapped


def _home(conference: Conference, anchor: str = "") -> str:
    url = reverse("matchmaking:home", args=[conference.slug])
    return f"{url}#{anchor}" if anchor else url


def _error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- delegate ----------------------------------------------------------------------------


@require_GET
@delegate_required
def home(request, conference, registration):
    profile = selectors.profile_of(registration)
    taking_part = profile is not None and profile.is_active
    meetings = selectors.my_meetings(registration)
    colleagues = selectors.colleagues(registration)
    for meeting in meetings:
        inside = {meeting.me.registration_id} | {p.registration_id for p in meeting.people}
        meeting.addable = [c for c in colleagues if c.pk not in inside]
    rules = services.settings_for(conference)
    return _render(
        request,
        conference,
        "matchmaking/home.html",
        {
            "registration": registration,
            "profile": profile,
            "taking_part": taking_part,
            "suggestions": (
                selectors.suggestions(registration=registration, profile=profile, limit=SUGGESTIONS)
                if taking_part
                else []
            ),
            "received": list(selectors.requests_received(registration)),
            "sent": list(selectors.requests_sent(registration)[:50]),
            "meetings": meetings,
            "rules": rules,
            "open_sent": services.open_requests_sent(registration),
            "answer_form": AnswerForm(),
            "now": timezone.now(),
        },
    )


def _profile_initial(profile) -> dict:
    return {
        "is_active": profile.is_active,
        "sectors": list(profile.sectors.all()),
        "offer_kinds": profile.offer_kinds,
        "offers": profile.offers,
        "seek_kinds": profile.seek_kinds,
        "seeks": profile.seeks,
        "partner_kinds": profile.partner_kinds,
        "languages": profile.languages,
        "directory_listed": profile.directory_listed,
    }


@require_http_methods(["GET", "POST"])
@delegate_required
def profile_edit(request, conference, registration):
    profile = selectors.profile_of(registration)
    earlier = None
    if profile is not None:
        initial = _profile_initial(profile)
    else:
        earlier = selectors.previous_profile(registration.person, conference)
        initial = _profile_initial(earlier) if earlier else {"is_active": True}
        initial["is_active"] = True
        if not earlier and registration.person.organisation:
            initial["sectors"] = list(registration.person.organisation.sectors.all())
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(
                registration=registration, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["is_active"]:
                messages.success(request, _("Your B2B profile is saved."))
            else:
                messages.info(request, _("You no longer take part in B2B meetings."))
            return redirect(_home(conference))
    return _render(
        request,
        conference,
        "matchmaking/profile_form.html",
        {"form": form, "profile": profile, "earlier": earlier, "registration": registration},
        status=400 if form.errors else 200,
    )


@require_GET
@delegate_required
def people(request, conference, registration):
    form = PeopleFilterForm(request.GET or None)
    q = sector = ""
    if form.is_valid():
        q, sector = form.cleaned_data["q"], form.cleaned_data["sector"]
    profiles = selectors.people(conference, q=q, sector=sector, exclude=registration.pk)
    page = Paginator(profiles, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        conference,
        "matchmaking/people.html",
        {
            "form": form,
            "page": page,
            "registration": registration,
            "filter_query": query.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@delegate_required
def person(request, conference, registration, person_id: int):
    theirs = selectors.profile_for_person(conference, person_id)
    if theirs is None:
        raise Http404(_("This delegate does not take part in B2B meetings."))
    if theirs.registration_id == registration.pk:
        return redirect("matchmaking:profile", slug=conference.slug)
    mine = selectors.profile_of(registration)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(
                requester=registration,
                recipient=theirs.registration,
                message=form.cleaned_data["message"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your request is sent to %(name)s.")
                % {"name": theirs.registration.person.name_i18n},
            )
            return redirect(_home(conference, "sent"))
    return _render(
        request,
        conference,
        "matchmaking/person.html",
        {
            "registration": registration,
            "theirs": theirs,
            "mine": mine,
            "reasons": (
                selectors.explain_pair(mine=mine, theirs=theirs, registration=registration)
                if mine and mine.is_active
                else []
            ),
            "existing": selectors.request_between(registration, theirs.registration),
            "form": form,
            "rules": services.settings_for(conference),
            "open_sent": services.open_requests_sent(registration),
            "answer_form": AnswerForm(),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


def _my_request(conference, registration, pk: int, **filters) -> MeetingRequest:
    return get_object_or_404(
        MeetingRequest.objects.filter(conference=conference).filter(**filters), pk=pk
    )


def _answer(request, conference, registration, pk: int, *, service, done: str, then: str):
    """Accept or decline a request sent to me: one shape, two services."""
    meeting_request = _my_request(conference, registration, pk, recipient=registration)
    form = AnswerForm(request.POST)
    form.is_valid()
    try:
        service(
            request=meeting_request,
            by=registration,
            answer=form.cleaned_data.get("answer", ""),
            actor=request.user,
        )
    except ValidationError as error:
        _error(request, error)
        return redirect(_home(conference, "received"))
    messages.success(request, done % {"name": meeting_request.requester.person.name_i18n})
    return redirect(_home(conference, then))


@require_POST
@delegate_required
def request_accept(request, conference, registration, pk: int):
    done = _(
        "You accepted the meeting with %(name)s. It gets a time and a table when the "
        "organisers publish the schedule."
    )
    return _answer(
        request,
        conference,
        registration,
        pk,
        service=services.request_accept,
        done=done,
        then="meetings",
    )


@require_POST
@delegate_required
def request_decline(request, conference, registration, pk: int):
    done = _("You declined the request of %(name)s.")
    return _answer(
        request,
        conference,
        registration,
        pk,
        service=services.request_decline,
        done=done,
        then="received",
    )


@require_POST
@delegate_required
def request_cancel(request, conference, registration, pk: int):
    meeting_request = get_object_or_404(
        MeetingRequest.objects.filter(conference=conference).filter(
            Q(requester=registration) | Q(recipient=registration)
        ),
        pk=pk,
    )
    try:
        services.request_cancel(request=meeting_request, by=registration, actor=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.info(request, _("Cancelled. The other side is told by e-mail."))
    return redirect(_home(conference))


def _my_meeting(conference, registration, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.filter(conference=conference, participants__registration=registration),
        pk=pk,
    )


@require_POST
@delegate_required
def colleague_add(request, conference, registration, pk: int):
    meeting = _my_meeting(conference, registration, pk)
    form = ColleagueForm(
        request.POST,
        registrations=Registration.objects.filter(conference=conference).select_related("person"),
    )
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_home(conference, f"meeting-{meeting.pk}"))
    try:
        services.meeting_add_colleague(
            meeting=meeting,
            by=registration,
            colleague=form.cleaned_data["colleague"],
            actor=request.user,
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s joins the meeting.")
            % {"name": form.cleaned_data["colleague"].person.name_i18n},
        )
    return redirect(_home(conference, f"meeting-{meeting.pk}"))


@require_POST
@delegate_required
def colleague_remove(request, conference, registration, pk: int, participant_id: int):
    meeting = _my_meeting(conference, registration, pk)
    participant = get_object_or_404(Participant, meeting=meeting, pk=participant_id)
    try:
        services.meeting_remove_colleague(
            participant=participant, by=registration, actor=request.user
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.info(request, _("The colleague is no longer in this meeting."))
    return redirect(_home(conference, "meetings"))


# --- organiser ---------------------------------------------------------------------------


def _block_form(session, data=None) -> BlockForm:
    block = session.block
    initial = (
        {
            "slot_minutes": block.slot_minutes,
            "table_count": block.table_count,
            "table_names": block.table_names,
            "is_active": block.is_active,
        }
        if block
        else {"slot_minutes": 30, "table_count": 10, "is_active": True}
    )
    return BlockForm(data, initial=initial, prefix=f"block-{session.pk}")


def _dashboard(request, conference, *, settings_form=None, bound_block=None, status=200):
    rules = services.settings_for(conference)
    sessions = selectors.blocks(conference)
    for session in sessions:
        if bound_block is not None and bound_block[0] == session.pk:
            session.form = bound_block[1]
        else:
            session.form = _block_form(session)
    run = selectors.latest_run(conference)
    return _render(
        request,
        conference,
        "matchmaking/organiser.html",
        {
            "rules": rules,
            "settings_form": settings_form
            or SettingsForm(
                initial={
                    "request_limit": rules.request_limit,
                    "requests_open": rules.requests_open,
                }
            ),
            "sessions": sessions,
            "stats": selectors.request_stats(conference),
            "report": selectors.run_report(run) if run and run.status == run.Status.DONE else None,
            "run": run,
            "runs": SchedulerRun.objects.filter(conference=conference).order_by("-created")[:8],
            "in_progress": planning.run_in_progress(conference),
            "nav": "b2b-organiser",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@organiser_required
def organiser(request, conference):
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                planning.settings_update(
                    conference=conference, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The B2B settings are saved."))
                return redirect("matchmaking:organiser", slug=conference.slug)
        return _dashboard(request, conference, settings_form=form, status=400)
    return _dashboard(request, conference)


@require_POST
@organiser_required
def block_edit(request, conference, session_id: int):
    session = get_object_or_404(
        Session.objects.select_related("b2b_block"),
        conference=conference,
        pk=session_id,
        kind=Session.Kind.BILATERAL_MEETING,
    )
    session.block = getattr(session, "b2b_block", None)
    form = _block_form(session, request.POST)
    if form.is_valid():
        try:
            planning.block_save(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(title)s is saved.") % {"title": session.title_i18n})
            url = reverse("matchmaking:organiser", args=[conference.slug])
            return redirect(f"{url}#block-{session.pk}")
    return _dashboard(request, conference, bound_block=(session.pk, form), status=400)


@require_POST
@organiser_required
def run_start(request, conference):
    try:
        run = planning.scheduler_start(
            conference=conference,
            actor=request.user,
            incremental=request.POST.get("incremental") == "1",
        )
    except ValidationError as error:
        _error(request, error)
    else:
        run.refresh_from_db()
        if run.status == SchedulerRun.Status.DONE:
            messages.success(
                request, _("The scheduler has finished: check the result, then publish.")
            )
        elif run.status == SchedulerRun.Status.FAILED:
            messages.error(request, _("The scheduler run failed."))
        else:
            messages.info(request, _("The scheduler is running in the background."))
    url = reverse("matchmaking:organiser", args=[conference.slug])
    return redirect(f"{url}#run")


@require_GET
@organiser_required
def run_status(request, conference, run_id: int):
    """The run panel alone, for htmx to poll while a run is queued or running."""
    run = get_object_or_404(SchedulerRun, conference=conference, pk=run_id)
    if not request.htmx:
        url = reverse("matchmaking:organiser", args=[conference.slug])
        return redirect(f"{url}#run")
    return _render(
        request,
        conference,
        "matchmaking/organiser/_run.html",
        {
            "run": run,
            "report": selectors.run_report(run) if run.status == run.Status.DONE else None,
            "in_progress": planning.run_in_progress(conference),
        },
    )


@require_POST
@organiser_required
def run_publish(request, conference, run_id: int):
    run = get_object_or_404(SchedulerRun, conference=conference, pk=run_id)
    try:
        result = planning.scheduler_publish(run=run, actor=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            _(
                "Published: %(new)s meetings got their time and table (and an e-mail); "
                "%(kept)s kept their place."
            )
            % {"new": len(result.published), "kept": result.unchanged},
        )
        if result.skipped:
            messages.info(
                request,
                _(
                    "%(count)s placements no longer fitted (changes since the run) and were left "
                    "out: run the scheduler again to place them."
                )
                % {"count": len(result.skipped)},
            )
    url = reverse("matchmaking:organiser", args=[conference.slug])
    return redirect(f"{url}#run")


@require_GET
@organiser_required
def tables(request, conference):
    run = None
    if request.GET.get("run"):
        try:
            run_id = int(request.GET["run"])
        except ValueError:
            raise Http404 from None
        run = get_object_or_404(SchedulerRun, conference=conference, pk=run_id)
    return _render(
        request,
        conference,
        "matchmaking/tables.html",
        {"sheets": selectors.table_sheets(conference, run=run), "draft_run": run},
    )
