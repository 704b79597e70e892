"""B0: the cost of one bare viewflow Start→View→End process, through viewflow's API.

Later process benchmarks (B1) divide by this figure, measured in the same run.
"""

from __future__ import annotations

from benchmarks.harness import bench_database, median_ms, setup_django, sized

ROUNDS, PER_ROUND = sized((7, 50), (2, 5))


def run_bare_process(user) -> None:
    from django.db import transaction

    from benchmarks.flows import BareFlow

    with transaction.atomic():
        process = BareFlow.start.run()
    task = process.task_set.get(flow_task=BareFlow.approve)
    with transaction.atomic(), task.activation() as activation:
        activation.assign(user)
        activation.start(None)
        activation.execute()


def measure_bare_process(user) -> tuple[float, float]:
    """(median seconds per process, queries per process)."""
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run_bare_process(user)  # warm caches and imports
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(PER_ROUND):
            run_bare_process(user)
        samples.append((time.perf_counter() - started) / PER_ROUND)
    with CaptureQueriesContext(connection) as queries:
        run_bare_process(user)
    return sorted(samples)[len(samples) // 2], len(queries)


def run() -> str:
    from django.db import connection

    from organizations.models import User

    user = User.objects.get_or_create(username="bench-b0")[0]
    seconds, queries = measure_bare_process(user)
    return f"B0 bare viewflow process db={connection.vendor} median_ms={median_ms([seconds])} queries={queries}"


if __name__ == "__main__":
    setup_django()
    with bench_database():
        print(run())
