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
AppConfig.ready (workflows.deadlines.action, workflows.labels.register, workflows.home.register,
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
    "dashboard",  # statistics, rankings and the 情况通报: reads every app above
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


def _by_label(text: str, labels: dict[str, str]) -> str | None:
    """The app a label-first string ("share_requests.Application", "catalog.view_dataresource") names."""
    return labels.get(text.split(".")[0])


def _by_module(dotted: str, labels: dict[str, str]) -> str | None:
    """The app a dotted module path starts with: a package name, not merely a label."""
    top = dotted.split(".")[0]
    return top if labels.get(top) == top else None


def _str_constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


Target = tuple[str | None, str]  # (app referred to, what refers to it)


def _import_targets(node: ast.Import | ast.ImportFrom, labels: dict[str, str]) -> Iterator[Target]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield _by_module(alias.name, labels), f"import {alias.name}"
    elif node.level == 0 and node.module:
        yield _by_module(node.module, labels), f"from {node.module} import …"


def _call_targets(node: ast.Call, labels: dict[str, str]) -> Iterator[Target]:
    """get_model("app_label", …), get_app_config("app_label"), has_perm("app_label.codename") and the like."""
    name = _call_name(node)
    first = _str_constant(node.args[0] if node.args else None)
    if first is not None and name in _MODEL_CALLS | _PERMISSION_CALLS:
        yield _by_label(first, labels), f'{name}("{first}")'


def _migration_targets(node: ast.Tuple, labels: dict[str, str]) -> Iterator[Target]:
    """A migration dependency: ("app_label", "0001_initial")."""
    if len(node.elts) != 2:
        return
    label, migration = (_str_constant(element) for element in node.elts)
    if label is not None and migration is not None and _MIGRATION_NAME.fullmatch(migration):
        yield labels.get(label), f"migration dependency {label}.{migration}"


def _string_targets(text: str, labels: dict[str, str]) -> Iterator[Target]:
    """A string naming a model ("app_label.Model") or a module of an app ("notifications.tasks.send_email")."""
    if match := _MODEL_REF.fullmatch(text):
        yield labels.get(match["label"]), f'model "{text}"'
    elif _DOTTED.fullmatch(text) and _by_module(text, labels) and _names_a_module(text):
        yield _by_module(text, labels), f'dotted path "{text}"'


def _targets(node: ast.AST, labels: dict[str, str], prose: set[int]) -> Iterator[Target]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield from _import_targets(node, labels)
    elif isinstance(node, ast.Call):
        yield from _call_targets(node, labels)
    elif isinstance(node, ast.Tuple):
        yield from _migration_targets(node, labels)
    elif (text := _str_constant(node)) is not None and id(node) not in prose:
        yield from _string_targets(text, labels)


def references(source: str, *, path: str, module: str, labels: dict[str, str]) -> Iterator[Reference]:
    """Every reference from `source` (a file of app `module`) to another of our apps."""
    tree = ast.parse(source, filename=path)
    prose = _prose(tree)
    for node in ast.walk(tree):
        for target, what in _targets(node, labels, prose):
            if target is not None and target != module:
                yield Reference(module, target, path, getattr(node, "lineno", 0), what)


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
