"""The xdist scheduler of `make test` (tests/xdist_scheduling.py), on a made-up collection."""

from types import SimpleNamespace

from tests.xdist_scheduling import ModuleRunScheduling, module_runs

# In pytest-django's order: database tests, then transactional ones, then the rest.
COLLECTION = [
    "tests/a.py::test_db_1",
    "tests/a.py::test_db_2",
    "tests/b.py::test_db",
    "tests/a.py::test_transactional",
    "tests/c.py::test_transactional_1",
    "tests/c.py::test_transactional_2",
    "tests/d.py::test_no_db",
]


class FakeNode:
    def __init__(self, name):
        self.gateway, self.sent, self.shutting_down = SimpleNamespace(id=name), [], False

    def send_runtest_some(self, indices):
        self.sent.extend(indices)

    def shutdown(self):
        self.shutting_down = True


def _scheduler():
    config = SimpleNamespace(
        getvalue=lambda name: {"tx": ["2*popen"]}[name], option=SimpleNamespace(loadscopereorder=True)
    )
    scheduler = ModuleRunScheduling(config)
    nodes = [FakeNode("gw0"), FakeNode("gw1")]
    for node in nodes:
        scheduler.add_node(node)
    for node in nodes:
        scheduler.add_node_collection(node, COLLECTION)
    scheduler.schedule()
    return scheduler, nodes


def test_a_unit_is_a_run_of_one_modules_tests_in_order():
    assert list(module_runs(COLLECTION).values()) == [
        "tests/a.py#1",
        "tests/a.py#1",
        "tests/b.py#2",
        "tests/a.py#3",
        "tests/c.py#4",
        "tests/c.py#4",
        "tests/d.py#5",
    ]


def test_every_worker_runs_its_tests_in_the_serial_order_and_a_module_run_on_one_worker():
    scheduler, nodes = _scheduler()
    done: set[int] = set()
    while not scheduler.tests_finished:  # the workers finish what they were sent, one test at a time
        node, index = next((node, index) for node in nodes for index in node.sent if index not in done)
        done.add(index)
        scheduler.mark_test_complete(node, index)
    sent = [node.sent for node in nodes]
    assert sorted(index for indices in sent for index in indices) == list(range(len(COLLECTION)))
    assert all(indices == sorted(indices) for indices in sent)  # transactional tests after the others
    assert any({0, 1} <= set(indices) for indices in sent)  # a.py's database tests together
    assert any({4, 5} <= set(indices) for indices in sent)  # c.py's transactional tests together
