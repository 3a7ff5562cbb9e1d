"""Every state change of calls with review: submissions, reviewers, assignment, reviews,
decisions. Views, the API and the demo call these functions; each is keyword-only, one
transaction, and writes the audit trail (``log_action``); mails leave after the commit.

Rules kept here and nowhere else:

- nothing of a submission changes after its deadline (the call's close, or an organiser's
  extension for the whole call or for that submission);
- a conflicted reviewer is never assigned and can never save a review of the submission,
  whatever the page or request says (``selectors.pair_conflict``);
- scores lie within each criterion's scale;
- uploaded files are checked by their content and size before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.invitations import token_hash
from atrium.core.mail import send_email_on_commit
from atrium.core.uploads import check_upload_size
from atrium.events.models import Conference, ConferenceRole, Session, SessionRole, Talk
from atrium.network.models import Person
from atrium.reviews import assign
from atrium.reviews.models import (
    Assignment,
    AssignmentRun,
    Bid,
    Call,
    CoAuthor,
    Criterion,
    Decision,
    DeclaredConflict,
    FormField,
    Review,
    Reviewer,
    Submission,
    Track,
)
from atrium.reviews.ranking import weighted_total
from atrium.reviews.selectors import call_conflicts, pair_conflict

#: Files accepted in a form's file field, recognised by their first bytes (never the name).
FILE_SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}

#: The fields of a submission a submitter may set, beside the form's answers.
SUBMISSION_FIELDS = (
    "title",
    "abstract",
    "track",
    "session_kind",
    "duration_minutes",
    "co_speakers",
    "organisation",
    "solution",
    "projects_served",
    "money_raised_cny",
    "ip_rights",
    "city",
    "proposed_start",
    "proposed_end",
    "venue",
    "supporting_government",
)

#: What each kind of call requires at submission, beside the title.
REQUIRED_BY_KIND = {
    Call.Kind.TALKS: ("abstract", "session_kind", "duration_minutes"),
    Call.Kind.AWARD: ("organisation", "solution"),
    Call.Kind.BIDS: ("city", "proposed_start", "proposed_end", "venue", "supporting_government"),
}

#: The affinity of the pairs about which nothing is known; a "not willing" bid is listed at
#: 0, below it, so the solver uses such a pair only to place a review it could not otherwise.
DEFAULT_AFFINITY = 0.1
BID_BONUS = {Bid.Level.EAGER: 0.4, Bid.Level.WILLING: 0.2}
EXPERTISE_WEIGHT = 0.5


def _when(moment: dt.datetime, call: Call) -> str:
    return formats.date_format(moment.astimezone(call.conference.tz), "DATETIME_FORMAT")


def _lock_submission(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("call__conference")
        .get(pk=submission.pk)
    )


def _check_before_deadline(submission: Submission, at: dt.datetime) -> None:
    deadline = submission.deadline()
    if at >= deadline:
        raise ValidationError(
            _(
                "The deadline passed on %(date)s; nothing can change without an "
                "extension from the organisers."
            )
            % {"date": _when(deadline, submission.call)}
        )


# --- calls (organisers) --------------------------------------------------------------------


@transaction.atomic
def call_save(*, call: Call, actor) -> Call:
    """Create or change a call (the organiser's form); checked before it is saved."""
    created = call.pk is None
    call.full_clean()
    call.save()
    log_action(
        actor=actor,
        action="reviews.call_created" if created else "reviews.call_changed",
        obj=call,
        conference=call.conference,
    )
    return call


@transaction.atomic
def call_part_save(*, obj: Track | FormField | Criterion, actor) -> Track | FormField | Criterion:
    """Create or change a track, a form field or a criterion of a call."""
    created = obj.pk is None
    obj.full_clean()
    obj.save()
    log_action(
        actor=actor,
        action=f"reviews.{obj._meta.model_name}_{'created' if created else 'changed'}",
        obj=obj,
        conference=obj.call.conference,
    )
    return obj


@transaction.atomic
def call_extend(*, call: Call, until: dt.datetime, actor) -> Call:
    """Extend the deadline of the whole call."""
    if until <= call.closes_at:
        raise ValidationError({"until": _("An extension must end after the call closes.")})
    call = Call.objects.select_for_update().get(pk=call.pk)
    call.extended_until = until
    call.save(update_fields=["extended_until", "updated"])
    log_action(
        actor=actor,
        action="reviews.call_extended",
        obj=call,
        conference=call.conference,
        data={"until": until.isoformat()},
    )
    return call


@transaction.atomic
def submission_extend(*, submission: Submission, until: dt.datetime, actor) -> Submission:
    """Extend the deadline of one submission."""
    submission = _lock_submission(submission)
    if until <= submission.call.closes_at:
        raise ValidationError({"until": _("An extension must end after the call closes.")})
    submission.extended_until = until
    submission.save(update_fields=["extended_until", "updated"])
    log_action(
        actor=actor,
        action="reviews.submission_extended",
        obj=submission,
        conference=submission.call.conference,
        data={"until": until.isoformat()},
    )
    return submission


# --- answers ---------------------------------------------------------------------------------


def _check_file(field: FormField, upload) -> str:
    """The file's type by content, after its size; a ValidationError naming the field."""
    check_upload_size(upload, limit=field.max_file_size, field=field.key)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, kind in FILE_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    raise ValidationError(
        {
            field.key: _("%(label)s: upload a PDF, JPEG or PNG file (this file is not one).")
            % {"label": field.label_i18n}
        }
    )


def _clean_value(field: FormField, value, error) -> object:
    kind = field.kind
    K = FormField.Kind
    if kind in (K.TEXT, K.LONG_TEXT, K.LINK):
        text = str(value).strip()
        limit = field.max_length or (300 if kind == K.TEXT else 20000)
        if len(text) > limit:
            error(
                _("%(label)s: at most %(limit)s characters (this has %(count)s).")
                % {"label": field.label_i18n, "limit": limit, "count": len(text)}
            )
        if kind == K.TEXT and "\n" in text:
            error(_("%(label)s: one line only.") % {"label": field.label_i18n})
        if kind == K.LINK and text:
            try:
                URLValidator(schemes=["http", "https"])(text)
            except ValidationError:
                error(
                    _("%(label)s: enter a web address starting with https://.")
                    % {"label": field.label_i18n}
                )
        return text
    values = [v for v, _en, _zh in field.choice_pairs()]
    if kind == K.CHOICE:
        if value not in values:
            error(_("%(label)s: choose one of the options.") % {"label": field.label_i18n})
        return value
    if kind == K.MULTIPLE_CHOICE:
        items = value if isinstance(value, list | tuple) else [value]
        if any(v not in values for v in items):
            error(_("%(label)s: choose among the options.") % {"label": field.label_i18n})
        return [v for v in values if v in items]
    if kind == K.NUMBER:
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            error(_("%(label)s: enter a number.") % {"label": field.label_i18n})
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == K.DATE:
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            error(_("%(label)s: enter a date as YYYY-MM-DD.") % {"label": field.label_i18n})
            return None
    return value


def answers_clean(
    *, call: Call, raw: Mapping[str, object], files: Mapping[str, object], previous: dict
) -> tuple[dict, dict]:
    """Check the answers against the call's form.

    Returns the answers without new files, and the uploads to store ``{key: (file, type)}``.
    Errors are keyed by the field's key. Required fields are checked at submission
    (``submission_submit``), so a draft may be incomplete.
    """
    errors: dict[str, list[str]] = {}
    answers: dict = {}
    uploads: dict = {}
    for field in call.fields.all():
        key = field.key

        def error(message, key=key):
            errors.setdefault(key, []).append(message)

        if field.kind == FormField.Kind.FILE:
            upload = files.get(key)
            if upload:
                try:
                    uploads[key] = (upload, _check_file(field, upload))
                except ValidationError as exc:
                    for message in exc.message_dict.get(key, exc.messages):
                        error(message)
            elif key in previous:
                answers[key] = previous[key]
            continue
        value = raw.get(key)
        if value in (None, "", [], ()):
            continue
        cleaned = _clean_value(field, value, error)
        if cleaned not in (None, "", []):
            answers[key] = cleaned
    unknown = set(raw) - {f.key for f in call.fields.all()}
    if unknown:
        errors.setdefault("answers", []).append(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if errors:
        raise ValidationError(errors)
    return answers, uploads


def _store_upload(upload, kind: str) -> dict:
    name = re.sub(r"[^\w.\- ]+", "_", getattr(upload, "name", "") or "file")[:100]
    path = default_storage.save(
        f"private/reviews/{uuid.uuid4().hex}.{kind}", ContentFile(upload.read())
    )
    return {"path": path, "name": name, "size": upload.size, "type": kind}


# --- submissions -------------------------------------------------------------------------------


@transaction.atomic
def submission_save(
    *,
    call: Call,
    person: Person,
    submission: Submission | None = None,
    data: Mapping[str, object],
    answers: Mapping[str, object] | None = None,
    files: Mapping[str, object] | None = None,
    language: str = "en",
    actor,
    at: dt.datetime | None = None,
) -> Submission:
    """Create a draft or change one's own submission before its deadline.

    ``data`` holds the fields in :data:`SUBMISSION_FIELDS` (``track`` a Track of the call,
    ``organisation`` an Organisation). Nothing is written on an error.
    """
    at = at or timezone.now()
    unknown = set(data) - set(SUBMISSION_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if submission is None:
        if at < call.opens_at:
            raise ValidationError(_("This call is not open yet."))
        if at >= call.deadline:
            raise ValidationError(
                _("This call closed on %(date)s.") % {"date": _when(call.deadline, call)}
            )
        submission = Submission(call=call, submitter=person, language=language)
    else:
        submission = _lock_submission(submission)
        if submission.submitter_id != person.pk:
            raise ValidationError(_("Only the submitter can change this submission."))
        if submission.status not in (Submission.Status.DRAFT, Submission.Status.SUBMITTED):
            raise ValidationError(
                _("This submission is %(status)s; it cannot change.")
                % {"status": submission.get_status_display().lower()}
            )
        _check_before_deadline(submission, at)
    track = data.get("track")
    if track is not None and track.call_id != call.pk:
        raise ValidationError({"track": _("This track belongs to another call.")})
    for name, value in data.items():
        setattr(submission, name, value)
    previous = submission.answers or {}
    if answers is None:  # keep the answers given before (a change of other fields)
        answers = {k: v for k, v in previous.items() if not isinstance(v, dict)}
    cleaned, uploads = answers_clean(call=call, raw=answers, files=files or {}, previous=previous)
    submission.full_clean(exclude=["answers"])
    for key, (upload, kind) in uploads.items():
        cleaned[key] = _store_upload(upload, kind)
    submission.answers = cleaned
    created = submission.pk is None
    submission.save()
    log_action(
        actor=actor,
        action="reviews.submission_created" if created else "reviews.submission_changed",
        obj=submission,
        conference=call.conference,
    )
    return submission


def _missing_for_submission(submission: Submission) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in REQUIRED_BY_KIND.get(submission.call.kind, ()):
        if getattr(submission, name) in (None, ""):
            label = Submission._meta.get_field(name).verbose_name
            errors[name] = _("%(label)s is required.") % {"label": str(label).capitalize()}
    if (
        submission.proposed_start
        and submission.proposed_end
        and submission.proposed_end < submission.proposed_start
    ):
        errors["proposed_end"] = _("The last day cannot be before the first day.")
    for field in submission.call.fields.all():
        if field.required and field.key not in (submission.answers or {}):
            errors[field.key] = _("%(label)s is required.") % {"label": field.label_i18n}
    return errors


@transaction.atomic
def submission_submit(
    *, submission: Submission, person: Person, actor, at: dt.datetime | None = None
) -> Submission:
    """Hand in a draft: every required field answered, before the deadline."""
    at = at or timezone.now()
    submission = _lock_submission(submission)
    if submission.submitter_id != person.pk:
        raise ValidationError(_("Only the submitter can submit this."))
    if submission.status != Submission.Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    _check_before_deadline(submission, at)
    errors = _missing_for_submission(submission)
    if errors:
        raise ValidationError(errors)
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = at
    submission.save(update_fields=["status", "submitted_at", "updated"])
    log_action(
        actor=actor,
        action="reviews.submitted",
        obj=submission,
        conference=submission.call.conference,
    )
    return submission


@transaction.atomic
def submission_withdraw(*, submission: Submission, person: Person, actor) -> Submission:
    """The submitter withdraws, at any time until a decision has been sent."""
    submission = _lock_submission(submission)
    if submission.submitter_id != person.pk:
        raise ValidationError(_("Only the submitter can withdraw this."))
    if submission.status not in (Submission.Status.DRAFT, Submission.Status.SUBMITTED):
        raise ValidationError(_("A decision has been made; the submission cannot be withdrawn."))
    submission.status = Submission.Status.WITHDRAWN
    submission.save(update_fields=["status", "updated"])
    log_action(
        actor=actor,
        action="reviews.withdrawn",
        obj=submission,
        conference=submission.call.conference,
    )
    return submission


# --- co-authors ---------------------------------------------------------------------------


@transaction.atomic
def coauthor_invite(
    *,
    submission: Submission,
    person: Person,
    email: str,
    name: str = "",
    confirm_url: str,
    actor,
    language: str = "en",
    at: dt.datetime | None = None,
) -> CoAuthor:
    """Invite a co-author or team member. ``confirm_url`` has a ``{token}`` placeholder.

    The token is random and only its SHA-256 is stored, as for delegation invitations.
    """
    at = at or timezone.now()
    submission = _lock_submission(submission)
    if submission.submitter_id != person.pk:
        raise ValidationError(_("Only the submitter can invite co-authors."))
    _check_before_deadline(submission, at)
    email = email.strip().lower()
    try:
        from django.core.validators import validate_email

        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if submission.coauthors.filter(email=email).exclude(status=CoAuthor.Status.REVOKED).exists():
        raise ValidationError({"email": _("This address is invited already.")})
    token = secrets.token_urlsafe(32)
    coauthor = CoAuthor.objects.create(
        submission=submission, email=email, name=name.strip(), token_hash=token_hash(token)
    )
    log_action(
        actor=actor,
        action="reviews.coauthor_invited",
        obj=submission,
        conference=submission.call.conference,
        data={"email": email},
    )
    send_email_on_commit(
        to=email,
        template="reviews/email/coauthor_invitation",
        context={
            "submission": submission,
            "call": submission.call,
            "inviter": person,
            "url": confirm_url.format(token=token),
        },
        language=language,
    )
    coauthor.token = token  # for the caller (tests); never stored
    return coauthor


def coauthor_for_token(token: str) -> CoAuthor | None:
    """The open invitation with this token, or None for a forged, used or withdrawn one."""
    if not token or len(token) > 100:
        return None
    return (
        CoAuthor.objects.select_related("submission__call__conference")
        .filter(token_hash=token_hash(token), status=CoAuthor.Status.PENDING)
        .first()
    )


@transaction.atomic
def coauthor_confirm(*, coauthor: CoAuthor, person: Person, actor) -> CoAuthor:
    coauthor = CoAuthor.objects.select_for_update().get(pk=coauthor.pk)
    if coauthor.status != CoAuthor.Status.PENDING:
        raise ValidationError(_("This invitation has been used or withdrawn."))
    if coauthor.submission.submitter_id == person.pk:
        raise ValidationError(_("You are the submitter already."))
    coauthor.status = CoAuthor.Status.CONFIRMED
    coauthor.person = person
    coauthor.confirmed_at = timezone.now()
    coauthor.save(update_fields=["status", "person", "confirmed_at"])
    log_action(
        actor=actor,
        action="reviews.coauthor_confirmed",
        obj=coauthor.submission,
        conference=coauthor.submission.call.conference,
        data={"person": person.pk},
    )
    return coauthor


# --- reviewers, bids, conflicts ----------------------------------------------------------------


@transaction.atomic
def reviewer_invite(
    *,
    call: Call,
    email: str,
    max_load: int = 10,
    track: Track | None = None,
    url: str = "",
    actor,
    language: str = "en",
) -> Reviewer:
    """Make the account with this e-mail a reviewer of the call, and tell them."""
    email = email.strip().lower()
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        raise ValidationError(
            {"email": _("No account has this e-mail; ask the reviewer to sign up first.")}
        )
    if track is not None and track.call_id != call.pk:
        raise ValidationError({"track": _("This track belongs to another call.")})
    if max_load < 1:
        raise ValidationError({"max_load": _("A reviewer takes at least one review.")})
    if Reviewer.objects.filter(call=call, user=user).exists():
        raise ValidationError({"email": _("This person reviews this call already.")})
    reviewer = Reviewer.objects.create(
        call=call,
        user=user,
        person=Person.objects.filter(user=user).first(),
        track=track,
        max_load=max_load,
    )
    ConferenceRole.objects.get_or_create(
        conference=call.conference, user=user, role=ConferenceRole.Role.REVIEWER
    )
    log_action(
        actor=actor,
        action="reviews.reviewer_invited",
        obj=call,
        conference=call.conference,
        data={"email": email},
    )
    send_email_on_commit(
        to=user.email,
        template="reviews/email/reviewer_invitation",
        context={"call": call, "url": url},
        language=language,
    )
    return reviewer


@transaction.atomic
def reviewer_expertise_save(*, reviewer: Reviewer, sectors, topics: str, actor) -> Reviewer:
    reviewer.topics = topics.strip()[:500]
    reviewer.full_clean()
    reviewer.save(update_fields=["topics"])
    reviewer.sectors.set(sectors)
    log_action(
        actor=actor,
        action="reviews.expertise_saved",
        obj=reviewer,
        conference=reviewer.call.conference,
    )
    return reviewer


@transaction.atomic
def bid_set(*, reviewer: Reviewer, submission: Submission, level: str, actor) -> Bid:
    if submission.call_id != reviewer.call_id:
        raise ValidationError(_("This submission belongs to another call."))
    if level not in Bid.Level.values:
        raise ValidationError({"level": _("Choose eager, willing, not willing or conflict.")})
    bid, _created = Bid.objects.update_or_create(
        reviewer=reviewer, submission=submission, defaults={"level": level}
    )
    log_action(
        actor=actor,
        action="reviews.bid",
        obj=reviewer,
        conference=reviewer.call.conference,
        data={"submission": submission.pk, "level": level},
    )
    return bid


@transaction.atomic
def conflict_declare(
    *, reviewer: Reviewer, submission: Submission, reason: str = "", actor
) -> DeclaredConflict:
    """A declared conflict: the reviewer loses the assignment unless a review was submitted."""
    if submission.call_id != reviewer.call_id:
        raise ValidationError(_("This submission belongs to another call."))
    declared, _created = DeclaredConflict.objects.get_or_create(
        reviewer=reviewer, submission=submission, defaults={"reason": reason.strip()[:300]}
    )
    Assignment.objects.filter(reviewer=reviewer, submission=submission).delete()
    log_action(
        actor=actor,
        action="reviews.conflict_declared",
        obj=reviewer,
        conference=reviewer.call.conference,
        data={"submission": submission.pk},
    )
    return declared


# --- assignment ----------------------------------------------------------------------------


def _words(*texts: str) -> str:
    return " ".join(t.lower() for t in texts if t)


def assignment_instance(call: Call) -> tuple[dict, dict[tuple[str, str], float]]:
    """The solver's instance for the call, from bids, expertise, conflicts and kept pairs.

    Affinity of a pair: :data:`DEFAULT_AFFINITY` + ``0.5 ×`` the share of the reviewer's
    expertise (topics and sector names) found in the submission (title, abstract, solution,
    track, the sectors of its organisation) + a bid bonus (eager 0.4, willing 0.2), at most 1;
    a "not willing" bid is 0, below every pair about which nothing is known. Conflicts and
    pairs outside a reviewer's track are forbidden; locked, published or reviewed pairs are
    kept. Only pairs that differ from the default are listed.
    """
    reviewers = list(
        Reviewer.objects.filter(call=call)
        .select_related("person", "user")
        .prefetch_related("sectors")
    )
    submissions = list(
        Submission.objects.filter(call=call, status=Submission.Status.SUBMITTED)
        .select_related("submitter__organisation", "organisation", "track")
        .prefetch_related("organisation__sectors", "submitter__organisation__sectors")
    )
    conflicts = call_conflicts(call, reviewers=reviewers, submissions=submissions)
    bids = {
        (r, s): level
        for r, s, level in Bid.objects.filter(reviewer__call=call).values_list(
            "reviewer_id", "submission_id", "level"
        )
    }
    sub_ids = {s.pk for s in submissions}
    # a pair that has become conflicted (a co-author confirmed, a conflict declared) is
    # never kept: the run drops it
    kept = {pair for pair in _kept_pairs(call, sub_ids) if pair not in conflicts}
    affinity: dict[tuple[str, str], float] = {}
    forbidden: list[list[str]] = []
    texts = {}
    for s in submissions:
        org = s.organisation or s.submitter.organisation
        sectors = " ".join(x.name for x in org.sectors.all()) if org else ""
        texts[s.pk] = _words(
            s.title, s.abstract, s.solution, s.track.name if s.track else "", sectors
        )
    for r in reviewers:
        items = r.topic_set() | {x.name.lower() for x in r.sectors.all()}
        for s in submissions:
            key = (r.pk, s.pk)
            rid, sid = f"r{r.pk}", f"s{s.pk}"
            if key in conflicts or (r.track_id and s.track_id != r.track_id and key not in kept):
                forbidden.append([rid, sid])
                continue
            level = bids.get(key)
            if level == Bid.Level.NOT_WILLING:
                affinity[(rid, sid)] = 0.0
                continue
            overlap = sum(1 for item in items if item in texts[s.pk]) / len(items) if items else 0
            value = DEFAULT_AFFINITY + EXPERTISE_WEIGHT * overlap + BID_BONUS.get(level, 0)
            value = round(min(1.0, value), 3)
            if value != DEFAULT_AFFINITY:
                affinity[(rid, sid)] = value
    instance = {
        "reviewers": [{"id": f"r{r.pk}", "max_load": r.max_load} for r in reviewers],
        "submissions": [
            {"id": f"s{s.pk}", "reviews": call.reviews_per_submission} for s in submissions
        ],
        "affinity": [[r, s, w] for (r, s), w in affinity.items()],
        "conflicts": forbidden,
        "locked": [[f"r{r}", f"s{s}"] for r, s in sorted(kept)],
        "default_affinity": DEFAULT_AFFINITY,
    }
    return instance, affinity


def _kept_pairs(call: Call, sub_ids: set[int]) -> set[tuple[int, int]]:
    """Pairs a re-run keeps: locked, published, or with a review begun."""
    from django.db.models import Q

    pairs = set(
        Assignment.objects.filter(reviewer__call=call)
        .filter(Q(locked=True) | Q(published=True))
        .values_list("reviewer_id", "submission_id")
    )
    reviewed = set(
        Review.objects.filter(reviewer__call=call).values_list("reviewer_id", "submission_id")
    )
    assigned = set(
        Assignment.objects.filter(reviewer__call=call).values_list("reviewer_id", "submission_id")
    )
    return {p for p in pairs | (reviewed & assigned) if p[1] in sub_ids}


@transaction.atomic
def assignment_run(*, call: Call, actor, time_limit: float = 20.0) -> AssignmentRun:
    """Run the solver and replace the pairs that are not kept with its optimal answer."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    instance, affinity = assignment_instance(call)
    try:
        result = assign.solve(instance, time_limit=time_limit)
    except assign.InstanceError as error:
        raise ValidationError(
            _("The assignment cannot run: %(reason)s") % {"reason": error}
        ) from None
    kept = {(r, s) for r, s in instance["locked"]}
    _delete_unkept(call, kept)
    existing = set(
        Assignment.objects.filter(reviewer__call=call).values_list("reviewer_id", "submission_id")
    )
    new = []
    for rid, sid in result["assignments"]:
        pair = (int(rid[1:]), int(sid[1:]))
        if pair not in existing:
            new.append(
                Assignment(
                    reviewer_id=pair[0],
                    submission_id=pair[1],
                    affinity=affinity.get((rid, sid), DEFAULT_AFFINITY),
                )
            )
    Assignment.objects.bulk_create(new)
    run = AssignmentRun.objects.create(
        call=call,
        placed=result["placed"],
        objective=result["objective"],
        upper_bound=result["upper_bound"],
        status=result["status"],
        seconds=result.get("seconds", 0),
        short=[
            {**item, "submission": int(item["submission"][1:])} for item in result.get("short", [])
        ],
    )
    log_action(
        actor=actor,
        action="reviews.assignment_run",
        obj=call,
        conference=call.conference,
        data={k: result[k] for k in ("placed", "objective", "upper_bound", "status")},
    )
    return run


def _delete_unkept(call: Call, kept: set[tuple[str, str]]) -> None:
    keep = {(int(r[1:]), int(s[1:])) for r, s in kept}
    drop = [
        pk
        for pk, r, s in Assignment.objects.filter(reviewer__call=call).values_list(
            "id", "reviewer_id", "submission_id"
        )
        if (r, s) not in keep
    ]
    Assignment.objects.filter(pk__in=drop).delete()


@transaction.atomic
def assignment_add(*, reviewer: Reviewer, submission: Submission, actor) -> Assignment:
    """Assign by hand (locked, so a re-run keeps it); never a conflicted pair."""
    reasons = pair_conflict(reviewer, submission)
    if reasons:
        raise ValidationError(
            _("This reviewer has a conflict of interest with this submission (%(reasons)s).")
            % {"reasons": ", ".join(_reason_labels(reasons))}
        )
    if not submission.is_reviewable:
        raise ValidationError(_("Only a submitted entry can be assigned."))
    assignment, _created = Assignment.objects.get_or_create(
        reviewer=reviewer, submission=submission, defaults={"locked": True}
    )
    if not assignment.locked:
        assignment.locked = True
        assignment.save(update_fields=["locked"])
    log_action(
        actor=actor,
        action="reviews.assigned",
        obj=reviewer,
        conference=reviewer.call.conference,
        data={"submission": submission.pk},
    )
    return assignment


def _reason_labels(reasons) -> list[str]:
    from atrium.reviews.conflicts import REASONS

    return [str(REASONS.get(r, r)) for r in reasons]


@transaction.atomic
def assignment_lock(*, assignment: Assignment, locked: bool, actor) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("reviewer__call")
        .get(pk=assignment.pk)
    )
    assignment.locked = locked
    assignment.save(update_fields=["locked"])
    log_action(
        actor=actor,
        action="reviews.assignment_locked" if locked else "reviews.assignment_unlocked",
        obj=assignment.reviewer,
        conference=assignment.reviewer.call.conference,
        data={"submission": assignment.submission_id},
    )
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor) -> None:
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("reviewer__call")
        .get(pk=assignment.pk)
    )
    if Review.objects.filter(
        reviewer=assignment.reviewer, submission=assignment.submission
    ).exists():
        raise ValidationError(_("This reviewer has begun the review; it cannot be removed."))
    log_action(
        actor=actor,
        action="reviews.unassigned",
        obj=assignment.reviewer,
        conference=assignment.reviewer.call.conference,
        data={"submission": assignment.submission_id},
    )
    assignment.delete()


@transaction.atomic
def assignments_publish(*, call: Call, url: str = "", actor, mail: bool = True) -> int:
    """Publish the unpublished pairs; each reviewer with new ones gets one mail.

    ``mail=False`` only for the demo loader, which must not print a mail per reviewer.
    """
    pending = list(
        Assignment.objects.filter(reviewer__call=call, published=False).select_related(
            "reviewer__user"
        )
    )
    counts: dict[Reviewer, int] = {}
    for a in pending:
        counts[a.reviewer] = counts.get(a.reviewer, 0) + 1
    Assignment.objects.filter(pk__in=[a.pk for a in pending]).update(published=True)
    for reviewer, count in counts.items() if mail else ():
        send_email_on_commit(
            to=reviewer.user.email,
            template="reviews/email/assignments",
            context={"call": call, "count": count, "url": url},
            language=getattr(getattr(reviewer.user, "sign_up", None), "language", "") or "en",
        )
    log_action(
        actor=actor,
        action="reviews.assignments_published",
        obj=call,
        conference=call.conference,
        data={"pairs": len(pending), "reviewers": len(counts)},
    )
    return len(pending)


# --- reviews ---------------------------------------------------------------------------------


def scores_clean(*, call: Call, raw: Mapping[str, object], complete: bool) -> dict[str, int]:
    """Scores as whole numbers within each criterion's scale; errors keyed by criterion."""
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    criteria = list(call.criteria.all())
    keys = {c.key for c in criteria}
    for key in set(raw) - keys:
        errors[f"score_{key}"] = _("Unknown criterion: %(key)s.") % {"key": key}
    for c in criteria:
        value = raw.get(c.key)
        if value in (None, ""):
            if complete:
                errors[f"score_{c.key}"] = _("%(name)s: give a score.") % {"name": c.name_i18n}
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            errors[f"score_{c.key}"] = _("%(name)s: enter a whole number.") % {"name": c.name_i18n}
            continue
        if not c.scale_min <= number <= c.scale_max:
            errors[f"score_{c.key}"] = _(
                "%(name)s: the score must be between %(min)s and %(max)s (not %(value)s)."
            ) % {"name": c.name_i18n, "min": c.scale_min, "max": c.scale_max, "value": number}
            continue
        scores[c.key] = number
    if errors:
        raise ValidationError(errors)
    return scores


@transaction.atomic
def review_save(
    *,
    reviewer: Reviewer,
    submission: Submission,
    scores: Mapping[str, object],
    text_for_submitter: str = "",
    text_for_committee: str = "",
    submit: bool = False,
    actor,
    at: dt.datetime | None = None,
) -> Review:
    """Save a draft review or submit it: assigned, no conflict, in the review period, in range."""
    at = at or timezone.now()
    reviewer = (
        Reviewer.objects.select_for_update().select_related("call__conference").get(pk=reviewer.pk)
    )
    call = reviewer.call
    if submission.call_id != call.pk:
        raise ValidationError(_("This submission belongs to another call."))
    if pair_conflict(reviewer, submission):
        raise ValidationError(
            _("You have a conflict of interest with this submission; you cannot review it.")
        )
    if not Assignment.objects.filter(
        reviewer=reviewer, submission=submission, published=True
    ).exists():
        raise ValidationError(_("This submission is not assigned to you."))
    if not submission.is_reviewable:
        raise ValidationError(_("This submission was withdrawn."))
    if at < call.review_from:
        raise ValidationError(
            _("Reviewing opens on %(date)s.") % {"date": _when(call.review_from, call)}
        )
    if at > call.review_until:
        raise ValidationError(
            _("The review period ended on %(date)s.") % {"date": _when(call.review_until, call)}
        )
    clean = scores_clean(call=call, raw=scores, complete=submit)
    review, _created = Review.objects.select_for_update().get_or_create(
        reviewer=reviewer, submission=submission
    )
    review.scores = clean
    review.total = weighted_total(
        clean, [(c.key, float(c.weight)) for c in call.criteria.all() if c.counts]
    )
    review.text_for_submitter = text_for_submitter.strip()
    review.text_for_committee = text_for_committee.strip()
    if submit:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = review.submitted_at or at
    review.save()
    log_action(
        actor=actor,
        action="reviews.review_submitted" if submit else "reviews.review_saved",
        obj=review,
        conference=call.conference,
        data={"submission": submission.pk},
    )
    return review


def review_reminders(*, call: Call, at: dt.datetime | None = None, url: str = "") -> int:
    """Mail reviewers with open reviews 7 and 3 days before the review deadline.

    Meant to run once a day (a cron job or a periodic task); returns the number of mails.
    """
    at = at or timezone.now()
    days = (
        call.review_until.astimezone(call.conference.tz).date()
        - at.astimezone(call.conference.tz).date()
    ).days
    if days not in (7, 3):
        return 0
    sent = 0
    for reviewer in Reviewer.objects.filter(call=call).select_related("user"):
        assigned = set(
            Assignment.objects.filter(reviewer=reviewer, published=True).values_list(
                "submission_id", flat=True
            )
        )
        done = set(
            Review.objects.filter(reviewer=reviewer, status=Review.Status.SUBMITTED).values_list(
                "submission_id", flat=True
            )
        )
        open_count = len(assigned - done)
        if open_count:
            with transaction.atomic():
                send_email_on_commit(
                    to=reviewer.user.email,
                    template="reviews/email/reminder",
                    context={"call": call, "count": open_count, "days": days, "url": url},
                    language=getattr(getattr(reviewer.user, "sign_up", None), "language", "")
                    or "en",
                )
            sent += 1
    return sent


# --- decisions -------------------------------------------------------------------------------


@transaction.atomic
def decision_set(
    *,
    submission: Submission,
    outcome: str,
    track: Track | None = None,
    note: str = "",
    rank: int | None = None,
    actor,
) -> Decision:
    """Set (or change) a pending decision; nothing is sent yet."""
    submission = _lock_submission(submission)
    if not submission.is_reviewable:
        raise ValidationError(_("Only a submitted entry gets a decision."))
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if outcome == Decision.Outcome.ACCEPT_OTHER_TRACK:
        if submission.call.kind != Call.Kind.TALKS:
            raise ValidationError({"outcome": _("Only talks can move to another track.")})
        if track is None or track.call_id != submission.call_id:
            raise ValidationError({"track": _("Choose a track of this call.")})
    else:
        track = None
    decision = Decision.objects.filter(submission=submission).first()
    if decision and decision.status == Decision.Status.SENT:
        raise ValidationError(_("The decision has been sent already."))
    decision = decision or Decision(submission=submission)
    decision.outcome = outcome
    decision.track = track
    decision.note = note.strip()
    decision.rank = rank
    decision.language = submission.language
    decision.status = Decision.Status.PENDING
    decision.save()
    log_action(
        actor=actor,
        action="reviews.decision_set",
        obj=submission,
        conference=submission.call.conference,
        data={"outcome": outcome},
    )
    return decision


STATUS_OF_OUTCOME = {
    Decision.Outcome.ACCEPT: Submission.Status.ACCEPTED,
    Decision.Outcome.ACCEPT_OTHER_TRACK: Submission.Status.ACCEPTED,
    Decision.Outcome.REJECT: Submission.Status.REJECTED,
    Decision.Outcome.WAITLIST: Submission.Status.WAITLISTED,
}


@transaction.atomic
def decisions_send(
    *, call: Call, actor, url: str = "", at: dt.datetime | None = None, mail: bool = True
) -> int:
    """Send every pending decision of the call, each in its recipient's language; logged.

    ``mail=False`` only for the demo loader (the decisions are marked sent, no mail leaves).
    """
    at = at or timezone.now()
    pending = list(
        Decision.objects.select_for_update(of=("self",))
        .filter(submission__call=call, status=Decision.Status.PENDING)
        .select_related("submission__submitter__user", "track")
    )
    for decision in pending:
        submission = decision.submission
        submission.status = STATUS_OF_OUTCOME[decision.outcome]
        if decision.track_id:
            submission.track = decision.track
        submission.save(update_fields=["status", "track", "updated"])
        decision.status = Decision.Status.SENT
        decision.mailed_at = at
        decision.save(update_fields=["status", "mailed_at", "updated"])
        recipients = [submission.submitter.email or getattr(submission.submitter.user, "email", "")]
        recipients += list(
            submission.coauthors.filter(status=CoAuthor.Status.CONFIRMED).values_list(
                "email", flat=True
            )
        )
        for to in dict.fromkeys(r for r in recipients if r and mail):
            send_email_on_commit(
                to=to,
                template="reviews/email/decision",
                context={"call": call, "submission": submission, "decision": decision, "url": url},
                language=decision.language,
            )
        log_action(
            actor=actor,
            action="reviews.decision_sent",
            obj=submission,
            conference=call.conference,
            data={"outcome": decision.outcome, "language": decision.language, "to": recipients},
        )
    return len(pending)


@transaction.atomic
def talk_from_submission(
    *,
    submission: Submission,
    session: Session | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    actor,
) -> Talk:
    """An accepted talk goes into the programme with its speakers, in one step.

    Into ``session`` when given; otherwise a new session of the proposal's kind from
    ``start`` to ``end``. Speakers: the submitter and the confirmed co-authors.
    """
    submission = _lock_submission(submission)
    call = submission.call
    decision = Decision.objects.filter(submission=submission).first()
    if call.kind != Call.Kind.TALKS or decision is None or not decision.is_acceptance:
        raise ValidationError(_("Only an accepted talk proposal goes into the programme."))
    if decision.talk_id:
        raise ValidationError(_("This talk is in the programme already."))
    if session is None:
        if not start or not end:
            raise ValidationError({"start": _("Give the start and end of the new session.")})
        session = Session(
            conference=call.conference,
            kind=submission.session_kind or Session.Kind.PARALLEL_FORUM,
            title=submission.title,
            description=submission.abstract,
            start=start,
            end=end,
        )
        session.full_clean()
        session.save()
    elif session.conference_id != call.conference_id:
        raise ValidationError({"session": _("The session belongs to another edition.")})
    talk = Talk.objects.create(
        session=session,
        title=submission.title,
        abstract=submission.abstract,
        position=session.talks.count(),
    )
    speakers = [submission.submitter] + [
        c.person
        for c in submission.coauthors.filter(status=CoAuthor.Status.CONFIRMED).select_related(
            "person"
        )
        if c.person
    ]
    talk.speakers.add(*speakers)
    for i, person in enumerate(speakers):
        SessionRole.objects.get_or_create(
            session=session, person=person, role=SessionRole.Role.SPEAKER, defaults={"position": i}
        )
    decision.talk = talk
    decision.save(update_fields=["talk", "updated"])
    log_action(
        actor=actor,
        action="reviews.talk_created",
        obj=submission,
        conference=call.conference,
        data={"talk": talk.pk, "session": session.pk},
    )
    return talk


@transaction.atomic
def bid_choose(*, submission: Submission, edition: Conference, actor) -> Decision:
    """Record an accepted host bid on the future edition it was chosen for."""
    submission = _lock_submission(submission)
    decision = Decision.objects.filter(submission=submission).first()
    if submission.call.kind != Call.Kind.BIDS or decision is None or not decision.is_acceptance:
        raise ValidationError(_("Only an accepted host bid can be recorded on an edition."))
    if edition.pk == submission.call.conference_id or edition.start_date <= (
        submission.call.conference.start_date
    ):
        raise ValidationError({"edition": _("Choose a later edition.")})
    decision.edition = edition
    decision.save(update_fields=["edition", "updated"])
    log_action(
        actor=actor,
        action="reviews.bid_chosen",
        obj=submission,
        conference=edition,
        data={"from_edition": submission.call.conference_id},
    )
    return decision


@transaction.atomic
def results_publish(*, call: Call, published: bool, actor) -> Call:
    """Show (or hide) an award's winners on the edition's public page."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    call.results_published = published
    call.save(update_fields=["results_published", "updated"])
    log_action(
        actor=actor,
        action="reviews.results_published" if published else "reviews.results_hidden",
        obj=call,
        conference=call.conference,
    )
    return call
