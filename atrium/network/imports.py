"""Import organisations and people from spreadsheets (CSV/XLSX), with a dry run.

Both services check every row first and report every problem with its row
number and column; they write only when no row has an error and it is not a dry
run, all in one transaction, and leave one audit entry per import. A row
updates an existing record when it names one (by ``slug``, else by its natural
key), otherwise it creates one: importing the same file twice updates, never
duplicates. A column that is absent leaves that field alone; an empty cell in
a present column clears it (the required name and the kind excepted).

The column names are those of the directory exports, so an export can be
edited in a spreadsheet and imported back.

Length (about 900 lines, on purpose): the two importers share their row parsing, column
checks and dry-run machinery here; split by entity, the shared half would stand in a third
module that neither half reads alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator, validate_email, validate_slug
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from atrium.core.audit import log_action
from atrium.core.tabular import ImportResult, Table, check_columns, run_import
from atrium.network import hooks
from atrium.network.models import Organisation, Person, Sector
from atrium.network.services import person_email_changed
from atrium.network.slugs import unique_slug

FIRST_MEMBER_YEAR = 1984  # the association was founded in 1984

ORGANISATION_COLUMNS = [
    "slug",
    "name",
    "name_zh",
    "short_name",
    "kind",
    "parent",
    "country",
    "city",
    "city_zh",
    "website",
    "sectors",
    "member_since",
    "description",
    "description_zh",
]
PERSON_COLUMNS = [
    "slug",
    "name",
    "name_zh",
    "sort_name",
    "position",
    "position_zh",
    "organisation",
    "country",
    "email",
    "phone",
    "directory_opt_in",
]
# Columns of the exports that an import reads past without a notice.
EXPORT_ONLY_COLUMNS = {"url", "organisation_name", "parent_name", "country_name", "kind_label"}
ALIASES = {
    "organization": "organisation",
    "e_mail": "email",
    "mail": "email",
    "opt_in": "directory_opt_in",
    "listed_in_the_directory": "directory_opt_in",
    "parent_organisation": "parent",
}

_TEXT_FIELDS_ORG = ["name_zh", "short_name", "city", "city_zh", "description", "description_zh"]
_TEXT_FIELDS_PERSON = ["name_zh", "sort_name", "position", "position_zh", "phone"]
_SPACES = re.compile(r"\s+")
_TRUE = {"yes", "y", "1", "true", "t", "x", "是", "✓"}
_FALSE = {"no", "n", "0", "false", "f", "否", ""}
_COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "united states": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "vietnam": "VN",
    "iran": "IR",
    "turkey": "TR",
    "czech republic": "CZ",
}


# ---------------------------------------------------------------------------
# Cell parsers: each returns the clean value or raises ValueError with a message
# ---------------------------------------------------------------------------


def clean_text(value: str) -> str:
    return _SPACES.sub(" ", value or "").strip()


def parse_kind(value: str) -> str:
    wanted = clean_text(value).casefold()
    as_value = re.sub(r"[\s\-]+", "_", wanted)
    with translation.override("en"):
        for kind, label in Organisation.Kind.choices:
            if as_value == kind or wanted == str(label).casefold():
                return kind
    for kind, label in Organisation.Kind.choices:  # the label in the page's language
        if wanted == str(label).casefold():
            return kind
    raise ValueError(
        _("Unknown kind “%(value)s”; use one of: %(kinds)s.")
        % {"value": value, "kinds": ", ".join(Organisation.Kind.values)}
    )


def parse_country(value: str) -> str:
    """An ISO 3166 code (two or three letters) or a country's English or Chinese name."""
    text = clean_text(value)
    if not text:
        return ""
    code = _COUNTRY_ALIASES.get(text.casefold(), "")
    if not code and text.isascii() and text.isalpha() and len(text) in (2, 3):
        code = countries.alpha2(text)
    if not code:
        code = countries.by_name(text)
    if not code:
        code = countries.by_name(text, language="zh-hans")
    if not code or not isinstance(code, str):
        raise ValueError(
            _("Unknown country “%(value)s”; use an ISO code such as CN or ES, or the English name.")
            % {"value": value}
        )
    return code


def parse_year(value: str) -> int | None:
    text = clean_text(value)
    if not text:
        return None
    current = date.today().year
    message = _("“%(value)s” is not a year between %(first)s and %(last)s.") % {
        "value": value,
        "first": FIRST_MEMBER_YEAR,
        "last": current,
    }
    if not re.fullmatch(r"\d{4}(\.0+)?", text):
        raise ValueError(message)
    year = int(text[:4])
    if not FIRST_MEMBER_YEAR <= year <= current:
        raise ValueError(message)
    return year


def parse_bool(value: str) -> bool:
    text = clean_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(
        _("“%(value)s” is not yes or no (also 1/0, true/false, 是/否).") % {"value": value}
    )


def parse_website(value: str) -> str:
    text = clean_text(value)
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not a web address.") % {"value": value}) from None
    return text


def parse_email(value: str) -> str:
    text = clean_text(value)
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not an e-mail address.") % {"value": value}) from None
    return text


def parse_slug(value: str) -> str:
    text = clean_text(value)
    try:
        validate_slug(text)
    except ValidationError:
        raise ValueError(
            _("“%(value)s” is not a slug: use letters, digits, hyphens and underscores only.")
            % {"value": value}
        ) from None
    if len(text) > 120:
        raise ValueError(_("A slug has at most 120 characters."))
    return text


# ---------------------------------------------------------------------------
# Shared plumbing
# ---------------------------------------------------------------------------


@dataclass
class _Plan:
    row: int
    instance: Organisation | Person
    is_new: bool
    before: dict = field(default_factory=dict)
    parent: tuple | None = None  # organisations: ("db", pk) or ("row", number)
    parent_set: bool = False
    sector_ids: list[int] | None = None
    changed: bool = True
    slug_given: bool = False  # the row named its record by slug


def _validate_model(result, row: int, instance, *, fields: set[str]) -> None:
    """``full_clean`` of the given fields; each message goes to its column."""
    concrete = {f.name for f in instance._meta.concrete_fields}
    try:
        instance.full_clean(
            exclude=sorted(concrete - fields), validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        already = {e.field for e in result.errors if e.row == row}
        for name, messages in error.message_dict.items():
            column = "" if name == NON_FIELD_ERRORS else name
            if column not in already:
                result.add_error(row, column, " ".join(messages))


def _changes(plan: _Plan, fields: list[str]) -> bool:
    return any(getattr(plan.instance, name) != plan.before[name] for name in fields)


def _log(*, actor, model, table: Table, result: ImportResult, plans: list[_Plan]) -> None:
    log_action(
        actor=actor,
        action="network.import",
        obj=ContentType.objects.get_for_model(model),
        data={
            "model": model._meta.model_name,
            "file": table.filename,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "created_slugs": [p.instance.slug for p in plans if p.is_new],
            "updated_slugs": [p.instance.slug for p in plans if not p.is_new and p.changed],
        },
    )


_ABSENT = object()  # the column is not in the file: leave the field alone
_INVALID = object()  # the cell has an error (already recorded)


def _cell(result: ImportResult, row, column: str, parser, columns: set[str]):
    """The parsed cell; ``_ABSENT`` without the column, ``_INVALID`` after recording an error."""
    if column not in columns:
        return _ABSENT
    try:
        return parser(row.get(column))
    except ValueError as error:
        result.add_error(row.number, column, str(error))
        return _INVALID


def _memo(parser):
    """``parser`` remembering its answers within one import (many rows say "China")."""
    answers: dict[str, tuple[bool, object]] = {}

    def parse(value):
        if value not in answers:
            try:
                answers[value] = (True, parser(value))
            except ValueError as error:
                answers[value] = (False, str(error))
        ok, answer = answers[value]
        if not ok:
            raise ValueError(answer)
        return answer

    return parse


def may_change(actor, model) -> bool:
    """May ``actor`` change existing rows of ``model`` (None: the system, e.g. the demo loader)?

    Importing needs only the "add" permission; a row about an existing record
    that would change it needs the "change" permission too.
    """
    if actor is None:
        return True
    return actor.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")


def _refuse_changes(result: ImportResult, plans: list[_Plan], message: str) -> None:
    """An error on every row that would change an existing record (``plan.changed``)."""
    for plan in plans:
        if plan.is_new or not plan.changed:
            continue
        changed = sorted(
            name
            for name, value in plan.before.items()
            if getattr(plan.instance, name, value) != value
        )
        if plan.sector_ids is not None:
            changed.append("sectors")
        if plan.parent_set and "parent_id" not in changed:
            new_parent = plan.parent[1] if plan.parent and plan.parent[0] == "db" else plan.parent
            if new_parent != plan.before.get("parent_id"):
                changed.append("parent")
        fields = ", ".join(name.removesuffix("_id") for name in changed) or _("its data")
        result.add_error(
            plan.row,
            "slug" if plan.slug_given else "name",
            message % {"key": plan.instance.slug, "fields": fields},
        )


def _given(value) -> bool:
    return value is not _ABSENT and value is not _INVALID


def _optional(parser):
    """``parser`` for a non-empty cell, None for an empty one."""
    return lambda value: parser(value) if clean_text(value) else None


def _resolve_organisation(
    result: ImportResult,
    row: int,
    column: str,
    reference: str,
    *,
    slugs: list[dict[str, tuple]],
    names: list[dict[str, set[tuple]]],
) -> tuple | None:
    """``("db", pk)`` or ``("row", number)`` for a slug or an exact name; None after an error."""
    for lookup in slugs:
        if reference in lookup:
            return lookup[reference]
    candidates: set[tuple] = set()
    for lookup in names:
        candidates |= lookup.get(reference, set())
    if len(candidates) == 1:
        return next(iter(candidates))
    if candidates:
        message = _("Several organisations are called “%(name)s”; use the slug to say which one.")
    elif column == "parent":
        message = _(
            "There is no organisation “%(name)s” (by slug or exact name) in the directory or in "
            "an earlier row of this file."
        )
    else:
        message = _(
            "There is no organisation “%(name)s” (by slug or exact name) in the directory; "
            "import it first with the organisations import."
        )
    result.add_error(row, column, message % {"name": reference})
    return None


def _explicit_slugs(table: Table) -> set[str]:
    if "slug" not in table:
        return set()
    return {clean_text(r.get("slug")) for r in table.rows if clean_text(r.get("slug"))}


def _duplicate_error(result, row: int, column: str, first: int, what: str) -> None:
    if what == "organisation":
        message = _("Row %(row)s is already about this organisation.")
    else:
        message = _("Row %(row)s is already about this person.")
    result.add_error(row, column, message % {"row": first})


# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------


def organisations_import(*, table: Table, dry_run: bool, actor) -> ImportResult:
    """Create or update organisations from ``table``; see the module docstring.

    Columns: name (required), slug, name_zh, short_name, kind (a value such as
    ``science_park`` or its English label, any case), parent (slug or exact name
    of an existing organisation or of one in an earlier row), country (ISO code
    or English name), city, city_zh, website, sectors (slugs or names of
    existing sectors, separated by ";"), member_since (a year from 1984 to this
    year), description, description_zh. A row with a slug is about the
    organisation with that slug (created if there is none); without a slug,
    about the one with exactly that name (and country, if the file has that
    column).
    """
    table = table.with_aliases(ALIASES)

    def check(table: Table, result: ImportResult) -> list[_Plan]:
        known = [*ORGANISATION_COLUMNS, *EXPORT_ONLY_COLUMNS]
        if not check_columns(table, result, required=["name"], known=known):
            return []
        plans = _check_organisations(table, result)
        if not may_change(actor, Organisation):
            _refuse_changes(
                result,
                plans,
                _(
                    "“%(key)s” is an organisation in the directory already; your account may "
                    "add organisations but not change them, and this row would change: "
                    "%(fields)s."
                ),
            )
        return plans

    def save(plans: list[_Plan], result: ImportResult) -> None:
        _save_organisations(table, plans)
        _log(actor=actor, model=Organisation, table=table, result=result, plans=plans)

    return run_import(table=table, dry_run=dry_run, check=check, save=save)


_ORG_FIELDS = [c for c in ORGANISATION_COLUMNS if c not in {"slug", "parent", "sectors"}]
# Checked by the parsers already (a country's validation alone walks all 250 countries).
_ORG_NOT_VALIDATED = {"id", "slug", "parent", "search_key", "is_synthetic", "kind", "country"}


def _check_organisations(table: Table, result: ImportResult) -> list[_Plan]:
    columns = set(table.headers) & set(ORGANISATION_COLUMNS)
    existing = list(Organisation.objects.all())
    db_slugs = {org.slug: ("db", org.pk) for org in existing}
    by_slug = {org.slug: org for org in existing}
    by_name: dict[str, list[Organisation]] = defaultdict(list)
    by_name_country: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
    db_names: dict[str, set[tuple]] = defaultdict(set)
    for org in existing:
        by_name[org.name].append(org)
        by_name_country[(org.name, org.country.code or "")].append(org)
        for label in (org.name, org.name_zh):
            if label:
                db_names[label].add(("db", org.pk))
    sector_lookup = _sector_lookup()
    taken = set(by_slug) | _explicit_slugs(table)
    # Later rows may name an earlier one as their parent.
    file_slugs: dict[str, tuple] = {}
    file_names: dict[str, set[tuple]] = defaultdict(set)
    first_row_of: dict[tuple, int] = {}
    validated = {"name", *(columns & set(_ORG_FIELDS))}
    kind_parser = _memo(_optional(parse_kind))
    country_parser = _memo(parse_country)
    plans: list[_Plan] = []

    for row in table.rows:
        n = row.number
        name = clean_text(row.get("name"))
        if not name:
            result.add_error(n, "name", _("A name is required."))
        slug = _cell(result, row, "slug", _optional(parse_slug), columns)
        slug = slug if _given(slug) and slug else ""
        kind = _cell(result, row, "kind", kind_parser, columns)
        country = _cell(result, row, "country", country_parser, columns)
        member_since = _cell(result, row, "member_since", parse_year, columns)
        website = _cell(result, row, "website", parse_website, columns)
        sector_ids = _cell(
            result, row, "sectors", lambda v: _parse_sectors(v, sector_lookup), columns
        )

        # Which organisation is the row about?
        found: Organisation | None = None
        keys: list[tuple] = []
        if slug:
            keys.append(("slug", slug))
            found = by_slug.get(slug)
        elif name and country is not _INVALID:
            if "country" in columns:
                keys.append(("name", name, country))
                candidates = by_name_country.get((name, country), [])
            else:
                keys.append(("name", name))
                candidates = by_name.get(name, [])
            if len(candidates) > 1:
                result.add_error(
                    n,
                    "name",
                    _(
                        "Several organisations in the directory are called “%(name)s”; add a "
                        "“slug” column to say which one this row is about."
                    )
                    % {"name": name},
                )
            elif candidates:
                found = candidates[0]
        target = ("db", found.pk) if found else ("row", n)
        if found:
            keys.append(target)
        first = next((first_row_of[k] for k in keys if k in first_row_of), None)
        if first is not None:
            _duplicate_error(result, n, "slug" if slug else "name", first, "organisation")
        for key in keys:
            first_row_of.setdefault(key, n)

        parent = _ABSENT
        if "parent" in columns:
            parent = None
            reference = clean_text(row.get("parent"))
            if reference:
                parent = _resolve_organisation(
                    result,
                    n,
                    "parent",
                    reference,
                    slugs=[file_slugs, db_slugs],
                    names=[file_names, db_names],
                )
                if parent == target:
                    result.add_error(n, "parent", _("An organisation cannot be its own parent."))
                    parent = None
                if parent is None:
                    parent = _INVALID
        if slug or found:
            file_slugs.setdefault(slug or found.slug, target)
        for label in (name, clean_text(row.get("name_zh"))):
            if label:
                file_names[label].add(target)

        if found:
            org = found
            before = {f: getattr(org, f) for f in _ORG_FIELDS}
            before["parent_id"] = org.parent_id
            plan = _Plan(row=n, instance=org, is_new=False, before=before, slug_given=bool(slug))
        else:
            org = Organisation(kind=Organisation.Kind.OTHER)
            org.slug = slug or unique_slug(name or "organisation", taken)
            plan = _Plan(row=n, instance=org, is_new=True)
        if name:
            org.name = name
        for column in _TEXT_FIELDS_ORG:
            if column in columns:
                setattr(org, column, clean_text(row.get(column)))
        if _given(kind) and kind:
            org.kind = kind
        for column, value in (
            ("country", country),
            ("member_since", member_since),
            ("website", website),
        ):
            if _given(value):
                setattr(org, column, value)
        if _given(parent):
            plan.parent = parent
            plan.parent_set = True
            org.parent_id = parent[1] if parent and parent[0] == "db" else None
        if _given(sector_ids):
            plan.sector_ids = sector_ids
        fields = {f.name for f in org._meta.concrete_fields} if plan.is_new else validated
        _validate_model(result, n, org, fields=fields - _ORG_NOT_VALIDATED)
        plans.append(plan)

    _check_parent_loops(result, plans, existing)
    _count_organisation_changes(result, plans, columns)
    return plans


def _sector_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for sector in Sector.objects.all():
        for label in (sector.slug, sector.name, sector.name_zh):
            if label:
                lookup.setdefault(label.casefold(), sector.pk)
    return lookup


def _parse_sectors(value: str, lookup: dict[str, int]) -> list[int]:
    ids: list[int] = []
    unknown: list[str] = []
    for item in re.split(r"[;；\n]", value or ""):
        item = clean_text(item)
        if not item:
            continue
        sector_id = lookup.get(item.casefold())
        if sector_id is None:
            unknown.append(f"“{item}”")
        elif sector_id not in ids:
            ids.append(sector_id)
    if unknown:
        raise ValueError(
            _(
                "Unknown sector(s): %(names)s. Use the slugs or names of existing sectors, "
                "separated by “;”."
            )
            % {"names": ", ".join(unknown)}
        )
    return ids


def _target(plan: _Plan) -> tuple:
    return ("row", plan.row) if plan.is_new else ("db", plan.instance.pk)


def _check_parent_loops(result, plans: list[_Plan], existing: list[Organisation]) -> None:
    # The parent of everything once the file is saved: the database, then the rows.
    parent_of: dict[tuple, tuple | None] = {
        ("db", org.pk): ("db", org.parent_id) if org.parent_id else None for org in existing
    }
    for plan in plans:
        if plan.parent_set:
            parent_of[_target(plan)] = plan.parent
        elif plan.is_new:
            parent_of[_target(plan)] = None
    for plan in plans:
        if not plan.parent:
            continue
        start, current, steps = _target(plan), plan.parent, 0
        while current is not None and steps <= len(parent_of):
            if current == start:
                result.add_error(
                    plan.row,
                    "parent",
                    _("This parent would put the organisation inside itself (a loop)."),
                )
                break
            current, steps = parent_of.get(current), steps + 1


def _count_organisation_changes(result, plans: list[_Plan], columns: set[str]) -> None:
    current_sectors: dict[int, set[int]] = defaultdict(set)
    if "sectors" in columns:
        through = Organisation.sectors.through
        for org_id, sector_id in through.objects.filter(
            organisation_id__in=[p.instance.pk for p in plans if not p.is_new]
        ).values_list("organisation_id", "sector_id"):
            current_sectors[org_id].add(sector_id)
    fields = [f for f in _ORG_FIELDS if f in columns]
    for plan in plans:
        if plan.is_new:
            result.created += 1
            continue
        changed = _changes(plan, fields)
        if plan.parent_set and (
            (plan.parent and plan.parent[0] == "row")
            or plan.instance.parent_id != plan.before["parent_id"]
        ):
            changed = True
        if plan.sector_ids is not None:
            if set(plan.sector_ids) == current_sectors[plan.instance.pk]:
                plan.sector_ids = None  # nothing to write
            else:
                changed = True
        plan.changed = changed
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1


def _save_organisations(table: Table, plans: list[_Plan]) -> None:
    columns = set(table.headers) & set(ORGANISATION_COLUMNS)
    # New organisations are created in waves: those under an organisation created in
    # this file come after it, so that every parent has its key when it is needed.
    waves: dict[int, list[_Plan]] = defaultdict(list)
    wave_of: dict[tuple, int] = {}
    for plan in plans:
        if plan.is_new:
            parent = plan.parent
            wave = wave_of[parent] + 1 if parent and parent[0] == "row" else 0
            wave_of[_target(plan)] = wave
            waves[wave].append(plan)
    pk_of_row: dict[tuple, int] = {}
    for wave in sorted(waves):
        for plan in waves[wave]:
            if plan.parent and plan.parent[0] == "row":
                plan.instance.parent_id = pk_of_row[plan.parent]
            plan.instance.refresh_search_key()
        Organisation.objects.bulk_create([p.instance for p in waves[wave]], batch_size=500)
        pk_of_row.update({_target(p): p.instance.pk for p in waves[wave]})
    for plan in plans:
        if not plan.is_new and plan.parent and plan.parent[0] == "row":
            plan.instance.parent_id = pk_of_row[plan.parent]

    changed = [p.instance for p in plans if not p.is_new and p.changed]
    if changed:
        now = timezone.now()
        for org in changed:
            org.refresh_search_key()
            org.updated = now
        fields = [f for f in _ORG_FIELDS if f in columns]
        if "parent" in columns:
            fields.append("parent")
        Organisation.objects.bulk_update(
            changed, [*fields, "search_key", "updated"], batch_size=500
        )
        hooks.people_changed.send(organisation_ids=[org.pk for org in changed])

    rewrite = [p for p in plans if p.sector_ids is not None]
    if rewrite:
        through = Organisation.sectors.through
        through.objects.filter(
            organisation_id__in=[p.instance.pk for p in rewrite if not p.is_new]
        ).delete()
        through.objects.bulk_create(
            [
                through(organisation_id=p.instance.pk, sector_id=sector_id)
                for p in rewrite
                for sector_id in p.sector_ids
            ],
            batch_size=500,
        )


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


def people_import(*, table: Table, dry_run: bool, actor) -> ImportResult:
    """Create or update people from ``table``; see the module docstring.

    Columns: name (required), slug, name_zh, sort_name, position, position_zh,
    organisation (slug or exact name of an organisation in the directory:
    import organisations first), country, email, phone, directory_opt_in
    (yes/no, 1/0, true/false, 是/否; empty is no). A row with a slug is about
    the person with that slug (created if there is none); without a slug,
    about the person with the same e-mail, else the one with the same name at
    the same organisation and no e-mail of their own. An e-mail may appear only
    once in a file.
    """
    table = table.with_aliases(ALIASES)

    def check(table: Table, result: ImportResult) -> list[_Plan]:
        known = [*PERSON_COLUMNS, *EXPORT_ONLY_COLUMNS]
        if not check_columns(table, result, required=["name"], known=known):
            return []
        plans = _check_people(table, result)
        if not may_change(actor, Person):
            _refuse_changes(
                result,
                plans,
                _(
                    "“%(key)s” is a person in the directory already; your account may add "
                    "people but not change them, and this row would change: %(fields)s."
                ),
            )
        return plans

    def save(plans: list[_Plan], result: ImportResult) -> None:
        _save_people(table, plans, actor=actor, filename=table.filename)
        _log(actor=actor, model=Person, table=table, result=result, plans=plans)

    return run_import(table=table, dry_run=dry_run, check=check, save=save)


_PERSON_FIELDS = [c for c in PERSON_COLUMNS if c not in {"slug", "organisation"}]
_PERSON_NOT_VALIDATED = {
    "id",
    "slug",
    "organisation",
    "user",
    "search_key",
    "is_synthetic",
    "country",
    "email",
}


def _check_people(table: Table, result: ImportResult) -> list[_Plan]:
    columns = set(table.headers) & set(PERSON_COLUMNS)
    existing = list(Person.objects.all())
    by_slug = {p.slug: p for p in existing}
    by_email: dict[str, list[Person]] = defaultdict(list)
    by_name_org: dict[tuple, list[Person]] = defaultdict(list)
    by_name: dict[str, list[Person]] = defaultdict(list)
    for person in existing:
        if person.email:
            by_email[person.email.casefold()].append(person)
        by_name_org[(person.name, person.organisation_id)].append(person)
        by_name[person.name].append(person)
    org_slugs: dict[str, tuple] = {}
    org_names: dict[str, set[tuple]] = defaultdict(set)
    for pk, slug, name, name_zh in Organisation.objects.values_list(
        "pk", "slug", "name", "name_zh"
    ):
        org_slugs[slug] = ("db", pk)
        for label in (name, name_zh):
            if label:
                org_names[label].add(("db", pk))
    taken = set(by_slug) | _explicit_slugs(table)
    first_row_of: dict[tuple, int] = {}
    first_row_of_email: dict[str, int] = {}
    validated = {"name", *(columns & set(_PERSON_FIELDS))}
    country_parser = _memo(parse_country)
    plans: list[_Plan] = []

    for row in table.rows:
        n = row.number
        name = clean_text(row.get("name"))
        if not name:
            result.add_error(n, "name", _("A name is required."))
        slug = _cell(result, row, "slug", _optional(parse_slug), columns)
        slug = slug if _given(slug) and slug else ""
        email = _cell(result, row, "email", parse_email, columns)
        if _given(email) and email:
            first = first_row_of_email.setdefault(email.casefold(), n)
            if first != n:
                result.add_error(
                    n,
                    "email",
                    _("The e-mail %(email)s is also in row %(row)s.")
                    % {"email": email, "row": first},
                )
                email = _INVALID
        country = _cell(result, row, "country", country_parser, columns)
        opt_in = _cell(result, row, "directory_opt_in", parse_bool, columns)
        organisation = _ABSENT
        if "organisation" in columns:
            organisation = None
            reference = clean_text(row.get("organisation"))
            if reference:
                found_org = _resolve_organisation(
                    result, n, "organisation", reference, slugs=[org_slugs], names=[org_names]
                )
                organisation = found_org[1] if found_org else _INVALID

        # Which person is the row about?
        found: Person | None = None
        keys: list[tuple] = []
        if slug:
            keys.append(("slug", slug))
            found = by_slug.get(slug)
        elif name and email is not _INVALID and organisation is not _INVALID:
            candidates: list[Person] = []
            if _given(email) and email:
                candidates = by_email.get(email.casefold(), [])
            if not candidates:
                if organisation is _ABSENT:
                    candidates = by_name.get(name, [])
                else:
                    candidates = by_name_org.get((name, organisation), [])
                    keys.append(("name", name, organisation))
                if _given(email) and email:
                    # Someone with another e-mail is someone else.
                    candidates = [p for p in candidates if not p.email]
            if len(candidates) > 1:
                result.add_error(
                    n,
                    "name",
                    _(
                        "Several people match “%(name)s” (the same e-mail, or the same name at "
                        "the same organisation); add a “slug” column to say which one."
                    )
                    % {"name": name},
                )
            elif candidates:
                found = candidates[0]
        target = ("db", found.pk) if found else ("row", n)
        if found:
            keys.append(target)
        if _given(email) and email:
            keys = [k for k in keys if k[0] != "name"]  # the same name with two e-mails is fine
        first = next((first_row_of[k] for k in keys if k in first_row_of), None)
        if first is not None:
            _duplicate_error(result, n, "slug" if slug else "name", first, "person")
        for key in keys:
            first_row_of.setdefault(key, n)

        if found:
            person = found
            before = {f: getattr(person, f) for f in _PERSON_FIELDS}
            before["organisation_id"] = person.organisation_id
            plan = _Plan(row=n, instance=person, is_new=False, before=before, slug_given=bool(slug))
        else:
            person = Person()
            person.slug = slug or unique_slug(name or "person", taken)
            plan = _Plan(row=n, instance=person, is_new=True)
        old_name = person.name
        if name:
            person.name = name
        for column in _TEXT_FIELDS_PERSON:
            if column in columns:
                setattr(person, column, clean_text(row.get(column)))
        if not person.sort_name or ("sort_name" not in columns and person.sort_name == old_name):
            person.sort_name = person.name
        for column, value in (("email", email), ("country", country)):
            if _given(value):
                setattr(person, column, value)
        if _given(opt_in):
            person.directory_opt_in = opt_in
        if _given(organisation):
            person.organisation_id = organisation
        fields = {f.name for f in person._meta.concrete_fields} if plan.is_new else validated
        _validate_model(result, n, person, fields=fields - _PERSON_NOT_VALIDATED)
        plans.append(plan)

    fields = [f for f in _PERSON_FIELDS if f in columns or f == "sort_name"]
    for plan in plans:
        if plan.is_new:
            result.created += 1
            continue
        plan.changed = _changes(plan, fields) or (
            "organisation" in columns
            and plan.instance.organisation_id != plan.before["organisation_id"]
        )
        if plan.changed:
            result.updated += 1
        else:
            result.unchanged += 1
    return plans


def _save_people(table: Table, plans: list[_Plan], *, actor, filename: str) -> None:
    columns = set(table.headers) & set(PERSON_COLUMNS)
    new = [p.instance for p in plans if p.is_new]
    for person in new:
        person.refresh_search_key()
    Person.objects.bulk_create(new, batch_size=500)
    changed = [p.instance for p in plans if not p.is_new and p.changed]
    if changed:
        now = timezone.now()
        for person in changed:
            person.refresh_search_key()
            person.updated = now
        fields = {f for f in _PERSON_FIELDS if f in columns} | {
            "sort_name",
            "search_key",
            "updated",
        }
        if "organisation" in columns:
            fields.add("organisation")
        Person.objects.bulk_update(changed, sorted(fields), batch_size=500)
        hooks.people_changed.send(person_ids=[person.pk for person in changed])
        if "email" in columns:
            for plan in plans:
                if not plan.is_new and plan.changed:
                    person_email_changed(
                        person=plan.instance,
                        old_email=plan.before["email"],
                        actor=actor,
                        via=f"import {filename}".strip(),
                    )
