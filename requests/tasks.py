from celery import shared_task
from django.db import OperationalError

# Beat's sweeps: a database hiccup retries the whole sweep, which is harmless to run twice.
SWEEP = {"ignore_result": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="requests.tasks.sweep_grants", **SWEEP)
def sweep_grants() -> dict[str, int]:
    """Beat, hourly: the 30- and 7-day expiry notices, then expiry of grants past valid_to.

    Each notice and each expiry is stamped under the grant's row lock, so a second run
    (or a retry, or two beats by mistake) sends and expires nothing twice.
    """
    from requests.services.grants import grants_sweep

    return grants_sweep()


@shared_task(name="requests.tasks.refuse_for_withdrawn_resources", **SWEEP)
def refuse_for_withdrawn_resources() -> int:
    """After a catalog withdrawal commits, and hourly: its open applications get a reasoned refusal.

    Harmless to run twice: each application is refused under its row lock, once.
    """
    from requests.services import refuse_for_withdrawn_resources as refuse

    return refuse()


@shared_task(name="requests.tasks.flush_grant_check_stats", **SWEEP)
def flush_grant_check_stats() -> int:
    """Beat, every minute: the grant check's call counters (in the cache) into GrantCheckStat, tokens' last use.

    Writes the day's totals, not increments: a second run (or a retry) changes nothing.
    """
    from requests.services.grant_check import flush_grant_check_stats as flush

    return flush()


@shared_task(name="requests.tasks.expire_scenarios", **SWEEP)
def expire_scenarios() -> int:
    """Beat, hourly: scenarios past their validity expire (their grants expire by their own valid_to).

    Each under its row lock, so a second run expires nothing twice.
    """
    from requests.services.scenarios import scenarios_sweep

    return scenarios_sweep()
