# The few commands people type. See README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := fonts-noto-cjk fonts-arphic-uming libharfbuzz-subset0 fontconfig
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Every target here is development: the settings default to production (DEBUG off,
# SECRET_KEY required), so ask for DEBUG unless the caller chose. Production sets
# DEBUG=0 and SECRET_KEY itself and does not use make (README, "Configuration").
export DEBUG ?= 1

# The suite runs in parallel (pytest-xdist): tests/xdist_scheduling.py hands the workers
# runs of one module's tests in the serial order, and tests/settings.py gives each worker
# its own var/. PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= auto
# What mypy checks (clean): the shared engine, every app's services, and the share applications' rules,
# selectors and flow.
MYPY_PATHS := workflows notifications/services.py pdf_templates/services.py catalog/services requests/services \
	requests/rules.py requests/selectors requests/flows.py

.PHONY: install lock run test lint format bench migrate demo

install: $(BIN)/.installed
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "apt: installing$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

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

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(MYPY_PATHS)
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every benchmark, one line each (benchmarks/harness.py). `make bench BENCH_ARGS=--smoke`: small sizes, as CI.
BENCH_ARGS ?=
bench: migrate
	$(BIN)/python -m benchmarks $(BENCH_ARGS)
