from celery import shared_task
from django.db import OperationalError

from catalog.services import import_job_run


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def run_import_job(self, job_id: int) -> str:
    """Check and write one uploaded catalog spreadsheet (idempotent: a finished job is skipped)."""
    return import_job_run(job_id).status
