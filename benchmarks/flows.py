"""The reference process every later ratio is measured against (B0)."""

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import UpdateProcessView


class BareFlow(flow.Flow):
    """Start → one human View → End, nothing else."""

    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle().Next(this.approve)
    approve = flow.View(UpdateProcessView.as_view(fields=[])).Next(this.end)
    end = flow.End()
