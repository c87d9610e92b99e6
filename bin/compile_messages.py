#!/usr/bin/env python3
"""Compile the gettext catalogues (locale/*/LC_MESSAGES/*.po -> .mo) without GNU gettext.

    python bin/compile_messages.py           # write every .mo that is missing or stale
    python bin/compile_messages.py --check   # exit 1 if a committed .mo is not current

Django's ``compilemessages`` needs GNU ``msgfmt``, which a fresh clone with only Python
does not have; polib (a dev dependency) writes the same binary format. ``make setup`` runs
this, so ``make run``, ``make test`` and ``make prod`` always read current catalogues; the
.mo files are also committed, so a plain ``pytest`` or a deploy without make works too,
and ``bin/check_translations.py`` (CI) fails when one is stale. Untranslated and fuzzy
entries are left out of the .mo (the English text shows), as msgfmt does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"


def compiled(po_path: Path) -> bytes:
    """The .mo bytes for one catalogue (written to a temporary file: polib's only API)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.mo"
        polib.pofile(str(po_path)).save_as_mofile(str(target))
        return target.read_bytes()


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a .mo is not current")
    args = parser.parse_args(argv)
    stale = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        data = compiled(po_path)
        if mo_path.exists() and mo_path.read_bytes() == data:
            continue
        stale.append(mo_path.relative_to(ROOT))
        if not args.check:
            mo_path.write_bytes(data)
    if args.check and stale:
        names = ", ".join(map(str, stale))
        print(f"Stale compiled catalogues: {names}; run bin/compile_messages.py", file=sys.stderr)
        return 1
    if stale:
        print(f"Compiled {len(stale)} catalogue(s): {', '.join(map(str, stale))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
