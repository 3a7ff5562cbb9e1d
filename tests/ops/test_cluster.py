"""The cluster on this machine (scripts/cluster.sh), under a rush with a server killed.

Starts its own cluster (state in a temporary folder, the database atrium_cluster_test,
HAProxy on 127.0.0.1:8300, servers on 8301 and 8302), runs bench/cluster_rush.py through
it, and stops everything it started. Slow (minutes) and it installs HAProxy through apt
if missing: runs only with ATRIUM_CLUSTER_TESTS=1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        os.environ.get("ATRIUM_CLUSTER_TESTS") != "1",
        reason="the cluster test runs only with ATRIUM_CLUSTER_TESTS=1",
    ),
]

API_LIMIT = 30


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    state = tmp_path_factory.mktemp("cluster")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ATRIUM_", "DJANGO_", "DATABASE_URL", "SECRET_KEY", "DEBUG"))
    }
    env.update(
        ATRIUM_CLUSTER_DIR=str(state),
        ATRIUM_CLUSTER_DB="atrium_cluster_test",
        ATRIUM_CLUSTER_PORT="8300",
        ATRIUM_CLUSTER_REDIS="redis://127.0.0.1:6379/6",
        # A fixed window of a day: the N+1th call is refused whenever the test runs.
        ATRIUM_CLUSTER_API_RATES=f"token={API_LIMIT}/day,write=60/min",
    )
    subprocess.run(
        [
            "psql",
            "postgres://postgres@127.0.0.1:5432/postgres",
            "-q",
            "-c",
            'drop database if exists "atrium_cluster_test" with (force)',
        ],
        check=True,
        timeout=60,
    )
    subprocess.run(["redis-cli", "-n", "6", "flushdb"], check=True, timeout=30, capture_output=True)
    started = subprocess.run(
        ["bash", "scripts/cluster.sh", "start"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield env, state
    finally:
        stopped = subprocess.run(
            ["bash", "scripts/cluster.sh", "stop"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        subprocess.run(
            [
                "psql",
                "postgres://postgres@127.0.0.1:5432/postgres",
                "-q",
                "-c",
                'drop database if exists "atrium_cluster_test" with (force)',
            ],
            check=False,
            timeout=60,
        )
        assert stopped.returncode == 0, stopped.stderr
        for name in ("web1", "web2", "worker", "haproxy"):
            assert not (state / f"{name}.pid").exists()


def test_a_rush_with_a_server_killed_loses_and_doubles_nothing(cluster):
    env, state = cluster
    result = subprocess.run(
        [sys.executable, "bench/cluster_rush.py", "--clients", "200", "--kill", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # A session made on server 1 is valid on server 2 (sessions in the database and Redis).
    assert report["sessions"]["ok"], report["sessions"]
    # The API rate limit counts across both servers: N calls served, the N+1th refused.
    assert report["api_rate_limit"]["limit"] == API_LIMIT
    assert report["api_rate_limit"]["served_within_limit"] == API_LIMIT
    assert report["api_rate_limit"]["last_status"] == 429
    # A print run started on server 1 is printed by the RQ worker.
    assert report["print_run"]["status"] == "done", report["print_run"]
    # The visit sign-up rush through HAProxy: no seat oversold, no error.
    visit = report["visit_rush"]
    assert visit["clients"] == 200 and visit["oversold"] == 0 and visit["errors"] == 0, visit
    assert visit["held"] == visit["seats"]
    # The registration rush with server 1 SIGKILLed: nothing oversold, lost or doubled.
    rush = report["registration_rush"]
    assert rush["killed_pids"], "server 1 was not killed"
    assert rush["oversold"] == 0 and rush["doubled"] == 0 and rush["lost"] == 0, rush
    assert rush["held"] == rush["capacity"], rush
    assert rush["retry"]["failed"] == 0, rush
    assert report["ok"] and result.returncode == 0, result.stderr[-3000:]
    # Server 1 was started again and HAProxy sends it traffic.
    status = subprocess.run(
        ["bash", "scripts/cluster.sh", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "web1: running" in status.stdout, status.stdout
