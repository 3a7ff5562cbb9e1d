"""Answers and audit entries of a registration, in words of the page's language.

The stored values are codes ("yes", "no", "2025-09-16", a type's code, a session's id, an
amount as text); organisers read them as 是 / 否, 2025年9月16日, the type's name, the
session's title and a formatted amount.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atrium.core.i18n import is_chinese, long_date
from atrium.core.money import money
from atrium.events.models import Session
from atrium.registration.models import Answer, Question, RegistrationType

EMPTY = "—"
_NOTHING = {"", "none", "null"}


def answer_display(answer: Answer) -> str:
    """An answer as a reader of the page's language reads it; "—" for none."""
    value = (answer.value or "").strip()
    if value.lower() in _NOTHING:
        return EMPTY
    kind = answer.question.kind
    if kind == Question.Kind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(value.lower(), value)
    if kind == Question.Kind.CHOICE:
        chinese = is_chinese()
        for stored, english, chinese_text in answer.question.option_pairs():
            if stored == value:
                return chinese_text if chinese else english
        return value
    if kind == Question.Kind.DATE:
        try:
            return long_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


# The audit entries' data keys, as the history panel labels them.
HISTORY_FIELDS = {
    "type": gettext_lazy("Registration type"),
    "total": gettext_lazy("Total"),
    "amount": gettext_lazy("Amount"),
    "refund": gettext_lazy("Refund"),
    "provider": gettext_lazy("Paid through"),
    "receipt": gettext_lazy("Receipt"),
    "reason": gettext_lazy("Reason given"),
    "visa_refused": gettext_lazy("Visa refused"),
    "session": gettext_lazy("Session"),
    "email": gettext_lazy("E-mail"),
}
_MONEY_KEYS = {"total", "amount", "refund"}
_HIDDEN_KEYS = {"currency"}  # shown with the amounts
PROVIDERS = {
    "bank": gettext_lazy("Bank transfer"),
    "bank_transfer": gettext_lazy("Bank transfer"),
    "manual": gettext_lazy("Recorded by an organiser"),
}


@dataclass(frozen=True)
class HistoryField:
    label: str
    value: str


def _yes_no(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    text = str(value).strip().lower()
    if text in {"true", "yes", "1"}:
        return _("Yes")
    if text in {"false", "no", "0"}:
        return _("No")
    return str(value)


def history_fields(data: dict | None, *, conference) -> list[HistoryField]:
    """The details of one audit entry as labelled values ("Registration type: Press")."""
    if not data:
        return []
    currency = str(data.get("currency") or "")
    fields = []
    for key, value in data.items():
        if key in _HIDDEN_KEYS:
            continue
        label = str(HISTORY_FIELDS.get(key, key.replace("_", " ")))
        if value is None or str(value).strip().lower() in _NOTHING:
            shown = EMPTY
        elif key in _MONEY_KEYS:
            try:
                shown = money(Decimal(str(value)), currency) if currency else f"{value}"
            except (InvalidOperation, ValueError):
                shown = str(value)
        elif key == "type":
            rtype = RegistrationType.objects.filter(conference=conference, code=value).first()
            shown = rtype.name_i18n if rtype else str(value)
        elif key == "session":
            session = Session.objects.filter(conference=conference, pk=value).first()
            shown = session.title_i18n if session else str(value)
        elif key == "provider":
            shown = str(PROVIDERS.get(str(value), value))
        elif key == "visa_refused" or isinstance(value, bool):
            shown = _yes_no(value)
        else:
            shown = str(value)
        fields.append(HistoryField(label=label, value=shown))
    return fields
