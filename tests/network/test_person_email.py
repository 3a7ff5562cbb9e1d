"""Nobody takes over a person through an import, and an e-mail change is never silent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from atrium.core.models import AuditEntry
from atrium.network import services
from atrium.network.imports import organisations_import, people_import
from atrium.network.models import Organisation, Person
from tests.factories import OrganisationFactory, PersonFactory, RegistrationFactory, UserFactory
from tests.network.test_imports import csv_file, table

pytestmark = pytest.mark.django_db


def staff_with(django_user_model, *codenames, username="staff"):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def delegate():
    person = PersonFactory(name="Cecile Harle", slug="cecile-harle", email="cecile@example.org")
    RegistrationFactory(person=person, language="en")
    return person


def email_entries(person):
    return AuditEntry.objects.filter(action="network.person_email_changed", object_id=person.pk)


def test_staff_who_may_only_add_people_cannot_change_an_e_mail_by_import(
    client, django_user_model, delegate, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ATRIUM_IMPORT_DIR = str(tmp_path)
    client.force_login(staff_with(django_user_model, "add_person"))
    rows = [["slug", "name", "email"], ["cecile-harle", "Cecile Harle", "thief@example.org"]]
    for extra in ({"dry_run": "on"}, {}):
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post("/directory/import/people/", {"file": csv_file(rows), **extra})
        assert page.status_code == 200
        html = page.content.decode()
        assert "cecile-harle" in html and "may add people but not change them" in html
        assert 'name="token"' not in html
    delegate.refresh_from_db()
    assert delegate.email == "cecile@example.org"
    assert not email_entries(delegate).exists()
    assert mail.outbox == []


def test_add_only_imports_still_add_and_leave_unchanged_rows_alone(django_user_model, delegate):
    actor = staff_with(django_user_model, "add_person")
    rows = [
        ["slug", "name", "email"],
        ["cecile-harle", "Cecile Harle", "cecile@example.org"],  # as it is: fine
        ["", "Ma Jun", "ma.jun@example.org"],
    ]
    result = people_import(table=table(rows), dry_run=False, actor=actor)
    assert result.ok and result.saved, result.errors
    assert (result.created, result.unchanged) == (1, 1)
    # Found by name (no slug), the row would give the person an e-mail: a change too.
    PersonFactory(name="Li Wei", email="", organisation=None)
    refused = people_import(
        table=table([["name", "email"], ["Li Wei", "li.wei@example.org"]]),
        dry_run=True,
        actor=actor,
    )
    assert [(e.row, e.field) for e in refused.errors] == [(2, "name")]
    assert "email" in refused.errors[0].message


def test_add_only_organisation_imports_do_not_change_organisations(django_user_model):
    OrganisationFactory(name="ZGC", slug="zgc", city="Beijing")
    actor = staff_with(django_user_model, "add_organisation")
    result = organisations_import(
        table=table([["slug", "name", "city"], ["zgc", "ZGC", "Shanghai"]]),
        dry_run=False,
        actor=actor,
    )
    assert not result.saved
    assert [(e.row, e.field) for e in result.errors] == [(2, "slug")]
    assert "may add organisations but not change them" in result.errors[0].message
    assert Organisation.objects.get(slug="zgc").city == "Beijing"


def test_an_import_by_staff_who_may_change_people_logs_and_mails_the_old_address(
    django_user_model, delegate, django_capture_on_commit_callbacks
):
    actor = staff_with(django_user_model, "add_person", "change_person")
    rows = [["slug", "name", "email"], ["cecile-harle", "Cecile Harle", "cecile@new.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        result = people_import(table=table(rows, "people.csv"), dry_run=False, actor=actor)
    assert result.saved, result.errors
    delegate.refresh_from_db()
    assert delegate.email == "cecile@new.example"
    entry = email_entries(delegate).get()
    assert entry.actor == actor
    assert entry.data == {
        "old": "cecile@example.org",
        "new": "cecile@new.example",
        "via": "import people.csv",
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cecile@example.org"]
    assert "cecile@new.example" in message.body


def test_no_mail_for_a_person_without_registrations(
    django_user_model, django_capture_on_commit_callbacks
):
    person = PersonFactory(slug="someone", email="old@example.org")
    rows = [["slug", "name", "email"], ["someone", person.name, "new@example.org"]]
    actor = staff_with(django_user_model, "add_person", "change_person")
    with django_capture_on_commit_callbacks(execute=True):
        assert people_import(table=table(rows), dry_run=False, actor=actor).saved
    assert email_entries(person).get().data["new"] == "new@example.org"
    assert mail.outbox == []


def test_the_admin_uses_the_same_rule(client, delegate, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:network_person_change", args=[delegate.pk])
    form = client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None and key != "upload_photo"
    }
    data["organisation"] = delegate.organisation_id or ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "email": "cecile@admin.example"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = email_entries(delegate).get()
    assert entry.data["old"] == "cecile@example.org" and entry.data["via"] == "admin"
    assert [m.to for m in mail.outbox] == [["cecile@example.org"]]
    # Saving again without changing the e-mail says nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "email": "cecile@admin.example"})
    assert response.status_code == 302
    assert email_entries(delegate).count() == 1 and len(mail.outbox) == 1


def test_the_service_records_a_change_and_ignores_letter_case(delegate):
    delegate.email = "Cecile@Example.org"
    assert not services.person_email_changed(
        person=delegate, old_email="cecile@example.org", actor=None, via="api"
    )
    delegate.email = "cecile@elsewhere.example"
    assert services.person_email_changed(
        person=delegate, old_email="cecile@example.org", actor=None, via="api"
    )
    assert email_entries(delegate).get().data["via"] == "api"
    # It records; saving is the caller's work.
    assert Person.objects.get(pk=delegate.pk).email == "cecile@example.org"
