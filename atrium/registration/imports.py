"""An organiser registers a whole delegation from a spreadsheet (CSV or XLSX).

Every row is checked first and every problem is reported with its row and column;
nothing is saved when a row has a problem, or in a dry run. Saving registers each
person through ``services.registration_submit`` (as an organiser), so type
capacities, the one-registration rule and the audit trail hold as for a delegate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from atrium.core.audit import log_action
from atrium.core.tabular import ImportResult, Table, check_columns, run_import
from atrium.events.models import Conference
from atrium.network.imports import clean_text, parse_bool, parse_country, parse_email
from atrium.network.models import Organisation, Person
from atrium.network.slugs import unique_slug
from atrium.registration import services
from atrium.registration.models import Delegation, Registration

COLUMNS = [
    "name",
    "name_zh",
    "email",
    "type",
    "organisation",
    "position",
    "country",
    "phone",
    "head",
]
REQUIRED = ["name", "email", "type"]


@dataclass
class _Row:
    number: int
    name: str
    name_zh: str
    email: str
    type_id: int
    organisation_id: int | None
    position: str
    country: str
    phone: str
    head: bool
    person: Person | None = None


@dataclass
class _Plan:
    delegation: Delegation | None
    rows: list[_Row] = field(default_factory=list)


class _Refused(Exception):
    """A rule refused a row while saving: roll the whole import back."""


def delegation_import(
    *,
    conference: Conference,
    table: Table,
    dry_run: bool,
    actor,
    name: str,
    basis: str,
    city: str = "",
    country: str = "",
    member_kind: str = Delegation.MemberKind.MIXED,
) -> ImportResult:
    """Register the people in ``table`` as the delegation ``name`` (created if new)."""
    delegation = Delegation.objects.filter(conference=conference, name=name.strip()).first()
    outcome: dict[str, ImportResult] = {}

    def check(table: Table, result: ImportResult) -> _Plan:
        outcome["result"] = result
        plan = _Plan(delegation=delegation)
        if not check_columns(table, result, required=REQUIRED, known=COLUMNS):
            return plan
        types = {}
        for rtype in conference.registration_types.all():
            types[rtype.code.casefold()] = rtype.pk
            types[rtype.name.casefold()] = rtype.pk
        organisations = {}
        seen_emails: dict[str, int] = {}
        wanted = [clean_text(r.get("email")).casefold() for r in table.rows]
        people = {
            p.email.casefold(): p
            for p in Person.objects.annotate(email_key=Lower("email")).filter(
                email_key__in=[e for e in wanted if e]
            )
        }
        registered = set(
            Registration.objects.filter(conference=conference).values_list("person_id", flat=True)
        )
        for row in table.rows:
            n = row.number
            errors_before = len(result.errors)
            name_text = clean_text(row.get("name"))
            if not name_text:
                result.add_error(n, "name", _("The name is missing."))
            try:
                email = parse_email(row.get("email"))
                if not email:
                    result.add_error(n, "email", _("The e-mail address is missing."))
            except ValueError as error:
                email = ""
                result.add_error(n, "email", str(error))
            if email:
                key = email.casefold()
                if key in seen_emails:
                    result.add_error(
                        n,
                        "email",
                        _("The same e-mail address is in row %(row)s.") % {"row": seen_emails[key]},
                    )
                seen_emails.setdefault(key, n)
            type_id = types.get(clean_text(row.get("type")).casefold())
            if type_id is None:
                result.add_error(
                    n,
                    "type",
                    _("Unknown registration type “%(value)s”; use one of: %(codes)s.")
                    % {
                        "value": row.get("type"),
                        "codes": ", ".join(
                            conference.registration_types.values_list("code", flat=True)
                        ),
                    },
                )
            organisation_id = None
            org_text = clean_text(row.get("organisation"))
            if org_text:
                if org_text not in organisations:
                    found = (
                        Organisation.objects.filter(slug=org_text).first()
                        or Organisation.objects.filter(name__iexact=org_text).first()
                    )
                    organisations[org_text] = found.pk if found else None
                organisation_id = organisations[org_text]
                if organisation_id is None:
                    result.add_error(
                        n,
                        "organisation",
                        _("No organisation “%(value)s” in the directory; import it first.")
                        % {"value": org_text},
                    )
            try:
                country_code = parse_country(row.get("country"))
            except ValueError as error:
                country_code = ""
                result.add_error(n, "country", str(error))
            try:
                head = parse_bool(row.get("head"))
            except ValueError as error:
                head = False
                result.add_error(n, "head", str(error))
            person = people.get(email.casefold()) if email else None
            if person is not None and person.pk in registered:
                result.add_error(
                    n,
                    "email",
                    _("%(name)s is registered for this edition already.") % {"name": person.name},
                )
            if len(result.errors) == errors_before:
                plan.rows.append(
                    _Row(
                        number=n,
                        name=name_text,
                        name_zh=clean_text(row.get("name_zh")),
                        email=email,
                        type_id=type_id,
                        organisation_id=organisation_id,
                        position=clean_text(row.get("position")),
                        country=country_code,
                        phone=clean_text(row.get("phone")),
                        head=head,
                        person=person,
                    )
                )
        heads = [r for r in table.rows if _is_yes(r.get("head"))]
        if len(heads) > 1:
            for row in heads[1:]:
                result.add_error(row.number, "head", _("Only one head of delegation per file."))
        if delegation is None and not heads and table.rows:
            result.add_error(1, "head", _("Mark the head of the new delegation with “yes”."))
        result.created = len(plan.rows)
        return plan

    def save(plan: _Plan, result: ImportResult) -> None:
        taken = set(Person.objects.values_list("slug", flat=True))
        people = {}
        for row in plan.rows:
            person = row.person or Person(slug=unique_slug(row.name, taken), name=row.name)
            person.name_zh = person.name_zh or row.name_zh
            person.email = person.email or row.email
            person.position = person.position or row.position
            person.organisation_id = person.organisation_id or row.organisation_id
            person.country = person.country or row.country
            person.phone = person.phone or row.phone
            person.save()
            people[row.number] = person
        target = plan.delegation
        if target is None:
            head_row = next(r for r in plan.rows if r.head)
            target = Delegation(
                conference=conference,
                name=name.strip(),
                basis=basis,
                city=city,
                country=country,
                member_kind=member_kind,
                head=people[head_row.number],
            )
            target.full_clean()
            target.save()
            log_action(actor=actor, action="delegation.created", obj=target, conference=conference)
        types = {t.pk: t for t in conference.registration_types.all()}
        for row in plan.rows:
            try:
                services.registration_submit(
                    conference=conference,
                    person=people[row.number],
                    rtype=types[row.type_id],
                    delegation=target,
                    language="zh-hans" if row.name_zh else "en",
                    actor=actor,
                    by_organiser=True,
                )
            except services.AlreadyRegistered:
                result.add_error(row.number, "email", _("Registered meanwhile by someone else."))
                raise _Refused from None
            except ValidationError as error:
                for message in error.messages:
                    result.add_error(row.number, "type", message)
                raise _Refused from None
        log_action(
            actor=actor,
            action="delegation.imported",
            obj=target,
            conference=conference,
            data={"rows": len(plan.rows), "file": table.filename},
        )

    try:
        return run_import(table=table, dry_run=dry_run, check=check, save=save)
    except _Refused:
        # run_import's transaction was rolled back; the errors are in the result.
        return outcome["result"]


def _is_yes(value: str) -> bool:
    try:
        return parse_bool(value)
    except ValueError:
        return False
