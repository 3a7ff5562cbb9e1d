"""The reviewers' discussion of a submission: who may read and post, and posting.

Rules kept here and nowhere else (pages and API call these functions):

- the discussion is among the submission's assigned reviewers without a conflict (the
  same test as for reviewing, ``selectors.reviewer_may_review``) and the organisers of its
  edition;
- its submitter and co-authors never read it, even when they are organisers or reviewers;
  an unassigned or conflicted reviewer never reads it either;
- a comment is plain text, not empty, at most ``COMMENT_MAX_LENGTH`` characters; a post by
  anyone who may not read the discussion is refused and changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.reviews import selectors
from atrium.reviews.models import Comment, Submission
from atrium.reviews.models.discussion import COMMENT_MAX_LENGTH


def discussion_role(user, submission: Submission) -> str | None:
    """``Comment.Role`` in which the user takes part in the discussion, or None: not at all."""
    if not user or not user.is_authenticated:
        return None
    if selectors.is_author(selectors.person_of(user), submission):
        return None
    if selectors.is_organiser(user, submission.call):
        return Comment.Role.ORGANISER
    reviewer = selectors.reviewer_for(user=user, call=submission.call)
    if selectors.reviewer_may_review(reviewer, submission):
        return Comment.Role.REVIEWER
    return None


def comments_of(submission: Submission) -> list[Comment]:
    """The discussion, oldest first (newest last), each with ``author_name``.

    Call only after ``discussion_role`` said yes. Authors of comments are reviewers and
    organisers, never the submitter, so the names shown are theirs even when anonymised.
    """
    comments = list(Comment.objects.filter(submission=submission).select_related("author__person"))
    for comment in comments:
        comment.author_name = _author_name(comment.author)
    return comments


def _author_name(user) -> str:
    if user is None:
        return _("A former member")
    person = getattr(user, "person", None)
    if person is not None:
        return str(person)
    return user.get_full_name() or user.get_username()


@transaction.atomic
def comment_post(*, submission: Submission, user, body: str) -> Comment:
    """Post a comment to the discussion of the submission; logged."""
    role = discussion_role(user, submission)
    if role is None:
        raise ValidationError(_("You do not take part in the discussion of this submission."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment is at most %(max)s characters (this one has %(n)s).")
                % {"max": COMMENT_MAX_LENGTH, "n": len(body)}
            }
        )
    comment = Comment.objects.create(submission=submission, author=user, role=role, body=body)
    log_action(
        actor=user,
        action="reviews.comment_posted",
        obj=submission,
        conference=submission.call.conference,
        data={"comment": comment.pk, "role": role},
    )
    return comment
