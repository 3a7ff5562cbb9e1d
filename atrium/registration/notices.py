"""The mails registration sends to a delegate, in the delegate's language."""

from __future__ import annotations

from atrium.core.mail import send_email_on_commit
from atrium.registration.models import Registration


def mail_registration(registration: Registration, template: str, **extra) -> None:
    send_email_on_commit(
        to=registration.person.contact_email,
        template=f"registration/email/{template}",
        context={"registration": registration, "conference": registration.conference, **extra},
        language=registration.language,
    )
