# Two commands: `make run` opens the demo hub, `make test` runs the suite.
# Both create .venv with the Python on PATH (3.11 or newer) and install the project into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE ?= config/demo.toml
# pip's warnings off (-qq), its errors still shown: `make test` prints the results, not install chatter.
PIP_QUIET := --quiet --quiet

.PHONY: run test install clean-demo crosscheck fuzz

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_QUIET) --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install $(PIP_QUIET) -e '.[test]' --config-settings editable_mode=compat
	touch $@

install: $(VENV)/.installed

# Byte-compiled once, so each start reuses it (even where PYTHONDONTWRITEBYTECODE is set).
run: install
	@$(BIN)/python -m compileall -q hub plugins > /dev/null
	$(BIN)/hub --site $(SITE)

test: install
	@$(BIN)/python -m pytest -q
	@# The signposting tutorial's example plugin, installed as a third party would, with its own tests.
	@$(BIN)/python -m pip install $(PIP_QUIET) --no-deps -e examples/hub-signposting-example --config-settings editable_mode=compat
	@cd examples/hub-signposting-example && ../../$(BIN)/python -m pytest -q

# 10,000 hypothesis examples per form, the search box and the CLI (make test runs a few hundred); by hand.
fuzz: install
	HUB_FUZZ=1 $(BIN)/python -m pytest -q tests/security/test_fuzz.py

# Forget the demo site's data, so the next `make run` seeds it afresh.
clean-demo:
	rm -rf var/demo

# Compare the better-off engine with PolicyEngine UK 2.162.10 in its own throwaway venv
# (AGPL, ~660 MB: never a runtime dependency, not part of `make test`).
CROSSCHECK_VENV ?= .crosscheck-venv
crosscheck:
	CROSSCHECK_VENV=$(CROSSCHECK_VENV) bash crosscheck/setup.sh
	CROSSCHECK_VENV=$(CROSSCHECK_VENV) $(CROSSCHECK_VENV)/bin/python crosscheck/run.py --report crosscheck/report.md
