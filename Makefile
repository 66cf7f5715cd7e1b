# Flash LSP — `make demo` installs everything and checks the bundled example; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pip on this kind of machine warns about unreachable local mirrors; keep the log readable.
# (the braces keep pip's own exit status: only grep's "no lines left" is ignored)
QUIET_PIP := { grep -v "is ignored: it is neither a file nor a directory" || true; }

.PHONY: install demo test test-python lint editors-setup vsix clean

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip 2>&1 | $(QUIET_PIP)
	$(BIN)/pip install -q -e '.[dev]' 2>&1 | $(QUIET_PIP)
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/flash-lsp check examples/hello_flash

# Everything: installs the editors' dependencies (apt: chromium, neovim; npm: code-server, the
# extension), then every test (core, server, build, bundle, fidelity vs the real flash build,
# real VS Code and Neovim end to end).
test: install lint editors-setup test-python

# ruff: lint and format (configured in pyproject.toml)
lint: install
	$(BIN)/python -m ruff check server tests bench
	$(BIN)/python -m ruff format --check server tests bench

test-python:
	$(BIN)/python -m pytest

editors-setup: install
	PYTHON=$(CURDIR)/$(BIN)/python bash tests/editors/setup.sh all

# The VS Code extension, with the flash-lsp wheel inside: client-vscode/flash-lsp.vsix
vsix: install
	npm --prefix client-vscode ci --no-audit --no-fund
	PYTHON=$(CURDIR)/$(BIN)/python npm --prefix client-vscode run package

clean:
	rm -rf $(VENV) .cache .pytest_cache client-vscode/node_modules client-vscode/dist client-vscode/*.vsix
