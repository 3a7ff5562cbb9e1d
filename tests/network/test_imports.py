"""Importing organisations and people from spreadsheets: services and pages."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from atrium.core.models import AuditEntry
from atrium.core.search import search
from atrium.core.tabular import read_table
from atrium.network.imports import organisations_import, people_import
from atrium.network.models import Organisation, Person
from tests.factories import OrganisationFactory, PersonFactory, SectorFactory

pytestmark = pytest.mark.django_db


def csv_file(rows, name="data.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"))


def xlsx_file(rows, name="data.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def table(rows, name="data.csv"):
    maker = xlsx_file if name.endswith(".xlsx") else csv_file
    return read_table(maker(rows, name))


def problems(result):
    return {(e.row, e.field) for e in result.errors}


@pytest.fixture
def sectors():
    return {
        "ict": SectorFactory(slug="ict", name="Information technology", name_zh="信息技术"),
        "health": SectorFactory(slug="health", name="Life sciences"),
    }


ORGS = [
    ["name", "name_zh", "kind", "parent", "country", "city", "website", "sectors", "member_since"],
    [
        "Zhongguancun Science Park",
        "中关村科技园区",
        "Science park",
        "",
        "China",
        "Beijing",
        "www.zgc.gov.cn",
        "ict; Life sciences",
        "1995",
    ],
    # A name only in Chinese: its slug comes from the pinyin.
    ["中关村昌平园", "", "science_park", "Zhongguancun Science Park", "CN", "", "", "", ""],
    ["Acme Robotics", "", "COMPANY", "中关村科技园区", "cn", "", "", "信息技术", ""],
]


# --- organisations -----------------------------------------------------------------


def test_a_clean_import_creates_organisations_with_parents_sectors_and_slugs(sectors):
    result = organisations_import(table=table(ORGS, "orgs.xlsx"), dry_run=False, actor=None)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.saved) == (3, 0, True)
    zgc = Organisation.objects.get(name="Zhongguancun Science Park")
    assert zgc.slug == "zhongguancun-science-park"
    assert (zgc.kind, zgc.country.code, zgc.member_since) == ("science_park", "CN", 1995)
    assert zgc.website == "https://www.zgc.gov.cn"
    assert set(zgc.sectors.values_list("slug", flat=True)) == {"ict", "health"}
    changping = Organisation.objects.get(name="中关村昌平园")
    assert changping.slug == "zhong-guan-cun-chang-ping-yuan"
    assert changping.parent == zgc and changping.member_since is None
    acme = Organisation.objects.get(name="Acme Robotics")
    assert acme.kind == "company" and acme.parent == zgc
    assert list(acme.sectors.values_list("slug", flat=True)) == ["ict"]
    # The stored search key was filled although the rows were bulk-created.
    assert list(search(Organisation.objects.all(), "changping yuan")) == [changping]
    assert list(search(Organisation.objects.all(), "中关村科技")) == [zgc]


def test_importing_the_same_file_again_updates_instead_of_duplicating(sectors):
    rows = [row[:] for row in ORGS]
    organisations_import(table=table(rows), dry_run=False, actor=None)
    again = organisations_import(table=table(rows), dry_run=False, actor=None)
    assert again.ok and again.saved
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Organisation.objects.count() == 3

    rows[1][5] = "Haidian, Beijing"
    rows[3][7] = "health"
    changed = organisations_import(table=table(rows), dry_run=False, actor=None)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 1)
    assert Organisation.objects.count() == 3
    assert Organisation.objects.get(name="Zhongguancun Science Park").city == "Haidian, Beijing"
    acme = Organisation.objects.get(name="Acme Robotics")
    assert list(acme.sectors.values_list("slug", flat=True)) == ["health"]


def test_a_dry_run_reports_every_problem_of_every_row_and_saves_nothing(sectors):
    OrganisationFactory(name="Existing Park", slug="existing", country="ES")
    rows = [
        ["name", "kind", "parent", "country", "sectors", "member_since", "website", "slug"],
        ["Good Park", "science_park", "existing", "ES", "ict", "2001", "", ""],
        ["Bad Kind", "spaceport", "", "Atlantis", "", "1850", "", ""],  # 3 problems
        ["", "company", "Nowhere Inc", "FR", "robots; ict", "", "", ""],  # 3 problems
        ["Good Park", "", "", "ES", "", "next year", "not a site", ""],  # 3 problems
        ["Child First", "", "Parent Later", "ES", "", "", "", "BAD SLUG!"],  # 2 problems
        ["Parent Later", "", "", "ES", "", "2030", "", ""],  # 1 problem
    ]
    result = organisations_import(table=table(rows), dry_run=True, actor=None)
    assert not result.ok and not result.saved
    assert problems(result) == {
        (3, "kind"),
        (3, "country"),
        (3, "member_since"),
        (4, "name"),
        (4, "parent"),
        (4, "sectors"),
        (5, "name"),  # the same organisation as row 2
        (5, "member_since"),
        (5, "website"),
        (6, "parent"),  # a parent must come earlier in the file
        (6, "slug"),
        (7, "member_since"),
    }
    messages = {(e.row, e.field): e.message for e in result.errors}
    assert "spaceport" in messages[(3, "kind")] and "science_park" in messages[(3, "kind")]
    assert "Atlantis" in messages[(3, "country")]
    assert "1984" in messages[(3, "member_since")]
    assert "robots" in messages[(4, "sectors")] and "ict" not in messages[(4, "sectors")]
    assert "Row 2" in messages[(5, "name")]
    assert result.rows_with_errors == 5 and result.valid_rows == 1
    assert Organisation.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_one_bad_row_means_nothing_is_saved(sectors):
    rows = [["name", "kind"], ["Park A", "science_park"], ["Park B", "castle"], ["Park C", ""]]
    result = organisations_import(table=table(rows), dry_run=False, actor=None)
    assert problems(result) == {(3, "kind")}
    assert not result.saved
    assert not Organisation.objects.exists()


def test_a_missing_name_column_is_reported_once():
    result = organisations_import(
        table=table([["title", "kind"], ["Park A", "company"]]), dry_run=True, actor=None
    )
    assert problems(result) == {(1, "name")}
    assert result.ignored_columns == ["title"]
    assert result.valid_rows == 0


def test_rows_with_a_slug_update_that_organisation(sectors):
    zgc = OrganisationFactory(name="ZGC", slug="zhongguancun", country="CN", member_since=1995)
    other = OrganisationFactory(name="Other", slug="other", country="CN", member_since=None)
    rows = [
        ["slug", "name", "member_since", "parent"],
        ["zhongguancun", "Zhongguancun Science Park", "", ""],
        ["other", "Other", "2001", "zhongguancun"],
        ["brand-new", "Brand New", "", "Other"],
    ]
    result = organisations_import(table=table(rows), dry_run=False, actor=None)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 2)
    zgc.refresh_from_db()
    other.refresh_from_db()
    assert zgc.name == "Zhongguancun Science Park" and zgc.member_since is None
    assert zgc.search_key.startswith("zhongguancun science park")
    assert other.member_since == 2001 and other.parent == zgc
    assert Organisation.objects.get(slug="brand-new").parent == other


def test_parents_created_in_the_same_file_at_any_depth():
    existing = OrganisationFactory(name="Old Incubator", slug="old-incubator", country="CN")
    rows = [
        ["slug", "name", "parent"],
        ["", "Top Park", ""],
        ["", "Middle Park", "Top Park"],
        ["", "Small Park", "Middle Park"],
        ["old-incubator", "Old Incubator", "Small Park"],
    ]
    result = organisations_import(table=table(rows), dry_run=False, actor=None)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 1)
    existing.refresh_from_db()
    chain = []
    org = existing
    while org.parent_id:
        org = org.parent
        chain.append(org.name)
    assert chain == ["Small Park", "Middle Park", "Top Park"]


def test_a_parent_loop_is_refused():
    a = OrganisationFactory(name="A", slug="a")
    OrganisationFactory(name="B", slug="b", parent=a)
    result = organisations_import(
        table=table([["slug", "name", "parent"], ["a", "A", "b"]]), dry_run=False, actor=None
    )
    assert problems(result) == {(2, "parent")}
    assert "loop" in result.errors[0].message
    self_parent = organisations_import(
        table=table([["slug", "name", "parent"], ["a", "A", "a"]]), dry_run=True, actor=None
    )
    assert problems(self_parent) == {(2, "parent")}
    a.refresh_from_db()
    assert a.parent is None


def test_same_name_in_two_countries_needs_a_slug():
    OrganisationFactory(name="Tech Park", slug="tech-park-es", country="ES")
    OrganisationFactory(name="Tech Park", slug="tech-park-fr", country="FR")
    by_country = organisations_import(
        table=table([["name", "country", "city"], ["Tech Park", "FR", "Lyon"]]),
        dry_run=False,
        actor=None,
    )
    assert by_country.saved and by_country.updated == 1
    assert Organisation.objects.get(slug="tech-park-fr").city == "Lyon"
    ambiguous = organisations_import(
        table=table([["name", "city"], ["Tech Park", "Paris"]]), dry_run=True, actor=None
    )
    assert problems(ambiguous) == {(2, "name")}
    as_parent = organisations_import(
        table=table([["name", "parent"], ["Incubator", "Tech Park"]]), dry_run=True, actor=None
    )
    assert problems(as_parent) == {(2, "parent")}


def test_generated_slugs_are_unique():
    OrganisationFactory(name="Tech Park", slug="tech-park", country="ES")
    rows = [["name", "country"], ["Tech Park", "FR"], ["Tech Park", "DE"], ["Tech-Park!", "IT"]]
    result = organisations_import(table=table(rows), dry_run=False, actor=None)
    assert result.ok and result.created == 3
    assert set(Organisation.objects.values_list("slug", flat=True)) == {
        "tech-park",
        "tech-park-2",
        "tech-park-3",
        "tech-park-4",
    }


def test_the_import_leaves_one_audit_entry(django_user_model, sectors):
    user = django_user_model.objects.create_user("staff", is_staff=True)
    organisations_import(table=table(ORGS, "members.csv"), dry_run=False, actor=user)
    entry = AuditEntry.objects.get()
    assert entry.action == "network.import" and entry.actor == user
    assert entry.data["model"] == "organisation" and entry.data["file"] == "members.csv"
    assert (entry.data["rows"], entry.data["created"], entry.data["updated"]) == (3, 3, 0)
    assert "zhongguancun-science-park" in entry.data["created_slugs"]


def test_kind_keeps_its_value_when_the_cell_is_empty():
    org = OrganisationFactory(name="Uni", slug="uni", kind="university", country="ES")
    result = organisations_import(
        table=table([["slug", "name", "kind"], ["uni", "Uni", ""]]), dry_run=False, actor=None
    )
    assert result.saved and result.unchanged == 1
    org.refresh_from_db()
    assert org.kind == "university"


# --- people ------------------------------------------------------------------------


@pytest.fixture
def zgc():
    return OrganisationFactory(
        name="Zhongguancun Science Park", name_zh="中关村科技园区", slug="zgc"
    )


PEOPLE = [
    [
        "Name",
        "Name ZH",
        "Position",
        "Organisation",
        "Country",
        "E-mail",
        "Phone",
        "Directory opt-in",
    ],
    ["Ma Jun", "马骏", "Director", "zgc", "China", "ma.jun@example.cn", "+86 10 1234", "是"],
    ["Cecile Harle", "", "", "", "FR", "cecile@example.fr", "", "no"],
    ["Li Wei", "李伟", "", "中关村科技园区", "CN", "", "", "1"],
]


def test_people_are_created_and_found_by_pinyin(zgc):
    result = people_import(table=table(PEOPLE, "people.xlsx"), dry_run=False, actor=None)
    assert result.ok, result.errors
    assert result.created == 3
    ma = Person.objects.get(name="Ma Jun")
    assert (ma.name_zh, ma.organisation, ma.country.code) == ("马骏", zgc, "CN")
    assert (ma.email, ma.phone, ma.directory_opt_in, ma.sort_name) == (
        "ma.jun@example.cn",
        "+86 10 1234",
        True,
        "Ma Jun",
    )
    assert ma.slug == "ma-jun"
    assert Person.objects.get(name="Cecile Harle").directory_opt_in is False
    assert Person.objects.get(name="Li Wei").organisation == zgc
    assert list(search(Person.objects.all(), "majun")) == [ma]


def test_people_import_twice_updates_by_email_or_name(zgc):
    people_import(table=table(PEOPLE), dry_run=False, actor=None)
    rows = [row[:] for row in PEOPLE]
    rows[1][2] = "President"
    again = people_import(table=table(rows), dry_run=False, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    assert Person.objects.count() == 3
    assert Person.objects.get(email="ma.jun@example.cn").position == "President"


def test_people_dry_run_reports_every_problem(zgc):
    PersonFactory(name="Wang Fang", email="wang@example.cn", organisation=zgc)
    rows = [
        ["name", "organisation", "email", "directory_opt_in", "country"],
        ["Ma Jun", "zgc", "ma@example.cn", "yes", "CN"],
        ["Ma Jun again", "", "MA@example.cn", "yes", "CN"],  # the same e-mail
        ["", "Unknown Park", "not-an-email", "maybe", "Narnia"],  # 5 problems
        ["Wang Fang", "zgc", "", "", ""],
    ]
    result = people_import(table=table(rows), dry_run=True, actor=None)
    assert problems(result) == {
        (3, "email"),
        (4, "name"),
        (4, "organisation"),
        (4, "email"),
        (4, "directory_opt_in"),
        (4, "country"),
    }
    assert "row 2" in next(e.message for e in result.errors if e.row == 3)
    assert result.updated == 1  # Wang Fang would be updated
    assert Person.objects.count() == 1


def test_people_import_with_a_bad_row_saves_nothing(zgc):
    rows = [row[:] for row in PEOPLE]
    rows[3][3] = "No Such Park"
    result = people_import(table=table(rows), dry_run=False, actor=None)
    assert problems(result) == {(4, "organisation")}
    assert "import it first" in result.errors[0].message
    assert not Person.objects.exists()


def test_people_with_a_slug_are_updated_by_it(zgc):
    person = PersonFactory(name="Ma J.", slug="ma-jun", email="", organisation=None)
    rows = [["slug", "name", "organisation", "directory_opt_in"], ["ma-jun", "Ma Jun", "zgc", "否"]]
    result = people_import(table=table(rows), dry_run=False, actor=None)
    assert result.saved and result.updated == 1
    person.refresh_from_db()
    assert (person.name, person.sort_name, person.organisation, person.directory_opt_in) == (
        "Ma Jun",
        "Ma Jun",
        zgc,
        False,
    )


# --- pages -------------------------------------------------------------------------


IMPORT_URLS = {
    "/directory/import/organisations/": "add_organisation",
    "/directory/import/people/": "add_person",
}


def staff_with(django_user_model, *codenames, staff=True, username="staff"):
    user = django_user_model.objects.create_user(username)
    user.is_staff = staff
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize(("url", "codename"), IMPORT_URLS.items())
def test_import_pages_permission_matrix(client, django_user_model, url, codename):
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=")

    client.force_login(staff_with(django_user_model, username="plain", staff=False))
    assert client.get(url).status_code == 403
    client.force_login(staff_with(django_user_model, codename, username="not-staff", staff=False))
    assert client.get(url).status_code == 403
    client.force_login(staff_with(django_user_model, username="staff-without"))
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": csv_file([["name"], ["x"]])}).status_code == 403
    client.force_login(staff_with(django_user_model, codename, username="staff-with"))
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="dry_run"' in page.content and b"checked" in page.content


@pytest.fixture
def importer(client, django_user_model, settings, tmp_path):
    settings.ATRIUM_IMPORT_DIR = str(tmp_path)
    user = staff_with(django_user_model, "add_organisation", "add_person")
    client.force_login(user)
    return client


def test_upload_with_errors_lists_them_in_a_table(importer):
    rows = [["name", "kind", "country"], ["Park A", "castle", "CN"], ["", "company", "Mars"]]
    page = importer.post(
        "/directory/import/organisations/",
        {"file": csv_file(rows, "orgs.csv"), "dry_run": "on"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 problems found" in html and "nothing was saved" in html
    for text in (
        "castle",
        "Mars",
        "A name is required",
        "<code>kind</code>",
        "<code>country</code>",
    ):
        assert text in html
    assert 'name="token"' not in html
    assert not Organisation.objects.exists()


def test_dry_run_then_confirm_without_uploading_again(importer, tmp_path):
    rows = [["name", "country"], ["Park A", "CN"], ["Park B", "ES"]]
    page = importer.post(
        "/directory/import/organisations/",
        {"file": xlsx_file(rows, "orgs.xlsx"), "dry_run": "on"},
    )
    html = page.content.decode()
    assert "2 would be created" in html
    assert not Organisation.objects.exists()
    token = page.context["token"]
    assert token and f'value="{token}"' in html
    assert len(list(tmp_path.iterdir())) == 1

    done = importer.post("/directory/import/organisations/", {"token": token})
    assert done.status_code == 200
    assert "2 created" in done.content.decode()
    assert set(Organisation.objects.values_list("name", flat=True)) == {"Park A", "Park B"}
    assert list(tmp_path.iterdir()) == []  # the kept file is gone
    again = importer.post("/directory/import/organisations/", {"token": token})
    assert again.status_code == 400
    assert "Upload the file again" in again.content.decode()
    assert Organisation.objects.count() == 2


def test_a_token_is_bound_to_its_user_and_import(importer, client, django_user_model, tmp_path):
    page = importer.post(
        "/directory/import/organisations/",
        {"file": csv_file([["name"], ["Park A"]]), "dry_run": "on"},
    )
    token = page.context["token"]
    assert importer.post("/directory/import/people/", {"token": token}).status_code == 400
    client.force_login(staff_with(django_user_model, "add_organisation", username="other"))
    refused = client.post("/directory/import/organisations/", {"token": token})
    assert refused.status_code == 400
    assert not Organisation.objects.exists()


def test_upload_without_dry_run_saves_at_once(importer, zgc):
    page = importer.post("/directory/import/people/", {"file": csv_file(PEOPLE, "people.csv")})
    assert page.status_code == 200
    assert "3 created" in page.content.decode()
    assert Person.objects.count() == 3


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("orgs.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file"),
        ("orgs.xlsx", b"PK\x03\x04broken", "cannot be read as an Excel workbook"),
        ("orgs.csv", "name,city\n中关村,北京\n".encode("gbk"), "GBK"),
    ],
)
def test_bad_files_get_a_clear_message(importer, name, data, message):
    page = importer.post(
        "/directory/import/organisations/",
        {"file": SimpleUploadedFile(name, data), "dry_run": "on"},
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert 'aria-invalid="true"' in page.content.decode()


def test_template_download_has_the_columns(importer, client):
    response = importer.get("/directory/import/people/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    assert next(sheet.iter_rows(values_only=True))[:3] == ("slug", "name", "name_zh")
    client.logout()
    assert client.get("/directory/import/people/template.csv").status_code == 302
