"""Production settings from the environment: Redis cache and sessions, the task queue, the pool."""

from __future__ import annotations

import json

from tests.core.test_settings import PRODUCTION, manage

SHOW = (
    "import json; from django.conf import settings as s; "
    "d = s.DATABASES['default']; print(json.dumps({"
    "'cache': s.CACHES['default']['BACKEND'], 'location': s.CACHES['default'].get('LOCATION'), "
    "'session': s.SESSION_ENGINE, 'tasks': s.TASKS['default']['BACKEND'], "
    "'rq': getattr(s, 'RQ_QUEUES', None), 'apps': 'django_rq' in s.INSTALLED_APPS, "
    "'max_age': d['CONN_MAX_AGE'], 'pool': d.get('OPTIONS', {}).get('pool'), "
    "'storage': s.STORAGES['default']['BACKEND'], 'json_logs': s.ATRIUM_LOG_JSON}))"
)
POSTGRES = "postgres://postgres@127.0.0.1:5432/atrium-settings-test"


def show(**env) -> dict:
    result = manage("shell", "--no-imports", "-c", SHOW, env={**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_settings_the_embedded_default_stays():
    found = show()
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["session"] == "django.contrib.sessions.backends.db"
    assert found["tasks"] == "django_tasks_db.backend.DatabaseBackend"
    assert found["rq"] is None and found["apps"] is False
    assert found["max_age"] == 60 and found["pool"] is None  # connections kept in production
    assert found["storage"] == "django.core.files.storage.FileSystemStorage"
    assert found["json_logs"] is False


def test_debug_opens_a_connection_per_request():
    assert show(DEBUG="1")["max_age"] == 0
    assert show(ATRIUM_DB_CONN_MAX_AGE="5")["max_age"] == 5


def test_redis_url_puts_cache_and_sessions_on_redis():
    found = show(ATRIUM_REDIS_URL="redis://127.0.0.1:6379/3")
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["location"] == "redis://127.0.0.1:6379/3"
    assert found["session"] == "django.contrib.sessions.backends.cached_db"


def test_rq_task_backend_needs_redis_and_adds_its_worker():
    result = manage("check", env={**PRODUCTION, "ATRIUM_TASK_BACKEND": "rq"})
    assert result.returncode != 0
    assert "ATRIUM_TASK_BACKEND=rq needs Redis" in result.stderr
    found = show(ATRIUM_TASK_BACKEND="rq", ATRIUM_REDIS_URL="redis://127.0.0.1:6379/4")
    assert found["tasks"] == "atrium.core.rq.RetryingRQBackend"
    assert found["rq"]["default"]["URL"] == "redis://127.0.0.1:6379/4"
    assert found["apps"] is True


def test_named_task_backends():
    assert show(ATRIUM_TASK_BACKEND="immediate")["tasks"].endswith("ImmediateBackend")
    assert show(ATRIUM_TASK_BACKEND="db")["tasks"].endswith("DatabaseBackend")


def test_pool_on_postgresql():
    found = show(DATABASE_URL=POSTGRES, ATRIUM_DB_POOL="1")
    assert found["pool"] is True and found["max_age"] == 0
    found = show(DATABASE_URL=POSTGRES, ATRIUM_DB_POOL="2,8")
    assert found["pool"] == {"min_size": 2, "max_size": 8}
    result = manage("check", env={**PRODUCTION, "DATABASE_URL": POSTGRES, "ATRIUM_DB_POOL": "lots"})
    assert result.returncode != 0 and "ATRIUM_DB_POOL must be" in result.stderr


def test_pool_is_ignored_on_sqlite():
    found = show(ATRIUM_DB_POOL="1")
    assert found["pool"] is None and found["max_age"] == 60


def test_file_storage_and_json_logs_by_setting():
    found = show(
        ATRIUM_FILE_STORAGE="django.core.files.storage.InMemoryStorage", ATRIUM_LOG_JSON="1"
    )
    assert found["storage"] == "django.core.files.storage.InMemoryStorage"
    assert found["json_logs"] is True


def test_api_rates_from_the_environment():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(s.ATRIUM_API_RATES))"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION)
    assert json.loads(result.stdout.strip()) is None  # the defaults of atrium.api.ratelimit
    env = {**PRODUCTION, "ATRIUM_API_RATES": "token=30/day, write=10/min"}
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert json.loads(result.stdout.strip()) == {"token": "30/day", "write": "10/min"}
