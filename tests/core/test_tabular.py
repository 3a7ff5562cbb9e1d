"""The shared spreadsheet module: CSV/XLSX downloads, reading uploads, the dry-run pattern."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from atrium.core import tabular
from atrium.core.tabular import (
    ImportResult,
    TableError,
    needs_formula_guard,
    read_table,
    run_import,
    tabular_response,
)
from atrium.events.models import Session
from atrium.network.models import Sector

HEADERS = ["name", "name_zh", "joined", "starts", "member"]
ROWS = [
    ["Ma Jun", "马骏", date(2025, 9, 16), time(9, 30), True],
    ["Cécile Harle", "", date(2024, 11, 5), time(14, 0), False],
]


def xlsx_sheet(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    return workbook.worksheets[0]


def csv_rows(response):
    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf"), "a byte-order mark so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- writing -----------------------------------------------------------------------


def test_xlsx_has_a_bold_frozen_header_and_the_rows_with_chinese():
    response = tabular_response(filename_stem="people", fmt="xlsx", headers=HEADERS, rows=ROWS)
    assert response["Content-Disposition"] == 'attachment; filename="people.xlsx"'
    sheet = xlsx_sheet(response)
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(HEADERS)
    assert values[1] == ("Ma Jun", "马骏", datetime(2025, 9, 16), time(9, 30), True)
    assert values[2][0] == "Cécile Harle"
    assert len(values) == 3
    assert sheet["A1"].font.b is True
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].number_format == "hh:mm"
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDE"}
    assert all(8 <= w <= 60 for w in widths.values())
    assert widths["A"] > widths["E"]


def test_xlsx_of_a_generator_and_of_no_rows():
    response = tabular_response(
        filename_stem="x", fmt="xlsx", headers=["n"], rows=([i] for i in range(500))
    )
    values = list(xlsx_sheet(response).iter_rows(values_only=True))
    assert len(values) == 501 and values[-1] == (499,)
    empty = tabular_response(filename_stem="x", fmt="xlsx", headers=["a", "b"], rows=[])
    assert list(xlsx_sheet(empty).iter_rows(values_only=True)) == [("a", "b")]


def test_csv_is_utf8_with_bom_and_parses_back():
    response = tabular_response(filename_stem="people", fmt="csv", headers=HEADERS, rows=ROWS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert "no-store" in response["Cache-Control"]
    assert csv_rows(response) == [
        HEADERS,
        ["Ma Jun", "马骏", "2025-09-16", "09:30", "yes"],
        ["Cécile Harle", "", "2024-11-05", "14:00", "no"],
    ]


def test_csv_quotes_commas_and_newlines_and_joins_lists():
    response = tabular_response(
        filename_stem="x",
        fmt="csv",
        headers=["a", "b"],
        rows=[["Park, Inc.", "line one\nline two"], [["ict", "health"], None]],
    )
    assert csv_rows(response)[1:] == [["Park, Inc.", "line one\nline two"], ["ict; health", ""]]


def test_aware_datetimes_show_in_the_active_time_zone():
    moment = datetime(2025, 9, 16, 1, 30, tzinfo=ZoneInfo("UTC"))
    from django.utils import timezone

    with timezone.override(ZoneInfo("Asia/Shanghai")):
        response = tabular_response(filename_stem="x", fmt="csv", headers=["t"], rows=[[moment]])
    assert csv_rows(response)[1] == ["2025-09-16 09:30"]
    with timezone.override(ZoneInfo("Asia/Shanghai")):
        response = tabular_response(filename_stem="x", fmt="xlsx", headers=["t"], rows=[[moment]])
    assert xlsx_sheet(response)["A2"].value == datetime(2025, 9, 16, 9, 30)


def test_streamed_csv_keeps_the_language_of_the_request():
    def rows():
        # Evaluated while the response streams, after the view has returned.
        yield [Session(kind=Session.Kind.KEYNOTE).get_kind_display()]

    with translation.override("zh-hans"):
        response = tabular_response(filename_stem="x", fmt="csv", headers=["kind"], rows=rows())
    with translation.override("en"):
        assert csv_rows(response)[1] == ["主旨演讲"]


DANGEROUS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_injection_is_neutralised_in_csv(value):
    assert needs_formula_guard(value)
    response = tabular_response(filename_stem="x", fmt="csv", headers=["v"], rows=[[value]])
    assert csv_rows(response)[1] == ["'" + value]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_injection_is_stored_as_text_in_xlsx(value):
    response = tabular_response(filename_stem="x", fmt="xlsx", headers=["v"], rows=[[value]])
    content = response.getvalue()  # a streamed response: read once
    cell = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["A2"]
    assert cell.data_type == "s", "never a formula"
    assert cell.value == value.replace("\r", "\n")  # XML reads a carriage return as a newline
    assert cell.quotePrefix is True
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


@pytest.mark.parametrize("value", ["+86 10 6256 6666", "-12.5", "Ma Jun", "", "a=b"])
def test_plain_values_are_left_alone(value):
    assert not needs_formula_guard(value)
    response = tabular_response(filename_stem="x", fmt="csv", headers=["v"], rows=[[value]])
    assert csv_rows(response)[1] == [value]


def test_xlsx_drops_control_characters_that_excel_refuses():
    response = tabular_response(
        filename_stem="x", fmt="xlsx", headers=["v"], rows=[["bad\x00\x07name"]]
    )
    assert xlsx_sheet(response)["A2"].value == "badname"


def test_format_from_the_query_string():
    factory = RequestFactory()
    assert tabular.requested_format(factory.get("/x", {"format": "XLSX"})) == "xlsx"
    assert tabular.requested_format(factory.get("/x")) == "csv"
    with pytest.raises(tabular.FormatError):
        tabular.requested_format(factory.get("/x"), default=None)
    response = tabular.tabular_export(
        factory.get("/x", {"format": "pdf"}), filename_stem="x", headers=["a"], rows=[]
    )
    assert response.status_code == 400
    assert "format=csv or format=xlsx" in response.content.decode()
    ok = tabular.tabular_export(
        factory.get("/x", {"format": "xlsx"}), filename_stem="x", headers=["a"], rows=[]
    )
    assert ok.status_code == 200 and ok["Content-Disposition"].endswith('x.xlsx"')


def test_unknown_format_in_a_path_is_a_404():
    assert tabular.path_format("CSV") == "csv"
    with pytest.raises(Http404):
        tabular.path_format("pdf")


# --- reading -----------------------------------------------------------------------


def test_reads_csv_with_normalised_headers_and_row_numbers():
    data = "\ufeff Name ,Name ZH,Member-Since,\n\nZhongguancun, 中关村 ,1995,\n,,,\nSophia,,,x\n"
    table = read_table(upload("orgs.csv", data.encode("utf-8")))
    assert table.headers == ["name", "name_zh", "member_since"]
    assert [(r.number, r.values) for r in table.rows] == [
        (3, {"name": "Zhongguancun", "name_zh": "中关村", "member_since": "1995"}),
        (5, {"name": "Sophia", "name_zh": "", "member_since": ""}),
    ]
    assert table.filename == "orgs.csv"


def test_reads_csv_without_bom_and_with_semicolons():
    table = read_table(upload("a.CSV", "name;city\n马骏;北京\n".encode()))
    assert table.rows[0].values == {"name": "马骏", "city": "北京"}


def test_reads_xlsx_values_as_text():
    data = xlsx_bytes(
        [
            ["Name", "Member since", "Joined", "Listed", "Ratio"],
            ["中关村科技园区", 1995, datetime(2024, 5, 1), True, 0.5],
            [None, None, None, None, None],
            ["Sophia", 1990.0, date(2020, 1, 2), False, None],
        ]
    )
    table = read_table(upload("orgs.xlsx", data))
    assert table.headers == ["name", "member_since", "joined", "listed", "ratio"]
    assert [(r.number, r.values) for r in table.rows] == [
        (
            2,
            {
                "name": "中关村科技园区",
                "member_since": "1995",
                "joined": "2024-05-01",
                "listed": "true",
                "ratio": "0.5",
            },
        ),
        (
            4,
            {
                "name": "Sophia",
                "member_since": "1990",
                "joined": "2020-01-02",
                "listed": "false",
                "ratio": "",
            },
        ),
    ]


def test_an_export_reads_back_as_it_was():
    values = ["=1+1", "马骏", "+86 10 1234"]
    for fmt in ("csv", "xlsx"):
        response = tabular_response(
            filename_stem="x", fmt=fmt, headers=["a", "b", "c"], rows=[values]
        )
        table = read_table(upload(f"x.{fmt}", response.getvalue()))
        assert list(table.rows[0].values.values()) == values, fmt


def gbk_csv() -> bytes:
    return "name,city\n中关村科技园区,北京\n".encode("gbk")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("orgs.csv", gbk_csv(), "GBK"),
        ("orgs.csv", "name\nMa\n".encode("utf-16"), "UTF-16"),
        ("orgs.csv", "name\nCécile\n".encode("cp1252"), "not UTF-8"),
        ("orgs.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file"),
        ("orgs", b"name\nx\n", "Upload a .csv or .xlsx file"),
        ("orgs.xls", b"\xd0\xcf\x11\xe0", "Save it as an Excel workbook (.xlsx)"),
        ("orgs.xlsx", b"this is not a workbook", "cannot be read as an Excel workbook"),
        ("orgs.xlsx", b"PK\x03\x04" + b"\x00" * 60, "cannot be read as an Excel workbook"),
        ("orgs.csv", b"", "empty"),
        ("orgs.csv", b"\n\n,,\n", "empty"),
        ("orgs.csv", b"name,city\n", "no rows"),
        ("orgs.csv", b"name,Name\nx,y\n", "appears twice"),
    ],
)
def test_unreadable_files_give_a_clear_message(name, data, expected):
    with pytest.raises(TableError) as error:
        read_table(upload(name, data))
    assert expected in str(error.value)
    if expected in {"GBK", "UTF-16", "not UTF-8"}:
        assert "Save it as UTF-8" in str(error.value)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not excel")
    with pytest.raises(TableError, match="cannot be read as an Excel workbook"):
        read_table(upload("orgs.xlsx", buffer.getvalue()))


def test_limits_on_size_and_rows():
    with pytest.raises(TableError, match="the limit is"):
        read_table(upload("big.csv", b"name\n" + b"x" * 2000), max_bytes=1000)
    rows = "name\n" + "".join(f"org {i}\n" for i in range(11))
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table(upload("long.csv", rows.encode()), max_rows=10)
    assert len(read_table(upload("ok.csv", rows.encode()), max_rows=11).rows) == 11
    many = xlsx_bytes([["name"], *([f"org {i}"] for i in range(11))])
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table(upload("long.xlsx", many), max_rows=10)


def test_upload_form_reports_a_bad_file_on_the_file_field():
    form = tabular.TableUploadForm(
        data={"dry_run": "on"}, files={"file": upload("orgs.csv", gbk_csv())}
    )
    assert not form.is_valid()
    assert "GBK" in form.errors["file"][0]
    good = tabular.TableUploadForm(data={}, files={"file": upload("orgs.csv", b"name\nx\n")})
    assert good.is_valid()
    assert good.cleaned_data["dry_run"] is False
    assert good.cleaned_data["table"].rows[0].values == {"name": "x"}
    assert tabular.TableUploadForm().fields["dry_run"].initial is True


# --- the dry-run pattern -----------------------------------------------------------


def table_of(*names):
    return read_table(upload("s.csv", ("name\n" + "".join(f"{n}\n" for n in names)).encode()))


def sector_import(table, *, dry_run, fail_on=None):
    def check(table, result: ImportResult):
        plans = []
        for row in table.rows:
            if row.get("name") == fail_on:
                result.add_error(row.number, "name", "bad")
            plans.append(Sector(slug=row.get("name").lower(), name=row.get("name")))
        result.created = len(plans)
        return plans

    def save(plans, result):
        for sector in plans:
            sector.save()

    return run_import(table=table, dry_run=dry_run, check=check, save=save)


@pytest.mark.django_db
def test_run_import_saves_only_without_errors_and_not_in_a_dry_run():
    dry = sector_import(table_of("Energy", "Health"), dry_run=True)
    assert dry.ok and not dry.saved and dry.created == 2 and dry.valid_rows == 2
    assert not Sector.objects.exists()

    failed = sector_import(table_of("Energy", "Health", "Bad"), dry_run=False, fail_on="Bad")
    assert not failed.saved and failed.errors == [tabular.RowError(4, "name", "bad")]
    assert failed.valid_rows == 2 and failed.rows_with_errors == 1
    assert not Sector.objects.exists()

    done = sector_import(table_of("Energy", "Health"), dry_run=False)
    assert done.saved and done.ok
    assert sorted(Sector.objects.values_list("slug", flat=True)) == ["energy", "health"]


@pytest.mark.django_db
def test_run_import_is_all_or_nothing_when_the_database_refuses():
    Sector.objects.create(slug="health", name="Health")
    result = sector_import(table_of("Energy", "Health"), dry_run=False)  # "health" exists
    assert not result.saved
    assert "Nothing was saved" in result.errors[0].message
    assert list(Sector.objects.values_list("slug", flat=True)) == ["health"]


@pytest.mark.django_db
def test_only_a_database_conflict_is_turned_into_a_row_error():
    with pytest.raises(ZeroDivisionError):
        run_import(
            table=table_of("a"), dry_run=False, check=lambda t, r: [], save=lambda p, r: 1 / 0
        )


# --- keeping an upload for the confirmation ------------------------------------------


@pytest.mark.django_db
def test_a_stashed_upload_is_for_its_user_and_purpose_only(settings, tmp_path, django_user_model):
    settings.ATRIUM_IMPORT_DIR = str(tmp_path)
    alice = django_user_model.objects.create_user("alice")
    bob = django_user_model.objects.create_user("bob")
    token = tabular.stash_upload(
        upload("orgs.xlsx", xlsx_bytes([["name"], ["马骏"]])), user=alice, purpose="people"
    )
    assert len(list(tmp_path.iterdir())) == 1
    table = tabular.read_stashed_table(token, user=alice, purpose="people")
    assert table.filename == "orgs.xlsx" and table.rows[0].values == {"name": "马骏"}
    for user, purpose, bad_token in [
        (bob, "people", token),
        (alice, "organisations", token),
        (alice, "people", token + "x"),
        (alice, "people", ""),
    ]:
        with pytest.raises(TableError, match="Upload the file again"):
            tabular.read_stashed_table(bad_token, user=user, purpose=purpose)
    tabular.discard_stash(token, user=alice, purpose="people")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(TableError):
        tabular.read_stashed_table(token, user=alice, purpose="people")


# --- spreadsheet bombs and oversized tables --------------------------------------------


def xlsx_bomb(unpacked_bytes: int = 16 * 1024 * 1024) -> bytes:
    """A real workbook whose shared strings unpack to ``unpacked_bytes`` of repeated text."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["name"], ["Ma Jun"]])))
    text = "Zhongguancun " * (unpacked_bytes // 13)
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        f'uniqueCount="1"><si><t>{text}</t></si></sst>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/sharedStrings.xml", shared)
    return buffer.getvalue()


@pytest.fixture
def openpyxl_must_not_load(monkeypatch):
    def refuse(*args, **kwargs):
        pytest.fail("openpyxl was asked to load a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_spreadsheet_bomb_is_refused_before_openpyxl_reads_it(openpyxl_must_not_load):
    bomb = xlsx_bomb()
    assert len(bomb) < 200 * 1024  # small on the wire, 16 MiB unpacked
    form = tabular.TableUploadForm(
        data={"dry_run": "on"}, files={"file": upload("orgs.xlsx", bomb)}
    )
    assert not form.is_valid()
    message = form.errors["file"][0]
    assert "“orgs.xlsx”" in message
    assert "unpacks" in message
    assert "save it as CSV" in message


def test_a_workbook_too_large_when_unpacked_is_refused(openpyxl_must_not_load):
    # Not suspiciously compressed, but larger unpacked than the limit allows.
    data = xlsx_bytes([["name"], ["Ma Jun"]])
    with pytest.raises(TableError, match="unpacks to more than"):
        read_table(upload("orgs.xlsx", data), max_unpacked_bytes=1000)


def test_the_unpacked_limits_let_ordinary_workbooks_through():
    rows = [["name", "city"], *([f"Organisation number {i}", "北京"] for i in range(5000))]
    table = read_table(upload("orgs.xlsx", xlsx_bytes(rows)))
    assert len(table.rows) == 5000


def test_too_many_columns_are_refused_in_csv_and_xlsx():
    header = [f"c{i}" for i in range(tabular.MAX_COLUMNS + 1)]
    csv_data = (",".join(header) + "\n" + ",".join("x" for _ in header) + "\n").encode()
    with pytest.raises(TableError, match=f"more than {tabular.MAX_COLUMNS} columns"):
        read_table(upload("wide.csv", csv_data))
    with pytest.raises(TableError, match=f"more than {tabular.MAX_COLUMNS} columns"):
        read_table(upload("wide.xlsx", xlsx_bytes([header, ["x"] * len(header)])))
    # Up to the limit is fine.
    fits = header[: tabular.MAX_COLUMNS]
    assert read_table(upload("ok.xlsx", xlsx_bytes([fits, ["x"] * len(fits)]))).headers == fits


def test_rows_far_below_the_data_are_refused_without_reading_every_blank_row():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "name"
    workbook.active["A2"] = "Ma Jun"
    workbook.active["A900000"] = "far away"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TableError, match=f"past row {10 + tabular.MAX_BLANK_ROWS}"):
        read_table(upload("sparse.xlsx", buffer.getvalue()), max_rows=10)


def test_xlsx_is_streamed_from_a_file_in_blocks():
    rows = ([i, f"row {i}"] for i in range(3000))
    response = tabular_response(filename_stem="big", fmt="xlsx", headers=["n", "text"], rows=rows)
    assert response.streaming
    assert int(response["Content-Length"]) > 0
    chunks = list(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(chunks)), read_only=True).worksheets[0]
    assert sum(1 for _row in sheet.iter_rows()) == 3001
    assert response["Content-Disposition"] == 'attachment; filename="big.xlsx"'
