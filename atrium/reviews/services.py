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

The rules live in modules by subject, beside this one: ``call_setup`` (the call, its
tracks, form and rubric, extensions), ``answers`` (the form's answers and files),
``submissions`` (drafts, hand-in, withdrawal, co-authors), ``reviewers`` (reviewers,
expertise, bids, declared conflicts), ``assignment`` (the solver's instance, runs, hand
changes, publishing), ``scoring`` (reviews, scores, reminders) and ``decisions`` (decisions,
the programme, host bids, award winners); ``deadlines`` holds what they share. This module
names them all, so ``services.<name>`` keeps working for views, the API and the demo.
"""

from __future__ import annotations

from atrium.reviews.answers import (
    FILE_SIGNATURES,
    answers_clean,
)
from atrium.reviews.assignment import (
    BID_BONUS,
    DEFAULT_AFFINITY,
    EXPERTISE_WEIGHT,
    assignment_add,
    assignment_instance,
    assignment_lock,
    assignment_remove,
    assignment_run,
    assignments_publish,
)
from atrium.reviews.call_setup import (
    call_extend,
    call_part_delete,
    call_part_save,
    call_save,
    submission_extend,
)
from atrium.reviews.decisions import (
    BULK_OUTCOMES,
    STATUS_OF_OUTCOME,
    bid_choose,
    decision_set,
    decisions_send,
    decisions_set_bulk,
    results_publish,
    talk_from_submission,
)
from atrium.reviews.reviewers import (
    bid_set,
    conflict_declare,
    reviewer_expertise_save,
    reviewer_invitation_accept,
    reviewer_invitation_for_token,
    reviewer_invitation_revoke,
    reviewer_invite,
)
from atrium.reviews.scoring import (
    review_reminders,
    review_save,
    scores_clean,
)
from atrium.reviews.submissions import (
    REQUIRED_BY_KIND,
    SUBMISSION_FIELDS,
    coauthor_confirm,
    coauthor_for_token,
    coauthor_invite,
    submission_save,
    submission_submit,
    submission_withdraw,
)

__all__ = [
    "BULK_OUTCOMES",
    "BID_BONUS",
    "DEFAULT_AFFINITY",
    "EXPERTISE_WEIGHT",
    "FILE_SIGNATURES",
    "REQUIRED_BY_KIND",
    "STATUS_OF_OUTCOME",
    "SUBMISSION_FIELDS",
    "answers_clean",
    "assignment_add",
    "assignment_instance",
    "assignment_lock",
    "assignment_remove",
    "assignment_run",
    "assignments_publish",
    "bid_choose",
    "bid_set",
    "call_extend",
    "call_part_delete",
    "call_part_save",
    "call_save",
    "coauthor_confirm",
    "coauthor_for_token",
    "coauthor_invite",
    "conflict_declare",
    "decision_set",
    "decisions_send",
    "decisions_set_bulk",
    "results_publish",
    "review_reminders",
    "review_save",
    "reviewer_expertise_save",
    "reviewer_invitation_accept",
    "reviewer_invitation_for_token",
    "reviewer_invitation_revoke",
    "reviewer_invite",
    "scores_clean",
    "submission_extend",
    "submission_save",
    "submission_submit",
    "submission_withdraw",
    "talk_from_submission",
]
