"""The set-up scripts behind `make demo` and `make test`, run with stand-in system commands.

Every command that would change the machine (apt-get, sudo, pg_ctlcluster, ...) is a
stand-in on PATH that records its call, so these tests change nothing.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def fake(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def recorder(folder: Path, calls: Path, *names: str, status: int = 0) -> None:
    for name in names:
        fake(folder, name, f'echo "{name} $*" >> "{calls}"\nexit {status}')


def run(script: str, folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}", **env}
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / script), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def bin_dir(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def test_the_font_check_is_not_fooled_by_a_long_font_list(bin_dir, tmp_path):
    # Noto CJK is listed first, then thousands of fonts: a `grep -q` that stops early
    # made fc-list die of SIGPIPE, and `pipefail` turned that into "missing".
    calls = tmp_path / "calls"
    fake(
        bin_dir,
        "fc-list",
        'echo "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc: Noto Sans CJK SC"\n'
        'for i in $(seq 1 20000); do echo "/usr/share/fonts/f$i.ttf: Font $i"; done',
    )
    recorder(bin_dir, calls, "apt-get", "sudo")
    for _attempt in range(3):
        result = run("system-deps.sh", bin_dir, "fonts")
        assert result.returncode == 0, result.stderr
        assert not calls.exists(), calls.read_text()


def test_a_missing_font_is_installed(bin_dir, tmp_path):
    calls = tmp_path / "calls"
    fake(bin_dir, "fc-list", 'echo "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf: DejaVu Sans"')
    recorder(bin_dir, calls, "apt-get", "sudo")
    result = run("system-deps.sh", bin_dir, "fonts")
    assert result.returncode == 0, result.stderr
    assert "apt-get install -y -qq fonts-noto-cjk" in calls.read_text()


def postgres_env(tmp_path, *, installed: bool) -> dict[str, str]:
    lib = tmp_path / "usr-lib-postgresql"
    etc = tmp_path / "etc-postgresql"
    lib.mkdir()
    etc.mkdir()
    if installed:
        (lib / "15" / "bin").mkdir(parents=True)
        (lib / "15" / "bin" / "postgres").write_text("")
        (etc / "15" / "main").mkdir(parents=True)
    return {"ATRIUM_PG_LIB": str(lib), "ATRIUM_PG_ETC": str(etc), "ATRIUM_DRY_RUN": "1"}


def test_ensure_postgres_installs_and_prepares_a_fresh_machine(bin_dir, tmp_path):
    calls = tmp_path / "calls"
    # Nothing is installed: the client commands fail, the rest only record.
    recorder(bin_dir, calls, "pg_isready", "psql", status=2)
    recorder(bin_dir, calls, "apt-get", "sudo", "runuser", "pg_ctlcluster", "createdb")
    result = run("ensure-postgres.sh", bin_dir, **postgres_env(tmp_path, installed=False))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    steps = [
        "apt-get install -y -qq postgresql",
        "pg_ctlcluster --skip-systemctl-redirect",
        "127.0.0.1/32 trust",
        "createdb",
    ]
    positions = [out.find(step) for step in steps]
    assert all(p >= 0 for p in positions), out
    assert positions == sorted(positions), out
    # A dry run changes nothing: no stand-in that would change the machine was called.
    recorded = calls.read_text() if calls.exists() else ""
    for command in ("apt-get", "sudo", "runuser", "pg_ctlcluster", "createdb"):
        assert command not in recorded, recorded


def test_ensure_postgres_leaves_a_working_server_alone(bin_dir, tmp_path):
    calls = tmp_path / "calls"
    recorder(bin_dir, calls, "pg_isready", "psql", status=0)
    recorder(bin_dir, calls, "apt-get", "sudo", "runuser", "pg_ctlcluster", "createdb")
    result = run("ensure-postgres.sh", bin_dir, **postgres_env(tmp_path, installed=True))
    assert result.returncode == 0, result.stderr
    assert "would run" not in result.stdout, result.stdout
    commands = {line.split()[0] for line in calls.read_text().splitlines()}
    assert commands == {"pg_isready", "psql"}
