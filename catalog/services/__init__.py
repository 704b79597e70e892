"""Writes and transitions of the catalog (one function per transition, DEVELOPERS.md).

One module per part of the catalog; callers import from here (`from catalog import services`):

- resources: the lifecycle of an entry (draft, submit, register or return, mount, amend, withdraw);
- demands: the demand list (需求清单);
- negative_list: the negative list (负面清单);
- imports: spreadsheet import jobs and the all-or-nothing write of a checked file;
- sources: 一数一源, the authoritative sources, their equivalent names, and resources registered as copies;
- base: the error every service raises and the notices they send.
"""

from catalog.services.base import MSG_BUREAU_ONLY, MSG_NOT_YOUR_DEPARTMENT, CatalogError
from catalog.services.demands import (
    MSG_DEMAND_INCOMPLETE,
    MSG_DEMAND_NEEDS_PUBLISHED,
    MSG_DEMAND_WRONG_STATE,
    demand_create,
    demand_link,
)
from catalog.services.imports import (
    MSG_IMPORT_NOT_ALLOWED,
    import_job_create,
    import_job_fail_if_stale,
    import_job_run,
    import_job_start,
    import_jobs_fail_stale,
    import_workbook,
)
from catalog.services.negative_list import (
    MSG_NEGATIVE_ITEM_OTHER_RESOURCE,
    MSG_NEGATIVE_NEEDS_ARTICLE,
    MSG_NEGATIVE_NEEDS_REASON,
    negative_entry_create,
    negative_entry_deactivate,
)
from catalog.services.resources import (
    ITEM_FIELDS,
    ITEM_IDENTITY,
    MSG_MOUNT_COUNT,
    MSG_NO_CHANGES,
    MSG_NOT_EDITABLE,
    MSG_RESOURCE_INVALID,
    MSG_RETURN_NEEDS_COMMENT,
    MSG_WITHDRAW_NEEDS_REASON,
    MSG_WRONG_STATE,
    RESOURCE_FIELDS,
    resource_create,
    resource_mount,
    resource_register,
    resource_return,
    resource_submit,
    resource_update,
    resource_withdraw,
    snapshot,
)
from catalog.services.sources import (
    MSG_NO_DUPLICATES,
    MSG_SOURCE_DATUM_REQUIRED,
    MSG_SOURCE_ITEM_UNPUBLISHED,
    MSG_SOURCE_NAME_TAKEN,
    resource_register_as_copy,
    source_deactivate,
    source_designate,
    source_set_aliases,
)

__all__ = [
    "ITEM_FIELDS",
    "ITEM_IDENTITY",
    "MSG_BUREAU_ONLY",
    "MSG_DEMAND_INCOMPLETE",
    "MSG_DEMAND_NEEDS_PUBLISHED",
    "MSG_DEMAND_WRONG_STATE",
    "MSG_IMPORT_NOT_ALLOWED",
    "MSG_MOUNT_COUNT",
    "MSG_NEGATIVE_ITEM_OTHER_RESOURCE",
    "MSG_NEGATIVE_NEEDS_ARTICLE",
    "MSG_NEGATIVE_NEEDS_REASON",
    "MSG_NO_DUPLICATES",
    "MSG_SOURCE_DATUM_REQUIRED",
    "MSG_SOURCE_ITEM_UNPUBLISHED",
    "MSG_SOURCE_NAME_TAKEN",
    "MSG_NOT_EDITABLE",
    "MSG_NOT_YOUR_DEPARTMENT",
    "MSG_NO_CHANGES",
    "MSG_RESOURCE_INVALID",
    "MSG_RETURN_NEEDS_COMMENT",
    "MSG_WITHDRAW_NEEDS_REASON",
    "MSG_WRONG_STATE",
    "RESOURCE_FIELDS",
    "CatalogError",
    "demand_create",
    "demand_link",
    "import_job_create",
    "import_job_fail_if_stale",
    "import_job_run",
    "import_job_start",
    "import_jobs_fail_stale",
    "import_workbook",
    "negative_entry_create",
    "negative_entry_deactivate",
    "resource_create",
    "resource_mount",
    "resource_register",
    "resource_register_as_copy",
    "resource_return",
    "resource_submit",
    "resource_update",
    "resource_withdraw",
    "snapshot",
    "source_deactivate",
    "source_designate",
    "source_set_aliases",
]
