"""Split a demo corpus module written in Python into code and JSON data (demo/data/).

Used once to move ``articles/demo_content.py`` (2,200 lines, mostly text) into the ``demo``
app: the text became ``demo/data/*.json`` and the generator ``demo/corpus.py``. Kept so a
branch that still edits the old module (new vocabulary, Spanish names) can be converted the
same way when it is merged: ``python scripts/demo_content_to_json.py articles/demo_content.py``
rewrites ``demo/data/*.json`` and ``demo/corpus.py`` from it.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Which file each data constant goes to, and the dataclass its items are (None: plain data).
DATA = {
    "SECTIONS": ("vocabulary", "SectionData"),
    "COUNTRIES": ("vocabulary", "CountryData"),
    "GROUPS": ("vocabulary", "GroupData"),
    "TOPICS": ("vocabulary", "TopicData"),
    "AUTHORS": ("vocabulary", "AuthorData"),
    "THREADS": ("threads", "Thread"),
    "THREAD_PLACES": ("threads", None),
    "EVENTS": ("events", None),
    "CONTEXT": ("paragraphs", None),
    "ANALYSIS": ("paragraphs", None),
    "QUOTES": ("paragraphs", None),
    "HEADINGS": ("paragraphs", None),
    "CLOSINGS": ("paragraphs", None),
    "PLACES_ES": ("paragraphs", None),
    "EVENT_TOPICS": ("paragraphs", None),
    "ORGANIZATION": ("organization", "OrgItem"),
}


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def main(source: Path) -> None:
    spec = importlib.util.spec_from_file_location("old_demo", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_demo"] = module
    spec.loader.exec_module(module)
    files: dict[str, dict] = {}
    for name, (file, _cls) in DATA.items():
        files.setdefault(file, {})[name] = _plain(getattr(module, name))
    for file, content in files.items():
        path = ROOT / "demo" / "data" / f"{file}.json"
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n")

    lines = source.read_text().splitlines()
    tree = ast.parse(source.read_text())
    replacements: dict[int, tuple[int, str]] = {}
    for node in tree.body:
        target = None
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target = node.target.id
        if target in DATA:
            file, cls = DATA[target]
            annotation = (
                f": {ast.get_source_segment(source.read_text(), node.annotation)}"
                if isinstance(node, ast.AnnAssign)
                else ""
            )
            loader = f"_items({cls}, " if cls else "("
            new = f'{target}{annotation} = {loader}_data("{file}")["{target}"])'
            replacements[node.lineno - 1] = (node.end_lineno, new)
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index in replacements:
            end, new = replacements[index]
            out.append(new)
            index = end
            continue
        out.append(lines[index])
        index += 1
    text = "\n".join(out) + "\n"
    header_end = text.index("\n\n\n")
    text = text[:header_end] + "\n" + LOADERS + text[header_end:]
    text = text.replace(
        '"""The demo corpus written by ``manage.py seed_demo``: vocabulary, people and article '
        "generators.",
        '"""The demo corpus written by ``manage.py seed_demo``: article generators; the text\n'
        "(vocabulary, people, story templates) is in demo/data/*.json.",
    )
    text = text.replace("import datetime as dt\n", "import datetime as dt\nimport json\n", 1)
    text = text.replace(
        "from dataclasses import dataclass, field\n",
        "from dataclasses import dataclass, field, fields\nfrom functools import cache\n"
        "from pathlib import Path\n",
        1,
    )
    (ROOT / "demo" / "corpus.py").write_text(text)


LOADERS = '''
DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def _data(name: str) -> dict:
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _items(cls: type, rows: list[dict]) -> list:
    """Dataclass instances from JSON rows: lists become the tuples the fields declare,
    ISO strings the datetimes."""
    types = {f.name: str(f.type) for f in fields(cls)}
    made = []
    for row in rows:
        values = {}
        for key, value in row.items():
            if isinstance(value, list) and types[key].startswith("tuple"):
                value = tuple(value)
            elif types[key].startswith("dt.datetime") and isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            values[key] = value
        made.append(cls(**values))
    return made
'''

if __name__ == "__main__":
    main(Path(sys.argv[1]))
