"""E-mail in the recipient's language, queued once the transaction commits.

Every text mail is rendered by ``render_text``: plain text, so autoescaping is off
(``Seán O'Brien & Partners`` stays as typed, never ``O&#x27;Brien &amp;``). Use it,
never ``render_to_string``, for a ``.txt`` mail template.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django_tasks import task

#: How long a worker may take to hand a mail to the SMTP server before another may try.
SENDING_LEASE = 300
#: How long a sent mail's key is remembered (retries come within minutes).
SENT_MEMORY = 7 * 24 * 3600


class MailInFlight(Exception):
    """Another worker is sending this mail now (or died doing it): try again later."""


def mail_key_name(key: str) -> str:
    return f"atrium:mail:{key}"


@task()
def send_email_task(*, to: list[str], subject: str, body: str, key: str = "") -> bool:
    """Send one mail; with a ``key``, at most once per key however often the task runs.

    The key is claimed in the shared cache before sending ("sending", for
    ``SENDING_LEASE`` seconds) and marked "sent" after: a retried task (its worker was
    killed) whose mail went out does nothing; one that finds the claim of a live or
    just-killed worker raises ``MailInFlight`` so the queue tries it again after the
    lease. The Message-ID comes from the key too, so a receiving server can drop the
    one duplicate still possible (a worker killed between the SMTP server's answer
    and the "sent" mark). Returns True if this call sent the mail.
    """
    name = mail_key_name(key) if key else ""
    if name and not cache.add(name, "sending", timeout=SENDING_LEASE):
        if cache.get(name) == "sent":
            return False
        raise MailInFlight(f"Mail {key} is being sent by another worker.")
    headers = {"Message-ID": f"<atrium.{key}@{DNS_NAME}>"} if key else None
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers,
    )
    try:
        message.send()
    except BaseException:
        if name:
            cache.delete(name)  # nothing went out: a retry may send it
        raise
    if name:
        cache.set(name, "sent", timeout=SENT_MEMORY)
    return True


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
        send_email_task.enqueue(to=[to], subject=subject, body=body, key=uuid.uuid4().hex)

    transaction.on_commit(queue)
