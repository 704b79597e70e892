"""Settings of the gunicorn that B6 and B10 load (benchmarks.server): the benchmarks', plus the trivial view's URL."""

from benchmarks.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
