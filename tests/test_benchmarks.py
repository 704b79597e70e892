"""Every benchmark module follows benchmarks/harness.py: one `run()`, smoke sizes, its own departments."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import benchmarks
from benchmarks import harness

MODULES = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("b"))
SOURCES = {name: Path(benchmarks.__path__[0], f"{name}.py").read_text() for name in MODULES}


def test_the_benchmarks_are_found():
    assert {"b0_viewflow", "b1_share_application", "b2_inbox", "b3_records", "b4_catalog_import"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_has_a_run_and_a_smoke_size(name):
    module = importlib.import_module(f"benchmarks.{name}")
    assert callable(getattr(module, "run", None))
    # Smoke mode (CI) must be small: every size goes through harness.sized() or reads harness.SMOKE.
    assert re.search(r"\bsized\(|\bSMOKE\b", SOURCES[name]), f"{name}: take its sizes through harness.sized()"


@pytest.mark.parametrize("name", MODULES)
def test_no_benchmark_creates_departments_around_the_harness(name):
    """Department.objects.get_or_create/create with a name taken by another benchmark stopped `make bench`."""
    assert "Department.objects" not in SOURCES[name], f"{name}: use harness.department(code, name)"


def test_the_benchmarks_departments_have_their_own_codes_and_names():
    calls = []
    for name, source in SOURCES.items():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "department":
                code, dept = (arg.value if isinstance(arg, ast.Constant) else ast.unparse(arg) for arg in node.args[:2])
                calls.append((name, code, dept))
    assert len(calls) >= 6
    for field in (1, 2):
        values = [call[field] for call in calls]
        assert len(values) == len(set(values)), calls


def test_a_department_name_taken_under_another_code_is_said_plainly(db):
    harness.department("BENCH-A", "基准测试甲局")
    assert harness.department("BENCH-A", "基准测试甲局").code == "BENCH-A"  # get_or_create by code
    with pytest.raises(RuntimeError, match="the name 基准测试甲局 is already used by BENCH-A"):
        harness.department("BENCH-B", "基准测试甲局")


def test_smoke_mode_picks_the_small_sizes(monkeypatch):
    monkeypatch.setattr(harness, "SMOKE", True)
    assert harness.sized(10_000, 200) == 200
    assert harness.marked("B9 x=1") == f"B9 x=1 {harness.SMOKE_NOTE}"
    monkeypatch.setattr(harness, "SMOKE", False)
    assert harness.sized(10_000, 200) == 10_000 and harness.marked("B9 x=1") == "B9 x=1"
