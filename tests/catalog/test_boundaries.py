"""The catalog sits below the apps built on it: nothing in catalog/ reaches into the share-requests app."""

import ast
from pathlib import Path

import catalog

CATALOG = Path(catalog.__file__).parent


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside a function (lazily)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_nothing_in_the_catalog_imports_the_requests_app():
    files = sorted(CATALOG.rglob("*.py"))
    assert CATALOG / "services" / "resources.py" in files
    offending = {
        str(path.relative_to(CATALOG)): name
        for path in files
        for name in _imports(path)
        if name == "requests" or name.startswith("requests.")
    }
    assert offending == {}


def test_nothing_in_the_catalog_names_the_requests_app_by_its_label():
    """No apps.get_model("share_requests", …), URL name "share_requests:…" or template reference either."""
    files = sorted(p for p in CATALOG.rglob("*") if p.suffix in (".py", ".html", ".txt"))
    assert CATALOG / "templates" / "catalog" / "resource_detail.html" in files
    assert [str(p.relative_to(CATALOG)) for p in files if "share_requests" in p.read_text(encoding="utf-8")] == []


def test_the_check_finds_a_lazy_import(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from requests.services.grants import grant_revoke\n    import requests.tasks\n")
    assert _imports(module) == ["requests.services.grants", "requests.tasks"]
