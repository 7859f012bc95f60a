#!/usr/bin/env bash
# Make the throwaway venv for the PolicyEngine UK crosscheck (AGPL, about 660 MB):
# never a dependency of the app, only of `make crosscheck`. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${CROSSCHECK_VENV:-.crosscheck-venv}"
PE_VERSION="2.162.10"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('policyengine-uk') != '$PE_VERSION')" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "policyengine-uk==$PE_VERSION"
fi
"$VENV/bin/python" -c "import importlib.metadata as m; print('policyengine-uk', m.version('policyengine-uk'), 'in $VENV')"
