"""The operations scripts' own rules, without starting anything (no server, no database)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cluster_env_names_every_setting_and_keeps_its_secret(tmp_path):
    result = run(
        "scripts/cluster.sh",
        "env",
        ATRIUM_CLUSTER_DIR=str(tmp_path),
        ATRIUM_CLUSTER_DB="atrium_x",
        ATRIUM_CLUSTER_PORT="8400",
    )
    assert result.returncode == 0, result.stderr
    env = dict(
        line[len("export ") :].split("=", 1)
        for line in result.stdout.splitlines()
        if line.startswith("export ")
    )
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/atrium_x"
    assert env["ATRIUM_REDIS_URL"].startswith("redis://127.0.0.1:")
    assert env["ATRIUM_TASK_BACKEND"] == "rq" and env["ATRIUM_BEHIND_PROXY"] == "1"
    assert env["ATRIUM_SITE_URL"] == "http://127.0.0.1:8400"
    assert len(env["SECRET_KEY"]) > 50 and env["ATRIUM_METRICS_TOKEN"]
    assert oct((tmp_path / "secret").stat().st_mode & 0o777) == "0o600"
    again = run("scripts/cluster.sh", "env", ATRIUM_CLUSTER_DIR=str(tmp_path))
    assert f"SECRET_KEY={env['SECRET_KEY']}" in again.stdout  # kept across starts


def test_cluster_stop_without_pid_files_stops_nothing(tmp_path):
    result = run("scripts/cluster.sh", "stop", ATRIUM_CLUSTER_DIR=str(tmp_path))
    assert result.returncode == 0 and result.stdout == ""


def test_cluster_status_says_stopped(tmp_path):
    result = run(
        "scripts/cluster.sh", "status", ATRIUM_CLUSTER_DIR=str(tmp_path), ATRIUM_CLUSTER_PORT="8490"
    )
    assert result.returncode == 3
    assert "web1: stopped" in result.stdout and "haproxy: stopped" in result.stdout


def test_cluster_usage():
    result = run("scripts/cluster.sh")
    assert result.returncode == 2 and "usage" in result.stderr


def test_backup_refuses_anything_but_postgresql(tmp_path):
    result = run("scripts/backup.sh", str(tmp_path), DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode == 2 and "PostgreSQL only" in result.stderr
    assert not list(tmp_path.iterdir())


def test_restore_checks_the_checksums_first(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"not what was backed up")
    (tmp_path / "private.tar.gz").write_bytes(b"")
    (tmp_path / "SHA256SUMS").write_text(
        "0" * 64 + "  database.dump\n" + "0" * 64 + "  private.tar.gz\n"
    )
    result = run(
        "scripts/restore.sh",
        str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/never-used",
        ATRIUM_MEDIA_ROOT=str(tmp_path / "media"),
    )
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    assert not (tmp_path / "media").exists()
