# Verity — `make run` starts the product on embedded defaults; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED_DATA ?= $(abspath ../shared/data)
SNAPSHOT := .verity/snapshot
# real filing dates of the latest 10-K/10-Q per company (statements count from them)
FILINGS_INDEX := $(wildcard $(SHARED_DATA)/corpus/sec_filings/index.csv)

.PHONY: run test lint typecheck unit bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# With the shared real data beside the repo, `make run` serves a snapshot built from it (no
# network needed) and a knowledge base of its Fed and SEC documents (ingested once, about a minute);
# otherwise it uses live yfinance. A snapshot built before statements were imported is rebuilt.
run: install
	@if [ -z "$$VERITY_MARKET_DATA" ] && [ -d "$(SHARED_DATA)/prices" ]; then \
		{ grep -qs '"version": 2,' $(SNAPSHOT)/manifest.json && [ -f $(SNAPSHOT)/statements.csv ]; } || \
			$(BIN)/verity data import $(SHARED_DATA)/prices $(SHARED_DATA)/fundamentals $(FILINGS_INDEX) --dest $(SNAPSHOT); \
		[ -f .verity/knowledge/catalog.sqlite ] || $(BIN)/verity kb add $(SHARED_DATA)/corpus; \
		VERITY_MARKET_DATA=snapshot:$(SNAPSHOT) $(BIN)/verity serve; \
	else \
		$(BIN)/verity serve; \
	fi

lint: install-dev
	$(BIN)/ruff check copilot tools web prompts tests bench
	$(BIN)/ruff format --check copilot tools web prompts tests bench

typecheck: install-dev
	$(BIN)/mypy

unit: install-dev
	$(BIN)/pytest -q

test: lint typecheck unit

bench: install-dev
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .verity .pytest_cache .mypy_cache .ruff_cache
