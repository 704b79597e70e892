"""viewflow nodes with govshare's rules added. Flows use these instead of flow.View."""

from viewflow.workflow import flow

from organizations.selectors import acting_user_ids


class View(flow.View):
    """A human task that a substitute may execute while the owner is absent."""

    def can_execute(self, user, task) -> bool:
        if super().can_execute(user, task):
            return True
        return task.owner_id is not None and user.is_authenticated and task.owner_id in acting_user_ids(user)
