"""`python -m benchmarks [--smoke] [NAME …]` (make bench): run every benchmark, one line each.

Each module `benchmarks/b*.py` exposes `run() -> str` (conventions: benchmarks/harness.py). They share
one throwaway database, on SQLite or on PostgreSQL when DATABASE_URL is set. NAME selects the modules
whose name contains it (`b2`, `notify`). `--smoke` (or BENCH_SMOKE=1) runs them at small sizes, as CI
does. Exits 1 when any benchmark raised; a missed target is only printed.
"""

import importlib
import os
import pkgutil
import sys
import traceback

import benchmarks
from benchmarks.harness import SMOKE, bench_database, marked, setup_django


def main() -> int:
    if SMOKE:
        os.environ["BENCH_SMOKE"] = "1"  # for the benchmarks' child processes
    setup_django()
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("b"))
    wanted = [arg for arg in sys.argv[1:] if arg != "--smoke"]
    selected = [name for name in names if not wanted or any(arg in name for arg in wanted)]
    failed = 0
    with bench_database():
        for name in selected:
            try:
                print(marked(importlib.import_module(f"benchmarks.{name}").run()), flush=True)
            except Exception:
                failed += 1
                print(f"{name} FAILED", flush=True)
                traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
