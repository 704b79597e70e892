"""Our app package `requests/` shadows the PyPI HTTP library `requests`.

Any runtime dependency that declares or imports that library would get our
app instead and break at runtime, so these tests name the offender.
"""

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _top_level_requirements() -> list[Requirement]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in (re.sub(r"#.*", "", line).strip() for line in lines) if line]


def _runtime_closure() -> dict[str, list[str]]:
    """Every installed distribution the runtime needs, with the chain that pulled it in."""
    seen: dict[str, list[str]] = {}
    queue = [(requirement, []) for requirement in _top_level_requirements()]
    while queue:
        requirement, chain = queue.pop()
        name = metadata.distribution(requirement.name).metadata["Name"].lower()
        if name in seen:
            continue
        seen[name] = [*chain, name]
        for spec in metadata.requires(name) or []:
            child = Requirement(spec)
            extras = requirement.extras or {""}
            if child.marker is None or any(child.marker.evaluate({"extra": extra}) for extra in extras):
                queue.append((child, seen[name]))
    return seen


def test_it_finds_the_runtime_closure():
    closure = _runtime_closure()
    assert {"django", "django-viewflow", "celery", "weasyprint", "kombu"} <= set(closure)


def test_no_runtime_dependency_declares_requests():
    offenders = {name: chain for name, chain in _runtime_closure().items() if name == "requests"}
    assert offenders == {}, f"these dependency chains pull in PyPI requests: {offenders}"


PROBE = r"""
import builtins, importlib, json, pkgutil, sys
from pathlib import Path

ROOT = Path.cwd().resolve()
attempts = []


# Record every import statement naming `requests` and the module running it.
# Django and Celery load our app with importlib.import_module, which does not
# pass through __import__: that is no use of the HTTP library.
original_import = builtins.__import__


def watching_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and (name == "requests" or name.startswith("requests.")):
        globals = globals or {}
        attempts.append([name, globals.get("__name__", "?"), globals.get("__file__") or "?"])
    return original_import(name, globals, locals, fromlist, level)


builtins.__import__ = watching_import
import django

django.setup()
import project.urls  # noqa: the whole site, with every app's views
from project.celery import app

app.loader.import_default_modules()
for config in django.apps.apps.get_app_configs():
    if Path(config.path).resolve().is_relative_to(ROOT) and "site-packages" not in config.path:
        for module in pkgutil.walk_packages([config.path], config.name + "."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)

import requests as shadow

outside = [a for a in attempts if not Path(a[2]).resolve().is_relative_to(ROOT) or "site-packages" in a[2]]
print(json.dumps({
    "requests_file": shadow.__file__,
    "outside": outside,
    "rest_framework_test_loaded": "rest_framework.test" in sys.modules,
}))
"""


# Known optional imports, each with why it is harmless.
ALLOWED_IMPORTERS = {
    # `try: import requests except ImportError` — only rest_framework.test's
    # RequestsClient uses it, and we never import rest_framework.test.
    "rest_framework.compat",
}


def test_no_runtime_module_imports_requests():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["requests_file"]).resolve() == ROOT / "requests" / "__init__.py"
    offenders = [entry for entry in report["outside"] if entry[1] not in ALLOWED_IMPORTERS]
    assert offenders == [], "modules outside govshare import `requests`: " + "; ".join(
        f"{module} ({filename}) imports {name}" for name, module, filename in offenders
    )
    assert not report["rest_framework_test_loaded"]


def test_nothing_of_ours_uses_drf_test_clients():
    """DRF's test module imports `requests`; tests use Django's test Client."""
    pattern = re.compile(r"rest_framework\.test|APIClient|RequestsClient")
    this_file = Path(__file__).resolve()
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("**/*.py")
        if ".venv" not in path.parts and path.resolve() != this_file and pattern.search(path.read_text())
    ]
    assert offenders == []
