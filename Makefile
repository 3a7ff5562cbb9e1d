# Atrium: `make demo` installs and serves the demo; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
# The demo runs background work (e-mail, webhooks) inline, so it needs no worker process.
DEMO_TASKS ?= django_tasks.backends.immediate.ImmediateBackend

.PHONY: demo install install-dev system-deps migrate serve test lint test-sqlite test-postgres test-cluster messages bench clean cluster cluster-stop cluster-status

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(VENV)/bin/python node_modules/.package-lock.json
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps -e .

# Browser libraries served as static files (the check-in desk's QR decoder), from the npm
# registry at set-up, never a CDN. Without npm the desk still works with handheld scanners.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --omit=dev --no-audit --no-fund; \
	else echo "npm not found: the check-in desk's camera scanner is off (install nodejs and npm, then make install)."; fi

install-dev: install
	$(PIP) install --quiet -r requirements-dev.txt

## demo: install, create the SQLite database, load the Beijing 2025 demo, serve on 127.0.0.1:$(PORT)
demo: install
	@bash scripts/system-deps.sh fonts || echo "Could not install fonts-noto-cjk: Chinese in PDFs needs it."
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	@echo "Atrium: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	DEBUG=1 ATRIUM_TASK_BACKEND=$(DEMO_TASKS) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## cluster: PostgreSQL, Redis, two gunicorn servers, an RQ worker and HAProxy on :8100
## (scripts/cluster.sh; docs/deploy.md). `make cluster-stop` stops what it started.
cluster: install
	bash scripts/cluster.sh start

cluster-stop:
	bash scripts/cluster.sh stop

cluster-status:
	bash scripts/cluster.sh status

## system-deps: Debian's Chromium and CJK fonts for the browser tests (only if missing)
system-deps:
	@bash scripts/system-deps.sh

## test: lint, the whole suite on SQLite and on PostgreSQL, then the cluster test
test: install-dev system-deps lint test-sqlite test-postgres test-cluster

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test-sqlite:
	@echo "== tests on SQLite"
	env -u DATABASE_URL bash scripts/pytest.sh $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL ($(POSTGRES_URL))"
	@bash scripts/ensure-postgres.sh
	DATABASE_URL=$(POSTGRES_URL) bash scripts/pytest.sh $(PYTEST_ARGS)

## test-cluster: a registration rush through HAProxy across two gunicorn servers with one
## killed (tests/ops/test_cluster.py, which starts and stops its own cluster: scripts/cluster.sh)
test-cluster:
	@echo "== the cluster test (PostgreSQL, Redis, two servers, a worker, HAProxy)"
	@bash scripts/ensure-postgres.sh
	env -u DATABASE_URL ATRIUM_CLUSTER_TESTS=1 bash scripts/pytest.sh tests/ops/test_cluster.py -p no:cacheprovider

## messages: rebuild the translation catalogues after changing strings
messages:
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=bench --ignore=tests
	DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

bench: install-dev
	$(PY) bench/pages.py
	$(PY) bench/matchmaking.py
	$(PY) bench/registration_rush.py
	$(PY) bench/badges.py
	$(PY) bench/reviews_assign.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-artifacts
