"""Writes and transitions of application scenarios (应用场景授权), one module per part of the process.

common: the error, the row locks, the open tasks, the providers' clock, who is told; proposals: propose,
accept (送提供部门确认), reject; editing: a proposal changed before any provider answered; renewal: 续期 with a new 场景授权书; parts: each provider's answer and its deadline; authorization: authorize with a
场景授权书, suspend, resume, revoke, expire; sharing: the grants a scenario gives, and their end; tasks: its tasks taken, released and handed over.
"""

from requests.services.scenarios.authorization import (  # noqa: F401
    scenario_authorize,
    scenario_expire,
    scenario_resume,
    scenario_revoke,
    scenario_suspend,
    scenarios_sweep,
)
from requests.services.scenarios.common import PART_DEADLINE_KIND, ScenarioError  # noqa: F401
from requests.services.scenarios.editing import scenario_update  # noqa: F401
from requests.services.scenarios.parts import (  # noqa: F401
    escalate_scenario_part,
    remind_scenario_part,
    scenario_part_confirm,
    scenario_part_refuse,
)
from requests.services.scenarios.proposals import (  # noqa: F401
    SCENARIO_FIELDS,
    PartInput,
    scenario_accept,
    scenario_propose,
    scenario_reject,
    validate_scenario,
)
from requests.services.scenarios.renewal import scenario_renew  # noqa: F401
from requests.services.scenarios.sharing import (  # noqa: F401
    end_scenario_grants,
    grant_proactively,
    scenario_conditions,
    scenario_ground,
)
from requests.services.scenarios.tasks import (  # noqa: F401
    scenario_task_handover,
    scenario_task_release,
    scenario_task_take,
)
