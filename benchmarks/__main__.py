"""`python -m benchmarks` (make bench): run every benchmark, one line each.

Each module `benchmarks/b*.py` exposes `run() -> str`. They share one
throwaway database, on SQLite or on PostgreSQL when DATABASE_URL is set.
"""

import importlib
import pkgutil
import sys
import traceback

import benchmarks
from benchmarks.harness import bench_database, setup_django


def main() -> int:
    setup_django()
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("b"))
    selected = [name for name in names if not sys.argv[1:] or any(arg in name for arg in sys.argv[1:])]
    failed = 0
    with bench_database():
        for name in selected:
            try:
                print(importlib.import_module(f"benchmarks.{name}").run(), flush=True)
            except Exception:
                failed += 1
                print(f"{name} FAILED", flush=True)
                traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
