"""The reviewers' discussion of a submission: comments of its assigned, unconflicted
reviewers and the edition's organisers, never shown to its authors.

Part of ``atrium.reviews.models`` (see its ``__init__``); the rules are in
``atrium.reviews.discussion``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atrium.reviews.models.submission import Submission

#: The longest comment, in characters.
COMMENT_MAX_LENGTH = 4000


class Comment(models.Model):
    class Role(models.TextChoices):
        REVIEWER = "reviewer", _("Reviewer")
        ORGANISER = "organiser", _("Organiser")

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    role = models.CharField(_("as"), max_length=10, choices=Role.choices)
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("discussion comment")
        verbose_name_plural = _("discussion comments")

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.body[:40]}"
