import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    # The tests' receivers listen on plain http on this machine.
    settings.ATRIUM_WEBHOOK_HTTP_HOSTS = ["127.0.0.1", "localhost"]
    settings.ATRIUM_WEBHOOK_TIMEOUT = 5
    return settings


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def dummy_tasks(settings):
    """A task backend that only records what is queued (and supports run_after)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend
