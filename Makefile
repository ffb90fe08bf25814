# WRES report pipeline. The first target run on a fresh machine sets everything up by itself.
#   make report ORG=leeds YEAR=2021      build the site into $(WORKSPACE)/build/ORG/YEAR/html
#   make reports YEAR=2021 [ORGS="a b"] [JOBS=n]  every organisation with that year, and build/index.html
#   make pdf ORG=leeds YEAR=2021         the same, and fail unless its board paper (PDF) is printed too
#   make test                            run the test suite
#   make fuzz FUZZ_CASES=2000            throw thousands of broken inputs at the engine; counts per outcome
#   make lint                            ruff check and ruff format --check over the package and tests
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KERNEL := wres
ORG ?= leeds
YEAR ?= 2021
WORKSPACE ?= $(CURDIR)
export WRES_WORKSPACE := $(abspath $(WORKSPACE))

STAMP := $(VENV)/.installed

.PHONY: setup report reports pdf indicators values narrative test fuzz lint lock clean chromium

setup: $(STAMP) chromium

# Debian's chromium, for the browser tests (tests/test_browser.py) and the PDF: installed with apt-get when this
# runs as root, otherwise one line says how to get it. Playwright never downloads a browser of its own.
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: $(CHROMIUM) is missing; the browser tests need it: sudo apt-get install -y chromium"; \
	  fi; \
	fi

# A virtual environment with the pinned dependencies, this package (editable) and a registered kernel.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix "$(abspath $(VENV))" --name $(KERNEL) --display-name "WRES (venv)" >/dev/null
	touch $@

indicators: $(STAMP)
	$(BIN)/python -m wres_helpers indicators $(ORG) $(YEAR) --workspace "$(WRES_WORKSPACE)"

# The report site: $(WRES_WORKSPACE)/build/$(ORG)/$(YEAR)/html/index.html (published only if every step succeeds).
report: setup
	$(BIN)/python -m wres_helpers report $(ORG) $(YEAR) --workspace "$(WRES_WORKSPACE)"

# Every organisation's report for YEAR (or ORGS="a b"), JOBS at once (default one per core), and the workspace's
# landing page build/index.html. SCHEDULER=tcp://host:8786 (or DASK_SCHEDULER_ADDRESS) builds on a Dask cluster.
ORGS ?=
JOBS ?=
SCHEDULER ?=
reports: setup
	$(BIN)/python -m wres_helpers reports $(YEAR) --workspace "$(WRES_WORKSPACE)" $(if $(strip $(ORGS)),--orgs $(ORGS)) \
	  $(if $(JOBS),--jobs $(JOBS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

# Build times against their floors and the issue's targets, printed and written to bench/results.csv (minutes:
# a cold build, rebuilds, a batch of BENCH_ORGS organisations at 1, 2 and n workers, the national extract).
BENCH_ORGS ?= 20
.PHONY: bench
bench: setup
	$(BIN)/python bench/run.py --orgs $(BENCH_ORGS)

# The board paper: html/data/ORG-wres-YEAR.pdf, printed by headless Chromium (sudo apt-get install chromium).
# `make report` prints it too whenever Chromium is installed; this target fails when it is not.
pdf: setup
	$(BIN)/python -m wres_helpers pdf $(ORG) $(YEAR) --workspace "$(WRES_WORKSPACE)"

# JupyterLab with the "wres" kernel, to write and try the report notebooks.
.PHONY: lab
lab: $(STAMP)
	$(BIN)/jupyter lab

values: $(STAMP)
	$(BIN)/python -m wres_helpers values $(ORG) $(YEAR) --workspace "$(WRES_WORKSPACE)"

# Starter narrative files for ORG YEAR (existing files are kept).
narrative: $(STAMP)
	$(BIN)/python -m wres_helpers narrative $(ORG) $(YEAR) --workspace "$(WRES_WORKSPACE)"

# Lint and format checks first (a second), then the suite, browser tests included, in TEST_WORKERS pytest-xdist
# processes (a test file at a time; tests/conftest.py says why), and the 15 slowest tests listed.
TEST_WORKERS ?= 2
test: setup
	$(BIN)/ruff check wres_helpers tests
	$(BIN)/ruff format --check wres_helpers tests
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env --ignore=tests/fixtures \
	  -n $(TEST_WORKERS) --durations=15

# Lint and format check (settings in pyproject.toml), both reported. Not part of `make test` yet.
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check wres_helpers tests || status=1; \
	$(BIN)/ruff format --check wres_helpers tests || status=1; \
	exit $$status

# Seeded mutations of a sample organisation's inputs, settings, action plans and narrative: prints how many
# runs gave a result, a clean error (by kind), a traceback or a hang, and the time taken. Fails on any
# traceback or hang; `--only N` in tests/fuzz_inputs.py replays case N.
FUZZ_CASES ?= 2000
FUZZ_SEED ?= 14
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz_inputs.py --cases $(FUZZ_CASES) --seed $(FUZZ_SEED)

# Re-resolve the pins from pyproject.toml's ranges (needs the package registry).
lock:
	rm -rf /tmp/wres-lock && $(PYTHON) -m venv /tmp/wres-lock
	/tmp/wres-lock/bin/pip install --quiet ".[test]"
	( echo "# Exact versions tested together (pip freeze of a fresh install on Python 3.11). Regenerate with: make lock"; \
	  /tmp/wres-lock/bin/pip freeze --exclude wres-helpers ) > requirements.lock

clean:
	rm -rf $(VENV) build
