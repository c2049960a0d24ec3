# edgeplane developer entry points. Each target creates .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEV := $(VENV)/.stamp-dev
STAMP_RUN := $(VENV)/.stamp-run
STAMP_KSERVE := .venv-kserve/.stamp

.PHONY: demo test check unit bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[hub,serve,k8s]'
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP_RUN)

## demo: install and run the main demo on the embedded defaults (SQLite, local files)
demo: $(STAMP_RUN)
	$(BIN)/edgeplane demo

# KServe (a peer in tests and benchmarks) pins packages that clash with ours: it gets its own venv.
$(STAMP_KSERVE): scripts/kserve-venv.sh
	PYTHON=$(PY) bash scripts/kserve-venv.sh
	touch $@

## check: ruff, mypy --strict and the import-layer contracts on src/
check: $(STAMP_DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/edgeplane
	$(BIN)/lint-imports

## test: install, check, then run every test (PostgreSQL tests skip with a reason if no server is reachable)
test: check $(STAMP_KSERVE)
	$(BIN)/pytest -q

## unit: the fast tests only
unit: $(STAMP_DEV)
	$(BIN)/pytest -q tests/unit

## bench: every benchmark; each prints its figures and TARGET lines
bench: $(STAMP_DEV) $(STAMP_KSERVE)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .demo .bench .mypy_cache .ruff_cache .pytest_cache
