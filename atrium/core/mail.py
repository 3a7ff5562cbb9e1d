"""E-mail in the recipient's language, queued once the transaction commits.

Every text mail is rendered by ``render_text``: plain text, so autoescaping is off
(``Seán O'Brien & Partners`` stays as typed, never ``O&#x27;Brien &amp;``). Use it,
never ``render_to_string``, for a ``.txt`` mail template.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django_tasks import task


@task()
def send_email_task(*, to: list[str], subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template with autoescaping off (for mails, never for HTML).

    Values are written as they are: a ``'``, ``&`` or ``<`` in a name stays one. Only
    an explicit ``{% autoescape on %}`` block in the template escapes.
    """
    template = get_template(template_name).template  # the Django engine's own Template
    return template.render(Context(context, autoescape=False))


def render_email(template: str, context: dict, language: str) -> tuple[str, str]:
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in ``language``."""
    context = {"site_url": settings.ATRIUM_SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_text(f"{template}_subject.txt", context).split())
        body = render_text(f"{template}_body.txt", context)
    return subject, body


def send_email_on_commit(*, to: str, template: str, context: dict, language: str) -> None:
    """Queue a mail once the current transaction commits (never for a rolled-back change).

    The text is rendered after the commit (so row locks are not held while templates
    render), in the recipient's language; the task carries only strings.
    """
    if not to:
        return

    def queue() -> None:
        subject, body = render_email(template, context, language)
        send_email_task.enqueue(to=[to], subject=subject, body=body)

    transaction.on_commit(queue)
