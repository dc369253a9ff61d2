# isodoc — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export ISODOC_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run dev test lint venv translations clean bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "isodoc cần Python ≥ 3.11 (đặt PYTHON=python3.12 nếu cần)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "setuptools>=77"
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## Migrate, seed the demo province on first run, serve with gunicorn (2 workers).
## Port: ISODOC_PORT=8080 make run, or make run ARGS="--port 8080".
run: venv
	$(BIN)/isodoc serve $(if $(ISODOC_PORT),--port $(ISODOC_PORT)) $(ARGS)

## Flask's debug server with reload, same instance folder.
dev: venv
	$(BIN)/isodoc init
	$(BIN)/isodoc demo --if-empty
	$(BIN)/isodoc --debug run --port $(or $(ISODOC_PORT),5000)

## The whole suite; on PostgreSQL too when ISODOC_TEST_DATABASE_URL is set. Two workers by
## default (each test file runs whole on one worker; on PostgreSQL each worker has its own
## database beside the given one): TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: venv
	@if [ -z "$$ISODOC_TEST_DATABASE_URL" ]; then \
		echo "ISODOC_TEST_DATABASE_URL chưa đặt: chạy trên SQLite, bỏ qua lượt PostgreSQL."; \
	else echo "Cơ sở dữ liệu kiểm thử: $$ISODOC_TEST_DATABASE_URL"; fi
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .

## What lacks English (tools/i18n.py; the catalog is kept in parts, isodoc/translations/en/*.po).
translations: venv
	$(BIN)/python tools/i18n.py status

clean:
	rm -rf $(VENV) build *.egg-info

## Benchmarks, figures not tests: search, issuing and page load, each against its bare
## anchor in the same run, then one table of figure, anchor, ratio and goal. Small sizes
## by default (a few minutes); the issue's sizes, e.g.:
##   ISODOC_BENCH_SEARCH_ARGS="--sizes 50000 --rounds 3" \
##   ISODOC_BENCH_ISSUE_ARGS="--commits 5000" \
##   ISODOC_BENCH_LOAD_ARGS="--seconds 60 --users 16 --rounds 3 --documents 50000" make bench
bench: venv
	$(BIN)/python bench/summary.py
