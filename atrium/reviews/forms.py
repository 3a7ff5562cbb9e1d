"""Forms of calls with review. They parse; the services decide (``atrium.reviews.services``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from atrium.core.i18n import is_chinese
from atrium.network.models import Organisation, Sector
from atrium.reviews.decisions import BULK_OUTCOMES
from atrium.reviews.models import Call, Criterion, Decision, FormField, Submission, Track
from atrium.reviews.models.discussion import COMMENT_MAX_LENGTH

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

KIND_FIELDS = {
    Call.Kind.TALKS: ["session_kind", "duration_minutes", "co_speakers"],
    Call.Kind.AWARD: [
        "organisation",
        "solution",
        "projects_served",
        "money_raised_cny",
        "ip_rights",
    ],
    Call.Kind.BIDS: ["city", "proposed_start", "proposed_end", "venue", "supporting_government"],
}


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "kind",
            "slug",
            "title",
            "title_zh",
            "guidance",
            "guidance_zh",
            "opens_at",
            "closes_at",
            "review_from",
            "review_until",
            "decisions_at",
            "anonymised",
            "same_country_conflict",
            "reviews_per_submission",
        ]
        widgets = dict.fromkeys(
            ("opens_at", "closes_at", "review_from", "review_until", "decisions_at"), DATETIME
        )


class TrackForm(forms.ModelForm):
    class Meta:
        model = Track
        fields = ["slug", "name", "name_zh", "position"]


class FormFieldForm(forms.ModelForm):
    class Meta:
        model = FormField
        fields = [
            "key",
            "kind",
            "label",
            "label_zh",
            "help_text",
            "help_text_zh",
            "required",
            "max_length",
            "max_file_size",
            "choices",
            "position",
        ]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "key",
            "name",
            "name_zh",
            "description",
            "description_zh",
            "weight",
            "scale_min",
            "scale_max",
            "counts",
            "position",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "description_zh": forms.Textarea(attrs={"rows": 2}),
        }


class SubmissionForm(forms.Form):
    """The submission's own fields for the call's kind, then the call's form fields.

    Answers of the call's form are named ``answer_<key>``; the view hands them to the
    service, which checks them (length, choices, numbers, dates, links, files by content).
    """

    title = forms.CharField(label=_("Title"), max_length=300)
    abstract = forms.CharField(
        label=_("Abstract"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)
    session_kind = forms.ChoiceField(
        label=_("Session kind"),
        required=False,
        choices=[("", "—")]
        + [
            (k, label)
            for k, label in Submission._meta.get_field("session_kind").choices
            if k in ("plenary", "parallel_forum", "workshop", "keynote")
        ],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=5, max_value=240
    )
    co_speakers = forms.CharField(
        label=_("Co-speakers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Names, one per line. Invite them as co-authors below to list them as speakers."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    solution = forms.CharField(
        label=_("The solution"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    projects_served = forms.IntegerField(
        label=_("Projects and companies served"), required=False, min_value=0
    )
    money_raised_cny = forms.DecimalField(
        label=_("Money raised by them (CNY)"), required=False, min_value=0, decimal_places=0
    )
    ip_rights = forms.IntegerField(label=_("IP rights"), required=False, min_value=0)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    proposed_start = forms.DateField(
        label=_("Proposed first day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    proposed_end = forms.DateField(
        label=_("Proposed last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    venue = forms.CharField(label=_("Venue"), required=False, max_length=200)
    supporting_government = forms.CharField(
        label=_("Supporting government"), required=False, max_length=200
    )

    def __init__(self, *args, call: Call, submission: Submission | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        kept = {"title", "abstract", "track", *KIND_FIELDS[call.kind]}
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]
        tracks = call.tracks.all()
        if tracks:
            self.fields["track"].queryset = tracks
            self.fields["track"].label_from_instance = lambda t: t.name_i18n
        else:
            del self.fields["track"]
        if "organisation" in self.fields:
            self.fields["organisation"].label_from_instance = lambda o: o.name_i18n
        previous = submission.answers if submission else {}
        self.form_fields = list(call.fields.all())
        for field in self.form_fields:
            self.fields[f"answer_{field.key}"] = self._answer_field(field, previous.get(field.key))
        if submission is not None and not self.is_bound:
            for name in self.fields:
                if not name.startswith("answer_") and hasattr(submission, name):
                    self.initial[name] = getattr(submission, name)

    @staticmethod
    def _answer_field(field: FormField, value) -> forms.Field:
        K = FormField.Kind
        common = {
            "label": field.label_i18n,
            "help_text": field.help_text_i18n,
            "required": False,  # drafts may be incomplete; the service checks at submission
            "initial": value if not isinstance(value, dict) else None,
        }
        choices = [(v, zh if is_chinese() else en) for v, en, zh in field.choice_pairs()]
        if field.kind == K.LONG_TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), **common)
        if field.kind == K.CHOICE:
            return forms.ChoiceField(choices=[("", "—"), *choices], **common)
        if field.kind == K.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if field.kind == K.NUMBER:
            return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
        if field.kind == K.DATE:
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if field.kind == K.FILE:
            if isinstance(value, dict):
                common["help_text"] = (
                    f"{common['help_text']} ({_('now')}: {value.get('name')})".strip()
                )
            return forms.FileField(**common)
        if field.kind == K.LINK:
            return forms.CharField(widget=forms.URLInput, **common)
        return forms.CharField(**common)

    def data_for_service(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not name.startswith("answer_")
            and not (value in (None, "") and name in ("organisation", "track"))
        }

    def answers_for_service(self) -> tuple[dict, dict]:
        answers, files = {}, {}
        for field in self.form_fields:
            value = self.cleaned_data.get(f"answer_{field.key}")
            if field.kind == FormField.Kind.FILE:
                if value:
                    files[field.key] = value
            elif value not in (None, "", []):
                answers[field.key] = value
        return answers, files

    def add_error(self, field, error):
        # the service names a form field by its key; show it at the answer's input
        if field and field not in self.fields and f"answer_{field}" in self.fields:
            field = f"answer_{field}"
        super().add_error(field, error)


class CoAuthorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(label=_("Extended until"), widget=DATETIME)


class ReviewerInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail of the reviewer"),
        help_text=_("Without an account yet, they get a link to sign up and accept."),
    )
    max_load = forms.IntegerField(
        label=_("Maximum reviews"), min_value=1, max_value=500, initial=10
    )
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = call.tracks.all()


class ExpertiseForm(forms.Form):
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=500,
        help_text=_("Comma-separated, e.g. biomedicine, incubation."),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ReviewForm(forms.Form):
    """One score field per criterion (``score_<key>``) and the two texts."""

    text_for_submitter = forms.CharField(
        label=_("For the submitter"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    text_for_committee = forms.CharField(
        label=_("For the committee only"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, call: Call, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(call.criteria.all())
        scores = review.scores if review else {}
        fields = {}
        for c in self.criteria:
            # a plain text input: the service checks the range and says so (a forged value too)
            fields[f"score_{c.key}"] = forms.CharField(
                label=f"{c.name_i18n} ({c.scale_min}–{c.scale_max})",
                help_text=c.description_i18n,
                required=False,
                initial=scores.get(c.key),
                widget=forms.NumberInput(attrs={"min": c.scale_min, "max": c.scale_max, "step": 1}),
            )
        fields.update(self.fields)
        self.fields = fields
        if review and not self.is_bound:
            self.initial.update(
                text_for_submitter=review.text_for_submitter,
                text_for_committee=review.text_for_committee,
            )

    def scores(self) -> dict:
        return {c.key: self.cleaned_data.get(f"score_{c.key}") for c in self.criteria}


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices)
    track = forms.ModelChoiceField(
        label=_("Into track"), queryset=Track.objects.none(), required=False
    )
    rank = forms.IntegerField(label=_("Rank (awards)"), required=False, min_value=1)
    note = forms.CharField(
        label=_("Note to the submitter"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = call.tracks.all()


class BulkDecisionForm(forms.Form):
    """The submissions ticked in the organiser's list and the decision for all of them."""

    outcome = forms.ChoiceField(
        label=_("Decision for the selected submissions"),
        choices=[(o.value, o.label) for o in BULK_OUTCOMES],
    )
    submissions = forms.ModelMultipleChoiceField(
        label=_("Submissions"),
        queryset=Submission.objects.none(),
        error_messages={"required": _("Select at least one submission.")},
    )

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submissions"].queryset = Submission.objects.filter(call=call).select_related(
            "call"
        )


class TalkForm(forms.Form):
    start = forms.DateTimeField(label=_("Start"), widget=DATETIME)
    end = forms.DateTimeField(label=_("End"), widget=DATETIME)


class FilterForm(forms.Form):
    track = forms.CharField(label=_("Track"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Submission.Status.choices],
    )
    min_score = forms.FloatField(required=False, label=_("Mean score at least"))
    assigned = forms.ChoiceField(
        required=False,
        label=_("Reviewers assigned"),
        choices=[
            ("", _("Any")),
            ("none", _("None")),
            ("short", _("Fewer than wanted")),
            ("full", _("All wanted")),
        ],
    )
    conflicted = forms.ChoiceField(
        required=False, label=_("Conflicts"), choices=[("", _("Any")), ("yes", _("With conflicts"))]
    )
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("", pgettext_lazy("sort by the submission's number", "Number")),
            ("mean", _("Mean")),
            ("median", _("Median")),
            ("stdev", _("Disagreement")),
            ("count", _("Reviews")),
            ("normalised", _("Normalised score")),
        ],
    )


class CommentForm(forms.Form):
    """A comment to the reviewers' discussion; ``discussion.comment_post`` checks it again."""

    body = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = gettext("Plain text, at most %(n)s characters.") % {
            "n": COMMENT_MAX_LENGTH
        }
