"""Settings for the stack tests/test_run_embedded.py starts: the project's, plus a task that sleeps."""

from project.settings import *  # noqa: F403

CELERY_IMPORTS = ["tests.run_embedded_tasks"]
