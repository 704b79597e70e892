"""A task that keeps the worker of tests/test_run_embedded.py busy when Ctrl-C comes."""

import time

from celery import shared_task


@shared_task(name="tests.run_embedded_tasks.sleep")
def sleep(seconds: float) -> None:
    time.sleep(seconds)
