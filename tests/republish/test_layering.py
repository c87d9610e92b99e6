"""republish sits above articles: articles must work without knowing it exists."""

import ast
from pathlib import Path

import articles

ARTICLES = Path(articles.__file__).parent


def test_the_articles_app_never_imports_republish():
    offenders = []
    for source in ARTICLES.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{source.relative_to(ARTICLES)}: {name}"
                for name in names
                if name == "republish" or name.startswith("republish.")
            ]
    assert offenders == []
