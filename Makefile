# The few commands people type. See README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The records' fonts and subsetting (WeasyPrint); Debian's chromium for the browser tests (`make e2e`), which
# Playwright drives: its own browser download is not reachable here.
APT_PACKAGES := fonts-noto-cjk fonts-arphic-uming libharfbuzz-subset0 fontconfig chromium

# Every target here is development: the settings default to production (DEBUG off,
# SECRET_KEY required), so ask for DEBUG unless the caller chose. Production sets
# DEBUG=0 and SECRET_KEY itself and does not use make (README, "Configuration").
export DEBUG ?= 1

# The suite runs in parallel (pytest-xdist): tests/xdist_scheduling.py hands the workers
# runs of one module's tests in the serial order, and tests/settings.py gives each worker
# its own var/. PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= auto
# What mypy checks (clean): the shared engine, every app's services, and the rules, selectors and flows of the
# share applications and the self-check.
MYPY_PATHS := workflows notifications/services.py pdf_templates/services.py catalog/services requests/services \
	requests/rules.py requests/selectors requests/flows.py \
	systems_inventory/services systems_inventory/rules.py systems_inventory/selectors systems_inventory/flows.py \
	systems_inventory/statistics.py systems_inventory/zombie_rules \
	project_approvals/services project_approvals/gate project_approvals/rules.py project_approvals/selectors.py \
	project_approvals/flows.py project_approvals/api.py

.PHONY: install lock run test e2e screenshots lint format bench migrate demo

# The missing APT_PACKAGES, through sudo when not root; waits (and says so) while another apt or dpkg
# process holds apt's lock, up to APT_LOCK_TIMEOUT seconds (default 600).
install: $(BIN)/.installed
	@bash scripts/apt_install.sh $(APT_PACKAGES)

# Exactly the locked versions, checked against their hashes.
$(BIN)/.installed: requirements-dev.lock
	[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@

# After editing requirements*.txt: recompile the lock files (keeps existing pins;
# `make lock LOCK_ARGS=--upgrade` moves every pin to the newest allowed version).
lock:
	[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	scripts/lock.sh $(LOCK_ARGS)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# Web server, Celery worker and beat in one process group: Ctrl-C stops all three.
run: demo
	@bash scripts/run_embedded.sh

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope

# The browser tests (tests/e2e): each role's journey in chromium against the app served on a fresh demo
# database; `make test` leaves them out. They write the README's screenshots under var/e2e-screenshots/;
# `make screenshots` writes them to docs/screenshots/ instead (commit them).
e2e: install
	$(BIN)/pytest -m e2e tests/e2e

screenshots: install
	GOVSHARE_E2E_SCREENSHOTS=docs/screenshots $(BIN)/pytest -m e2e tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(MYPY_PATHS)
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every benchmark, one line each (benchmarks/harness.py). `make bench BENCH_ARGS=--smoke`: small sizes, as CI.
# Redis is the cache, as in production (B10's grant check keeps its answers only with a shared cache):
# CACHE_URL when set, else BENCH_REDIS_URL, the Redis database the benchmarks own (db 4, as CI's).
BENCH_ARGS ?=
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/4
bench: migrate
	CACHE_URL=$${CACHE_URL:-$(BENCH_REDIS_URL)} BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m benchmarks $(BENCH_ARGS)
