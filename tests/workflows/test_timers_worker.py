import datetime as dt

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from project.celery import app
from tests.celery_worker import celery_worker, wait_for
from tests.conftest import REDIS_URL
from tests.probe.flows import TimerProbeFlow
from workflows.tasks import fire_workflow_timers


@pytest.fixture
def due_timer(transactional_db):
    process = TimerProbeFlow.start.run()
    timer = process.task_set.get(flow_task=TimerProbeFlow.wait)
    assert timer.status == STATUS.SCHEDULED
    Task.objects.filter(pk=timer.pk).update(scheduled=timezone.now() - dt.timedelta(seconds=1))
    return process


def test_the_beat_task_fires_due_timers_once(due_timer):
    assert fire_workflow_timers() == {"timers": 1, "starts": 0, "conditions": 0}
    assert fire_workflow_timers()["timers"] == 0
    due_timer.refresh_from_db()
    assert due_timer.status == PROCESS.DONE


def test_the_beat_schedule_fires_timers_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["workflow-timers"]
    assert entry["task"] == fire_workflow_timers.name
    assert entry["schedule"].minute == set(range(60))


@pytest.mark.integration
def test_a_real_worker_on_redis_fires_the_due_timer(due_timer):
    with celery_worker() as queue, app.connection_for_write(REDIS_URL) as connection:
        fire_workflow_timers.apply_async(queue=queue, connection=connection)

        def finished():
            due_timer.refresh_from_db()
            return due_timer.status == PROCESS.DONE

        fired = wait_for(finished)
    assert fired, celery_worker.last_output[-3000:]
    assert Task.objects.get(process=due_timer, flow_task=TimerProbeFlow.wait).status == STATUS.DONE
