"""Settings come from the environment; production is safe by default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ATRIUM_", "DEBUG"))}
    clean.pop("SECRET_KEY", None)
    clean.pop("ALLOWED_HOSTS", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-with-enough-entropy-1234567890-abcdefgh",
    "ALLOWED_HOSTS": "atrium.example.org",
    "DATABASE_URL": "sqlite:////tmp/atrium-deploy-check.sqlite3",
}


def test_production_profile_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_without_debug():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_without_a_secret_key():
    result = manage("check", env={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_the_test_payment_provider_is_an_error_without_debug():
    env = {**PRODUCTION, "ATRIUM_PAYMENT_PROVIDERS": "bank_transfer,test"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "atrium.E001" in result.stderr
    assert "pays every order at once" in result.stderr
    # In debug mode (the demo) it is offered, and the check is quiet.
    result = manage("check", env={"DEBUG": "1", "ATRIUM_PAYMENT_PROVIDERS": "bank_transfer,test"})
    assert result.returncode == 0, result.stderr
