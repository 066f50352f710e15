# Sourced by scripts/serve and scripts/test: make .venv and install the project into it.
# EXTRAS selects optional dependencies ("test" for the test suite). Re-installs only when
# pyproject.toml changes.
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "ReplyWatch needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${EXTRAS:-base}"
if [ ! -f "$stamp" ]; then
    echo "installing ReplyWatch${EXTRAS:+ with [$EXTRAS]} into .venv ..." >&2
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
