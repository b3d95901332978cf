# Shared by bin/demo and bin/test: create .venv with Python 3.11 and install a requirements file.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "Backoffice needs Python 3.11 (found: $("$PYTHON" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
# Machine-wide pip config may name local mirrors that do not exist; those warnings are noise.
quiet_pip() { .venv/bin/python -m pip "$@" 2> >(grep -v "is ignored: it is neither" >&2); }
quiet_pip install --quiet --disable-pip-version-check --upgrade pip
quiet_pip install --quiet --disable-pip-version-check -r "$1"
