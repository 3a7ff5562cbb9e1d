"""The admin: every page of every registered model loads, and search is Chinese-aware."""

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


@pytest.fixture
def rows_the_demo_lacks(demo, django_user_model, settings):
    """A row of each model with an admin that the demo does not fill (sign-ups made on the
    site, API tokens, webhooks, background tasks, groups)."""
    from django.contrib.auth.models import Group

    from atrium.accounts.models import SignUp
    from atrium.api.services import token_create
    from atrium.events.models import Conference
    from atrium.webhooks import events
    from atrium.webhooks.models import Delivery
    from atrium.webhooks.tasks import deliver_webhook
    from tests.webhooks.factories_webhooks import EndpointFactory

    user = django_user_model.objects.create_user("new@example.org", "new@example.org")
    SignUp.objects.create(user=user, name="Ada Lovelace", language="en")
    token_create(user=user, name="CRM sync", scope="read")
    Group.objects.create(name="Beijing desk")
    endpoint = EndpointFactory(conference=Conference.objects.get(slug="beijing-2025"))
    Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    deliver_webhook.enqueue(1, 1)  # a row of the database task backend
    # Made on site by B2B organisers and delegates, and by delegates asking for a fapiao.
    from django.utils import timezone

    from atrium.matchmaking.models import Absence, Feedback, Meeting
    from atrium.registration.models import FapiaoRequest, Registration

    beijing = Conference.objects.get(slug="beijing-2025")
    registration = Registration.objects.filter(conference=beijing, status="confirmed").first()
    Absence.objects.create(conference=beijing, registration=registration, since=timezone.now())
    meeting = Meeting.objects.filter(conference=beijing).first()
    if meeting is not None:
        Feedback.objects.create(
            meeting=meeting,
            registration=meeting.participants.first().registration,
            took_place=True,
            rating=4,
        )
    FapiaoRequest.objects.create(
        conference=beijing,
        registration=registration,
        kind="ordinary",
        title="中关村科技园区管理委员会",
        taxpayer_number="91110108MA01ABCDE0",
    )


def model_admins():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def test_every_registered_admin_is_covered():
    labels = {model._meta.label for model, _admin in model_admins()}
    # Every app with an admin: a new one shows up here, not only the three of the start.
    assert {label.split(".")[0] for label in labels} >= {
        "auth",
        "network",
        "events",
        "registration",
        "accounts",
        "api",
        "webhooks",
        "matchmaking",
        "django_tasks_database",
    }


def test_every_changelist_search_add_and_change_page_loads(organiser, rows_the_demo_lacks):
    failures = []
    missing = []
    for model, model_admin in model_admins():
        label = model._meta.label
        changelist = admin_url(model, "changelist")
        pages = [(changelist, {})]
        if model_admin.get_search_fields(None):
            pages.append((changelist, {"q": "beijing 北京"}))
        for url, params in pages:
            status = organiser.get(url, params).status_code
            if status != 200:
                failures.append(f"{label} changelist {params}: {status}")
        # Models whose rows only a service creates (seat bookings) have no add page.
        refuses_add = (
            type(model_admin).has_add_permission is not admin.ModelAdmin.has_add_permission
        )
        status = organiser.get(admin_url(model, "add")).status_code
        if status != (403 if refuses_add else 200):
            failures.append(f"{label} add: {status}")
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            missing.append(label)
            continue
        status = organiser.get(admin_url(model, "change", obj.pk)).status_code
        if status != 200:
            failures.append(f"{label} change {obj.pk}: {status}")
    assert failures == []
    assert missing == []  # every change page was opened


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
