#!/usr/bin/env bash
# Serve the embedded runtime: Django dev server, one Celery worker and beat on
# the filesystem broker under var/. Ctrl-C (or any one of them dying) stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
# A development server: the settings default to production (DEBUG off, SECRET_KEY required).
export DEBUG="${DEBUG:-1}"
BIN=.venv/bin
pids=()
cleanup() {
    trap - INT TERM EXIT
    echo "govshare: stopping…"
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$BIN/celery -A project worker --loglevel=INFO --concurrency=2 &
pids+=($!)
$BIN/celery -A project beat --loglevel=INFO &
pids+=($!)
$BIN/python manage.py runserver 127.0.0.1:8000 &
pids+=($!)
echo "govshare: http://127.0.0.1:8000/  (Ctrl-C stops the web server, worker and beat)"
wait -n
