"""The admin: every page of every model loads, and search is Chinese-aware."""

import pytest
from django.contrib import admin
from django.urls import reverse

from atrium.demo.loader import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client, django_user_model):
    user = django_user_model.objects.create_superuser("orga", "orga@example.org", "pw-For-tests-1")
    client.force_login(user)
    return client


@pytest.fixture
def demo():
    load_demo()


def model_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in {"network", "events", "registration"}
    ]


def test_every_changelist_add_and_change_page_loads(organiser, demo):
    for model, model_admin in model_admins():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert organiser.get(changelist).status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        # Models whose rows only a service creates (seat bookings) have no add page.
        refuses_add = (
            type(model_admin).has_add_permission is not admin.ModelAdmin.has_add_permission
        )
        expected = 403 if refuses_add else 200
        assert organiser.get(add).status_code == expected, add
        obj = model.objects.order_by("pk").first()
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert organiser.get(change).status_code == 200, change


@pytest.mark.parametrize("query", ["ma jun", "馬駿", "马骏", "majun"])
def test_person_search_in_admin(organiser, demo, query):
    response = organiser.get(reverse("admin:network_person_changelist"), {"q": query})
    names = [person.name for person in response.context["cl"].result_list]
    assert names[0] == "Ma Jun"


@pytest.mark.parametrize("query", ["中關村", "zhongguancun"])
def test_organisation_search_in_admin(organiser, demo, query):
    response = organiser.get(reverse("admin:network_organisation_changelist"), {"q": query})
    names = [org.name for org in response.context["cl"].result_list]
    assert "Zhongguancun Science Park" in names


def test_registration_search_by_person_name(organiser, demo):
    response = organiser.get(reverse("admin:registration_registration_changelist"), {"q": "馬駿"})
    people = {registration.person.name for registration in response.context["cl"].result_list}
    assert people == {"Ma Jun"}


def test_admin_requires_staff(client):
    response = client.get(reverse("admin:network_person_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
