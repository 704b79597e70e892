"""How `make test` shares the suite among pytest-xdist workers (`-n auto --dist loadscope`).

Each worker has its own database (pytest-django) and its own var/ (tests/settings.py). Two
rules of a serial run must still hold on every worker:

- pytest-django runs the transactional tests after the others, because a transactional test
  empties every table when it ends, the rows the migrations wrote too (the roles' groups, the
  refusal reasons): a test after it that reads them would find nothing.
- A module's tests run one after another, so that a module-scoped fixture (the demo) is set up
  once, and the integration tests of one module, which share a Redis database, never overlap.

xdist's loadscope keeps a module together but puts its transactional tests with its others, and
reorders the modules by size. This scheduler makes a work unit of each run of consecutive tests
of one module in pytest-django's order and hands the units out in that order: on every worker
the tests then run in the serial order, transactional ones last. It relies on LoadScopeScheduling's
`_split_scope` (tests/test_xdist_scheduling.py checks it).
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadScopeScheduling


class ModuleRunScheduling(LoadScopeScheduling):
    def __init__(self, config: pytest.Config, log=None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False  # hand the units out in the order of their first test
        self._units: dict[str, str] = {}

    def schedule(self) -> None:
        if self.collection is None and self.registered_collections:
            self._units = module_runs(next(iter(self.registered_collections.values())))
        super().schedule()

    def _split_scope(self, nodeid: str) -> str:
        return self._units.get(nodeid) or super()._split_scope(nodeid)


def module_runs(nodeids: list[str]) -> dict[str, str]:
    """Each test's work unit: its module and the number of the run of that module it belongs to."""
    units: dict[str, str] = {}
    previous, run = None, 0
    for nodeid in nodeids:
        module = nodeid.split("::", 1)[0]
        if module != previous:
            previous, run = module, run + 1
        units[nodeid] = f"{module}#{run}"
    return units
