# casedesk: two commands matter. `make run` sets up and starts the app; `make test` sets up and
# passes the tests. Everything installs into .venv so a clean checkout needs nothing by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint typecheck layers unit bench screenshots clean demo system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Set up (first time) and start the app on the vault in the user's data directory.
run: $(STAMP)
	@bash .ci/gui-deps.sh
	QT_QPA_PLATFORM= $(BIN)/casedesk

## Start on a throw-away vault full of demo data.
demo: $(STAMP)
	@bash .ci/gui-deps.sh
	QT_QPA_PLATFORM= $(BIN)/casedesk --demo

## Debian packages the tests need (pdfsig/pdftotext/pdftoppm, Xvfb). Skipped when present.
system-deps:
	@bash .ci/system-deps.sh

## Set up and run every check: ruff, import-linter, mypy, then pytest (offscreen).
test: $(STAMP) system-deps lint layers typecheck
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

layers: $(STAMP)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy src/casedesk/domain src/casedesk/storage src/casedesk/services

## Fast loop: everything but GUI tests.
unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not gui and not slow"

## Benchmarks on a realistic synthetic caseload; prints measured figures against targets.
bench: $(STAMP)
	$(BIN)/python -m bench

## Render every screen and dialog of the demo vault into docs/screenshots/.
screenshots: $(STAMP)
	$(BIN)/python -m casedesk.ui.screenshots docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
