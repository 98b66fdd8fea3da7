# Keel — the two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format install migrate seed worker beat bench bench-seed load messages browser clean \
	fuzz test-under-load

$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py compile_translations -v 0
	$(BIN)/python manage.py migrate --noinput -v 0

seed: migrate
	$(BIN)/python manage.py seed_demo

# Links in e-mails and webhooks point at the port the app serves on (the seed sends some too:
# target-specific variables reach the prerequisites run triggers).
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install browser
	$(BIN)/python manage.py compile_translations -v 0
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint --check --lint .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint --reformat . > /dev/null || true

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --no-obsolete
	$(BIN)/python manage.py compile_translations

worker: install
	$(BIN)/celery -A config worker -l info

beat: install
	$(BIN)/celery -A config beat -l info

clean:
	rm -rf $(VENV) db.sqlite3

# Debian's chromium and a CJK font for the Playwright journeys (never a browser download).
browser:
	@(command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q .) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null)
	@chromium --version 2>/dev/null

# The scale benchmark on PostgreSQL (docs/benchmarks.md). DATABASE_URL defaults to keel_bench.
bench: install
	$(BIN)/python bench/run.py

# How long `seed_demo --employees 10000` takes from empty (issue 3's bar: under a minute), on a
# throwaway SQLite file, or on SEED_DATABASE_URL (an empty database) when given.
# BENCH_EMPLOYEES=100000 (issue 18's bar: under 10 minutes on PostgreSQL) and BENCH_WEEKS
# (weeks of check-ins; `make bench` seeds 12) change the size.
SEED_DATABASE_URL ?= sqlite:///$(CURDIR)/.bench-seed.sqlite3
BENCH_EMPLOYEES ?= 10000
BENCH_WEEKS ?= 8
bench-seed: install
	rm -f .bench-seed.sqlite3
	DATABASE_URL=$(SEED_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=$(SEED_DATABASE_URL) $(BIN)/python manage.py seed_demo \
		--employees $(BENCH_EMPLOYEES) --weeks $(BENCH_WEEKS) --seed 1
	rm -f .bench-seed.sqlite3

# The load run on PostgreSQL (docs/reliability.md). LOAD_DATABASE_URL defaults to keel_load.
load: install
	$(BIN)/python bench/load.py

# The API fuzz test, deeper than `make test`'s 3 examples: FUZZ_EXAMPLES generated requests per
# operation and role (employee, manager, HRBP, admin), reads and writes side by side
# (DEVELOPERS.md, "API fuzzing"). FUZZ_SUMMARY names a file for the counts of each module.
FUZZ_EXAMPLES ?= 30
FUZZ_SUMMARY ?= var/fuzz-summary.jsonl
fuzz: install
	$(BIN)/python manage.py compile_translations -v 0
	mkdir -p $(dir $(FUZZ_SUMMARY)) && rm -f $(FUZZ_SUMMARY)
	KEEL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) KEEL_FUZZ_SUMMARY=$(FUZZ_SUMMARY) \
	  $(BIN)/python -m pytest -n 2 --dist loadfile -q -p no:cacheprovider tests/fuzz $(PYTEST_ARGS)
	@cat $(FUZZ_SUMMARY)

# The test suite on a busy machine: a CPU hog per core beside it (scripts/under_load.py,
# LOAD_HOGS to choose how many), so that no test depends on an idle CPU (DEVELOPERS.md, "Tests").
# CI runs it once on SQLite, after the fresh-clone path.
# PYTEST_ARGS narrows it: make test-under-load PYTEST_ARGS="tests/reminders".
LOAD_HOGS ?=
test-under-load: install browser
	$(BIN)/python manage.py compile_translations -v 0
	$(BIN)/python scripts/under_load.py $(if $(LOAD_HOGS),--hogs $(LOAD_HOGS)) -- \
	  $(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)
