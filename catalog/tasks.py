from celery import shared_task
from django.db import OperationalError

from catalog.services import import_job_run, import_jobs_fail_stale


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def run_import_job(self, job_id: int) -> str:
    """Check and write one uploaded catalog spreadsheet (idempotent: a finished job is skipped)."""
    return import_job_run(job_id).status


@shared_task
def fail_stale_import_jobs() -> int:
    """Mark failed, with their message, the running import jobs whose process died (no heartbeat)."""
    return import_jobs_fail_stale()
