"""The answers to a call's form: checked against its fields; files by content and size.

Part of the services of ``atrium.reviews`` (see ``services.py``)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from atrium.core.uploads import check_upload_size
from atrium.reviews.models import (
    Call,
    FormField,
)

#: Files accepted in a form's file field, recognised by their first bytes (never the name).
FILE_SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}

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
