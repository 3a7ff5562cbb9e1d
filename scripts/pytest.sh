#!/usr/bin/env bash
# Runs the test suite; a run that collects no test is a failure (pytest's exit code 5).
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: the suite is missing or mis-configured" >&2
  exit 1
fi
exit "$rc"
