# Every target sets itself up: a fresh machine needs only Python 3.11. pip runs with -qq: errors only (a
# machine's pip configuration can name package folders that do not exist, one warning line per package).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: setup run serve test bench lint fuzz system-packages clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --quiet --no-build-isolation --no-deps -e .
	touch $(STAMP)

# Debian's Chromium (browser tests, PDF figures), poppler (pdftotext) and DejaVu fonts (PDF text).
system-packages:
	bash scripts/ensure_system_packages.sh

run: setup
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.address 127.0.0.1

# several dashboard processes behind HAProxy (sticky sessions, WebSockets), one journal: see the README
REPLICAS ?= 2
serve: setup system-packages
	REPLICAS=$(REPLICAS) PORT=$(PORT) PYTHON=$(BIN)/python bash scripts/serve.sh

# the suite in two runs: everything but the browser and serial tests on TEST_WORKERS processes (a test file stays on
# one worker, so its module fixtures start once), then those alone: their servers, Chromiums and signals need the
# machine to themselves
TEST_WORKERS ?= 2
test: setup system-packages lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser and not serial"
	$(BIN)/python -m pytest -m "browser or serial"

# oipd (the comparison in the options benchmark) pins an older plotly than the app: its own environment
BENCH_STAMP := .venv-bench/.installed
$(BENCH_STAMP): requirements-bench.txt
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	$(BIN)/python -m bench.run

# every reader fed 10,000 arbitrary texts (make test runs 200 of each)
fuzz: setup
	FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics tests/fuzz

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy analytics services reporting data dashboard bench

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache .mypy_cache .ruff_cache test-artifacts
