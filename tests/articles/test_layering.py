"""``articles`` sits at the bottom: no module of it imports an app above it."""

from __future__ import annotations

import ast
from pathlib import Path

import articles

ABOVE = {"related", "donations", "demo", "republish"}
ROOT = Path(articles.__file__).parent


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):  # also imports inside functions (the old deferred ones)
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_of_articles_imports_related_donations_or_any_app_above_it():
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 20  # the walk really reads the package (models, admin, views...)
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & ABOVE) for path in modules
    }
    assert {path: apps for path, apps in offenders.items() if apps} == {}


def test_the_import_walk_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text("def f():\n    from related.models import RelatedItem\n")
    assert imported_apps(module) == {"related"}
