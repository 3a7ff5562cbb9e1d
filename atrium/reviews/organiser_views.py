"""Organiser pages of calls with review: calls and their set-up, submissions and
rankings, decisions, the assignment.

Thin, like ``views.py``: every page checks the organiser role of the edition
(``organiser_required``) and looks objects up within the edition and the call of the address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from atrium.core import tabular
from atrium.core.forms import add_service_errors
from atrium.core.views import render_in_conference_time
from atrium.events.models import Conference
from atrium.events.permissions import organiser_required
from atrium.reviews import selectors, services
from atrium.reviews.forms import (
    BulkDecisionForm,
    CallForm,
    CriterionForm,
    DecisionForm,
    ExtensionForm,
    FilterForm,
    FormFieldForm,
    ReviewerInviteForm,
    TalkForm,
    TrackForm,
)
from atrium.reviews.models import (
    Assignment,
    AssignmentRun,
    Call,
    Criterion,
    FormField,
    ReviewerInvitation,
    Submission,
    Track,
)
from atrium.reviews.views import _language, _submission


def _call(conference: Conference, call_slug: str) -> Call:
    return get_object_or_404(Call, conference=conference, slug=call_slug)


@organiser_required
def organiser_calls(request, conference):
    if request.method == "POST":
        form = CallForm(request.POST, instance=Call(conference=conference))
        if form.is_valid():
            try:
                new = services.call_save(call=form.instance, actor=request.user)
                messages.success(request, _("The call is created."))
                return redirect("reviews:organiser-call", slug=conference.slug, call_slug=new.slug)
            except ValidationError as error:
                add_service_errors(form, error)
        status = 400
    else:
        form = CallForm()
        status = 200
    return render_in_conference_time(
        request,
        conference,
        "reviews/organiser/calls.html",
        {"calls": Call.objects.filter(conference=conference), "form": form, "nav": "organiser"},
        status=status,
        private=True,
    )


PARTS = {
    "tracks": (Track, TrackForm),
    "fields": (FormField, FormFieldForm),
    "criteria": (Criterion, CriterionForm),
}


def _pk(raw) -> int:
    if not str(raw or "").isdigit():
        raise Http404
    return int(raw)


def _part_delete(request, conference, the_call):
    """Delete a track, a form field or a criterion; refused with the reason when used."""
    if request.POST.get("part") not in PARTS:
        raise Http404
    model, _form = PARTS[request.POST["part"]]
    obj = get_object_or_404(model, call=the_call, pk=_pk(request.POST.get("pk")))
    try:
        services.call_part_delete(obj=obj, actor=request.user)
        messages.success(request, _("Deleted."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reviews:organiser-call", slug=conference.slug, call_slug=the_call.slug)


@organiser_required
def organiser_call(request, conference, call_slug):
    the_call = _call(conference, call_slug)
    forms = {
        "call_form": CallForm(instance=the_call),
        "tracks_form": TrackForm(),
        "fields_form": FormFieldForm(),
        "criteria_form": CriterionForm(),
        "invite_form": ReviewerInviteForm(call=the_call),
        "extension_form": ExtensionForm(),
    }
    # one edit form per existing track, form field and criterion, each with its own prefix
    parts = {
        what: [
            (obj, form_class(instance=obj, prefix=f"{what}-{obj.pk}"))
            for obj in model.objects.filter(call=the_call)
        ]
        for what, (model, form_class) in PARTS.items()
    }
    status = 200
    if request.method == "POST":
        what = request.POST.get("what", "")
        if what == "delete":
            return _part_delete(request, conference, the_call)
        try:
            if what == "call":
                form = forms["call_form"] = CallForm(request.POST, instance=the_call)
                if form.is_valid():
                    services.call_save(call=form.instance, actor=request.user)
                    messages.success(request, _("The call is saved."))
                    return redirect(
                        "reviews:organiser-call", slug=conference.slug, call_slug=form.instance.slug
                    )
            elif what in PARTS and request.POST.get("pk"):
                model, form_class = PARTS[what]
                obj = get_object_or_404(model, call=the_call, pk=_pk(request.POST.get("pk")))
                form = form_class(request.POST, instance=obj, prefix=f"{what}-{obj.pk}")
                parts[what] = [(o, form if o.pk == obj.pk else f) for o, f in parts[what]]
                if form.is_valid():
                    services.call_part_save(obj=form.instance, actor=request.user)
                    messages.success(request, _("Saved."))
                    return redirect(
                        "reviews:organiser-call", slug=conference.slug, call_slug=call_slug
                    )
            elif what in PARTS:
                model, form_class = PARTS[what]
                form = forms[f"{what}_form"] = form_class(
                    request.POST, instance=model(call=the_call)
                )
                if form.is_valid():
                    services.call_part_save(obj=form.instance, actor=request.user)
                    messages.success(request, _("Added."))
                    return redirect(
                        "reviews:organiser-call", slug=conference.slug, call_slug=call_slug
                    )
            elif what == "invite":
                form = forms["invite_form"] = ReviewerInviteForm(request.POST, call=the_call)
                if form.is_valid():
                    invited = services.reviewer_invite(
                        call=the_call,
                        url=reverse(
                            "reviews:review-home",
                            kwargs={"slug": conference.slug, "call_slug": call_slug},
                        ),
                        accept_url=request.build_absolute_uri(
                            reverse(
                                "reviews:reviewer-invitation",
                                kwargs={"slug": conference.slug, "token": "TOKEN"},
                            )
                        ).replace("TOKEN", "{token}"),
                        actor=request.user,
                        language=_language(),
                        **form.cleaned_data,
                    )
                    if isinstance(invited, ReviewerInvitation):
                        messages.success(
                            request,
                            _(
                                "No account has this e-mail yet: an invitation to sign up "
                                "and review is on its way."
                            ),
                        )
                    else:
                        messages.success(request, _("The reviewer is invited."))
                    return redirect(
                        "reviews:organiser-call", slug=conference.slug, call_slug=call_slug
                    )
            elif what == "revoke":
                invitation = get_object_or_404(
                    ReviewerInvitation, call=the_call, pk=_pk(request.POST.get("pk"))
                )
                try:
                    services.reviewer_invitation_revoke(invitation=invitation, actor=request.user)
                    messages.success(request, _("The invitation is withdrawn."))
                except ValidationError as error:
                    for message in error.messages:
                        messages.error(request, message)
                return redirect("reviews:organiser-call", slug=conference.slug, call_slug=call_slug)
            elif what == "extend":
                form = forms["extension_form"] = ExtensionForm(request.POST)
                if form.is_valid():
                    services.call_extend(
                        call=the_call, until=form.cleaned_data["until"], actor=request.user
                    )
                    messages.success(request, _("The deadline is extended for everyone."))
                    return redirect(
                        "reviews:organiser-call", slug=conference.slug, call_slug=call_slug
                    )
            else:
                raise Http404
        except ValidationError as error:
            add_service_errors(form, error)
        status = 400
    return render_in_conference_time(
        request,
        conference,
        "reviews/organiser/call.html",
        {
            "call": the_call,
            "loads": selectors.reviewer_loads(the_call),
            "parts": parts,
            "chosen_bids": selectors.chosen_bids(the_call)
            if the_call.kind == Call.Kind.BIDS
            else [],
            "invitations": the_call.invitations.filter(
                status=ReviewerInvitation.Status.PENDING
            ).select_related("track"),
            "nav": "organiser",
            **forms,
        },
        status=status,
        private=True,
    )


EXPORT_HEADERS = [
    "id",
    "title",
    "track",
    "status",
    "submitter",
    "organisation",
    "reviewers",
    "reviews",
    "mean",
    "median",
    "stdev",
    "normalised",
    "conflicts",
]


@organiser_required
def organiser_submissions(request, conference, call_slug):
    the_call = _call(conference, call_slug)
    filters = FilterForm(request.GET or None)
    params = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.submission_rows(
        the_call, **{k: v for k, v in params.items() if v not in ("", None)}
    )
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        table = [
            [
                r.submission.pk,
                r.submission.title,
                r.submission.track.name if r.submission.track else "",
                r.submission.get_status_display(),
                r.submission.submitter.name,
                r.submission.organisation.name
                if r.submission.organisation
                else (
                    r.submission.submitter.organisation.name
                    if r.submission.submitter.organisation
                    else ""
                ),
                len(r.reviewers),
                r.reviews_submitted,
                *(
                    [
                        round(r.figures.mean, 3),
                        round(r.figures.median, 3),
                        round(r.figures.stdev, 3),
                        round(r.figures.normalised, 3),
                    ]
                    if r.figures
                    else ["", "", "", ""]
                ),
                r.conflicts,
            ]
            for r in rows
        ]
        return tabular.tabular_response(
            filename_stem=f"{conference.slug}-{the_call.slug}",
            fmt=fmt,
            headers=EXPORT_HEADERS,
            rows=table,
            sheet_title=the_call.slug,
        )
    return render_in_conference_time(
        request,
        conference,
        "reviews/organiser/submissions.html",
        {
            "call": the_call,
            "rows": rows,
            "filters": filters,
            "query": request.GET.urlencode(),
            "bulk_outcomes": [(o.value, o.label) for o in services.BULK_OUTCOMES],
            "nav": "organiser",
        },
        private=True,
    )


@organiser_required
def organiser_assignment(request, conference, call_slug):
    the_call = _call(conference, call_slug)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "run":
                run = services.assignment_run(call=the_call, actor=request.user)
                messages.success(
                    request,
                    _("Assignment done: %(placed)s reviews placed.") % {"placed": run.placed},
                )
            elif action == "publish":
                count = services.assignments_publish(
                    call=the_call,
                    url=reverse(
                        "reviews:review-home",
                        kwargs={"slug": conference.slug, "call_slug": call_slug},
                    ),
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("%(count)s assignments published; reviewers are told by e-mail.")
                    % {"count": count},
                )
            elif action in ("lock", "unlock", "remove"):
                assignment = get_object_or_404(
                    Assignment, pk=request.POST.get("assignment"), reviewer__call=the_call
                )
                if action == "remove":
                    services.assignment_remove(assignment=assignment, actor=request.user)
                else:
                    services.assignment_lock(
                        assignment=assignment, locked=action == "lock", actor=request.user
                    )
            elif action == "add":
                reviewer = get_object_or_404(the_call.reviewers, pk=request.POST.get("reviewer"))
                sub = get_object_or_404(
                    Submission, call=the_call, pk=request.POST.get("submission")
                )
                services.assignment_add(reviewer=reviewer, submission=sub, actor=request.user)
            else:
                raise Http404
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("reviews:organiser-assignment", slug=conference.slug, call_slug=call_slug)
    run = AssignmentRun.objects.filter(call=the_call).first()
    assignments = list(
        Assignment.objects.filter(reviewer__call=the_call).select_related(
            "reviewer__person", "reviewer__user", "submission"
        )
    )
    by_sub: dict[int, list] = {}
    for a in assignments:
        by_sub.setdefault(a.submission_id, []).append(a)
    subs = list(
        Submission.objects.filter(call=the_call, status=Submission.Status.SUBMITTED).order_by("id")
    )
    for s in subs:
        s.pairs = by_sub.get(s.pk, [])
        s.affinity = sum(a.affinity for a in s.pairs)
    return render_in_conference_time(
        request,
        conference,
        "reviews/organiser/assignment.html",
        {
            "call": the_call,
            "run": run,
            "loads": selectors.reviewer_loads(the_call),
            "submissions": subs,
            "unpublished": sum(1 for a in assignments if not a.published),
            "nav": "organiser",
        },
        private=True,
    )


@require_POST
@organiser_required
def organiser_submission_action(request, conference, call_slug, pk):
    the_call = _call(conference, call_slug)
    sub = _submission(the_call, pk)
    action = request.POST.get("action")
    try:
        if action == "decide":
            form = DecisionForm(request.POST, call=the_call)
            if form.is_valid():
                services.decision_set(submission=sub, actor=request.user, **form.cleaned_data)
                messages.success(request, _("The decision is pending: send it with the others."))
            else:
                for errors in form.errors.values():
                    for message in errors:
                        messages.error(request, message)
        elif action == "extend":
            form = ExtensionForm(request.POST)
            if form.is_valid():
                services.submission_extend(
                    submission=sub, until=form.cleaned_data["until"], actor=request.user
                )
                messages.success(request, _("The deadline of this submission is extended."))
        elif action == "choose":
            raw = request.POST.get("edition", "")
            edition = (
                get_object_or_404(Conference, pk=_pk(raw)) if raw else None
            )  # empty: no edition yet, the bid's city and year only
            services.bid_choose(submission=sub, edition=edition, actor=request.user)
            messages.success(
                request,
                _("The bid is recorded on the edition.")
                if edition
                else _("The bid is marked as chosen; record its edition once it exists."),
            )
        elif action == "talk":
            form = TalkForm(request.POST)
            if form.is_valid():
                talk = services.talk_from_submission(
                    submission=sub, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("The talk is in the programme."))
                return redirect(talk.session.get_absolute_url())
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reviews:submission", slug=conference.slug, call_slug=call_slug, pk=pk)


@require_POST
@organiser_required
def organiser_decisions_bulk(request, conference, call_slug):
    """One pending decision (accept, reject, waiting list) for the selected submissions."""
    the_call = _call(conference, call_slug)
    form = BulkDecisionForm(request.POST, call=the_call)
    if form.is_valid():
        try:
            count = services.decisions_set_bulk(
                call=the_call,
                submissions=form.cleaned_data["submissions"],
                outcome=form.cleaned_data["outcome"],
                actor=request.user,
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s decision is pending: send it with the others.",
                    "%(count)s decisions are pending: send them with the others.",
                    count,
                )
                % {"count": count},
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    back = reverse("reviews:organiser-submissions", args=[conference.slug, call_slug])
    query = request.POST.get("query", "")
    return redirect(f"{back}?{query}" if query and "\n" not in query else back)


@require_POST
@organiser_required
def organiser_decisions_send(request, conference, call_slug):
    the_call = _call(conference, call_slug)
    count = services.decisions_send(call=the_call, actor=request.user)
    messages.success(request, _("%(count)s decisions sent.") % {"count": count})
    return redirect("reviews:organiser-submissions", slug=conference.slug, call_slug=call_slug)


@require_POST
@organiser_required
def organiser_results(request, conference, call_slug):
    the_call = _call(conference, call_slug)
    services.results_publish(
        call=the_call, published=request.POST.get("published") == "1", actor=request.user
    )
    messages.success(request, _("Saved."))
    return redirect("reviews:organiser-call", slug=conference.slug, call_slug=call_slug)
