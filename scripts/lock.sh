#!/usr/bin/env bash
# Compile the requirement ranges into lock files with hashes (pip-tools):
#   requirements.txt      -> requirements.lock      (runtime: what production installs)
#   requirements-dev.txt  -> requirements-dev.lock  (runtime + tests and lint: what `make install` installs)
# Pins already in a lock file are kept; pass --upgrade (or --upgrade-package NAME) to move them.
# Extra arguments go to both pip-compile runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
[ -x "$BIN/pip-compile" ] || "$BIN/pip" install -q "pip-tools>=7.4,<8"
common=(--quiet --generate-hashes --allow-unsafe --strip-extras --no-header --no-emit-index-url
        --no-emit-find-links --no-emit-trusted-host "$@")
"$BIN/pip-compile" "${common[@]}" -o requirements.lock requirements.txt
# The dev lock pins the runtime exactly as requirements.lock does.
"$BIN/pip-compile" "${common[@]}" --constraint requirements.lock -o requirements-dev.lock requirements-dev.txt
# A local constraint passed with "$@" is no part of the lock.
sed -i -E '/^    #   -c \/(tmp|etc)\//d' requirements.lock requirements-dev.lock
! grep -iE '^requests==' requirements.lock requirements-dev.lock || {
    echo "lock: PyPI requests is pinned; nothing may depend on it (tests/test_no_requests_dependency.py)" >&2
    exit 1
}
