"""The organiser pages: who may see them, the forms, the secret shown once, the buttons."""

import pytest
from django.test import Client
from django.urls import reverse

from atrium.core.models import AuditEntry
from atrium.events.models import ConferenceRole
from atrium.webhooks import events
from atrium.webhooks.models import Delivery, Endpoint
from tests.factories import ConferenceFactory
from tests.webhooks.factories_webhooks import ConferenceRoleFactory, EndpointFactory, UserFactory
from tests.webhooks.receiver import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    return ConferenceFactory(slug="beijing-2025")


@pytest.fixture
def organiser(conference):
    return ConferenceRoleFactory(conference=conference, user=UserFactory(username="organiser")).user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def endpoint(conference, receiver):
    return EndpointFactory(conference=conference, url=receiver.url)


def urls(conference, endpoint, delivery=None):
    slug, pk = conference.slug, endpoint.pk
    return {
        "list": reverse("webhooks:list", args=[slug]),
        "endpoint": reverse("webhooks:endpoint", args=[slug, pk]),
        "edit": reverse("webhooks:edit", args=[slug, pk]),
        "rotate": reverse("webhooks:rotate", args=[slug, pk]),
        "set_active": reverse("webhooks:set_active", args=[slug, pk]),
        "delete": reverse("webhooks:delete", args=[slug, pk]),
        "ping": reverse("webhooks:ping", args=[slug, pk]),
        **({"retry": reverse("webhooks:retry", args=[slug, pk, delivery.pk])} if delivery else {}),
    }


def test_url_layout(conference, endpoint):
    assert urls(conference, endpoint)["list"] == "/c/beijing-2025/organiser/webhooks/"
    assert urls(conference, endpoint)["endpoint"] == (
        f"/c/beijing-2025/organiser/webhooks/{endpoint.pk}/"
    )


# Permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "endpoint", "delete"])
def test_permission_matrix_on_pages(client, conference, endpoint, organiser, settings, page):
    settings.LOGIN_URL = "/accounts/login/"
    url = urls(conference, endpoint)[page]

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")

    client.force_login(UserFactory())  # no role at all
    assert client.get(url).status_code == 403

    other = ConferenceRoleFactory(conference=ConferenceFactory()).user  # organiser elsewhere
    client.force_login(other)
    assert client.get(url).status_code == 403

    checkin = ConferenceRoleFactory(conference=conference, role=ConferenceRole.Role.CHECKIN).user
    client.force_login(checkin)
    assert client.get(url).status_code == 403

    client.force_login(organiser)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("action", ["rotate", "set_active", "delete", "ping", "edit", "retry"])
def test_state_changes_are_refused_to_organisers_of_another_edition(
    client, conference, endpoint, action
):
    delivery = Delivery.objects.create(
        endpoint=endpoint, event=events.CHECKIN_CREATED, status=Delivery.Status.FAILED
    )
    secret = endpoint.secret
    client.force_login(ConferenceRoleFactory(conference=ConferenceFactory()).user)
    response = client.post(
        urls(conference, endpoint, delivery)[action],
        {"active": "0", "url": "https://evil.example/", "events": [events.CHECKIN_CREATED]},
    )
    assert response.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    assert endpoint.is_active
    assert endpoint.url.startswith("http://127.0.0.1")
    assert Delivery.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_an_endpoint_of_another_edition_is_not_found(organiser_client, conference):
    foreign = EndpointFactory(conference=ConferenceFactory())
    url = reverse("webhooks:endpoint", args=[conference.slug, foreign.pk])
    assert organiser_client.get(url).status_code == 404
    url = reverse("webhooks:rotate", args=[conference.slug, foreign.pk])
    assert organiser_client.post(url).status_code == 404


def test_state_changes_are_post_only(organiser_client, conference, endpoint):
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    for action in ["rotate", "set_active", "ping", "edit", "retry"]:
        assert organiser_client.get(urls(conference, endpoint, delivery)[action]).status_code == 405


def test_posts_need_the_csrf_token(organiser, conference, endpoint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    response = client.post(urls(conference, endpoint)["ping"])
    assert response.status_code == 403
    assert not Delivery.objects.exists()


# Creating, and the secret shown once ----------------------------------------------------


def test_organiser_creates_an_endpoint_and_sees_the_secret_once(
    organiser_client, organiser, conference
):
    response = organiser_client.post(
        reverse("webhooks:list", args=[conference.slug]),
        {
            "url": "https://crm.example.org/atrium",
            "description": "Our CRM",
            "events": [events.REGISTRATION_CANCELLED, events.REGISTRATION_CONFIRMED],
        },
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.conference == conference
    assert endpoint.created_by == organiser
    assert endpoint.events == ["registration.confirmed", "registration.cancelled"]
    assert endpoint.is_active
    content = response.content.decode()
    assert endpoint.secret in content
    assert "no-store" in response["Cache-Control"]

    # never again
    detail = organiser_client.get(endpoint.get_absolute_url())
    assert detail.status_code == 200
    assert endpoint.secret not in detail.content.decode()
    assert "https://crm.example.org/atrium" in detail.content.decode()
    listing = organiser_client.get(reverse("webhooks:list", args=[conference.slug]))
    assert endpoint.secret not in listing.content.decode()
    assert "https://crm.example.org/atrium" in listing.content.decode()

    entry = AuditEntry.objects.get(action="webhooks.endpoint_created")
    assert entry.actor == organiser and entry.conference == conference
    assert endpoint.secret not in str(entry.data)


def test_rotating_shows_the_new_secret_once_and_the_old_one_is_gone(
    organiser_client, conference, endpoint
):
    old = endpoint.secret
    response = organiser_client.post(urls(conference, endpoint)["rotate"])
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert old not in response.content.decode()
    assert endpoint.secret_rotated is not None
    detail = organiser_client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret not in detail
    assert AuditEntry.objects.filter(action="webhooks.secret_rotated").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://crm.example.org/hook", "Use an https:// address"),
        ("not a url at all", "Enter a valid URL."),
        ("ftp://crm.example.org/hook", "starting with https://"),
        ("https://user:pw@crm.example.org/hook", "Remove the user name and password"),
        ("", "This field is required."),
    ],
)
def test_bad_urls_get_a_clear_error_on_the_field(organiser_client, conference, url, message):
    response = organiser_client.post(
        reverse("webhooks:list", args=[conference.slug]),
        {"url": url, "events": [events.CHECKIN_CREATED]},
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["url"])
    assert message in response.content.decode()
    assert not Endpoint.objects.exists()


def test_at_least_one_known_event_is_needed(organiser_client, conference):
    list_url = reverse("webhooks:list", args=[conference.slug])
    response = organiser_client.post(list_url, {"url": "https://crm.example.org/"})
    assert response.status_code == 400
    assert response.context["form"].errors["events"] == ["Choose at least one event."]
    response = organiser_client.post(
        list_url, {"url": "https://crm.example.org/", "events": ["registration.created"]}
    )
    assert response.status_code == 400
    assert "events" in response.context["form"].errors
    assert not Endpoint.objects.exists()


def test_http_is_allowed_only_for_the_hosts_in_the_settings(organiser_client, conference, settings):
    list_url = reverse("webhooks:list", args=[conference.slug])
    data = {"url": "http://localhost:9000/hook", "events": [events.CHECKIN_CREATED]}

    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = []
    assert organiser_client.post(list_url, data).status_code == 400

    del settings.ATRIUM_WEBHOOK_HTTP_HOSTS  # the default: the local machine in debug mode only
    settings.DEBUG = False
    assert organiser_client.post(list_url, data).status_code == 400
    settings.DEBUG = True
    assert organiser_client.post(list_url, data).status_code == 200
    assert (
        organiser_client.post(list_url, {**data, "url": "http://crm.example.org/hook"}).status_code
        == 400
    )

    settings.DEBUG = False
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["receiver.internal"]
    assert (
        organiser_client.post(
            list_url, {**data, "url": "http://receiver.internal/hook"}
        ).status_code
        == 200
    )
    assert Endpoint.objects.count() == 2


# Editing, enabling, deleting -----------------------------------------------------------


def test_edit(organiser_client, conference, endpoint):
    response = organiser_client.post(
        urls(conference, endpoint)["edit"],
        {"url": "https://new.example.org/x", "events": [events.MEETING_SCHEDULED]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://new.example.org/x"
    assert endpoint.events == [events.MEETING_SCHEDULED]

    response = organiser_client.post(
        urls(conference, endpoint)["edit"], {"url": "http://plain.example.org/", "events": []}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"url", "events"}
    endpoint.refresh_from_db()
    assert endpoint.url == "https://new.example.org/x"


def test_disable_and_enable(organiser_client, conference, endpoint, receiver):
    response = organiser_client.post(urls(conference, endpoint)["set_active"], {"active": "0"})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "Enable" in organiser_client.get(endpoint.get_absolute_url()).content.decode()

    organiser_client.post(urls(conference, endpoint)["set_active"], {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.is_active
    actions = list(AuditEntry.objects.values_list("action", flat=True).order_by("id"))
    assert actions == ["webhooks.endpoint_disabled", "webhooks.endpoint_enabled"]


def test_delete_asks_then_deletes_with_the_log(organiser_client, conference, endpoint):
    Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    page = organiser_client.get(urls(conference, endpoint)["delete"])
    assert page.status_code == 200
    assert Endpoint.objects.exists()
    response = organiser_client.post(urls(conference, endpoint)["delete"])
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:list", args=[conference.slug])
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()
    entry = AuditEntry.objects.get(action="webhooks.endpoint_deleted")
    assert entry.data["url"] == endpoint.url


# Test ping and retry --------------------------------------------------------------------


def test_send_test_ping_shows_the_result(
    organiser_client, conference, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(Answer(status=200, body="pong from the CRM"))
    endpoint.events = [events.MEETING_SCHEDULED]  # a ping goes whatever the subscription
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(urls(conference, endpoint)["ping"])
    assert response.status_code == 302

    [request] = receiver.requests
    assert request.headers["X-Atrium-Event"] == "ping"
    delivery = Delivery.objects.get()
    assert delivery.event == events.PING
    assert delivery.status == Delivery.Status.SUCCEEDED

    page = organiser_client.get(endpoint.get_absolute_url()).content.decode()
    assert "Test ping" in page
    assert "pong from the CRM" in page
    assert str(delivery.event_id) in page


def test_a_failed_ping_is_not_retried_automatically(
    organiser_client, conference, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(Answer(status=404, body="no such hook"))
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(urls(conference, endpoint)["ping"])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.next_attempt_at is None
    page = organiser_client.get(endpoint.get_absolute_url()).content.decode()
    assert "no such hook" in page
    assert "Retry now" in page


def test_retry_a_failed_delivery(
    organiser_client, conference, endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.ATRIUM_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answer(Answer(status=500, body="oops"), 200)
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    from atrium.webhooks.services import deliver

    deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(urls(conference, endpoint, delivery)["retry"])
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    assert AuditEntry.objects.filter(action="webhooks.delivery_retried").exists()

    # a succeeded delivery is not sent again
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(urls(conference, endpoint, delivery)["retry"])
    assert len(receiver.requests) == 2


def test_deliveries_of_a_disabled_endpoint_wait_for_it(
    organiser_client, conference, endpoint, receiver, dummy_tasks
):
    from atrium.webhooks.services import deliver, webhook_emit

    [delivery] = webhook_emit(conference=conference, event=events.CHECKIN_CREATED, payload={})
    organiser_client.post(urls(conference, endpoint)["set_active"], {"active": "0"})
    deliver(delivery_id=delivery.pk, attempt=1)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "disabled" in delivery.last_error
    assert receiver.requests == []

    response = organiser_client.post(urls(conference, endpoint, delivery)["retry"], follow=True)
    assert "Enable the endpoint" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_other_editions_deliveries_cannot_be_retried_through_this_endpoint(
    organiser_client, conference, endpoint
):
    foreign = Delivery.objects.create(
        endpoint=EndpointFactory(conference=ConferenceFactory()),
        event=events.CHECKIN_CREATED,
        status=Delivery.Status.FAILED,
    )
    url = reverse("webhooks:retry", args=[conference.slug, endpoint.pk, foreign.pk])
    assert organiser_client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Delivery.Status.FAILED


# Admin ----------------------------------------------------------------------------------


def test_admin_never_shows_the_secret(admin_client, endpoint):
    delivery = Delivery.objects.create(endpoint=endpoint, event=events.CHECKIN_CREATED)
    page = admin_client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert admin_client.get(reverse("admin:webhooks_endpoint_add")).status_code == 403
    listing = admin_client.get(reverse("admin:webhooks_delivery_changelist"))
    assert listing.status_code == 200
    page = admin_client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only
