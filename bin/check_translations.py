#!/usr/bin/env python3
"""Fail when a string a reader, donor or editor sees is missing from the Spanish catalogue.

    python bin/check_translations.py

Runs Django's ``makemessages`` for every language but English (it needs GNU gettext's
``xgettext``: CI installs the ``gettext`` package), so the catalogue gains every string
wrapped in the code and templates since it was last updated, then fails on any entry that
is untranslated or fuzzy, on a translation whose placeholders (``%(name)s``, ``{name}``)
differ from the English, and on a stale compiled .mo. The updated .po stays in place for
the developer to fill in; when nothing but its creation date changed it is left untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bin"))

from compile_messages import main as compile_main  # noqa: E402

LANGUAGES = ["es"]
# Not shipped to readers or editors: tests, benchmarks, scripts, third-party code.
IGNORE = [".venv", "node_modules", "staticfiles", "media", "tests", "benchmarks", "scripts"]
MAKEMESSAGES = ["makemessages", "--no-location", "--no-obsolete", "--no-wrap"]
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]+\)[sd]|\{[a-zA-Z_]+\}")
VOLATILE_HEADER = re.compile(rb'^"POT-Creation-Date: .*\\n"\n', re.MULTILINE)


def _makemessages(language: str) -> None:
    if shutil.which("xgettext") is None:
        sys.exit("check_translations: GNU gettext is needed (apt-get install gettext)")
    ignores = [f"--ignore={pattern}" for pattern in IGNORE]
    command = [sys.executable, "manage.py", *MAKEMESSAGES, "-l", language, *ignores]
    env = {**os.environ, "DEBUG": "1"}
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _problems(po_path: Path) -> list[str]:
    problems = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        label = f"{entry.msgctxt} | {entry.msgid}" if entry.msgctxt else entry.msgid
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {label!r}")
        elif not entry.translated():
            problems.append(f"untranslated: {label!r}")
        else:
            wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
            texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            if any(set(PLACEHOLDER.findall(text)) != wanted for text in texts):
                problems.append(f"placeholders differ: {label!r}")
    return problems


def main() -> int:
    failed = False
    for language in LANGUAGES:
        po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        before = po_path.read_bytes() if po_path.exists() else b""
        _makemessages(language)
        after = po_path.read_bytes()
        if VOLATILE_HEADER.sub(b"", before) == VOLATILE_HEADER.sub(b"", after):
            po_path.write_bytes(before)  # only the creation date moved: no change
        else:
            print(f"{po_path.relative_to(ROOT)}: updated from the code (commit it)")
        problems = _problems(po_path)
        for problem in problems:
            print(f"{po_path.relative_to(ROOT)}: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
    if compile_main(["--check"]) != 0:
        failed = True
    if failed:
        print("Translate the entries above, then run bin/compile_messages.py.", file=sys.stderr)
        return 1
    print("Catalogues complete: every string is translated and compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
