"""Chinese invoices (发票): the delegate's request and the organisers' issue.

Chinese organisations are reimbursed against a fapiao, not a receipt. A delegate asks for
one for their order (at ``/me/``): an ordinary fapiao (普通发票) or a special VAT fapiao
(增值税专用发票), the title (抬头, the organisation's registered name) and its taxpayer
number, the unified social credit code (统一社会信用代码), checked here with its check
character (GB 32100-2015). A special VAT fapiao also needs the registered address,
telephone, bank and account. The organisers' finance office issues it outside Atrium
(there is no tax-platform integration): organisers list and export the requests, then
record each one as issued (number, date, optionally the PDF). Every change is in the
registration's audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.uploads import check_upload_size
from atrium.events.models import Conference
from atrium.registration.locking import lock_registration
from atrium.registration.models import FapiaoRequest, Order, Registration

# --- the unified social credit code (GB 32100-2015) -----------------------------------------

#: The 31 characters of the code, in the order of their values 0..30 (no I, O, Z, S, V).
USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: The weight of each of the first 17 characters: 3^i mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
USCC_LENGTH = 18


def uscc_check_character(first17: str) -> str:
    """The check character (the 18th) of a code whose first 17 characters are ``first17``."""
    total = sum(
        USCC_CHARACTERS.index(char) * weight
        for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARACTERS[(31 - total % 31) % 31]


def uscc_clean(value: str, *, field: str = "taxpayer_number") -> str:
    """The code in capitals without spaces, or a ValidationError on ``field`` saying why."""
    code = "".join((value or "").split()).upper()
    if not code:
        raise ValidationError({field: _("Enter the taxpayer number (unified social credit code).")})
    if len(code) != USCC_LENGTH:
        raise ValidationError(
            {
                field: _("The taxpayer number has 18 characters; this one has %(count)d.")
                % {"count": len(code)}
            }
        )
    wrong = sorted({char for char in code if char not in USCC_CHARACTERS})
    if wrong:
        raise ValidationError(
            {
                field: _(
                    "The taxpayer number cannot contain %(chars)s (only digits and the capital "
                    "letters A–Y without I, O, S, V and Z)."
                )
                % {"chars": " ".join(wrong)}
            }
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            {
                field: _(
                    "The taxpayer number's last character (its check character) does not "
                    "match the others: check each character against the business licence."
                )
            }
        )
    return code


# --- the delegate's request -------------------------------------------------------------

SPECIAL_FIELDS = ("address", "telephone", "bank", "account")
FIELD_LIMITS = {"title": 200, "address": 200, "telephone": 40, "bank": 200, "account": 60}


def fapiao_refusal(registration: Registration) -> str | None:
    """Why ``registration`` cannot ask for a fapiao, or None if it can."""
    order = getattr(registration, "order", None)
    if order is None or order.status == Order.Status.FREE or not order.total:
        return _("A free registration has nothing to invoice.")
    if order.status in (Order.Status.CANCELLED, Order.Status.REFUNDED):
        return _("This order is cancelled: there is nothing to invoice.")
    return None


@transaction.atomic
def fapiao_request_save(
    *,
    registration: Registration,
    actor,
    kind: str,
    title: str,
    taxpayer_number: str,
    address: str = "",
    telephone: str = "",
    bank: str = "",
    account: str = "",
) -> FapiaoRequest:
    """Ask for a fapiao for the registration's order, or change the request before it is issued."""
    registration = lock_registration(registration)
    refusal = fapiao_refusal(registration)
    if refusal:
        raise ValidationError(refusal)
    existing = FapiaoRequest.objects.filter(registration=registration).first()
    if existing is not None and existing.status == FapiaoRequest.Status.ISSUED:
        raise ValidationError(
            _("The fapiao is issued already: write to the organisers to have it corrected.")
        )
    values = {
        "title": " ".join((title or "").split()),
        "address": (address or "").strip(),
        "telephone": (telephone or "").strip(),
        "bank": (bank or "").strip(),
        "account": (account or "").strip(),
    }
    errors: dict[str, str] = {}
    if kind not in FapiaoRequest.Kind.values:
        errors["kind"] = _("Choose an ordinary or a special VAT fapiao.")
    if not values["title"]:
        errors["title"] = _("Enter the invoice title (the organisation's registered name).")
    for field, limit in FIELD_LIMITS.items():
        if len(values[field]) > limit:
            errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    if kind == FapiaoRequest.Kind.SPECIAL:
        labels = {
            "address": _("A special VAT fapiao needs the registered address."),
            "telephone": _("A special VAT fapiao needs the telephone number."),
            "bank": _("A special VAT fapiao needs the bank."),
            "account": _("A special VAT fapiao needs the bank account."),
        }
        for field in SPECIAL_FIELDS:
            if not values[field] and field not in errors:
                errors[field] = labels[field]
    try:
        values["taxpayer_number"] = uscc_clean(taxpayer_number)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    fapiao = existing or FapiaoRequest(
        conference=registration.conference, registration=registration
    )
    before = {f: getattr(fapiao, f) for f in ("kind", *values)} if existing else None
    fapiao.kind = kind
    for field, value in values.items():
        setattr(fapiao, field, value)
    fapiao.full_clean(exclude=["conference", "registration", "pdf", "issued_by"])
    fapiao.save()
    changed = sorted(f for f, v in before.items() if getattr(fapiao, f) != v) if before else None
    if existing is None or changed:
        log_action(
            actor=actor,
            action="fapiao.requested" if existing is None else "fapiao.changed",
            obj=registration,
            conference=registration.conference,
            data={"kind": kind, "title": fapiao.title, "taxpayer_number": fapiao.taxpayer_number}
            | ({"changed": changed} if changed else {}),
        )
    return fapiao


# --- the organisers' issue --------------------------------------------------------------

MAX_PDF_BYTES = 5 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"


def fapiao_pdf_check(pdf) -> None:
    """Refuse a file that is too large or is not a PDF (checked by its first bytes)."""
    check_upload_size(pdf, limit=MAX_PDF_BYTES, field="pdf")
    pdf.seek(0)
    head = pdf.read(len(PDF_SIGNATURE))
    pdf.seek(0)
    if head != PDF_SIGNATURE:
        raise ValidationError({"pdf": _("Upload the fapiao as a PDF file (this file is not one).")})


@transaction.atomic
def fapiao_mark_issued(
    *,
    fapiao: FapiaoRequest,
    actor,
    number: str,
    issued_on: dt.date,
    pdf=None,
) -> FapiaoRequest:
    """Record that the finance office issued the fapiao: its number, date, and maybe its PDF.

    Called again on an issued fapiao, it corrects the record (logged as a correction).
    """
    fapiao = (
        FapiaoRequest.objects.select_for_update(of=("self",))
        .select_related("registration__order")
        .get(pk=fapiao.pk)
    )
    order = getattr(fapiao.registration, "order", None)
    if order is None or order.status != Order.Status.PAID:
        raise ValidationError(_("The fapiao is issued once the order is paid."))
    errors: dict[str, str] = {}
    number = "".join((number or "").split())
    if not number:
        errors["number"] = _("Enter the fapiao number.")
    elif len(number) > 40:
        errors["number"] = _("At most %(limit)d characters.") % {"limit": 40}
    if issued_on is None:
        errors["issued_on"] = _("Enter the day the fapiao was issued.")
    elif issued_on > timezone.localdate():
        errors["issued_on"] = _("The day issued cannot be in the future.")
    if pdf is not None:
        try:
            fapiao_pdf_check(pdf)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    correction = fapiao.status == FapiaoRequest.Status.ISSUED
    fapiao.status = FapiaoRequest.Status.ISSUED
    fapiao.number = number
    fapiao.issued_on = issued_on
    fapiao.issued_by = actor if actor is not None and actor.is_authenticated else None
    old_pdf = fapiao.pdf.name if fapiao.pdf else ""
    if pdf is not None:
        fapiao.pdf.save("fapiao.pdf", pdf, save=False)
    fapiao.save()
    if pdf is not None and old_pdf:
        storage = fapiao.pdf.storage
        transaction.on_commit(lambda: storage.delete(old_pdf))
    log_action(
        actor=actor,
        action="fapiao.corrected" if correction else "fapiao.issued",
        obj=fapiao.registration,
        conference=fapiao.conference,
        data={
            "number": number,
            "issued_on": issued_on.isoformat(),
            "pdf": bool(fapiao.pdf),
        },
    )
    return fapiao


# --- reading ----------------------------------------------------------------------------


def fapiao_requests(
    *, conference: Conference, status: str = "", kind: str = "", q: str = ""
) -> QuerySet[FapiaoRequest]:
    """The edition's requests, newest first, filtered by status, kind and a search."""
    requests = FapiaoRequest.objects.filter(conference=conference).select_related(
        "registration__person", "registration__order"
    )
    if status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    q = (q or "").strip()
    if q:
        requests = requests.filter(
            Q(title__icontains=q)
            | Q(taxpayer_number__icontains=q)
            | Q(number__icontains=q)
            | Q(registration__order__reference__icontains=q)
            | Q(registration__person__name__icontains=q)
            | Q(registration__person__name_zh__icontains=q)
        )
    return requests
