"""Spreadsheets in and out: CSV and XLSX exports, reading uploaded tables, dry-run imports.

Writing::

    from atrium.core import tabular

    def registrations_export(request, *, conference):
        rows = ([r.person.name, r.person.name_zh, r.get_status_display()] for r in queryset)
        return tabular.tabular_export(
            request,                                   # reads ?format=csv|xlsx (400 otherwise)
            filename_stem=f"{conference.slug}-registrations",
            headers=[_("Name"), _("Name in Chinese"), _("Status")],
            rows=rows,
        )

CSV is UTF-8 with a byte-order mark (so that Excel shows Chinese), streamed row by
row; XLSX is written with openpyxl's write-only mode, with a bold, frozen header
row and column widths from the content. A text cell that a spreadsheet would take
for a formula (it starts with ``= + - @``, a tab or a carriage return) is
neutralised: a leading apostrophe in CSV, a cell stored as text in XLSX.

Reading::

    table = tabular.read_table(uploaded_file)   # raises TableError with a clear message
    for row in table.rows:
        row.number, row.values["name"]

Importing: a service checks every row first, collecting ``RowError``s in an
``ImportResult``, and writes only when no row has an error and it is not a dry
run, all in one transaction (see ``run_import``).

Length (over 600 lines, on purpose): writing and reading tables share the column model,
the cell cleaning and the limits (zip sizes, rows, columns); they change together.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import secrets
import tempfile
import time as time_module
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest, ValidationError
from django.db import IntegrityError, transaction
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atrium.core.uploads import check_upload_size, too_large_message, upload_limit

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Uploads: at most this many bytes and data rows (both can be passed to read_table).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# ... and at most this many columns; empty rows count towards a limit of
# ``max_rows + MAX_BLANK_ROWS`` rows read, so a sheet reaching row 1,048,576 stops early.
MAX_COLUMNS = 100
MAX_BLANK_ROWS = 1000
# An .xlsx is a zip: before openpyxl opens it, its parts must unpack to at most
# MAX_UNPACKED_BYTES in all, and no part larger than 1 MiB unpacked may be more than
# MAX_COMPRESSION_RATIO times its packed size (a "zip bomb": 86 KiB of shared strings
# unpacking to 32 MiB). Ordinary workbooks of MAX_ROWS rows are far below both.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECK_FROM = 1024 * 1024

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# "+86 10 6256 6666" or "-12.5": starts like a formula but only holds digits and
# punctuation, so a spreadsheet cannot run anything from it; left as it is.
_NUMBER_LIKE = re.compile(r"[+-][0-9 ().,/-]*[0-9][0-9 ().,/-]*")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_MAX_TEXT = 32767
_CSV_BATCH = 200


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


class FormatError(BadRequest):
    """An unknown ``?format=`` value (a 400)."""


def needs_formula_guard(text: str) -> bool:
    """True if a spreadsheet could read ``text`` as a formula (CSV/formula injection)."""
    if not text or not text.startswith(_FORMULA_STARTS):
        return False
    return not (text[0] in "+-" and _NUMBER_LIKE.fullmatch(text))


def requested_format(request, *, default: str | None = "csv") -> str:
    """The export format from ``?format=`` (``csv`` or ``xlsx``, any case).

    Without the parameter: ``default`` (``None`` makes it required). Anything
    else raises ``FormatError``, which Django answers with 400.
    """
    value = (request.GET.get("format") or "").strip().lower() or default
    if value not in FORMATS:
        raise FormatError(
            _("Unknown format “%(value)s”: use format=csv or format=xlsx.")
            % {"value": (request.GET.get("format") or "")[:20]}
        )
    return value


def path_format(value: str) -> str:
    """For formats taken from the URL path (``export.xlsx``): unknown ones are a 404."""
    value = (value or "").lower()
    if value not in FORMATS:
        raise Http404(_("There is no export in the format “%(value)s”.") % {"value": value[:20]})
    return value


def tabular_export(
    request,
    *,
    filename_stem: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    default_format: str | None = "csv",
    sheet_title: str | None = None,
) -> HttpResponse | StreamingHttpResponse:
    """``requested_format`` + ``tabular_response``; a bad ``?format=`` gets a plain-text 400."""
    try:
        fmt = requested_format(request, default=default_format)
    except FormatError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return tabular_response(
        filename_stem=filename_stem,
        fmt=fmt,
        headers=headers,
        rows=rows,
        sheet_title=sheet_title,
    )


def tabular_response(
    *,
    filename_stem: str,
    fmt: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    sheet_title: str | None = None,
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``headers`` and ``rows`` as ``<filename_stem>.csv`` or ``.xlsx``.

    Cells may be ``str`` (lazy translations too), numbers, ``bool``, ``date``,
    ``time``, ``datetime`` (aware ones are shown in the time zone active now),
    ``None`` or a list (joined with "; "). ``rows`` may be a generator: a CSV is
    streamed and reads it lazily, with today's language and time zone kept.
    CSV responses are ``StreamingHttpResponse``s: in tests read them with
    ``response.getvalue()``.
    """
    fmt = path_format(fmt)
    headers = [_plain(header) for header in headers]
    zone = timezone.get_current_timezone()
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(headers, rows, translation.get_language(), zone),
            content_type=CONTENT_TYPES["csv"],
        )
    else:
        # Written to a temporary file (openpyxl's write-only mode keeps only a row in
        # memory) and streamed from there in blocks: a large list never sits in memory.
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        _xlsx_write(headers, rows, zone, sheet_title or filename_stem, handle)
        handle.seek(0)
        response = FileResponse(handle, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename_stem}.{fmt}"
    )
    # Exports may hold personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _plain(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(_plain(item)) for item in value if item not in (None, ""))
    return value


def _naive(value: datetime, zone) -> datetime:
    if timezone.is_aware(value):
        return timezone.make_naive(value, zone)
    return value


class _Echo:
    """A file-like object that hands back what is written (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any, zone) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _naive(value, zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = str(value)
    if needs_formula_guard(text):
        return "'" + text
    return text


def _csv_stream(headers, rows, language, zone) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow([_csv_cell(h, zone) for h in headers])).encode("utf-8")
    iterator = iter(rows)
    while True:
        # The rows are read while the response streams, after the view returned:
        # keep the request's language and time zone for lazy labels and times.
        with translation.override(language), timezone.override(zone):
            batch = list(islice(iterator, _CSV_BATCH))
            text = "".join(
                writer.writerow([_csv_cell(value, zone) for value in row]) for row in batch
            )
        if not batch:
            return
        yield text.encode("utf-8")


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, time):
        return 5
    text = str(value)
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > 80:
        return 80
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return min(longest + wide, 80)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", str(title)).strip("'") or "Sheet"
    return cleaned[:31]


def _xlsx_write(headers, rows, zone, title: str, target) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))

    def cell(value: Any, *, bold: bool = False):
        value = _plain(value)
        if isinstance(value, datetime):
            value = _naive(value, zone)
        elif isinstance(value, str):
            value = _XLSX_ILLEGAL.sub("", value)[:_XLSX_MAX_TEXT]
        elif value is not None and not isinstance(value, int | float | Decimal | date | time):
            value = str(value)
        guarded = isinstance(value, str) and needs_formula_guard(value)
        if not (bold or guarded or isinstance(value, date | time | datetime)):
            return value
        result = WriteOnlyCell(sheet, value=value)
        if bold:
            result.font = Font(bold=True)
        if guarded:
            # Stored as text, never as a formula; Excel keeps it text when edited.
            result.data_type = "s"
            result.quotePrefix = True
        if isinstance(value, datetime):
            result.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, date):
            result.number_format = "yyyy-mm-dd"
        elif isinstance(value, time):
            result.number_format = "hh:mm"
        return result

    iterator = iter(rows)
    # Column widths must be set before the first row of a write-only sheet:
    # measure the header and the first rows.
    first = [list(row) for row in islice(iterator, 200)]
    widths = [_display_width(h) for h in headers]
    for row in first:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_width(_plain(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(width + 2, 60))
    sheet.freeze_panes = "A2"
    sheet.append([cell(header, bold=True) for header in headers])
    count = 0
    for row in first:
        sheet.append([cell(value) for value in row])
        count += 1
    for row in iterator:
        sheet.append([cell(value) for value in row])
        count += 1
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    workbook.save(target)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


class TableError(Exception):
    """The uploaded file cannot be read as a table; ``str(error)`` says why and what to do."""


@dataclass
class TableRow:
    number: int  # the row number in the spreadsheet (the header row is 1)
    values: dict[str, str]

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)


@dataclass
class Table:
    headers: list[str]  # normalised: lower case, stripped, spaces and hyphens as "_"
    rows: list[TableRow]
    filename: str = ""

    def has(self, column: str) -> bool:
        return column in self.headers

    def with_aliases(self, aliases: dict[str, str]) -> Table:
        """A copy with other spellings of column names renamed (``e_mail`` → ``email``)."""
        rename = {h: aliases[h] for h in self.headers if h in aliases and aliases[h] not in self}
        if not rename:
            return self
        return Table(
            headers=[rename.get(h, h) for h in self.headers],
            rows=[
                TableRow(r.number, {rename.get(k, k): v for k, v in r.values.items()})
                for r in self.rows
            ],
            filename=self.filename,
        )

    def __contains__(self, column: str) -> bool:
        return column in self.headers


def normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time.min:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = str(value).strip()
    # Undo our own formula guard, so that an export can be imported again as it is.
    if text.startswith("'") and needs_formula_guard(text[1:]):
        text = text[1:]
    return text


def read_table(
    uploaded_file,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
) -> Table:
    """The first sheet of an uploaded ``.xlsx`` or a ``.csv`` (UTF-8) as a ``Table``.

    The first non-empty row holds the column names; empty rows are skipped;
    every value is a stripped string. Raises ``TableError`` with a message for
    the user for a wrong type, a file too large or too long, a CSV that is not
    UTF-8, a corrupt workbook, a workbook that unpacks to too much (checked in the
    zip's directory before openpyxl reads a byte of it), too many columns, or a file
    without column names or rows.
    """
    name = getattr(uploaded_file, "name", "") or ""
    extension = Path(name).suffix.lower()
    if extension in {".xls", ".ods", ".numbers"}:
        raise TableError(
            _(
                "“%(name)s” is in a format that cannot be read here. Save it as an Excel "
                "workbook (.xlsx) or as CSV UTF-8 (.csv) and upload it again."
            )
            % {"name": Path(name).name}
        )
    if extension not in {".csv", ".xlsx"}:
        raise TableError(
            _("Upload a .csv or .xlsx file; “%(name)s” is neither.")
            % {"name": Path(name).name or _("the file")}
        )
    try:
        check_upload_size(uploaded_file, limit=max_bytes)
    except ValidationError as error:
        raise TableError(f"{error.messages[0]} {_('Split it into smaller files.')}") from None
    limit = upload_limit(max_bytes)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise TableError(f"{too_large_message(limit=limit)} {_('Split it into smaller files.')}")
    if not data.strip():
        raise TableError(_("The file is empty."))
    filename = Path(name).name
    if extension == ".csv":
        raw_rows = _csv_rows(data)
    else:
        raw_rows = _xlsx_rows(
            data, filename=filename, max_columns=max_columns, max_unpacked_bytes=max_unpacked_bytes
        )
    return _build_table(raw_rows, max_rows=max_rows, max_columns=max_columns, filename=filename)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(_encoding_message(data)) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        try:
            for values in reader:
                yield reader.line_num, values
        except csv.Error as error:
            raise TableError(
                _("Line %(line)s of the CSV file cannot be read (%(reason)s).")
                % {"line": reader.line_num, "reason": error}
            ) from None

    return rows()


def _encoding_message(data: bytes) -> str:
    save_as = _(
        "Save it as UTF-8: in Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”; "
        "in WPS or LibreOffice choose the character set “Unicode (UTF-8)”."
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _("The file is saved as UTF-16 (“Unicode text”), not UTF-8.") + " " + save_as
    try:
        looks_chinese = bool(re.search(r"[\u4e00-\u9fff]", data.decode("gb18030")))
    except UnicodeDecodeError:
        looks_chinese = False
    if looks_chinese:
        return (
            _("The file is not UTF-8: it looks like Chinese text saved as GBK (GB2312/GB18030).")
            + " "
            + save_as
        )
    return (
        _("The file is not UTF-8 (perhaps Windows-1252 or another old encoding).") + " " + save_as
    )


def _check_unpacked_size(data: bytes, *, filename: str, max_unpacked_bytes: int) -> None:
    """Refuse a workbook whose zip parts would unpack to too much (read from the zip directory).

    The sizes declared there bound what Python's zipfile (and so openpyxl) will unpack.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # reported as a damaged workbook by the caller
    total = sum(part.file_size for part in parts)
    bomb = any(
        part.file_size > _RATIO_CHECK_FROM
        and part.file_size > MAX_COMPRESSION_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if bomb or total > max_unpacked_bytes:
        raise TableError(
            _(
                "“%(name)s” unpacks to more than %(limit)s MB or is packed suspiciously "
                "tightly (%(size)s MB from %(packed)s KB), so it is not read. Remove unused "
                "sheets, rows and formatting, or save it as CSV UTF-8 (.csv) and upload that."
            )
            % {
                "name": filename,
                "limit": f"{max_unpacked_bytes / 1048576:.0f}",
                "size": f"{total / 1048576:.1f}",
                "packed": f"{len(data) / 1024:.0f}",
            }
        )


def _xlsx_rows(
    data: bytes, *, filename: str, max_columns: int, max_unpacked_bytes: int
) -> Iterator[tuple[int, list[Any]]]:
    corrupt = _(
        "The file cannot be read as an Excel workbook (.xlsx): it may be damaged or be "
        "another kind of file renamed. Open it in Excel and save it again as .xlsx, or "
        "save it as CSV UTF-8."
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError(corrupt)
    _check_unpacked_size(data, filename=filename, max_unpacked_bytes=max_unpacked_bytes)

    def rows():
        from openpyxl import load_workbook

        workbook = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                if not workbook.worksheets:
                    raise TableError(_("The workbook has no sheet."))
                sheet = workbook.worksheets[0]
                # One column more than allowed, so that a too wide sheet is seen and
                # refused, without padding every row to the sheet's declared width.
                cells = sheet.iter_rows(values_only=True, max_col=max_columns + 1)
                for number, values in enumerate(cells, start=1):
                    yield number, list(values)
        except TableError:
            raise
        except Exception:  # openpyxl raises many kinds of errors for a damaged file
            raise TableError(corrupt) from None
        finally:
            if workbook is not None:
                workbook.close()

    return rows()


def _build_table(
    raw_rows: Iterable[tuple[int, list[Any]]], *, max_rows: int, max_columns: int, filename: str
):
    headers: list[str] | None = None
    rows: list[TableRow] = []
    for read, (number, values) in enumerate(raw_rows, start=1):
        if read > max_rows + MAX_BLANK_ROWS:
            raise TableError(
                _(
                    "The file goes on past row %(limit)s (empty rows count too). Delete the "
                    "rows below your data, or split it into smaller files."
                )
                % {"limit": max_rows + MAX_BLANK_ROWS}
            )
        texts = [_cell_text(v) for v in values]
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            continue
        if len(texts) > max_columns:
            raise TableError(
                _(
                    "Row %(row)s has more than %(limit)s columns. Delete the columns that are "
                    "not needed."
                )
                % {"row": number, "limit": max_columns}
            )
        if headers is None:
            headers = [normalise_header(t) for t in texts]
            seen: dict[str, int] = {}
            for index, header in enumerate(headers):
                if header and header in seen:
                    raise TableError(
                        _("The column “%(name)s” appears twice in the first row.")
                        % {"name": header}
                    )
                seen[header] = index
            continue
        if len(rows) >= max_rows:
            raise TableError(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": max_rows}
            )
        rows.append(
            TableRow(
                number=number,
                values={h: texts[i] if i < len(texts) else "" for i, h in enumerate(headers) if h},
            )
        )
    if headers is None:
        raise TableError(_("The file is empty."))
    if not rows:
        raise TableError(_("The file has column names but no rows below them."))
    return Table(headers=[h for h in headers if h], rows=rows, filename=filename)


class TableUploadForm(forms.Form):
    """Upload a .csv/.xlsx file, with a dry run ticked by default; ``cleaned_data["table"]``."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A .csv (UTF-8) or .xlsx file; the first row names the columns."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run (check every row and report problems; save nothing)"),
        required=False,
        initial=True,
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["table"] = read_table(upload)
            except TableError as error:
                self.add_error("file", str(error))
        return cleaned


# ---------------------------------------------------------------------------
# Dry-run imports
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number; 1 is the header row (a missing column)
    field: str  # the column name, "" for the whole row
    message: str


@dataclass
class ImportResult:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    saved: bool = False

    def add_error(self, row: int, field_name: str, message: str) -> None:
        self.errors.append(RowError(row=row, field=field_name, message=str(message)))

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def valid_rows(self) -> int:
        """Rows without a problem (none when a column is missing or the save failed)."""
        if any(error.row <= 1 for error in self.errors):
            return 0
        return self.rows - len({error.row for error in self.errors})

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row, e.field))


def check_columns(
    table: Table, result: ImportResult, *, required: Iterable[str], known: Iterable[str]
) -> bool:
    """Report missing required columns (as errors on row 1) and list unknown ones.

    Returns False when a required column is missing (the rows are not checked then).
    """
    missing = [name for name in required if name not in table]
    for name in missing:
        result.add_error(1, name, _("The column “%(name)s” is missing.") % {"name": name})
    known = set(known)
    result.ignored_columns = [h for h in table.headers if h not in known]
    return not missing


Plan = TypeVar("Plan")


def run_import(
    *,
    table: Table,
    dry_run: bool,
    check: Callable[[Table, ImportResult], Plan],
    save: Callable[[Plan, ImportResult], None],
) -> ImportResult:
    """The dry-run pattern: ``check`` every row, then ``save`` all or nothing.

    ``check`` reads the database, fills ``result.errors`` (every problem of every
    row, with its row number and column) and the ``created``/``updated`` counts,
    and returns a plan. ``save`` runs only if no row has an error and this is not
    a dry run, in one transaction (write the audit entry there too). A conflict
    with a change made meanwhile by someone else rolls everything back and is
    reported, never a half-written import.
    """
    result = ImportResult(dry_run=dry_run, rows=len(table.rows))
    plan = check(table, result)
    if result.errors or dry_run:
        return result
    try:
        with transaction.atomic():
            save(plan, result)
    except IntegrityError:
        result.add_error(
            0,
            "",
            _(
                "Someone changed the same data while the file was being saved. Nothing was "
                "saved; import the file again."
            ),
        )
        return result
    result.saved = True
    return result


# ---------------------------------------------------------------------------
# Keeping an upload between the dry run and the confirmation
# ---------------------------------------------------------------------------

_STASH_SALT = "atrium.core.tabular.stash"
STASH_MAX_AGE = 60 * 60  # seconds a dry-run upload may be confirmed
_STASH_NAME = re.compile(r"[0-9a-f]{32}\.(csv|xlsx)")


def _stash_dir() -> Path:
    configured = getattr(settings, "ATRIUM_IMPORT_DIR", None)
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "atrium-imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stash_upload(uploaded_file, *, user, purpose: str) -> str:
    """Keep an uploaded file for a later confirmation; returns a signed token.

    The file goes to a private folder (``settings.ATRIUM_IMPORT_DIR`` or the
    system's temporary folder), never under MEDIA_ROOT; the token names it and
    binds it to ``user`` and ``purpose`` and expires after ``STASH_MAX_AGE``.
    """
    folder = _stash_dir()
    cutoff = time_module.time() - 24 * 60 * 60
    for old in folder.iterdir():  # forget uploads nobody confirmed
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    extension = Path(uploaded_file.name).suffix.lower()
    stored = f"{secrets.token_hex(16)}{extension}"
    uploaded_file.seek(0)
    chunks = uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]
    with open(folder / stored, "wb") as target:
        for chunk in chunks:
            target.write(chunk)
    payload = {"f": stored, "n": Path(uploaded_file.name).name, "u": user.pk, "p": purpose}
    return signing.dumps(payload, salt=_STASH_SALT)


def _stash_payload(token: str, *, user, purpose: str) -> dict:
    expired = TableError(_("This upload has expired or is not yours. Upload the file again."))
    try:
        payload = signing.loads(token or "", salt=_STASH_SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    if (
        not isinstance(payload, dict)
        or payload.get("u") != user.pk
        or payload.get("p") != purpose
        or not _STASH_NAME.fullmatch(str(payload.get("f", "")))
    ):
        raise expired
    if not (_stash_dir() / payload["f"]).exists():
        raise expired
    return payload


def read_stashed_table(token: str, *, user, purpose: str, **limits) -> Table:
    """The table of a stashed upload (``TableError`` if the token is bad, old or not the user's)."""
    payload = _stash_payload(token, user=user, purpose=purpose)
    path = _stash_dir() / payload["f"]
    with open(path, "rb") as handle:
        data = handle.read()
    named = io.BytesIO(data)
    named.name = payload["f"]
    named.size = len(data)
    table = read_table(named, **limits)
    table.filename = payload["n"]
    return table


def discard_stash(token: str, *, user, purpose: str) -> None:
    """Delete a stashed upload (after it was imported)."""
    try:
        payload = _stash_payload(token, user=user, purpose=purpose)
    except TableError:
        return
    (_stash_dir() / payload["f"]).unlink(missing_ok=True)
