"""A database made by the release before the split (registration held badges, check-ins,
print runs and visa requests) migrates to the new layout with every row kept.

The old release is taken from git history (``git archive``), migrated and loaded with the
demo in a SQLite file by its own code, then migrated by this code; row counts of every
table and a sample of rows are compared.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The last commit of the old layout (main before the split by subject).
BEFORE_SPLIT = "9278643"
MOVED = {
    "registration_badge": "checkin_badge",
    "registration_checkin": "checkin_checkin",
    "registration_badgeprintrun": "checkin_badgeprintrun",
    "registration_visaletterrequest": "visas_visaletterrequest",
}

#: One row per model (and per model and permission): models added later add rows.
GROWS_WITH_NEW_MODELS = {"django_content_type", "auth_permission"}


def _git_archive(commit: str, into: Path) -> None:
    try:
        data = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"the old release is not in this checkout's history: {error}")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="data")


def _manage(cwd: Path, db: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATRIUM_", "DJANGO_", "DATA"))}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{db}",
        ATRIUM_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        ATRIUM_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ATRIUM_MEDIA_ROOT=str(db.parent / "media"),
        PYTHONPATH=str(cwd),
    )
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _rows(db: Path, table: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)


def test_a_demo_database_of_the_old_layout_migrates_without_losing_a_row(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    _git_archive(BEFORE_SPLIT, old)
    db = tmp_path / "db.sqlite3"
    _manage(old, db, "migrate", "--noinput")
    _manage(old, db, "load_demo")
    before = _counts(db)
    samples = {table: _rows(db, table) for table in MOVED}
    samples["registration_registration"] = _rows(db, "registration_registration")
    assert before["registration_checkin"] > 0 and before["registration_visaletterrequest"] > 0

    _manage(ROOT, db, "migrate", "--noinput")
    after = _counts(db)

    # New models of later releases add their content types and permissions; every other
    # table keeps exactly its rows.
    grows = {"django_migrations", "django_content_type", "auth_permission"}
    for table, count in before.items():
        if table in grows:
            assert after[table] >= count, table
            continue
        if table in GROWS_WITH_NEW_MODELS:
            # Models added since the split (events.AgendaStar…) add their rows here.
            assert after.get(table) >= count, table
            continue
        assert after.get(MOVED.get(table, table)) == count, table
    for table in MOVED:
        assert table not in after
        assert _rows(db, MOVED[table]) == samples[table], table
    assert _rows(db, "registration_registration") == samples["registration_registration"]
    with sqlite3.connect(db) as connection:
        labels = dict(
            connection.execute(
                "SELECT model, app_label FROM django_content_type WHERE model IN "
                "('badge', 'checkin', 'badgeprintrun', 'visaletterrequest')"
            ).fetchall()
        )
    # Audit entries and permissions point at content types, which changed app, not id.
    assert labels == {
        "badge": "checkin",
        "checkin": "checkin",
        "badgeprintrun": "checkin",
        "visaletterrequest": "visas",
    }
