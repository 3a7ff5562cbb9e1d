"""The restore drill: back up the demo, drop it, restore it into a fresh database.

Every model has as many rows after as before, the private files come back, and a badge
printed before the backup still checks in. Runs scripts/backup.sh and scripts/restore.sh
as an operator would, against the local PostgreSQL, with databases of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="the restore drill needs PostgreSQL",
    ),
]

SOURCE_DB = "atrium_ops_drill_source"
RESTORED_DB = "atrium_ops_drill_restored"

COUNT_ROWS = """
import json
from django.apps import apps
print(json.dumps({
    m._meta.label: m._base_manager.count()
    for m in apps.get_models(include_auto_created=True)
}))
"""

PRINT_A_BADGE = """
import json
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from atrium.checkin.badges import badge_issue
from atrium.checkin.tokens import sign_badge_key
from atrium.registration.models import Registration
registration = (
    Registration.objects.filter(conference__slug="beijing-2025", status="confirmed")
    .filter(checkins__isnull=True).order_by("pk").first()
)
with transaction.atomic():
    badge = badge_issue(registration=registration, actor=None)
name = default_storage.save("private/drill/proof.txt", ContentFile(b"a private proof"))
print(json.dumps({"token": sign_badge_key(badge.key), "registration": registration.pk,
                  "file": name}))
"""

SCAN = """
import json, sys, uuid
from django.core.files.storage import default_storage
from atrium.checkin.services import checkin_scan
from atrium.events.models import Conference
data = json.loads(open(%r).read())
result = checkin_scan(conference=Conference.objects.get(slug="beijing-2025"),
                      token=data["token"], client_id=uuid.uuid4(), point=None, actor=None)
print(json.dumps({"state": result.state, "error": str(result.error),
                  "registration": result.registration.pk if result.registration else None,
                  "file": default_storage.open(data["file"]).read().decode()}))
"""


def _url(name: str) -> str:
    parts = urllib.parse.urlsplit(DATABASE_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", _url("postgres"), "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        timeout=120,
        capture_output=True,
    )


def _env(database: str, media: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ATRIUM_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        DATABASE_URL=_url(database),
        SECRET_KEY="restore-drill-secret-key-the-same-before-and-after-0123456789",
        ALLOWED_HOSTS="localhost",
        ATRIUM_HTTPS="0",
        ATRIUM_MEDIA_ROOT=str(media),
        ATRIUM_PASSPORT_KEY="DD_HScWtC3rB3d0BBMp7EXcMRc57kW6rAes7KYcKpRE=",
        ATRIUM_TASK_BACKEND="immediate",
        ATRIUM_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def _shell(code: str, env: dict[str, str]) -> dict:
    out = _run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], env)
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def databases():
    for name in (SOURCE_DB, RESTORED_DB):
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{SOURCE_DB}"')
    yield
    for name in (SOURCE_DB, RESTORED_DB):
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_drill(databases, tmp_path):
    media = tmp_path / "media"
    source = _env(SOURCE_DB, media)
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], source)
    _run([sys.executable, "manage.py", "load_demo", "--without-debug"], source)
    printed = _shell(PRINT_A_BADGE, source)
    before = _shell(COUNT_ROWS, source)
    assert before["registration.Registration"] > 100 and before["checkin.Badge"] >= 1

    backup = _run(["bash", "scripts/backup.sh", str(tmp_path / "backups")], source)
    folder = Path(backup.strip().splitlines()[-1])
    assert (folder / "database.dump").stat().st_size > 0
    assert (folder / "private.tar.gz").is_file() and (folder / "SHA256SUMS").is_file()

    # The disaster: the database and the files are gone.
    _psql(f'DROP DATABASE "{SOURCE_DB}" WITH (FORCE)')
    subprocess.run(["rm", "-rf", str(media)], check=True)

    _psql(f'CREATE DATABASE "{RESTORED_DB}"')
    restored_media = tmp_path / "restored-media"
    restored = _env(RESTORED_DB, restored_media)
    _run(["bash", "scripts/restore.sh", str(folder)], restored)
    # Restoring twice into the same database is refused: nothing is overwritten.
    again = subprocess.run(
        ["bash", "scripts/restore.sh", str(folder)],
        cwd=ROOT,
        env=restored,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode != 0 and "restore into a fresh one" in again.stderr

    after = _shell(COUNT_ROWS, restored)
    assert after == before  # every model, row for row
    _run([sys.executable, "manage.py", "migrate", "--check", "--noinput"], restored)

    (tmp_path / "printed.json").write_text(json.dumps(printed))
    scan = _shell(SCAN % str(tmp_path / "printed.json"), restored)
    assert scan["state"] == "ok", scan
    assert scan["registration"] == printed["registration"]
    assert scan["file"] == "a private proof"
