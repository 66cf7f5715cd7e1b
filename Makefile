# Flash LSP — `make demo` installs everything and checks the bundled example; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pip on this kind of machine warns about unreachable local mirrors; keep the log readable.
QUIET_PIP := grep -v "is ignored: it is neither a file nor a directory" || true

.PHONY: install demo test test-python clean

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip 2>&1 | $(QUIET_PIP)
	$(BIN)/pip install -q -e '.[dev]' 2>&1 | $(QUIET_PIP)
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/flash-lsp check examples/hello_flash

test: install test-python

test-python:
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .cache .pytest_cache
