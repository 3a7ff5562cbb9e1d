"""Pages of calls with review: submitters, reviewers and organisers.

Thin: parse, call a service or a selector, render. Every object is looked up within the
edition and the call of the address; who may see what is decided by the selectors
(``can_view_submission``, ``reviewer_may_review``), so an id of someone else's submission
is a 404, and a conflicted reviewer never sees a submission, its scores or its discussion.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atrium.core.forms import add_service_errors
from atrium.core.views import next_url, render_in_conference_time
from atrium.events.models import Conference
from atrium.reviews import discussion, selectors, services
from atrium.reviews.forms import (
    CoAuthorForm,
    CommentForm,
    DecisionForm,
    ExpertiseForm,
    ExtensionForm,
    ReviewForm,
    SubmissionForm,
    TalkForm,
)
from atrium.reviews.models import (
    Assignment,
    Bid,
    Call,
    Decision,
    FormField,
    Review,
    Submission,
)


def _language() -> str:
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


def _call(conference: Conference, call_slug: str) -> Call:
    return get_object_or_404(Call, conference=conference, slug=call_slug)


def _submission(call: Call, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related(
            "call__conference", "track", "submitter__organisation", "organisation"
        ),
        call=call,
        pk=pk,
    )


def _person_or_error(request):
    person = selectors.person_of(request.user)
    if person is None:
        messages.error(
            request, _("Your account has no person yet: register for the edition first.")
        )
    return person


# --- submitters --------------------------------------------------------------------------


def calls(request, slug):
    conference = get_object_or_404(Conference, slug=slug, is_published=True)
    person = selectors.person_of(request.user)
    return render_in_conference_time(
        request,
        conference,
        "reviews/calls.html",
        {
            "calls": selectors.open_calls(conference=conference),
            "mine": selectors.submissions_for_person(person=person, conference=conference),
            "nav": "calls",
        },
        private=bool(person),
    )


def call(request, slug, call_slug):
    conference = get_object_or_404(Conference, slug=slug, is_published=True)
    the_call = _call(conference, call_slug)
    person = selectors.person_of(request.user)
    mine = [
        s
        for s in selectors.submissions_for_person(person=person, conference=conference)
        if s.call_id == the_call.pk
    ]
    return render_in_conference_time(
        request,
        conference,
        "reviews/call.html",
        {"call": the_call, "mine": mine, "is_open": the_call.is_open(), "nav": "calls"},
        private=bool(person),
    )


def _submission_form_page(request, conference, the_call, submission=None):
    person = _person_or_error(request)
    if person is None:
        return redirect("reviews:call", slug=conference.slug, call_slug=the_call.slug)
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, call=the_call, submission=submission)
        if form.is_valid():
            answers, files = form.answers_for_service()
            try:
                saved = services.submission_save(
                    call=the_call,
                    person=person,
                    submission=submission,
                    data=form.data_for_service(),
                    answers=answers,
                    files=files,
                    language=_language(),
                    actor=request.user,
                )
                if "submit" in request.POST and saved.status == Submission.Status.DRAFT:
                    services.submission_submit(submission=saved, person=person, actor=request.user)
                    messages.success(request, _("Your submission is handed in."))
                else:
                    messages.success(request, _("Saved."))
                return redirect(
                    "reviews:submission", slug=conference.slug, call_slug=the_call.slug, pk=saved.pk
                )
            except ValidationError as error:
                add_service_errors(form, error)
        status = 400
    else:
        form = SubmissionForm(call=the_call, submission=submission)
        status = 200
    return render_in_conference_time(
        request,
        conference,
        "reviews/submission_form.html",
        {"call": the_call, "form": form, "submission": submission, "nav": "calls"},
        status=status,
        private=True,
    )


@login_required
def submission_new(request, slug, call_slug):
    conference = get_object_or_404(Conference, slug=slug)
    return _submission_form_page(request, conference, _call(conference, call_slug))


@login_required
def submission_edit(request, slug, call_slug, pk):
    conference = get_object_or_404(Conference, slug=slug)
    the_call = _call(conference, call_slug)
    submission = _submission(the_call, pk)
    if submission.submitter_id != getattr(selectors.person_of(request.user), "pk", None):
        raise Http404
    return _submission_form_page(request, conference, the_call, submission)


@login_required
def submission(request, slug, call_slug, pk):
    """One submission, as its authors, its assigned unconflicted reviewers or organisers see it."""
    conference = get_object_or_404(Conference, slug=slug)
    the_call = _call(conference, call_slug)
    sub = _submission(the_call, pk)
    if not selectors.can_view_submission(request.user, sub):
        raise Http404
    person = selectors.person_of(request.user)
    organiser = selectors.is_organiser(request.user, the_call)
    author = selectors.is_author(person, sub)
    is_submitter = person is not None and sub.submitter_id == person.pk
    decision = selectors.decision_sent(sub) if author else None
    context = {
        "call": the_call,
        "submission": sub,
        "organiser": organiser,
        "author": author,
        "is_submitter": is_submitter,
        "decision": decision,
        "public_reviews": selectors.public_reviews(sub) if decision else [],
        "coauthors": list(sub.coauthors.all()) if author or organiser else [],
        "coauthor_form": CoAuthorForm(),
        "can_change": is_submitter and sub.status in ("draft", "submitted"),
        "anonymous_view": not (author or organiser) and the_call.anonymised,
        "answers": _answers_for_display(the_call, sub),
        "nav": "calls",
    }
    if organiser:
        context.update(_organiser_submission_context(the_call, sub))
    context["discussion"] = _discussion_context(request.user, sub)
    return render_in_conference_time(
        request, conference, "reviews/submission.html", context, private=True
    )


def _discussion_context(user, sub: Submission) -> dict | None:
    """The reviewers' discussion for the page, or None when the user takes no part in it."""
    if discussion.discussion_role(user, sub) is None:
        return None
    return {"comments": discussion.comments_of(sub), "form": CommentForm()}


@require_POST
@login_required
def discussion_post(request, slug, call_slug, pk):
    """Post to the reviewers' discussion; anyone who may not read it gets a 404."""
    conference = get_object_or_404(Conference, slug=slug)
    sub = _submission(_call(conference, call_slug), pk)
    if discussion.discussion_role(request.user, sub) is None:
        raise Http404
    form = CommentForm(request.POST)
    try:
        if form.is_valid():
            discussion.comment_post(
                submission=sub, user=request.user, body=form.cleaned_data["body"]
            )
            messages.success(request, _("Your comment is posted."))
    except ValidationError as error:
        add_service_errors(form, error)
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)
    default = reverse("reviews:submission", args=[slug, call_slug, pk])
    return redirect(next_url(request, default))


def _answers_for_display(the_call: Call, sub: Submission) -> list[tuple[FormField, object]]:
    return [
        (f, sub.answers.get(f.key)) for f in the_call.fields.all() if f.key in (sub.answers or {})
    ]


def _organiser_submission_context(the_call: Call, sub: Submission) -> dict:
    conflicts = selectors.call_conflicts(the_call, submissions=[sub])
    reviewers = {r.pk: r for r in the_call.reviewers.select_related("person", "user")}
    decision = Decision.objects.filter(submission=sub).first()
    return {
        "reviews": list(
            Review.objects.filter(submission=sub).select_related(
                "reviewer__person", "reviewer__user"
            )
        ),
        "conflicts": [
            (reviewers[r], c.labels()) for (r, _s), c in conflicts.items() if r in reviewers
        ],
        "assignments": list(
            Assignment.objects.filter(submission=sub).select_related(
                "reviewer__person", "reviewer__user"
            )
        ),
        "pending_decision": decision,
        "decision_form": DecisionForm(
            call=the_call, initial={"outcome": decision.outcome} if decision else None
        ),
        "extension_form": ExtensionForm(),
        "talk_form": TalkForm(),
        "later_editions": list(
            Conference.objects.filter(start_date__gt=the_call.conference.start_date).order_by(
                "start_date"
            )
        )
        if the_call.kind == Call.Kind.BIDS
        else [],
    }


@require_POST
@login_required
def submission_submit(request, slug, call_slug, pk):
    conference = get_object_or_404(Conference, slug=slug)
    sub = _submission(_call(conference, call_slug), pk)
    person = selectors.person_of(request.user)
    if person is None or sub.submitter_id != person.pk:
        raise Http404
    try:
        services.submission_submit(submission=sub, person=person, actor=request.user)
        messages.success(request, _("Your submission is handed in."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reviews:submission", slug=slug, call_slug=call_slug, pk=pk)


@require_POST
@login_required
def submission_withdraw(request, slug, call_slug, pk):
    conference = get_object_or_404(Conference, slug=slug)
    sub = _submission(_call(conference, call_slug), pk)
    person = selectors.person_of(request.user)
    if person is None or sub.submitter_id != person.pk:
        raise Http404
    try:
        services.submission_withdraw(submission=sub, person=person, actor=request.user)
        messages.success(request, _("Your submission is withdrawn."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reviews:submission", slug=slug, call_slug=call_slug, pk=pk)


@require_POST
@login_required
def coauthor_invite(request, slug, call_slug, pk):
    conference = get_object_or_404(Conference, slug=slug)
    sub = _submission(_call(conference, call_slug), pk)
    person = selectors.person_of(request.user)
    if person is None or sub.submitter_id != person.pk:
        raise Http404
    form = CoAuthorForm(request.POST)
    if form.is_valid():
        try:
            services.coauthor_invite(
                submission=sub,
                person=person,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                confirm_url=request.build_absolute_uri(
                    reverse("reviews:coauthor-confirm", kwargs={"slug": slug, "token": "TOKEN"})
                ).replace("TOKEN", "{token}"),
                actor=request.user,
                language=_language(),
            )
            messages.success(request, _("The invitation is on its way."))
        except ValidationError as error:
            add_service_errors(form, error)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("reviews:submission", slug=slug, call_slug=call_slug, pk=pk)


@login_required
def coauthor_confirm(request, slug, token):
    conference = get_object_or_404(Conference, slug=slug)
    invitation = services.coauthor_for_token(token)
    if invitation is None or invitation.submission.call.conference_id != conference.pk:
        return render_in_conference_time(
            request, conference, "reviews/coauthor_invalid.html", {}, status=404, private=True
        )
    person = _person_or_error(request)
    if request.method == "POST" and person is not None:
        try:
            services.coauthor_confirm(coauthor=invitation, person=person, actor=request.user)
            messages.success(request, _("You are listed as a co-author."))
            sub = invitation.submission
            return redirect("reviews:submission", slug=slug, call_slug=sub.call.slug, pk=sub.pk)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    return render_in_conference_time(
        request,
        conference,
        "reviews/coauthor_confirm.html",
        {"invitation": invitation},
        private=True,
    )


def reviewer_invitation(request, slug, token):
    """An invitation to review sent to an e-mail without an account: sign up or log in, accept."""
    conference = get_object_or_404(Conference, slug=slug)
    invitation = services.reviewer_invitation_for_token(token)
    if invitation is None or invitation.call.conference_id != conference.pk:
        return render_in_conference_time(
            request, conference, "reviews/coauthor_invalid.html", {}, status=404, private=True
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.reviewer_invitation_accept(
                invitation=invitation, user=request.user, actor=request.user
            )
            messages.success(request, _("You are a reviewer of this call."))
            return redirect("reviews:review-home", slug=slug, call_slug=invitation.call.slug)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    return render_in_conference_time(
        request,
        conference,
        "reviews/reviewer_invitation.html",
        {"invitation": invitation, "call": invitation.call, "next": request.get_full_path()},
        private=True,
    )


def awards(request, slug):
    """The award winners of the edition, both languages, organisations linked to the directory;
    and the host bid this edition was chosen from (events offers no section on the edition's
    own page, so the result is shown here)."""
    conference = get_object_or_404(Conference, slug=slug, is_published=True)
    return render_in_conference_time(
        request,
        conference,
        "reviews/awards.html",
        {
            "winners": selectors.award_winners(conference=conference),
            "hosts": selectors.hosts_chosen_for(conference=conference),
        },
    )


# --- reviewers ---------------------------------------------------------------------------


@login_required
def review_home(request, slug, call_slug):
    conference = get_object_or_404(Conference, slug=slug)
    the_call = _call(conference, call_slug)
    reviewer = selectors.reviewer_for(user=request.user, call=the_call)
    if reviewer is None:
        raise Http404
    if request.method == "POST":
        form = ExpertiseForm(request.POST)
        if form.is_valid():
            services.reviewer_expertise_save(
                reviewer=reviewer,
                sectors=form.cleaned_data["sectors"],
                topics=form.cleaned_data["topics"],
                actor=request.user,
            )
            messages.success(request, _("Your expertise is saved."))
            return redirect("reviews:review-home", slug=slug, call_slug=call_slug)
    else:
        form = ExpertiseForm(
            initial={"sectors": list(reviewer.sectors.all()), "topics": reviewer.topics}
        )
    rows = [a for a in selectors.reviewer_assignments(reviewer) if a.published]
    done = sum(1 for a in rows if a.review and a.review.status == Review.Status.SUBMITTED)
    return render_in_conference_time(
        request,
        conference,
        "reviews/review_home.html",
        {"call": the_call, "reviewer": reviewer, "rows": rows, "done": done, "form": form},
        private=True,
    )


@login_required
def review_bids(request, slug, call_slug):
    """Bid on the call's submissions (eager, willing, not willing, conflict).

    Submissions the reviewer has a conflict with found by the rules are not listed at all.
    """
    conference = get_object_or_404(Conference, slug=slug)
    the_call = _call(conference, call_slug)
    reviewer = selectors.reviewer_for(user=request.user, call=the_call)
    if reviewer is None:
        raise Http404
    subs = selectors.biddable_submissions(reviewer)
    bids = dict(Bid.objects.filter(reviewer=reviewer).values_list("submission_id", "level"))
    if request.method == "POST":
        changed = 0
        for sub in subs:
            level = request.POST.get(f"bid_{sub.pk}", "")
            if level and level != bids.get(sub.pk):
                try:
                    services.bid_set(
                        reviewer=reviewer, submission=sub, level=level, actor=request.user
                    )
                    changed += 1
                except ValidationError as error:
                    for message in error.messages:
                        messages.error(request, message)
        messages.success(request, _("%(count)s bids saved.") % {"count": changed})
        return redirect("reviews:review-bids", slug=slug, call_slug=call_slug)
    for sub in subs:
        sub.bid = bids.get(sub.pk, "")
    return render_in_conference_time(
        request,
        conference,
        "reviews/review_bids.html",
        {"call": the_call, "submissions": subs, "levels": Bid.Level.choices},
        private=True,
    )


@login_required
def review(request, slug, call_slug, pk):
    conference = get_object_or_404(Conference, slug=slug)
    the_call = _call(conference, call_slug)
    sub = _submission(the_call, pk)
    reviewer = selectors.reviewer_for(user=request.user, call=the_call)
    if request.method == "GET" and not selectors.reviewer_may_review(reviewer, sub):
        raise Http404
    if reviewer is None:
        raise Http404
    existing = Review.objects.filter(reviewer=reviewer, submission=sub).first()
    if request.method == "POST":
        form = ReviewForm(request.POST, call=the_call, review=existing)
        if form.is_valid():
            try:
                # the service checks assignment and conflicts again: a forged POST gets a clear no
                services.review_save(
                    reviewer=reviewer,
                    submission=sub,
                    scores=form.scores(),
                    text_for_submitter=form.cleaned_data["text_for_submitter"],
                    text_for_committee=form.cleaned_data["text_for_committee"],
                    submit="submit" in request.POST,
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("Your review is submitted.")
                    if "submit" in request.POST
                    else _("Draft saved."),
                )
                return redirect("reviews:review-home", slug=slug, call_slug=call_slug)
            except ValidationError as error:
                add_service_errors(form, error)
        if not selectors.reviewer_may_review(reviewer, sub):
            return render_in_conference_time(
                request,
                conference,
                "reviews/review_refused.html",
                {
                    "call": the_call,
                    "message": "; ".join(m for errs in form.errors.values() for m in errs),
                },
                status=403,
                private=True,
            )
        status = 400
    else:
        form = ReviewForm(call=the_call, review=existing)
        status = 200
    return render_in_conference_time(
        request,
        conference,
        "reviews/review_form.html",
        {
            "call": the_call,
            "submission": sub,
            "form": form,
            "review": existing,
            "anonymous_view": the_call.anonymised,
            "answers": _answers_for_display(the_call, sub),
            "discussion": _discussion_context(request.user, sub),
        },
        status=status,
        private=True,
    )
