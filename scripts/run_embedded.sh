#!/usr/bin/env bash
# Serve the embedded runtime: Django dev server, one Celery worker and beat on the filesystem broker
# under var/. Ctrl-C (SIGINT, or SIGTERM or SIGHUP, to this script or its process group), or any one of
# the three dying, stops all three within GOVSHARE_STOP_SECONDS (8; make's Ctrl-C waits for it).
#
# Each runs in a session and process group of its own (setsid), with its own children (the dev
# server's autoreloaded child, the worker's pool), so the terminal's Ctrl-C reaches this script alone
# and this script decides: the web server and beat get SIGTERM; the worker SIGQUIT, a cold shutdown
# that gives running tasks CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT seconds, then hands them back to the
# queue (a warm shutdown would first work off whatever it had taken, for as long as that lasts).
# Whatever group is still alive when the time is up gets SIGKILL (what a killed task had taken is
# still pending in the database, and beat queues it again).
set -uo pipefail
cd "$(dirname "$0")/.."
# A development server: the settings default to production (DEBUG off, SECRET_KEY required).
export DEBUG="${DEBUG:-1}"
BIN=.venv/bin
ADDR="${GOVSHARE_ADDR:-127.0.0.1:8000}"
STOP_SECONDS="${GOVSHARE_STOP_SECONDS:-8}"
groups=() # the process group of each of the three, named in names
names=()

start() {
    local name=$1
    shift
    setsid "$@" &
    groups+=($!)
    names+=("$name")
}

alive() {
    local group
    for group in "${groups[@]}"; do
        kill -0 -- "-$group" 2>/dev/null && return 0
    done
    return 1
}

stop() {
    trap '' INT TERM HUP # a second Ctrl-C changes nothing: the stop below is bounded already
    trap - EXIT
    echo "govshare: stopping the web server, worker and beat (at most ${STOP_SECONDS} s)…"
    local group
    for group in "${groups[@]}"; do
        if [ "$group" = "${worker:-}" ]; then kill -QUIT "$group"; else kill -TERM -- "-$group"; fi
    done 2>/dev/null
    local tenths=$((STOP_SECONDS * 10))
    while alive && [ "$tenths" -gt 0 ]; do
        sleep 0.1
        tenths=$((tenths - 1))
    done
    local i
    for i in "${!groups[@]}"; do
        kill -KILL -- "-${groups[i]}" 2>/dev/null && echo "govshare: the ${names[i]} did not stop within ${STOP_SECONDS} s: killed."
    done
    wait 2>/dev/null
    echo "govshare: stopped."
    exit "$1"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop 129' HUP
trap 'stop 1' EXIT

start worker $BIN/celery -A project worker --loglevel=INFO --concurrency=2
worker=$!
start beat $BIN/celery -A project beat --loglevel=INFO
start "web server" $BIN/python manage.py runserver "$ADDR"
echo "govshare: http://$ADDR/  (Ctrl-C stops the web server, worker and beat)"
# Until a signal (its trap runs) or until one of the three exits (then the others are stopped too).
wait -n
stop 1
