from celery import shared_task
from viewflow.workflow.timers import fire_due_conditions, fire_due_start_timers, fire_due_timers


@shared_task(name="workflows.tasks.fire_workflow_timers", ignore_result=False)
def fire_workflow_timers() -> dict[str, int]:
    """Beat runs this every minute: what `manage.py workflow_timers` does.

    Each timer is re-checked under its process lock, so a second run, or two
    beats by mistake, fire nothing twice.
    """
    return {
        "timers": fire_due_timers(),
        "starts": fire_due_start_timers(),
        "conditions": fire_due_conditions(),
    }


@shared_task(name="workflows.tasks.evaluate_deadlines", ignore_result=True)
def evaluate_deadlines() -> dict[str, int]:
    """Beat, every five minutes: each reminder once, each expiry action once (workflows.deadlines)."""
    from workflows import deadlines

    return deadlines.evaluate()
