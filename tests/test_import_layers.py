"""Imports between our apps run one way: an app uses only the apps below it in LAYERS.

Every .py file of every app is parsed (migrations, management commands and template tags included) and
everything that makes one app depend on another counts:

- import statements at any depth: a lazy import inside a function is a dependency all the same;
- `apps.get_model("app_label", ...)` / `get_model("app_label.Model")` and `get_app_config("app_label")`;
- string references: "app_label.Model" (a ForeignKey's target), a permission passed to `has_perm` or a flow's
  `.Permission(...)`, a migration dependency ("app_label", "0001_initial"), and a dotted path naming a module
  of another app ("notifications.tasks.send_email", "requests.permissions.Backend").

Docstrings and other bare string statements are prose and do not count; codes that merely look dotted (audit
actions such as "catalog.resource_created", deadline action keys such as "share_requests.escalate_overdue")
name no module and do not count either. `project` (settings, urls, Celery) sits on top and may use every app;
its settings' dotted strings are therefore never upward.

A lower app that needs behaviour of a higher one offers a registry or hook the higher app fills in its
AppConfig.ready (workflows.deadlines.action, workflows.labels.register, workflows.selectors.register_task_source,
notifications.events.register, organizations.permissions.register_role_permissions).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app may import the apps before it, never one after it. Apps not yet written are listed
# where they go, so that they are checked from their first file.
LAYERS = [
    "organizations",  # departments, users, roles, substitutes, role→permission registry
    "workflows",  # the engine: audit chain, working days, deadlines, viewflow nodes, inbox, home page
    "notifications",  # in-app and email outbox; the deadline engine's notices
    "pdf_templates",  # records: numbering, rendering, seal, trail
    "catalog",  # the data resource catalogue
    "requests",  # share applications and grants (label share_requests)
    "systems_inventory",
    "project_approvals",
    "project",  # settings, urls, the Celery app
    "benchmarks",  # `make bench`: reads the project's settings
]

# Upward dependencies that are known and being removed: (lower app, higher app). The test fails on any other,
# and on an entry here that is no longer violated, so this set can only shrink. Empty it when they are gone.
KNOWN_UPWARD: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Reference:
    source: str  # the app whose file refers
    target: str  # the app referred to
    path: str  # relative to the repository
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} → {self.target} ({self.what})"


def app_modules() -> list[str]:
    """Our apps on disk: every top-level package with an apps.py, and the project package."""
    found = {path.parent.name for path in ROOT.glob("*/apps.py")}
    if (ROOT / "project" / "settings.py").exists():
        found.add("project")
    return sorted(found)


def app_labels(modules: list[str]) -> dict[str, str]:
    """Label → module, e.g. "share_requests" → "requests" (an AppConfig's `label = ...`), and module → module."""
    labels = {module: module for module in modules}
    for module in modules:
        apps_py = ROOT / module / "apps.py"
        if not apps_py.exists():
            continue
        for node in ast.walk(ast.parse(apps_py.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "label" for t in node.targets)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                labels[node.value.value] = module
    return labels


_MODEL_REF = re.compile(r"(?P<label>[a-z_][a-z0-9_]*)\.(?P<model>[A-Z][A-Za-z0-9]*)")
_DOTTED = re.compile(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_MIGRATION_NAME = re.compile(r"\d{4}_\w+|__first__|__latest__")
_PERMISSION_CALLS = {"has_perm", "has_perms", "Permission", "permission_required"}
_MODEL_CALLS = {"get_model", "get_app_config", "get_registered_model"}


def _names_a_module(dotted: str) -> bool:
    """Whether a prefix of at least two parts of `dotted` is a module or package in the repository."""
    parts = dotted.split(".")
    for end in range(len(parts), 1, -1):
        base = ROOT.joinpath(*parts[:end])
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return True
    return False


def _prose(tree: ast.AST) -> set[int]:
    """ids of string constants that are statements of their own: docstrings and commented-out prose."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def references(source: str, *, path: str, module: str, labels: dict[str, str]) -> Iterator[Reference]:
    """Every reference from `source` (a file of app `module`) to another of our apps."""
    tree = ast.parse(source, filename=path)
    prose = _prose(tree)

    def ref(target: str | None, node: ast.AST, what: str) -> Iterator[Reference]:
        if target is not None and target != module:
            yield Reference(module, target, path, getattr(node, "lineno", 0), what)

    def by_label(text: str) -> str | None:
        return labels.get(text.split(".")[0])

    def by_module(dotted: str) -> str | None:
        top = dotted.split(".")[0]
        return top if labels.get(top) == top else None  # a package name, not merely a label

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from ref(by_module(alias.name), node, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield from ref(by_module(node.module), node, f"from {node.module} import …")
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if name in _MODEL_CALLS:
                yield from ref(by_label(first.value), node, f'{name}("{first.value}")')
            elif name in _PERMISSION_CALLS:
                yield from ref(by_label(first.value), node, f'{name}("{first.value}")')
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            label, migration = node.elts
            if (
                isinstance(label, ast.Constant)
                and isinstance(label.value, str)
                and isinstance(migration, ast.Constant)
                and isinstance(migration.value, str)
                and _MIGRATION_NAME.fullmatch(migration.value)
            ):
                yield from ref(labels.get(label.value), node, f"migration dependency {label.value}.{migration.value}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            text = node.value
            if match := _MODEL_REF.fullmatch(text):
                yield from ref(labels.get(match["label"]), node, f'model "{text}"')
            elif _DOTTED.fullmatch(text) and by_module(text) and _names_a_module(text):
                yield from ref(by_module(text), node, f'dotted path "{text}"')


def all_references() -> list[Reference]:
    modules = app_modules()
    labels = app_labels(modules)
    found = []
    for module in modules:
        for path in sorted((ROOT / module).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            found.extend(references(path.read_text(encoding="utf-8"), path=relative, module=module, labels=labels))
    return found


def rank(app: str) -> int:
    return LAYERS.index(app)


@pytest.fixture(scope="module")
def refs() -> list[Reference]:
    return all_references()


def test_every_app_has_a_layer():
    unplaced = [module for module in app_modules() if module not in LAYERS]
    assert not unplaced, f"apps without a place in LAYERS (tests/test_import_layers.py): {unplaced}"


def test_no_app_refers_to_an_app_above_it(refs):
    upward = [r for r in refs if rank(r.source) < rank(r.target) and (r.source, r.target) not in KNOWN_UPWARD]
    assert not upward, "upward references (lower app → higher app, see LAYERS):\n" + "\n".join(map(str, upward))


def test_known_upward_references_are_still_there(refs):
    present = {(r.source, r.target) for r in refs if rank(r.source) < rank(r.target)}
    gone = KNOWN_UPWARD - present
    assert not gone, f"no longer violated, remove from KNOWN_UPWARD: {sorted(gone)}"


def test_the_apps_form_no_cycle(refs):
    """Apart from the known upward edges, the dependency graph has no cycle (lazy imports included)."""
    edges: dict[str, dict[str, Reference]] = {}
    for r in refs:
        if (r.source, r.target) not in KNOWN_UPWARD:
            edges.setdefault(r.source, {}).setdefault(r.target, r)
    cycle = _find_cycle(edges)
    assert cycle is None, "import cycle:\n" + "\n".join(str(edges[a][b]) for a, b in pairwise(cycle))


def _find_cycle(edges: dict[str, dict[str, Reference]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, {})):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


# The scanner itself, on sources written for the purpose.
LABELS = {
    "organizations": "organizations",
    "workflows": "workflows",
    "requests": "requests",
    "share_requests": "requests",
}


def _scan(source: str, module: str = "workflows") -> list[tuple[str, int]]:
    return sorted((r.target, r.line) for r in references(source, path="x.py", module=module, labels=LABELS))


def test_the_scanner_finds_lazy_imports_and_string_references():
    source = '''"""A docstring naming requests.permissions is prose."""
import organizations.models
from requests import permissions


def later(apps):
    from requests.models import Grant
    Grant = apps.get_model("share_requests", "Grant")
    user.has_perm("share_requests.can_review_application")
    ForeignKey("share_requests.Grant")
    backend = "requests.permissions"
    dependencies = [("share_requests", "0001_initial")]
    """Prose again: requests.permissions."""
    code = "share_requests.escalate_overdue"  # a key, no module: not a reference
    action = "requests.task_taken"  # no such module: not a reference
'''
    assert _scan(source) == [
        ("organizations", 2),
        ("requests", 3),
        ("requests", 7),
        ("requests", 8),
        ("requests", 9),
        ("requests", 10),
        ("requests", 11),
        ("requests", 12),
    ]


def test_a_known_upward_reference_and_a_cycle_are_named_with_file_and_line():
    upward = Reference("workflows", "requests", "workflows/x.py", 7, "from requests.models import …")
    assert str(upward) == "workflows/x.py:7: workflows → requests (from requests.models import …)"
    back = Reference("requests", "workflows", "requests/y.py", 3, "import workflows")
    cycle = _find_cycle({"workflows": {"requests": upward}, "requests": {"workflows": back}})
    assert cycle == ["requests", "workflows", "requests"]
    assert _find_cycle({"requests": {"workflows": back}}) is None
