from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="systems_inventory.tasks.nightly_zombie_scan",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def nightly_zombie_scan() -> int:
    """Beat, nightly: the zombie rules over every system in use (systems_inventory.services.scan). A retry runs a
    whole new scan; one that failed wrote nothing. The number of candidates."""
    from systems_inventory.services import zombie_scan

    return zombie_scan().candidates
